-- Sift graph schema, version 5: `node_kind` covers the times.
--
-- `is(K) and last_access > 90d` (and `age`, `last_update`) reads, for every node of the kind, only
-- its times: with the times in the kind index the filter is evaluated on the index alone, in nid
-- order, instead of reading each node's whole row (its `reported` JSON) from the table. nid stays
-- the second column, so that the index still serves `kind = ? AND nid = ?` lookups and the nodes
-- come out in nid order (the edge lookups that follow then walk `edge_in` in order), and a bulk
-- import still appends to it. An index on the expression `coalesce(atime, ctime)` was measured and
-- is slower for this query: its range comes out in time order, which makes every following edge
-- lookup a random one (docs/query-compiler.md, performance).
DROP INDEX node_kind;
CREATE INDEX node_kind ON node(kind, nid, ctime, mtime, atime);
