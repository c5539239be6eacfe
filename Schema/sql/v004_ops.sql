-- Sift operations, version 4: jobs and the cleanup journal.

-- Jobs: a shell line run on a cron schedule and/or when a workflow event fires.
CREATE TABLE job (
    id             TEXT    PRIMARY KEY,
    line           TEXT    NOT NULL,             -- the shell line the job runs
    schedule       TEXT,                         -- 5-field cron (UTC), or NULL
    wait_for_event TEXT,                         -- workflow event that runs it, or NULL
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL,             -- unix seconds
    last_started   INTEGER,
    last_finished  INTEGER,
    last_status    TEXT,                         -- running | ok | failed
    last_error     TEXT,
    last_trigger   TEXT,                         -- manual | schedule | event name
    runs           INTEGER NOT NULL DEFAULT 0,
    failures       INTEGER NOT NULL DEFAULT 0,
    next_fire      INTEGER                       -- the next scheduled run, unix seconds
) WITHOUT ROWID;
CREATE INDEX job_event ON job(wait_for_event) WHERE wait_for_event IS NOT NULL;

-- Leases: who runs a job ('job:ID') or a cleanup ('cleanup') now, so that two runs never overlap.
-- A lease lapses at `until` unless renewed, or at once when its owner's process (on this host) is gone.
CREATE TABLE lease (
    name  TEXT    PRIMARY KEY,
    owner TEXT    NOT NULL,                      -- host:pid:token
    until INTEGER NOT NULL                       -- unix seconds
) WITHOUT ROWID;

-- One cleanup run (not written for a dry run: a dry run changes nothing).
CREATE TABLE cleanup_run (
    run_id      TEXT    PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    planned     INTEGER NOT NULL DEFAULT 0,
    succeeded   INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    summary     TEXT
) WITHOUT ROWID;

-- The journal: one row per action, written BEFORE the call (intent: result NULL) and completed AFTER
-- it (result), in the same transaction as the graph's update. An intent without a result is
-- re-checked against the cloud by the next run.
CREATE TABLE cleanup_action (
    seq         INTEGER PRIMARY KEY,
    run_id      TEXT    NOT NULL,
    node_id     TEXT    NOT NULL,                -- AccessKeyId
    kind        TEXT    NOT NULL,
    account     TEXT,
    user_name   TEXT,
    action      TEXT    NOT NULL,                -- disable | delete
    reason      TEXT,                            -- the clean reason
    intent_at   INTEGER NOT NULL,
    result      TEXT,                            -- NULL (intent only) | done | gone | skipped | failed
    result_at   INTEGER,
    detail      TEXT                             -- the error or the note
);
CREATE INDEX cleanup_action_node ON cleanup_action(node_id, action);
CREATE INDEX cleanup_action_open ON cleanup_action(seq) WHERE result IS NULL;
