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

/// One read transaction of the query path: a compiled query's rows as SQLite yields them and
/// the lookups of related nodes on the same snapshot.
struct ReadSession {
    let db: Database

    /// Streams the nodes of a query compiled for `.nodes`; `body` returns false to stop early.
    func forEachNode(_ compiled: CompiledQuery, related: Set<RelatedNodes>, kinds: KindModel,
                     _ body: (ResultRow) throws -> Bool) throws {
        let finder = related.isEmpty ? nil : RelatedNodeFinder(session: self, kinds: kinds)
        let cursor = try Row.fetchCursor(db, sql: compiled.sql, arguments: compiled.arguments)
        while let row = try cursor.next() {
            var result = ResultRow(nid: row[0], node: try Node(row: row))
            if let finder {
                for request in related {
                    if let found = try finder.related(of: result.nid, request) { result.related[request] = found.node }
                }
            }
            guard try body(result) else { return }
        }
    }

    /// Streams the groups of a query compiled for `.count`.
    func forEachCount(_ compiled: CompiledQuery, _ body: (_ label: String, _ count: Int, _ matched: Bool) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db, sql: compiled.sql, arguments: compiled.arguments)
        while let row = try cursor.next() {
            try body(Self.label(row[0] as DatabaseValue), row[1], row[2])
        }
    }

    /// The nodes one default edge away: the parents (`upward`) or the children.
    func neighbours(of nid: Int64, upward: Bool) throws -> [Int64] {
        let statement = try db.cachedStatement(sql: upward
            ? "SELECT from_nid FROM edge WHERE to_nid = ? AND type = 'default'"
            : "SELECT to_nid FROM edge WHERE from_nid = ? AND type = 'default'")
        return try Int64.fetchAll(statement, arguments: [nid])
    }

    /// The kind of the node with that internal id.
    func kind(of nid: Int64) throws -> String? {
        try String.fetchOne(try db.cachedStatement(sql: "SELECT kind FROM node WHERE nid = ?"), arguments: [nid])
    }

    /// The node with that internal id.
    func node(nid: Int64) throws -> ResultRow? {
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

/// Finds the nearest node of a kind above or below a row's node, level by level over default
/// edges (ties by nid). Each step is one indexed lookup with a cached statement; the answer is
/// remembered for every node of a single chain walked (so the keys of one user share the user's
/// walk up to the account).
final class RelatedNodeFinder {
    private let session: ReadSession
    private let kinds: KindModel
    private var cache: [Key: ResultRow?] = [:]

    private struct Key: Hashable {
        let nid: Int64
        let request: RelatedNodes
    }

    init(session: ReadSession, kinds: KindModel) {
        self.session = session
        self.kinds = kinds
    }

    /// The nearest related node, or nil when there is none within 64 levels.
    func related(of nid: Int64, _ request: RelatedNodes) throws -> ResultRow? {
        if let cached = cache[Key(nid: nid, request: request)] { return cached }
        let wanted = Set(kinds.subkinds(of: request.kind))
        var frontier: [Int64] = [nid]
        var seen: Set<Int64> = [nid]
        var chain: [Int64] = [nid]   // the start and the nodes of its single path so far
        var singlePath = true
        var found: ResultRow?
        walk: for _ in 0..<64 where !frontier.isEmpty {
            var next: [Int64] = []
            for current in frontier {
                for neighbour in try session.neighbours(of: current, upward: request.upward) where seen.insert(neighbour).inserted {
                    next.append(neighbour)
                }
            }
            next.sort()
            for candidate in next {
                if let candidateKind = try session.kind(of: candidate), wanted.contains(candidateKind) {
                    found = try session.node(nid: candidate)
                    break walk
                }
            }
            if next.count == 1 && singlePath {
                if let known = cache[Key(nid: next[0], request: request)] {
                    found = known
                    break walk
                }
                chain.append(next[0])
            } else {
                singlePath = false
            }
            frontier = next
        }
        if cache.count > 10_000 { cache.removeAll(keepingCapacity: true) }
        for member in chain { cache[Key(nid: member, request: request)] = found }
        cache[Key(nid: nid, request: request)] = found
        return found
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

extension GraphStore: GraphQuerying {
    /// Compiles `query` with the SQLite compiler without running it.
    public func validate(_ query: Query, kinds: KindModel) throws {
        _ = try SQLiteCompiler(kinds: kinds).compile(query, output: .nodes())
    }

    /// Streams the nodes of `query` on one snapshot, with the related nodes asked for.
    public func nodes(_ query: Query, _ request: NodeRequest, _ body: (ResultRow) throws -> Bool) throws {
        let compiled = try SQLiteCompiler(kinds: request.kinds, now: request.now)
            .compile(query, output: .nodes(head: request.head, tail: request.tail))
        try read { session in
            try session.forEachNode(compiled, related: request.related, kinds: request.kinds, body)
        }
    }

    /// Streams the count groups of `query` by `path`.
    public func counts(_ query: Query, by path: Path?, kinds: KindModel, now: Date,
                       _ body: (_ label: String, _ count: Int, _ matched: Bool) throws -> Void) throws {
        let compiled = try SQLiteCompiler(kinds: kinds, now: now).compile(query, output: .count(path: path))
        try read { session in try session.forEachCount(compiled, body) }
    }

    /// Runs `body` in one read transaction (a snapshot: writes committed meanwhile are not
    /// seen). SQLite's errors come out as `ReadFailure`; errors `body` throws pass through.
    func read<T>(_ body: (ReadSession) throws -> T) throws -> T {
        do {
            return try writer.read { db in try body(ReadSession(db: db)) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
            throw ReadFailure.interrupted
        } catch let error as DatabaseError {
            throw ReadFailure.failed(Self.message(of: error))
        }
    }

    /// The one-line message of an SQLite error, or nil when `error` is not one.
    public func databaseMessage(of error: any Error) -> String? {
        (error as? DatabaseError).map(Self.message(of:))
    }

    /// Whether an error means `interrupt()` stopped the work.
    public func isInterruption(_ error: any Error) -> Bool {
        if case .interrupted? = error as? ReadFailure { return true }
        return (error as? DatabaseError)?.resultCode == .SQLITE_INTERRUPT
    }

    /// Stops the statements running on the store's connections (from any thread).
    public func interrupt() {
        writer.interrupt()
    }

    /// `explain`: the normalised query, its SQL with the bound values, and SQLite's plan on
    /// this database.
    public func explain(_ query: Query, kinds: KindModel, now: Date) throws -> String {
        try writer.read { db in try SiftStore.explain(query, in: db, kinds: kinds, now: now) }
    }
}
