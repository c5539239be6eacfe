-- Sift schema: posture-check runs (SiftChecks).
-- One row per `check run`, one per check in it, one per failing resource of a check.
-- Failing resources are copied (id, kind, name, account) so that a later run can say what was
-- resolved even when the resource has since disappeared from the graph.

CREATE TABLE check_run (
    run_id      INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL,                -- unix seconds (UTC); the `now` the queries ran with
    check_set   TEXT    NOT NULL,                -- the run's check ids, sorted, comma-separated
    score       REAL    NOT NULL,                -- posture score 0..100 (see docs/checks.md)
    passed      INTEGER NOT NULL,                -- checks that passed
    failed      INTEGER NOT NULL                 -- checks that failed
);
CREATE INDEX check_run_set ON check_run(check_set, run_id);

CREATE TABLE check_result (
    run_id     INTEGER NOT NULL REFERENCES check_run(run_id) ON DELETE CASCADE,
    check_id   TEXT    NOT NULL,
    severity   TEXT    NOT NULL,                 -- INFO | LOW | MEDIUM | HIGH | CRITICAL
    parameters TEXT    NOT NULL DEFAULT '{}',    -- JSON object: the parameter values used
    status     TEXT    NOT NULL,                 -- PASS | FAIL
    failing    INTEGER NOT NULL,                 -- number of failing resources
    PRIMARY KEY (run_id, check_id)
) WITHOUT ROWID;
CREATE INDEX check_result_check ON check_result(check_id, run_id);

CREATE TABLE check_failure (
    run_id       INTEGER NOT NULL,
    check_id     TEXT    NOT NULL,
    resource_id  TEXT    NOT NULL,               -- node id: AccessKeyId, UserId, <account>-root
    kind         TEXT    NOT NULL,
    name         TEXT,
    account_id   TEXT,
    account_name TEXT,
    PRIMARY KEY (run_id, check_id, resource_id),
    FOREIGN KEY (run_id, check_id) REFERENCES check_result(run_id, check_id) ON DELETE CASCADE
) WITHOUT ROWID;
