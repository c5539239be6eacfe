import Foundation
import SiftTime
import SiftPolicy
import SiftStore

/// The IAM graph around the keys (SPEC section 11): groups, roles, managed and inline policies, login
/// profiles and MFA devices, their edges, and the `permissions` summary of each user, group and role.
///
/// Node ids: groups, roles and users by their stable ids; customer-managed policies by ARN; AWS-managed
/// policies by `ACCOUNT/ARN` (their ARN is the same in every account, and each account is its own subgraph);
/// inline policies by `OWNER_ID/inline/NAME`; login profiles by `USER_ID/login_profile`; MFA devices by serial.
struct IAMGraph {
    let account: String
    let details: AuthorizationDetails
    /// Users by name.
    let users: [String: UserDetail]
    /// Groups by name.
    let groups: [String: GroupDetail]
    /// Managed policies kept (customer-managed, and AWS-managed ones in use), by ARN.
    let policies: [String: ManagedPolicyDetail]
    /// Each user's summary, by user name.
    let userPermissions: [String: PermissionSummary]

    init(account: String, details: AuthorizationDetails) {
        self.account = account
        self.details = details
        users = Dictionary(details.users.map { ($0.userName, $0) }, uniquingKeysWith: { first, _ in first })
        groups = Dictionary(details.groups.map { ($0.groupName, $0) }, uniquingKeysWith: { first, _ in first })
        var attachedArns: Set<String> = []
        for user in details.users { attachedArns.formUnion(user.attachedPolicies.map(\.arn)) }
        for group in details.groups { attachedArns.formUnion(group.attachedPolicies.map(\.arn)) }
        for role in details.roles { attachedArns.formUnion(role.attachedPolicies.map(\.arn)) }
        var kept: [String: ManagedPolicyDetail] = [:]
        for policy in details.policies
        where !policy.awsManaged || policy.attachmentCount > 0 || attachedArns.contains(policy.arn) {
            kept[policy.arn] = policy
        }
        policies = kept

        // Roles that are worth assuming (admin, or able to escalate), with their trust.
        var powerfulRoles: [(role: RoleDetail, trust: TrustPolicy)] = []
        for role in details.roles {
            let summary = PolicyEvaluator(policies: Self.inline(role.inlinePolicies, owner: "role/\(role.roleName)")
                + Self.managed(role.attachedPolicies, via: "", policies: kept)).summary()
            guard summary.admin || summary.privilegeEscalation,
                  let text = role.assumeRolePolicy, let trust = try? TrustPolicy(text: text) else { continue }
            powerfulRoles.append((role, trust))
        }
        var permissions: [String: PermissionSummary] = [:]
        for user in details.users {
            let evaluator = Self.evaluator(user: user, groups: groups, policies: kept)
            var summary = evaluator.summary()
            // A user allowed to assume an admin (or escalating) role that trusts it escalates through it.
            for (role, trust) in powerfulRoles where trust.trusts(principalArn: user.arn, account: account) {
                switch evaluator.decide(action: "sts:AssumeRole", resource: role.arn) {
                case .allowed:
                    summary.escalationActions.append("sts:AssumeRole+role/\(role.roleName)")
                    summary.privilegeEscalation = true
                case .notEvaluated(let reasons):
                    summary.notEvaluated.append("sts:AssumeRole of role/\(role.roleName): " + reasons.joined(separator: "; "))
                case .explicitlyDenied, .implicitlyDenied:
                    break
                }
            }
            summary.escalationActions.sort()
            permissions[user.userName] = summary
        }
        userPermissions = permissions
    }

    // MARK: - Evaluation

    static func managed(_ refs: [AttachedPolicyRef], via: String,
                        policies: [String: ManagedPolicyDetail]) -> [NamedPolicy] {
        refs.map { ref in
            let name = via + ref.arn
            guard let document = policies[ref.arn]?.document else {
                return NamedPolicy(name: name, error: PolicyDocumentError(path: "document",
                                                                          message: "not returned by GetAccountAuthorizationDetails"))
            }
            return NamedPolicy(name: name, text: document)
        }
    }

    static func inline(_ list: [InlinePolicy], owner: String) -> [NamedPolicy] {
        list.map { NamedPolicy(name: "inline \(owner)/\($0.name)", text: $0.document) }
    }

    static func evaluator(user: UserDetail, groups: [String: GroupDetail],
                          policies: [String: ManagedPolicyDetail]) -> PolicyEvaluator {
        var named = inline(user.inlinePolicies, owner: "user/\(user.userName)")
            + managed(user.attachedPolicies, via: "", policies: policies)
        for groupName in user.groups.sorted() {
            guard let group = groups[groupName] else { continue }
            named += inline(group.inlinePolicies, owner: "group/\(group.groupName)")
            named += managed(group.attachedPolicies, via: "group/\(group.groupName): ", policies: policies)
        }
        return PolicyEvaluator(policies: named, permissionsBoundary: user.permissionsBoundary)
    }

    /// The summary as the `permissions` property.
    static func json(_ summary: PermissionSummary) -> JSONValue {
        .object([
            "admin": .bool(summary.admin),
            "iam_write": .bool(summary.iamWrite),
            "privilege_escalation": .bool(summary.privilegeEscalation),
            "escalation_actions": .array(summary.escalationActions.map(JSONValue.string)),
            "services": .array(summary.services.map(JSONValue.string)),
            "not_evaluated": .array(summary.notEvaluated.map(JSONValue.string)),
            "policies": .array(summary.policies.map(JSONValue.string)),
        ])
    }

    /// A policy document as a JSON value (decoded from IAM's URL encoding); `nil` when unreadable.
    static func document(_ text: String?) -> JSONValue? {
        guard var text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        if !text.hasPrefix("{") { text = text.removingPercentEncoding ?? text }
        return try? JSONValue(parsing: text)
    }

    func policyId(_ arn: String) -> String {
        arn.contains(":iam::aws:policy/") ? "\(account)/\(arn)" : arn
    }

    // MARK: - Nodes and edges

    /// The IAM nodes besides users and keys, and the edges joining them to the account and the users.
    func nodesAndEdges(users listed: [IAMUser], report: CredentialReport?,
                       mfaDevices: [MFADevice]) -> ([Node], [Edge]) {
        var nodes: [Node] = []
        var edges: [Edge] = []
        let userIds = Dictionary(listed.map { ($0.userName, $0.userId) }, uniquingKeysWith: { first, _ in first })

        func addInline(_ list: [InlinePolicy], ownerId: String, ownerKind: String, ownerName: String) {
            for policy in list.sorted(by: { $0.name < $1.name }) {
                let id = "\(ownerId)/inline/\(policy.name)"
                var reported: JSONObject = ["policy_name": .string(policy.name), "owner_kind": .string(ownerKind),
                                            "owner_name": .string(ownerName)]
                reported["document"] = Self.document(policy.document)
                let evaluator = PolicyEvaluator(policies: [NamedPolicy(name: "inline \(ownerKind)/\(ownerName)/\(policy.name)",
                                                                       text: policy.document)])
                reported["permissions"] = Self.json(evaluator.summary())
                nodes.append(Node(id: id, kind: "aws_iam_inline_policy", name: policy.name, reported: reported))
                edges.append(Edge(from: ownerId, to: id))
            }
        }
        func attach(_ refs: [AttachedPolicyRef], to ownerId: String) {
            for ref in refs where policies[ref.arn] != nil {
                edges.append(Edge(from: policyId(ref.arn), to: ownerId))
            }
        }

        for policy in policies.values.sorted(by: { $0.arn < $1.arn }) {
            let id = policyId(policy.arn)
            var reported: JSONObject = [
                "arn": .string(policy.arn), "path": .string(policy.path), "aws_managed": .bool(policy.awsManaged),
                "attachment_count": .int(Int64(policy.attachmentCount)),
            ]
            reported["policy_id"] = policy.policyId.map(JSONValue.string)
            reported["default_version_id"] = policy.defaultVersionId.map(JSONValue.string)
            reported["document"] = Self.document(policy.document)
            let named = policy.document.map { NamedPolicy(name: policy.arn, text: $0) }
                ?? NamedPolicy(name: policy.arn, error: PolicyDocumentError(path: "document", message: "no default version"))
            reported["permissions"] = Self.json(PolicyEvaluator(policies: [named]).summary())
            nodes.append(Node(id: id, kind: "aws_iam_policy", name: policy.name, ctime: policy.createDate,
                              mtime: policy.updateDate, reported: reported))
            edges.append(Edge(from: account, to: id))
        }

        for group in details.groups.sorted(by: { $0.groupName < $1.groupName }) {
            let named = Self.inline(group.inlinePolicies, owner: "group/\(group.groupName)")
                + Self.managed(group.attachedPolicies, via: "", policies: policies)
            let reported: JSONObject = [
                "arn": .string(group.arn), "path": .string(group.path), "group_id": .string(group.groupId),
                "permissions": Self.json(PolicyEvaluator(policies: named).summary()),
            ]
            nodes.append(Node(id: group.groupId, kind: "aws_iam_group", name: group.groupName, ctime: group.createDate,
                              reported: reported))
            edges.append(Edge(from: account, to: group.groupId))
            addInline(group.inlinePolicies, ownerId: group.groupId, ownerKind: "group", ownerName: group.groupName)
            attach(group.attachedPolicies, to: group.groupId)
        }
        // Memberships: group -> user, for the users this collect lists.
        for user in details.users.sorted(by: { $0.userName < $1.userName }) {
            guard let userId = userIds[user.userName] else { continue }
            for groupName in user.groups.sorted() {
                guard let group = groups[groupName] else { continue }
                edges.append(Edge(from: group.groupId, to: userId))
            }
            addInline(user.inlinePolicies, ownerId: userId, ownerKind: "user", ownerName: user.userName)
            attach(user.attachedPolicies, to: userId)
        }

        for role in details.roles.sorted(by: { $0.roleName < $1.roleName }) {
            let named = Self.inline(role.inlinePolicies, owner: "role/\(role.roleName)")
                + Self.managed(role.attachedPolicies, via: "", policies: policies)
            var reported: JSONObject = [
                "arn": .string(role.arn), "path": .string(role.path), "role_id": .string(role.roleId),
                "permissions": Self.json(PolicyEvaluator(policies: named,
                                                         permissionsBoundary: role.permissionsBoundary).summary()),
            ]
            reported["assume_role_policy"] = Self.document(role.assumeRolePolicy)
            reported["role_last_used"] = role.lastUsed.map { .string(ISO8601.format($0)) }
            reported["permissions_boundary"] = role.permissionsBoundary.map(JSONValue.string)
            nodes.append(Node(id: role.roleId, kind: "aws_iam_role", name: role.roleName, ctime: role.createDate,
                              atime: role.lastUsed, reported: reported))
            edges.append(Edge(from: account, to: role.roleId))
            addInline(role.inlinePolicies, ownerId: role.roleId, ownerKind: "role", ownerName: role.roleName)
            attach(role.attachedPolicies, to: role.roleId)
        }

        // Login profiles from the credential report (a password is a login profile).
        for user in listed.sorted(by: { $0.userName < $1.userName }) {
            guard let row = report?.rows[user.userName], row.passwordEnabled == true else { continue }
            let id = "\(user.userId)/login_profile"
            let lastUsed = user.passwordLastUsed ?? row.passwordLastUsed
            var reported: JSONObject = ["user_name": .string(user.userName)]
            reported["password_last_used"] = lastUsed.map { .string(ISO8601.format($0)) }
            reported["password_last_changed"] = row.passwordLastChanged.map { .string(ISO8601.format($0)) }
            nodes.append(Node(id: id, kind: "aws_iam_login_profile", name: user.userName,
                              ctime: row.passwordLastChanged, atime: lastUsed, reported: reported))
            edges.append(Edge(from: user.userId, to: id))
        }

        // MFA devices: user -> device.
        var seenSerials: Set<String> = []
        for device in mfaDevices.sorted(by: { $0.serialNumber < $1.serialNumber }) {
            guard let userId = userIds[device.userName], seenSerials.insert(device.serialNumber).inserted else { continue }
            var reported: JSONObject = ["serial_number": .string(device.serialNumber),
                                        "user_name": .string(device.userName), "mfa_type": .string("virtual")]
            reported["enable_date"] = device.enableDate.map { .string(ISO8601.format($0)) }
            let name = device.serialNumber.split(separator: "/").last.map(String.init) ?? device.serialNumber
            nodes.append(Node(id: device.serialNumber, kind: "aws_iam_mfa_device", name: name,
                              ctime: device.enableDate, reported: reported))
            edges.append(Edge(from: userId, to: device.serialNumber))
        }
        return (nodes, edges)
    }
}
