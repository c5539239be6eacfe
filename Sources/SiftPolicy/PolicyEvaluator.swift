/// A policy in force on an identity, with a name to report it by.
public struct NamedPolicy: Sendable, Hashable {
    /// How reports name it: a managed policy's ARN, or `inline USER/NAME`, `group G: ARN`, ...
    public var name: String
    /// Its document; `nil` when it could not be read (the error is reported as not evaluated).
    public var document: PolicyDocument?
    /// Why the document could not be read.
    public var error: PolicyDocumentError?

    /// A policy with a readable document.
    public init(name: String, document: PolicyDocument) {
        self.name = name
        self.document = document
        self.error = nil
    }

    /// A policy whose document could not be read.
    public init(name: String, error: PolicyDocumentError) {
        self.name = name
        self.document = nil
        self.error = error
    }

    /// Reads `text` (JSON or URL-encoded JSON); an unreadable document is kept with its error.
    public init(name: String, text: String) {
        do {
            self.init(name: name, document: try PolicyDocument(text: text))
        } catch {
            self.init(name: name, error: error)
        }
    }
}

/// The answer for one action on one resource.
public enum PolicyDecision: Sendable, Hashable {
    /// An unconditional Allow matches and no Deny does.
    case allowed
    /// An unconditional Deny matches.
    case explicitlyDenied
    /// Nothing matches.
    case implicitlyDenied
    /// Only statements with conditions decide it (the reasons name them): neither allowed nor denied.
    case notEvaluated([String])
}

/// What an identity can do, in short: the `permissions` of users, groups, roles and policies.
public struct PermissionSummary: Sendable, Hashable {
    /// An unconditional Allow of `*` on `*`, and no unconditional Deny anywhere.
    public var admin: Bool
    /// Some IAM action of access level Write, Permissions or Tagging is allowed on some resource.
    public var iamWrite: Bool
    /// Some known privilege escalation is allowed (`escalationActions` says which).
    public var privilegeEscalation: Bool
    /// The escalation actions allowed, sorted (`iam:PassRole+ec2:RunInstances` for pairs).
    public var escalationActions: [String]
    /// Service prefixes with some action allowed, sorted; `["*"]` when every known service.
    public var services: [String]
    /// What was not evaluated: conditions (with their statement and keys), permission boundaries, SCPs,
    /// unreadable documents. Such statements neither allowed nor denied anything above.
    public var notEvaluated: [String]
    /// The policies that were read, by name.
    public var policies: [String]
}

/// Evaluates identity policies the way IAM does for one principal, without conditions:
/// an explicit Deny wins, then an Allow, otherwise the request is implicitly denied.
///
/// Statements with a `Condition` are never applied: they are listed as not evaluated, and a decision that
/// depends on them is `.notEvaluated`. So are permission boundaries and service control policies.
public struct PolicyEvaluator: Sendable {
    /// The privilege escalations known (Rhino Security Labs' list, also PMapper's): one action suffices.
    public static let escalationActions: [String] = [
        "iam:AddUserToGroup", "iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:AttachUserPolicy",
        "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:CreatePolicyVersion",
        "iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary", "iam:PutGroupPolicy",
        "iam:PutRolePolicy", "iam:PutUserPolicy", "iam:SetDefaultPolicyVersion", "iam:UpdateAssumeRolePolicy",
        "iam:UpdateLoginProfile", "glue:UpdateDevEndpoint", "lambda:UpdateFunctionCode",
    ]
    /// Services that run code with a role passed to them: `iam:PassRole` on `*` with one of these escalates.
    public static let passRoleTargets: [String] = [
        "cloudformation:CreateStack", "datapipeline:CreatePipeline", "ec2:RunInstances", "glue:CreateDevEndpoint",
        "lambda:CreateFunction",
    ]

    /// The policies in force.
    public let policies: [NamedPolicy]
    /// The permission boundary's ARN, if the identity has one (not evaluated).
    public let permissionsBoundary: String?
    /// Whether service control policies may apply (always, unless the caller knows otherwise).
    public let serviceControlPolicies: Bool

    private struct Entry {
        let statement: PolicyStatement
        let label: String
    }
    private let entries: [Entry]

    /// An evaluator over `policies`.
    public init(policies: [NamedPolicy], permissionsBoundary: String? = nil, serviceControlPolicies: Bool = true) {
        self.policies = policies
        self.permissionsBoundary = permissionsBoundary
        self.serviceControlPolicies = serviceControlPolicies
        var entries: [Entry] = []
        for policy in policies {
            for (index, statement) in (policy.document?.statements ?? []).enumerated() {
                let sid = statement.sid.map { " (\($0))" } ?? ""
                entries.append(Entry(statement: statement, label: "\(policy.name) Statement[\(index)]\(sid)"))
            }
        }
        self.entries = entries
    }

    // MARK: - One request

    /// The decision for `action` (case-insensitive) on `resource` (case-sensitive).
    public func decide(action: String, resource: String) -> PolicyDecision {
        var conditional: [String] = []
        var allowed = false
        var denied = false
        for entry in entries {
            let statement = entry.statement
            guard Self.matchesAction(statement, action), Self.matchesResource(statement, resource) else { continue }
            if statement.isConditional {
                conditional.append(conditionNote(entry))
                continue
            }
            switch statement.effect {
            case .deny: denied = true
            case .allow: allowed = true
            }
        }
        if denied { return .explicitlyDenied }
        if conditional.isEmpty { return allowed ? .allowed : .implicitlyDenied }
        return .notEvaluated(conditional)
    }

    // MARK: - The summary

    /// The summary of everything the policies allow.
    public func summary() -> PermissionSummary {
        let unconditional = entries.filter { !$0.statement.isConditional }.map(\.statement)
        let allows = unconditional.filter { $0.effect == .allow }
        let denies = unconditional.filter { $0.effect == .deny }

        let admin = denies.isEmpty && allows.contains { statement in
            guard case .only(let actions) = statement.actions else { return false }
            return actions.contains(where: Wildcard.matchesEveryAction) && Self.appliesToAllResources(statement)
        }

        func allowedSomewhere(_ action: String) -> Bool {
            allows.contains { Self.matchesAction($0, action) && Self.appliesToSomeResource($0) }
                && !denies.contains { Self.matchesAction($0, action) && Self.appliesToAllResources($0) }
        }
        func allowedEverywhere(_ action: String) -> Bool {
            allows.contains { Self.matchesAction($0, action) && Self.appliesToAllResources($0) }
                && !denies.contains { Self.matchesAction($0, action) }
        }

        let iamWrite = ActionCatalogue.iamActions.contains { action in
            action.level != "List" && action.level != "Read" && allowedSomewhere("iam:\(action.name)")
        }
        var escalations = Self.escalationActions.filter(allowedSomewhere)
        if allowedEverywhere("iam:PassRole") {
            escalations += Self.passRoleTargets.filter(allowedSomewhere).map { "iam:PassRole+\($0)" }
        }

        var notEvaluated = entries.filter { $0.statement.isConditional }.map(conditionNote)
        for policy in policies {
            if let error = policy.error { notEvaluated.append("\(policy.name): unreadable document (\(error))") }
        }
        if let permissionsBoundary { notEvaluated.append("permissions boundary \(permissionsBoundary)") }
        if serviceControlPolicies { notEvaluated.append("service control policies") }

        return PermissionSummary(admin: admin, iamWrite: iamWrite, privilegeEscalation: !escalations.isEmpty,
                                 escalationActions: escalations.sorted(),
                                 services: Self.services(allows: allows, denies: denies),
                                 notEvaluated: notEvaluated, policies: policies.map(\.name))
    }

    private func conditionNote(_ entry: Entry) -> String {
        "\(entry.label): \(entry.statement.effect.rawValue) with a condition on "
            + entry.statement.conditionKeys.joined(separator: ", ")
    }

    // MARK: - Services

    /// The service prefixes some Allow reaches and no Deny removes as a whole.
    static func services(allows: [PolicyStatement], denies: [PolicyStatement]) -> [String] {
        let known = ActionCatalogue.servicePrefixes
        var reached: Set<String> = []
        for statement in allows where appliesToSomeResource(statement) {
            switch statement.actions {
            case .only(let patterns):
                for pattern in patterns {
                    guard let (service, _) = split(pattern) else {
                        if Wildcard.matchesEverything(pattern) { reached.formUnion(known) }
                        continue
                    }
                    if service.contains("*") || service.contains("?") {
                        reached.formUnion(known.filter { Wildcard.matches(service, $0, caseInsensitive: true) })
                    } else {
                        reached.insert(service.lowercased())
                    }
                }
            case .allBut(let patterns):
                reached.formUnion(known.filter { service in !patterns.contains { covers($0, wholeService: service) } })
            }
        }
        for statement in denies where appliesToAllResources(statement) {
            switch statement.actions {
            case .only(let patterns):
                reached = reached.filter { service in !patterns.contains { covers($0, wholeService: service) } }
            case .allBut(let patterns):
                // Denies every action but those listed: a service keeps only what the list names.
                reached = reached.filter { service in
                    patterns.contains { pattern in
                        Wildcard.matchesEverything(pattern)
                            || split(pattern).map { Wildcard.matches($0.service, service, caseInsensitive: true) } ?? false
                    }
                }
            }
        }
        if Set(known).isSubset(of: reached) { return ["*"] }
        return reached.sorted()
    }

    /// Whether an action pattern covers every action of `service`.
    static func covers(_ pattern: String, wholeService service: String) -> Bool {
        if Wildcard.matchesEverything(pattern) { return true }
        guard let (prefix, name) = split(pattern) else { return false }
        return Wildcard.matchesEverything(name) && Wildcard.matches(prefix, service, caseInsensitive: true)
    }

    static func split(_ pattern: String) -> (service: String, name: String)? {
        guard let colon = pattern.firstIndex(of: ":") else { return nil }
        return (String(pattern[..<colon]), String(pattern[pattern.index(after: colon)...]))
    }

    // MARK: - Matching

    static func matchesAction(_ statement: PolicyStatement, _ action: String) -> Bool {
        switch statement.actions {
        case .only(let patterns): return patterns.contains { Wildcard.matches($0, action, caseInsensitive: true) }
        case .allBut(let patterns): return !patterns.contains { Wildcard.matches($0, action, caseInsensitive: true) }
        }
    }

    static func matchesResource(_ statement: PolicyStatement, _ resource: String) -> Bool {
        switch statement.resources {
        case .only(let patterns): return patterns.contains { Wildcard.matches($0, resource, caseInsensitive: false) }
        case .allBut(let patterns): return !patterns.contains { Wildcard.matches($0, resource, caseInsensitive: false) }
        }
    }

    /// Whether the statement reaches at least one resource.
    static func appliesToSomeResource(_ statement: PolicyStatement) -> Bool {
        switch statement.resources {
        case .only(let patterns): return !patterns.isEmpty
        case .allBut(let patterns): return !patterns.contains(where: Wildcard.matchesEverything)
        }
    }

    /// Whether the statement reaches every resource.
    static func appliesToAllResources(_ statement: PolicyStatement) -> Bool {
        switch statement.resources {
        case .only(let patterns): return patterns.contains(where: Wildcard.matchesEverything)
        case .allBut: return false
        }
    }
}
