import Foundation
import GRDB
@testable import SiftStore
@testable import SiftOps

/// Writes a small account -> user -> access key graph straight into the node and edge tables, for
/// tests of the planner that need no cloud.
struct GraphFixture {
    let store: GraphStore
    let account = "123456789012"

    func addAccount() throws {
        try insert(id: account, kind: "aws_account", name: "test", reported: [:], desired: [:], metadata: [:])
    }

    /// Adds user `user` (if new) and its key `id`.
    func addKey(_ id: String, user: String, status: String = "Active", desired: JSONObject = [:], metadata: JSONObject = [:],
                userName: String? = nil) throws {
        let userId = "AIDA" + user.uppercased()
        if try store.writer.read({ db in try Bool.fetchOne(db, sql: "SELECT 1 FROM node WHERE id = ?", arguments: [userId]) }) != true {
            try insert(id: userId, kind: "aws_iam_user", name: user, reported: [:], desired: [:], metadata: [:])
            try edge(from: account, to: userId)
        }
        var reported: JSONObject = ["access_key_status": .string(status)]
        reported["user_name"] = .string(userName ?? user)
        try insert(id: id, kind: "aws_iam_access_key", name: user, reported: reported, desired: desired, metadata: metadata)
        try edge(from: userId, to: id)
    }

    func insert(id: String, kind: String, name: String, reported: JSONObject, desired: JSONObject, metadata: JSONObject) throws {
        var full = reported
        full["id"] = .string(id)
        full["kind"] = .string(kind)
        full["name"] = .string(name)
        try store.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO node(id, kind, name, subgraph, reported, desired, metadata, first_seen, last_seen)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)
                    """,
                arguments: [id, kind, name, account, JSONValue.object(full).jsonText,
                            JSONValue.object(desired).jsonText, JSONValue.object(metadata).jsonText])
        }
    }

    func edge(from: String, to: String) throws {
        try store.writer.write { db in
            try db.execute(
                sql: "INSERT INTO edge(from_nid, to_nid, type) SELECT a.nid, b.nid, 'default' FROM node a, node b WHERE a.id = ? AND b.id = ?",
                arguments: [from, to])
        }
    }

    /// Every node row as text, to show nothing changed.
    func snapshot() throws -> [String] {
        try store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, kind, name, reported, desired, metadata FROM node ORDER BY id").map { $0.description }
        }
    }

    func journalCount() throws -> Int {
        try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cleanup_action") ?? 0 }
    }
}
