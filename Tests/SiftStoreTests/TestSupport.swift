import Foundation
import GRDB
@testable import SiftStore

/// A fresh directory under the system's temporary directory, removed when the value is dropped.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sift-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A fixed moment for tests: 2026-06-01T00:00:00Z.
let testNow = Date(timeIntervalSince1970: 1_780_272_000)

/// The number of rows of a table.
func count(_ store: GraphStore, _ table: String) throws -> Int {
    try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
}

/// Every node of the store, ordered by id.
func allNodes(_ store: GraphStore) throws -> [Node] {
    try store.writer.read { db in
        try Row.fetchAll(db, sql: "SELECT \(NodeColumns.sql) FROM node ORDER BY id").map { try Node(row: $0) }
    }
}

/// Every edge as (from id, to id, type), sorted.
func allEdges(_ store: GraphStore) throws -> [String] {
    try store.writer.read { db in
        try String.fetchAll(db, sql: """
            SELECT f.id || ' -' || e.type || '-> ' || t.id FROM edge e
            JOIN node f ON f.nid = e.from_nid JOIN node t ON t.nid = e.to_nid ORDER BY 1
            """)
    }
}

/// The secondary indexes of the graph tables, by name.
func graphIndexes(_ store: GraphStore) throws -> [String] {
    try store.writer.read { db in
        try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
            AND tbl_name IN ('node', 'edge', 'change_log') ORDER BY name
            """)
    }
}

/// The indexes `Schema/sql/v001_graph.sql` creates.
let schemaGraphIndexes = ["change_log_at", "change_log_node", "edge_in", "node_atime", "node_ctime", "node_kind", "node_name", "node_subgraph"]
