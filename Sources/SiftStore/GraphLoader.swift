import Foundation
import GRDB

/// What an import (or a generation) wrote.
public struct ImportSummary: Sendable, Hashable {
    /// Node lines read.
    public var nodes = 0
    /// Edge lines read.
    public var edges = 0
    /// Nodes that did not exist before.
    public var created = 0
    /// Nodes that existed with other data.
    public var updated = 0
    /// Nodes that existed with the same data.
    public var unchanged = 0
    /// Edges that did not exist before.
    public var edgesAdded = 0
}

/// Where a record came from, for errors: `source:line`.
struct RecordOrigin {
    let source: String
    let line: Int

    func error(_ message: String) -> ImportError {
        ImportError(source: source, line: line, message: message)
    }
}

/// A node as an import brings it: the record plus what the file says about its place and times.
struct LoadedNode: Equatable {
    var record: NodeRecord
    var subgraph: String
    var firstSeen: Int64
    var lastSeen: Int64
}

/// Writes many nodes and edges inside one write transaction: the shared engine of import and
/// generation.
///
/// Into an empty graph it bulk-loads: plain inserts through reused prepared statements, the
/// secondary indexes dropped first and rebuilt at the end (one sort each instead of a million
/// random B-tree inserts), no per-node change log (loading an empty graph is a restore, not a
/// change). Into a graph that has nodes it merges: upsert by id, `node_created` / `node_updated`
/// logged only for real changes, so loading the same data twice changes nothing.
///
/// Edges name nodes by id. Those whose ends are not known yet wait in a temporary table and are
/// resolved at the end, so the input may list edges before their nodes; memory stays flat.
final class GraphLoader {
    private let db: Database
    private let at: Int64
    private let statements: NodeStatements
    private let log: ChangeLogWriter
    private let markSeen: RawStatement?
    private let pendingEdge: RawStatement
    /// True when the graph was empty at the start.
    let isBulk: Bool
    private var droppedIndexes: [String] = []
    private let rebuildCacheKiB: Int
    private var pendingEdges = 0
    private(set) var summary = ImportSummary()

    /// How a load uses memory and indexes.
    struct Profile {
        /// SQLite's page cache (which also bounds its sort memory), KiB: fixed, so that memory does
        /// not grow with the input.
        let cacheKiB: Int
        /// Secondary indexes kept up to date during a bulk load, because their inserts are appends:
        /// (kind, nid) and (subgraph, nid) always grow at the end of each group. The others are
        /// dropped and rebuilt at the end, one sort each instead of a million random inserts.
        let liveIndexes: Set<String>

        /// The cache while dropped indexes are rebuilt, KiB: SQLite sizes its sort memory from it.
        let rebuildCacheKiB: Int

        /// Imports: edges arrive in random target order, so `edge_in` is rebuilt; the rebuild sorts
        /// in 16 MiB and spills to temporary files, so that memory stays flat whatever the size.
        static let importing = Profile(cacheKiB: 65_536, liveIndexes: ["node_kind", "node_subgraph"], rebuildCacheKiB: 16_384)
        /// Generation rebuilds every secondary index, even those whose inserts would be appends:
        /// one in-memory sort each is still cheaper than a B-tree descent and key comparisons per
        /// row (1M nodes: 10.3 s -> 9.8 s wall, 8.3 s -> 7.7 s user). Its memory is not bounded as
        /// tightly as an import's: the rebuild sorts in memory.
        static let generating = Profile(cacheKiB: 131_072, liveIndexes: [], rebuildCacheKiB: 131_072)
    }

    init(db: Database, now: Int64, profile: Profile) throws {
        self.db = db
        at = now
        rebuildCacheKiB = profile.rebuildCacheKiB
        isBulk = try Int.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM node)") == 1
        try db.execute(sql: "PRAGMA cache_size = -\(profile.cacheKiB)")
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS load_pending_edge(line INTEGER, source TEXT, from_id TEXT, to_id TEXT, type TEXT);
            DELETE FROM load_pending_edge;
            """)
        if isBulk {
            let indexes = try Row.fetchAll(db, sql: """
                SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('node', 'edge') AND sql IS NOT NULL ORDER BY name
                """)
            for index in indexes where !profile.liveIndexes.contains(index[0]) {
                let name: String = index[0]
                droppedIndexes.append(index[1])
                try db.execute(sql: "DROP INDEX \(name.quotedDatabaseIdentifier)")
            }
            markSeen = nil
        } else {
            try db.execute(sql: """
                CREATE TEMP TABLE IF NOT EXISTS load_seen(nid INTEGER PRIMARY KEY, line INTEGER);
                DELETE FROM load_seen;
                """)
            markSeen = try RawStatement(db, "INSERT OR IGNORE INTO load_seen(nid, line) VALUES (?, ?)")
        }
        statements = try NodeStatements(db)
        log = try ChangeLogWriter(db)
        pendingEdge = try RawStatement(db, "INSERT INTO load_pending_edge(line, source, from_id, to_id, type) VALUES (?, ?, ?, ?, ?)")
    }

    /// Writes one node; returns its nid.
    @discardableResult
    func add(_ node: LoadedNode, origin: @autoclosure () -> RecordOrigin) throws -> Int64 {
        summary.nodes += 1
        if isBulk {
            do {
                let nid = try statements.insert(node.record, subgraph: node.subgraph, firstSeen: node.firstSeen, lastSeen: node.lastSeen)
                summary.created += 1
                return nid
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw origin().error("duplicate node id \"\(node.record.id)\"")
            }
        }
        return try merge(node, origin: origin())
    }

    private func merge(_ node: LoadedNode, origin: RecordOrigin) throws -> Int64 {
        let record = node.record
        guard let existing = try statements.find(record) else {
            let nid = try statements.insert(record, subgraph: node.subgraph, firstSeen: node.firstSeen, lastSeen: node.lastSeen)
            try remember(nid, origin: origin, id: record.id)
            try log.log(at: at, change: .nodeCreated, id: record.id, kind: record.kind, name: record.name, subgraph: node.subgraph, detail: nil)
            summary.created += 1
            return nid
        }
        try remember(existing.nid, origin: origin, id: record.id)
        let sameData = existing.sameReported && existing.sameMarks && existing.subgraph == node.subgraph
        if sameData && existing.firstSeen == node.firstSeen && existing.lastSeen == node.lastSeen {
            summary.unchanged += 1
            return existing.nid
        }
        try statements.updateAll(nid: existing.nid, record, subgraph: node.subgraph, firstSeen: node.firstSeen, lastSeen: node.lastSeen)
        if sameData {
            summary.unchanged += 1
            return existing.nid
        }
        var changed = existing.oldReported.map { changedKeys(old: $0, new: record.reported) } ?? []
        if !existing.sameMarks { changed.append("/desired+/metadata") }
        var detail: JSONObject = ["changed": .array(changed.map(JSONValue.string))]
        if existing.subgraph != node.subgraph {
            detail["subgraph"] = .object(["from": .string(existing.subgraph), "to": .string(node.subgraph)])
        }
        try log.log(at: at, change: .nodeUpdated, id: record.id, kind: record.kind, name: record.name,
                    subgraph: node.subgraph, detail: detail.jsonText)
        summary.updated += 1
        return existing.nid
    }

    /// Records that this load wrote `nid`; a second node line with the same id is an error.
    private func remember(_ nid: Int64, origin: RecordOrigin, id: String) throws {
        guard let markSeen else { return }
        markSeen.bind(1, nid)
        markSeen.bind(2, Int64(origin.line))
        try markSeen.execute()
        if markSeen.changedRows == 0 {
            throw origin.error("duplicate node id \"\(id)\"")
        }
    }

    /// The last id resolved at each end of an edge: sorted edge lines repeat them.
    private var lastFrom: (id: String, nid: Int64)?
    private var lastTo: (id: String, nid: Int64)?

    private func resolve(_ id: String, _ cache: inout (id: String, nid: Int64)?) throws -> Int64? {
        if let cache, cache.id == id { return cache.nid }
        guard let nid = try statements.nid(of: id) else { return nil }
        cache = (id, nid)
        return nid
    }

    /// Adds an edge between two nodes named by id (now, or at the end if an end is not known yet).
    func addEdge(from: String, to: String, type: EdgeType, origin: @autoclosure () -> RecordOrigin) throws {
        summary.edges += 1
        if let fromNid = try resolve(from, &lastFrom), let toNid = try resolve(to, &lastTo) {
            if try statements.insertEdge(from: fromNid, to: toNid, type: type) { summary.edgesAdded += 1 }
            return
        }
        let where_ = origin()
        pendingEdge.bind(1, Int64(where_.line))
        pendingEdge.bind(2, where_.source)
        pendingEdge.bind(3, from)
        pendingEdge.bind(4, to)
        pendingEdge.bind(5, type.rawValue)
        try pendingEdge.execute()
        pendingEdges += 1
    }

    /// Adds an edge between nids the caller got from `add`.
    func addEdge(from: Int64, to: Int64, type: EdgeType) throws {
        summary.edges += 1
        if try statements.insertEdge(from: from, to: to, type: type) { summary.edgesAdded += 1 }
    }

    /// Resolves the waiting edges, rebuilds dropped indexes and restores the cache size.
    func finish() throws -> ImportSummary {
        if pendingEdges > 0 {
            if let row = try Row.fetchOne(db, sql: """
                SELECT p.source, p.line, p.from_id, p.to_id FROM load_pending_edge p
                WHERE NOT EXISTS (SELECT 1 FROM node WHERE id = p.from_id) OR NOT EXISTS (SELECT 1 FROM node WHERE id = p.to_id)
                ORDER BY p.line LIMIT 1
                """) {
                let fromId: String = row[2]
                let missing = try statements.nid(of: fromId) == nil ? fromId : row[3] as String
                throw ImportError(source: row[0], line: row[1], message: "edge names unknown node id \"\(missing)\"")
            }
            try db.execute(sql: """
                INSERT OR IGNORE INTO edge(from_nid, to_nid, type)
                SELECT f.nid, t.nid, p.type FROM load_pending_edge p JOIN node f ON f.id = p.from_id JOIN node t ON t.id = p.to_id
                """)
            summary.edgesAdded += db.changesCount
        }
        try db.execute(sql: "DELETE FROM load_pending_edge")
        if !isBulk { try db.execute(sql: "DELETE FROM load_seen") }
        if !droppedIndexes.isEmpty {
            // SQLite sizes its sort memory from the cache: keep the rebuild's memory as small as
            // the load's, whatever the number of rows.
            try db.execute(sql: "PRAGMA cache_size = -\(rebuildCacheKiB)")
            for sql in droppedIndexes {
                try db.execute(sql: sql)
            }
        }
        try db.execute(sql: "PRAGMA cache_size = -2000")
        return summary
    }
}
