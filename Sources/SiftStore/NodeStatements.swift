import Foundation
import GRDB

/// A node row as found by id, before a write decides what to do with it.
struct ExistingNode {
    var nid: Int64
    var kind: String
    var name: String?
    var subgraph: String
    /// True when the stored `reported` text equals the record's.
    var sameReported: Bool
    /// True when the stored `desired` and `metadata` texts equal the record's.
    var sameMarks: Bool
    var firstSeen: Int64
    var lastSeen: Int64
    /// The stored `reported` text, kept only when it differs (for the change detail).
    var oldReported: [UInt8]?
}

/// The prepared statements of node and edge writes, shared by subgraph replacement, import and
/// the generator. Create one per transaction; they are reused for every row.
struct NodeStatements {
    private let lookup: RawStatement
    private let lookupNid: RawStatement
    private let insert: RawStatement
    private let updateReported: RawStatement
    private let updateAll: RawStatement
    private let touch: RawStatement
    private let insertEdge: RawStatement
    private let deleteEdge: RawStatement

    init(_ db: Database) throws {
        lookup = try RawStatement(db, """
            SELECT nid, kind, name, subgraph, reported, desired, metadata, first_seen, last_seen FROM node WHERE id = ?
            """)
        lookupNid = try RawStatement(db, "SELECT nid FROM node WHERE id = ?")
        insert = try RawStatement(db, """
            INSERT INTO node(id, kind, name, ctime, mtime, atime, subgraph, reported, desired, metadata, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        updateReported = try RawStatement(db, """
            UPDATE node SET kind = ?, name = ?, ctime = ?, mtime = ?, atime = ?, subgraph = ?, reported = ?, last_seen = ?
            WHERE nid = ?
            """)
        updateAll = try RawStatement(db, """
            UPDATE node SET kind = ?, name = ?, ctime = ?, mtime = ?, atime = ?, subgraph = ?, reported = ?,
            desired = ?, metadata = ?, first_seen = ?, last_seen = ? WHERE nid = ?
            """)
        touch = try RawStatement(db, "UPDATE node SET last_seen = ? WHERE nid = ?")
        insertEdge = try RawStatement(db, "INSERT OR IGNORE INTO edge(from_nid, to_nid, type) VALUES (?, ?, ?)")
        deleteEdge = try RawStatement(db, "DELETE FROM edge WHERE from_nid = ? AND to_nid = ? AND type = ?")
    }

    /// The stored row with this record's id, compared with the record.
    func find(_ record: NodeRecord) throws -> ExistingNode? {
        lookup.bind(1, record.id)
        defer { lookup.reset() }
        guard try lookup.step() else { return nil }
        let reported = lookup.bytes(4)
        let sameReported = reported.elementsEqual(record.reported)
        return ExistingNode(
            nid: lookup.int64(0),
            kind: lookup.text(1),
            name: lookup.optionalText(2),
            subgraph: lookup.text(3),
            sameReported: sameReported,
            sameMarks: lookup.bytes(5).elementsEqual(record.desired) && lookup.bytes(6).elementsEqual(record.metadata),
            firstSeen: lookup.int64(7),
            lastSeen: lookup.int64(8),
            oldReported: sameReported ? nil : Array(reported))
    }

    /// The nid of the node with this id.
    func nid(of id: String) throws -> Int64? {
        lookupNid.bind(1, id)
        defer { lookupNid.reset() }
        return try lookupNid.step() ? lookupNid.int64(0) : nil
    }

    private func bindColumns(_ statement: RawStatement, _ record: NodeRecord, subgraph: String) {
        statement.bind(1, record.kind)
        statement.bind(2, record.name)
        statement.bind(3, record.ctime)
        statement.bind(4, record.mtime)
        statement.bind(5, record.atime)
        statement.bind(6, subgraph)
        statement.bind(7, utf8: record.reported)
    }

    /// Inserts a new node; returns its nid.
    func insert(_ record: NodeRecord, subgraph: String, firstSeen: Int64, lastSeen: Int64) throws -> Int64 {
        insert.bind(1, record.id)
        insert.bind(2, record.kind)
        insert.bind(3, record.name)
        insert.bind(4, record.ctime)
        insert.bind(5, record.mtime)
        insert.bind(6, record.atime)
        insert.bind(7, subgraph)
        insert.bind(8, utf8: record.reported)
        insert.bind(9, utf8: record.desired)
        insert.bind(10, utf8: record.metadata)
        insert.bind(11, firstSeen)
        insert.bind(12, lastSeen)
        try insert.execute()
        return insert.lastInsertedRowID
    }

    /// Rewrites what the cloud reported, keeping desired, metadata and first_seen.
    func updateReported(nid: Int64, _ record: NodeRecord, subgraph: String, lastSeen: Int64) throws {
        bindColumns(updateReported, record, subgraph: subgraph)
        updateReported.bind(8, lastSeen)
        updateReported.bind(9, nid)
        try updateReported.execute()
    }

    /// Rewrites every column (import restores desired, metadata and the seen times too).
    func updateAll(nid: Int64, _ record: NodeRecord, subgraph: String, firstSeen: Int64, lastSeen: Int64) throws {
        bindColumns(updateAll, record, subgraph: subgraph)
        updateAll.bind(8, utf8: record.desired)
        updateAll.bind(9, utf8: record.metadata)
        updateAll.bind(10, firstSeen)
        updateAll.bind(11, lastSeen)
        updateAll.bind(12, nid)
        try updateAll.execute()
    }

    /// Sets last_seen only.
    func touch(nid: Int64, lastSeen: Int64) throws {
        touch.bind(1, lastSeen)
        touch.bind(2, nid)
        try touch.execute()
    }

    /// Adds an edge unless it exists; true when it was added.
    @discardableResult
    func insertEdge(from: Int64, to: Int64, type: EdgeType) throws -> Bool {
        insertEdge.bind(1, from)
        insertEdge.bind(2, to)
        insertEdge.bind(3, type.rawValue)
        try insertEdge.execute()
        return insertEdge.changedRows > 0
    }

    /// Removes an edge.
    func deleteEdge(from: Int64, to: Int64, type: EdgeType) throws {
        deleteEdge.bind(1, from)
        deleteEdge.bind(2, to)
        deleteEdge.bind(3, type.rawValue)
        try deleteEdge.execute()
    }
}

/// Top-level keys whose values differ between two stored `reported` texts (sorted).
func changedKeys(old: [UInt8], new: [UInt8]) -> [String] {
    let before = (try? JSONValue(parsing: old))?.objectValue ?? [:]
    let after = (try? JSONValue(parsing: new))?.objectValue ?? [:]
    return Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted(by: JSONWriter.keyOrder)
}
