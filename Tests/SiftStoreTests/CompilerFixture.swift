import Foundation
import GRDB
import SiftQuery
import SiftSchema
@testable import SiftStore

/// A small graph in a temporary SQLite database, built row by row, for the compiler's semantic tests.
///
/// ```
/// aws ─ prod(111) ─ alice ─ k1 (created 200d, used 100d ago)   k2 (50d, used 10d)
///     │           └ bob   ─ k3 (120d, never used)             k4 (30d, never used)
///     └ dev(222)  ─ ci    ─ k5 (400d, used 95d, Inactive)
///                 ├ jenkins ─ k6 (300d, used 91d)
///                 └ root (aws_root_user, no keys)
/// ```
/// Default edges as drawn; delete edges user -> key, plus a delete edge k1 -> alice (a cycle).
struct CompilerFixture {
    static let now = Date(timeIntervalSince1970: 1_780_272_000) // 2026-06-01T00:00:00Z
    static let day: Int64 = 86_400

    let queue: DatabaseQueue
    private(set) var nids: [String: Int64] = [:]

    init() throws {
        queue = try DatabaseQueue(configuration: {
            var configuration = Configuration()
            configuration.prepareDatabase { db in SiftStore.SQLiteFunctions.register(in: db) }
            return configuration
        }())
        try queue.write { db in
            for migration in SiftSchema.migrations { try db.execute(sql: migration.sql) }
        }
        try build()
    }

    private static func ago(_ days: Int64) -> Int64 { Int64(now.timeIntervalSince1970) - days * day }

    private mutating func build() throws {
        try node("aws", "cloud", "aws", ctime: Self.ago(1000), subgraph: "cloud:aws")
        try node("111", "aws_account", "prod", ctime: Self.ago(900), subgraph: "111")
        try node("222", "aws_account", "dev", ctime: Self.ago(900), subgraph: "222")
        try node("u1", "aws_iam_user", "alice", ctime: Self.ago(500), atime: Self.ago(5), subgraph: "111", reported: [
            "arn": "arn:aws:iam::111:user/alice", "mfa_active": true, "password_enabled": true,
            "password_last_used": QueryTime.iso(Self.ago(5)),
            "tags": ["owner": "prod-team", "app.kubernetes.io/name": "web"], "groups": ["admins", "dev"],
            "logins": [["region": "eu-west-1"], ["region": "us-east-1"]],
        ], desired: ["clean": false])
        try node("u2", "aws_iam_user", "bob", ctime: Self.ago(400), subgraph: "111", reported: [
            "arn": "arn:aws:iam::111:user/bob", "mfa_active": false, "password_enabled": false,
            "tags": ["owner": "ops"], "groups": ["dev"],
        ], metadata: ["protected": true])
        try node("u3", "aws_iam_user", "ci", ctime: Self.ago(450), subgraph: "222", reported: [
            "arn": "arn:aws:iam::222:user/ci", "mfa_active": false, "groups": [String](),
        ])
        try node("u4", "aws_iam_user", "jenkins", ctime: Self.ago(350), subgraph: "222", reported: [
            "arn": "arn:aws:iam::222:user/jenkins", "mfa_active": false, "groups": ["admins"], "tags": [String: String](),
        ])
        try node("222-root", "aws_root_user", "root", ctime: Self.ago(900), subgraph: "222", reported: ["mfa_active": true])
        try key("k1", user: "alice", created: 200, used: 100, status: "Active", region: "us-east-1", subgraph: "111")
        try key("k2", user: "alice", created: 50, used: 10, status: "Active", region: "eu-west-1", subgraph: "111")
        try key("k3", user: "bob", created: 120, used: nil, status: "Active", region: nil, subgraph: "111")
        try key("k4", user: "bob", created: 30, used: nil, status: "Active", region: nil, subgraph: "111")
        try key("k5", user: "ci", created: 400, used: 95, status: "Inactive", region: "us-east-1", subgraph: "222")
        try key("k6", user: "jenkins", created: 300, used: 91, status: "Active", region: "us-west-2", subgraph: "222")
        for (from, to) in [("aws", "111"), ("aws", "222"), ("111", "u1"), ("111", "u2"), ("222", "u3"), ("222", "u4"),
                           ("222", "222-root"), ("u1", "k1"), ("u1", "k2"), ("u2", "k3"), ("u2", "k4"), ("u3", "k5"), ("u4", "k6")] {
            try edge(from, to, "default")
        }
        for (from, to) in [("u1", "k1"), ("u1", "k2"), ("u2", "k3"), ("u2", "k4"), ("u3", "k5"), ("u4", "k6"), ("k1", "u1")] {
            try edge(from, to, "delete")
        }
    }

    private mutating func key(_ id: String, user: String, created: Int64, used: Int64?, status: String, region: String?, subgraph: String) throws {
        var lastUsed: [String: Any] = ["service_name": used == nil ? "N/A" : "iam"]
        if let used { lastUsed["last_used"] = QueryTime.iso(Self.ago(used)) }
        if let region { lastUsed["region"] = region }
        try node(id, "aws_iam_access_key", user, ctime: Self.ago(created), atime: used.map(Self.ago), subgraph: subgraph, reported: [
            "access_key_status": status, "user_name": user, "access_key_last_used": lastUsed,
        ])
    }

    private mutating func node(
        _ id: String, _ kind: String, _ name: String, ctime: Int64, atime: Int64? = nil, subgraph: String,
        reported: [String: Any] = [:], desired: [String: Any] = [:], metadata: [String: Any] = [:]
    ) throws {
        var full = reported
        full["id"] = id
        full["kind"] = kind
        full["name"] = name
        full["ctime"] = QueryTime.iso(ctime)
        full["mtime"] = QueryTime.iso(ctime)
        if let atime { full["atime"] = QueryTime.iso(atime) }
        let nid = try queue.write { db -> Int64 in
            try db.execute(sql: """
                INSERT INTO node (id, kind, name, ctime, mtime, atime, subgraph, reported, desired, metadata, first_seen, last_seen)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)
                """, arguments: [id, kind, name, ctime, ctime, atime, subgraph, try Self.json(full), try Self.json(desired), try Self.json(metadata)])
            return db.lastInsertedRowID
        }
        nids[id] = nid
    }

    private func edge(_ from: String, _ to: String, _ type: String) throws {
        try queue.write { db in
            try db.execute(sql: "INSERT INTO edge (from_nid, to_nid, type) VALUES (?, ?, ?)", arguments: [nids[from], nids[to], type])
        }
    }

    private static func json(_ object: [String: Any]) throws -> String {
        // Slashes unescaped, as the store writes them: SQLite 3.40 matches JSON path keys on the raw text.
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    // MARK: Running queries

    /// The compiler the tests use (built-in kinds, the fixture's now).
    static let compiler = SQLiteCompiler(kinds: .builtin, now: now)

    /// The ids of the matching nodes, in the order of the result.
    func ids(_ query: Query, _ output: QueryOutput = .nodes()) throws -> [String] {
        let compiled = try Self.compiler.compile(query, output: output)
        return try queue.read { db in try String.fetchAll(db, sql: "SELECT id FROM (\(compiled.sql))", arguments: compiled.arguments) }
    }

    /// The ids of the matching nodes as a set.
    func set(_ query: Query) throws -> Set<String> {
        let result = try ids(query)
        return Set(result)
    }

    /// All rows of a compiled query.
    func rows(_ query: Query, _ output: QueryOutput) throws -> [Row] {
        let compiled = try Self.compiler.compile(query, output: output)
        return try queue.read { db in try Row.fetchAll(db, sql: compiled.sql, arguments: compiled.arguments) }
    }
}

// MARK: AST shorthands

/// A reported path from dotted keys (`p("tags", "owner")`).
func p(_ keys: String...) -> Path { Path(components: keys.map(PathComponent.key)) }

/// `path OP value`.
func cmp(_ path: Path, _ op: Operator, _ value: Value, _ modifier: ArrayModifier? = nil) -> Term {
    .predicate(SiftQuery.Predicate(path: path, modifier: modifier, op: op, value: value))
}

/// `is(kinds)`.
func isKind(_ kinds: String...) -> Term { .isKind(kinds) }

/// A one-part query.
func q(_ term: Term, with: WithClause? = nil, sort: [Sort] = [], limit: Limit? = nil) -> Query {
    Query(parts: [Part(term: term, with: with, sort: sort, limit: limit)])
}

/// A query of parts joined by navigations.
func chain(_ first: Term, _ rest: (Navigation, Term)...) -> Query {
    var parts = [Part(term: first)]
    for (navigation, term) in rest {
        parts[parts.count - 1].navigation = navigation
        parts.append(Part(term: term))
    }
    return Query(parts: parts)
}

/// `n days` as a duration value.
func days(_ n: Int64) -> Value { .duration(SiftQuery.Duration(seconds: n * 86_400)) }

func && (lhs: Term, rhs: Term) -> Term { .and(lhs, rhs) }
func || (lhs: Term, rhs: Term) -> Term { .or(lhs, rhs) }
