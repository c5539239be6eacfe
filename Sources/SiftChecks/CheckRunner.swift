import Foundation
import SiftQuery
import SiftPolicy
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
    public let store: any GraphBackend
    /// The checks.
    public let catalogue: CheckCatalogue
    /// The kind model the queries compile against.
    public let kinds: KindModel

    /// Creates a runner.
    public init(store: any GraphBackend, catalogue: CheckCatalogue = .builtin, kinds: KindModel = .builtin) {
        self.store = store
        self.catalogue = catalogue
        self.kinds = kinds
    }

    /// Selects, validates, evaluates, stores and compares: the report of the run.
    public func run(_ request: CheckRunRequest, now: Date = Date()) async throws -> CheckRunReport {
        let outcomes = try await evaluate(request, now: now)
        return try await CheckRunStore(store: store).record(startedAt: now, outcomes: outcomes)
    }

    /// Selects and evaluates the checks without storing anything.
    public func evaluate(_ request: CheckRunRequest, now: Date = Date()) async throws -> [CheckOutcome] {
        let checks = try catalogue.select(ids: request.ids, minimumSeverity: request.minimumSeverity)
        let values = try request.parameters.resolve(for: checks)
        let prepared = try checks.map { check in
            try PreparedCheck(check: check, values: values[check.id] ?? check.defaultValues)
        }
        let accountKinds = Set(kinds.subkinds(of: "account") + ["account"])
        let keyKinds = Set(kinds.subkinds(of: "access_key"))
        let userKinds = Set(kinds.subkinds(of: "user"))
        for check in prepared {
            for (text, query) in zip(check.definition.queries, check.queries) {
                do {
                    try store.validate(query, kinds: kinds)
                } catch {
                    throw CheckError.queryFailed(check: check.definition.id, query: text, message: "\(error)")
                }
            }
        }
        let (found, accounts) = try await store.findNodes(prepared.map(\.queries), kinds: kinds, now: now, accountKinds: accountKinds)
        return zip(prepared, found).map { check, nodes in
            var failing: [FailingResource] = []
            var exempt: [FailingResource] = []
            for (nid, node) in nodes {
                let role: FindingRole = keyKinds.contains(node.kind) ? .key : (userKinds.contains(node.kind) ? .user : .other)
                let resource = Self.resource(node, account: accounts[nid], role: role)
                if node.isProtected && !request.includeProtected {
                    exempt.append(resource)
                } else {
                    failing.append(resource)
                }
            }
            return CheckOutcome(check: check.definition, parameters: check.values, failing: failing, exempt: exempt)
        }
    }

    /// What a found node is to its user.
    enum FindingRole { case key, user, other }

    /// The finding: keys name their user (`user_name`, else the key's name, which is the owner's),
    /// users are their own user.
    static func resource(_ node: FoundNode, account: AccountRef?, role: FindingRole) -> FailingResource {
        let userName: String?
        switch role {
        case .key: userName = node.reportedUser ?? node.name
        case .user: userName = node.name
        case .other: userName = nil
        }
        let level = PrivilegeLevel(admin: node.owner.admin, privilegeEscalation: node.owner.privilegeEscalation,
                                   iamWrite: node.owner.iamWrite)
        return FailingResource(id: node.id, kind: node.kind, name: node.name, userName: userName,
                               accountID: account?.id, accountName: account?.name, arn: node.arn,
                               privilege: level == .unknown ? nil : level.label)
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
