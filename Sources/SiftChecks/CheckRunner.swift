import Foundation
import GRDB
import SiftQuery
import SiftStore

/// What to run: check ids (all when empty), a minimum severity, parameter overrides.
public struct CheckRunRequest: Sendable, Hashable {
    /// The check ids; empty means every check of the catalogue.
    public var ids: [String]
    /// Only checks of at least this severity.
    public var minimumSeverity: Severity?
    /// `--param name=value` overrides.
    public var parameters: ParameterOverrides
    /// Count protected resources (`/metadata.protected == true`) as failing instead of exempt.
    public var includeProtected: Bool

    /// Creates a request.
    public init(ids: [String] = [], minimumSeverity: Severity? = nil, parameters: ParameterOverrides = .none,
                includeProtected: Bool = false) {
        self.ids = ids
        self.minimumSeverity = minimumSeverity
        self.parameters = parameters
        self.includeProtected = includeProtected
    }
}

/// Runs checks on the graph: each check's queries (parsed, compiled to SQL, run in one read
/// snapshot), the failing resources with their user and account, then the run stored and compared
/// with the previous one (`CheckRunStore`).
public struct CheckRunner: Sendable {
    /// The graph and the run tables.
    public let store: GraphStore
    /// The checks.
    public let catalogue: CheckCatalogue
    /// The kind model the queries compile against.
    public let kinds: KindModel

    /// Creates a runner.
    public init(store: GraphStore, catalogue: CheckCatalogue = .builtin, kinds: KindModel = .builtin) {
        self.store = store
        self.catalogue = catalogue
        self.kinds = kinds
    }

    /// Selects, validates, evaluates, stores and compares: the report of the run.
    public func run(_ request: CheckRunRequest, now: Date = Date()) throws -> CheckRunReport {
        let outcomes = try evaluate(request, now: now)
        return try CheckRunStore(writer: store.writer).record(startedAt: now, outcomes: outcomes)
    }

    /// Selects and evaluates the checks without storing anything.
    public func evaluate(_ request: CheckRunRequest, now: Date = Date()) throws -> [CheckOutcome] {
        let checks = try catalogue.select(ids: request.ids, minimumSeverity: request.minimumSeverity)
        let values = try request.parameters.resolve(for: checks)
        let prepared = try checks.map { check in
            try PreparedCheck(check: check, values: values[check.id] ?? check.defaultValues)
        }
        let compiler = SQLiteCompiler(kinds: kinds, now: now)
        let accountKinds = Set(kinds.subkinds(of: "account") + ["account"])
        let keyKinds = Set(kinds.subkinds(of: "access_key"))
        let userKinds = Set(kinds.subkinds(of: "user"))
        return try store.writer.read { db in
            let found = try prepared.map { check in try Self.failingNodes(of: check, compiler: compiler, in: db) }
            // One account lookup for the nodes of all checks: a key failing two checks is looked up once.
            let allNids = Set(found.flatMap(\.keys))
            let accounts = try AccountLookup.accounts(of: Array(allNids), accountKinds: accountKinds, in: db)
            return zip(prepared, found).map { check, nodes in
                var failing: [FailingResource] = []
                var exempt: [FailingResource] = []
                for (nid, node) in nodes {
                    let resource = node.resource(
                        account: accounts[nid],
                        role: keyKinds.contains(node.kind) ? .key : (userKinds.contains(node.kind) ? .user : .other))
                    if node.isProtected && !request.includeProtected {
                        exempt.append(resource)
                    } else {
                        failing.append(resource)
                    }
                }
                return CheckOutcome(check: check.definition, parameters: check.values, failing: failing, exempt: exempt)
            }
        }
    }

    /// The union of what a check's queries find, by nid, with only the columns a finding needs
    /// (no JSON section is parsed in Swift).
    private static func failingNodes(of check: PreparedCheck, compiler: SQLiteCompiler, in db: Database) throws -> [Int64: FoundNode] {
        var found: [Int64: FoundNode] = [:]
        for (text, query) in zip(check.definition.queries, check.queries) {
            let compiled: CompiledQuery
            do {
                compiled = try compiler.compile(query, output: .nodes())
            } catch {
                throw CheckError.queryFailed(check: check.definition.id, query: text, message: "\(error)")
            }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT q.nid, q.id, q.kind, q.name, json_extract(q.reported, '$.user_name'), json_extract(q.reported, '$.arn'),
                       json_extract(q.metadata, '$.protected') IS 1
                FROM (\(compiled.sql)) AS q
                """, arguments: compiled.arguments)
            while let row = try rows.next() {
                found[row[0]] = FoundNode(id: row[1], kind: row[2], name: row[3], reportedUser: row[4], arn: row[5], isProtected: row[6])
            }
        }
        return found
    }
}

/// A check with its parameter values filled into its texts and its queries parsed.
struct PreparedCheck {
    /// The check with title, queries, remediation and verification filled in.
    let definition: CheckDefinition
    /// The values used.
    let values: [String: Int]
    /// The parsed queries, in the order of `definition.queries`.
    let queries: [Query]

    init(check: CheckDefinition, values: [String: Int]) throws(CheckError) {
        var filled = check
        func fill(_ text: String) throws(CheckError) -> String {
            do {
                return try CheckTemplate.render(text, values: values)
            } catch {
                throw .invalidCatalogue(file: "catalogue", check: check.id, message: "\(error) in `\(text)`")
            }
        }
        filled.title = try fill(check.title)
        filled.queries = try check.queries.map { text throws(CheckError) in try fill(text) }
        filled.remediation = try check.remediation.map { text throws(CheckError) in try fill(text) }
        filled.verification = try check.verification.map { text throws(CheckError) in try fill(text) }
        var parsed: [Query] = []
        for text in filled.queries {
            do {
                parsed.append(try QueryParser.parse(text))
            } catch {
                throw .queryFailed(check: check.id, query: text, message: error.render(source: text))
            }
        }
        self.definition = filled
        self.values = values
        self.queries = parsed
    }
}

/// Finds each node's account: the nearest ancestor over default edges whose kind is an account kind.
enum AccountLookup {
    /// The account (id, name) of each of the nodes that has one, by nid.
    static func accounts(of nids: [Int64], accountKinds: Set<String>, in db: Database) throws -> [Int64: (id: String, name: String?)] {
        guard !nids.isEmpty else { return [:] }
        let nidList = "[" + nids.map(String.init).joined(separator: ",") + "]"
        let kindList = "[" + accountKinds.sorted().map { "\"\($0)\"" }.joined(separator: ",") + "]"
        let rows = try Row.fetchAll(db, sql: """
            WITH RECURSIVE up(start, nid, depth) AS (
                SELECT value, value, 0 FROM json_each(?)
                UNION
                SELECT up.start, edge.from_nid, up.depth + 1
                FROM up JOIN edge ON edge.to_nid = up.nid AND edge.type = 'default'
                WHERE up.depth < 16
            )
            SELECT up.start, node.id, node.name, min(up.depth)
            FROM up JOIN node ON node.nid = up.nid
            WHERE node.kind IN (SELECT value FROM json_each(?))
            GROUP BY up.start
            """, arguments: [nidList, kindList])
        var result: [Int64: (id: String, name: String?)] = [:]
        for row in rows {
            result[row[0]] = (row[1], row[2])
        }
        return result
    }
}

/// The columns of a node a finding is made of.
struct FoundNode {
    /// What a node is to its user.
    enum Role { case key, user, other }

    var id: String
    var kind: String
    var name: String?
    /// `reported.user_name` (access keys).
    var reportedUser: String?
    /// `reported.arn`.
    var arn: String?
    /// `/metadata.protected == true`.
    var isProtected: Bool

    /// The finding: keys name their user (`user_name`, else the key's name, which is the owner's),
    /// users are their own user.
    func resource(account: (id: String, name: String?)?, role: Role) -> FailingResource {
        let userName: String?
        switch role {
        case .key: userName = reportedUser ?? name
        case .user: userName = name
        case .other: userName = nil
        }
        return FailingResource(id: id, kind: kind, name: name, userName: userName,
                               accountID: account?.id, accountName: account?.name, arn: arn)
    }
}
