-- Sift graph schema, version 1.
-- Applied by SiftStore's migrator in one transaction; PRAGMA user_version records the version.
-- Times are INTEGER unix seconds (UTC) so that they sort and compare cheaply; the same times
-- are kept in `reported` as ISO-8601 strings (YYYY-MM-DDTHH:MM:SSZ) for people and for export.

CREATE TABLE node (
    nid        INTEGER PRIMARY KEY,            -- internal, stable across re-collects (upsert by id)
    id         TEXT    NOT NULL UNIQUE,        -- the resource's own id (AccessKeyId, UserId, account id)
    kind       TEXT    NOT NULL,               -- the most specific kind (aws_iam_access_key)
    name       TEXT,
    ctime      INTEGER,                        -- created
    mtime      INTEGER,                        -- changed
    atime      INTEGER,                        -- last used; NULL = never used
    subgraph   TEXT    NOT NULL,               -- the unit a collect replaces (account id, 'import', ...)
    reported   TEXT    NOT NULL DEFAULT '{}',  -- JSON object: what the cloud said
    desired    TEXT    NOT NULL DEFAULT '{}',  -- JSON object: what a user wants (clean, clean_reason)
    metadata   TEXT    NOT NULL DEFAULT '{}',  -- JSON object: protected, cleaned, ...
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
);
CREATE INDEX node_kind     ON node(kind);
CREATE INDEX node_name     ON node(name);
CREATE INDEX node_ctime    ON node(ctime);
CREATE INDEX node_atime    ON node(atime);
CREATE INDEX node_subgraph ON node(subgraph);

-- Typed edges: 'default' is ownership (cloud -> account -> user -> access_key),
-- 'delete' says what must go before what. Both directions are indexed.
CREATE TABLE edge (
    from_nid INTEGER NOT NULL REFERENCES node(nid) ON DELETE CASCADE,
    to_nid   INTEGER NOT NULL REFERENCES node(nid) ON DELETE CASCADE,
    type     TEXT    NOT NULL DEFAULT 'default',
    PRIMARY KEY (from_nid, type, to_nid)
) WITHOUT ROWID;
CREATE INDEX edge_in ON edge(to_nid, type, from_nid);

-- What appeared, changed or disappeared, for `history`.
CREATE TABLE change_log (
    seq      INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,                 -- unix seconds
    change   TEXT    NOT NULL,                 -- node_created | node_updated | node_deleted | node_marked
    node_id  TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    name     TEXT,
    subgraph TEXT,
    detail   TEXT                              -- JSON: what changed
);
CREATE INDEX change_log_at ON change_log(at);
CREATE INDEX change_log_node ON change_log(node_id);

-- Key/value settings (config), JSON values.
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
