import Foundation
import GRDB
import SiftQuery

/// One result of a query as it streams: the node and its internal row id (for lookups of
/// ancestors and descendants).
public struct ResultRow: Sendable, Hashable {
    /// The node's internal id (`node.nid`).
    public var nid: Int64
    /// The node.
    public var node: Node
    /// The related nodes the query's `NodeRequest` asked for that exist.
    public var related: [RelatedNodes: Node]

    /// Creates a row.
    public init(nid: Int64, node: Node, related: [RelatedNodes: Node] = [:]) {
        self.nid = nid
        self.node = node
        self.related = related
    }
}

/// One read transaction of the shell's query path: a compiled query's nodes or count groups
/// streamed as SQLite yields them, and lookups of related nodes (a node's account, its
/// ancestors) on the same snapshot. Valid only inside `GraphStore.read(_:)`.
public final class ReadSession {
    private let db: Database

    init(db: Database) { self.db = db }

    /// Streams the nodes of a query compiled for `.nodes`; `body` returns false to stop early.
    public func forEachNode(_ compiled: CompiledQuery, _ body: (ResultRow) throws -> Bool) throws {
        let cursor = try Row.fetchCursor(db, sql: compiled.sql, arguments: compiled.arguments)
        while let row = try cursor.next() {
            guard try body(ResultRow(nid: row[0], node: try Node(row: row))) else { return }
        }
    }

    /// Streams the groups of a query compiled for `.count`: the group's value as text (`null`
    /// for no value), its count, and whether it is the matched or the unmatched group.
    public func forEachCount(_ compiled: CompiledQuery, _ body: (_ label: String, _ count: Int, _ matched: Bool) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db, sql: compiled.sql, arguments: compiled.arguments)
        while let row = try cursor.next() {
            try body(Self.label(row[0] as DatabaseValue), row[1], row[2])
        }
    }

    /// The nodes one default edge away: the parents (`upward`) or the children.
    public func neighbours(of nid: Int64, upward: Bool) throws -> [Int64] {
        let statement = try db.cachedStatement(sql: upward
            ? "SELECT from_nid FROM edge WHERE to_nid = ? AND type = 'default'"
            : "SELECT to_nid FROM edge WHERE from_nid = ? AND type = 'default'")
        return try Int64.fetchAll(statement, arguments: [nid])
    }

    /// The kind of the node with that internal id.
    public func kind(of nid: Int64) throws -> String? {
        try String.fetchOne(try db.cachedStatement(sql: "SELECT kind FROM node WHERE nid = ?"), arguments: [nid])
    }

    /// The node with that internal id.
    public func node(nid: Int64) throws -> ResultRow? {
        let statement = try db.cachedStatement(sql: "SELECT \(NodeColumns.sql) FROM node WHERE nid = ?")
        guard let row = try Row.fetchOne(statement, arguments: [nid]) else { return nil }
        return ResultRow(nid: nid, node: try Node(row: row))
    }

    /// A count group's value as the `count` command prints it.
    static func label(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: return "null"
        case .int64(let integer): return String(integer)
        case .double(let real): return String(real)
        case .string(let text): return text
        case .blob(let data): return String(decoding: data, as: UTF8.self)
        }
    }
}

/// How a read of the query path ended when it did not end well.
public enum ReadFailure: Error, Sendable, CustomStringConvertible {
    /// `GraphStore.interrupt()` stopped it (Ctrl-C, a time limit).
    case interrupted
    /// SQLite refused or failed; the message is one line.
    case failed(String)

    /// A message for people.
    public var description: String {
        switch self {
        case .interrupted: return "interrupted"
        case .failed(let message): return message
        }
    }
}

extension GraphStore {
    /// Runs `body` in one read transaction (a snapshot: writes committed meanwhile are not
    /// seen). SQLite's errors come out as `ReadFailure`; errors `body` throws pass through.
    public func read<T>(_ body: (ReadSession) throws -> T) throws -> T {
        do {
            return try writer.read { db in try body(ReadSession(db: db)) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
            throw ReadFailure.interrupted
        } catch let error as DatabaseError {
            throw ReadFailure.failed(Self.message(of: error))
        }
    }

    /// The one-line message of an SQLite error, or nil when `error` is not one.
    public static func sqliteMessage(of error: Error) -> String? {
        (error as? DatabaseError).map(message(of:))
    }

    /// Whether an error means `interrupt()` stopped the work.
    public static func isInterruption(_ error: Error) -> Bool {
        if case .interrupted? = error as? ReadFailure { return true }
        return (error as? DatabaseError)?.resultCode == .SQLITE_INTERRUPT
    }

    /// Stops the statements running on the store's connections (from any thread).
    public func interrupt() {
        writer.interrupt()
    }
}

extension GraphStore {
    /// `explain`: the normalised query, its SQL with the bound values, and SQLite's plan on
    /// this database.
    public func explain(_ query: Query, kinds: KindModel, now: Date) throws -> String {
        try writer.read { db in try SiftStore.explain(query, in: db, kinds: kinds, now: now) }
    }
}
