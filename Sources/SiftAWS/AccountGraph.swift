import Foundation
import SiftPolicy
import SiftStore
import SiftTime

/// Where a key's last-use facts came from.
public enum LastUseSource: String, Sendable, Hashable {
    /// A credential report slot paired unambiguously with the key.
    case credentialReport = "credential_report"
    /// `GetAccessKeyLastUsed` for that AccessKeyId.
    case getAccessKeyLastUsed = "GetAccessKeyLastUsed"
}

/// Everything collected from one account, before it becomes a subgraph.
public struct AccountSnapshot: Sendable {
    /// The 12-digit account id.
    public var accountId: String
    /// The alias, if any (becomes the account's name).
    public var alias: String?
    /// Facts from Organizations, when the account came from there.
    public var organizationAccount: OrganizationAccount?
    /// The users as listed.
    public var users: [IAMUser]
    /// Keys by user name, as `ListAccessKeys` gave them.
    public var keys: [String: [AccessKeyMetadata]]
    /// Last use by AccessKeyId, with its source.
    public var lastUsed: [String: (AccessKeyLastUsed, LastUseSource)]
    /// The credential report, when one could be read.
    public var report: CredentialReport?
    /// Groups, roles, policies and memberships (`GetAccountAuthorizationDetails`), when they could be read.
    public var authorization: AuthorizationDetails? = nil
    /// Virtual MFA devices assigned to users, when they could be listed.
    public var mfaDevices: [MFADevice]? = nil
}

/// Turns an `AccountSnapshot` into the account's `Subgraph` (graph shape of CONTRACTS.md).
public enum AccountGraph {
    /// The cloud node's subgraph, written before any account.
    public static let cloudSubgraph = Subgraph(name: "cloud:aws",
                                               nodes: [Node(id: "aws", kind: "cloud", name: "aws")])

    /// The account's nodes and edges: account, users, root user, access keys; default and delete edges.
    public static func subgraph(_ snapshot: AccountSnapshot) -> Subgraph {
        let account = snapshot.accountId
        var nodes: [Node] = []
        var edges: [Edge] = [Edge(from: "aws", to: account)]

        let iam = snapshot.authorization.map { IAMGraph(account: account, details: $0) }
        var accountReported: JSONObject = [:]
        if let org = snapshot.organizationAccount {
            accountReported["account_status"] = .string(org.status)
        }
        nodes.append(Node(id: account, kind: "aws_account", name: snapshot.alias ?? account, reported: accountReported))

        if let root = snapshot.report?.root {
            let id = "\(account)-root"
            var reported: JSONObject = ["arn": .string(root.arn)]
            reported["password_enabled"] = root.passwordEnabled.map(JSONValue.bool)
            reported["password_last_used"] = root.passwordLastUsed.map { .string(ISO8601.format($0)) }
            reported["mfa_active"] = root.mfaActive.map(JSONValue.bool)
            reported["access_key_1_active"] = .bool(root.keySlots.first?.active ?? false)
            reported["access_key_2_active"] = .bool(root.keySlots.last?.active ?? false)
            nodes.append(Node(id: id, kind: "aws_root_user", name: "root", ctime: root.userCreationTime,
                              atime: root.passwordLastUsed, reported: reported))
            edges.append(Edge(from: account, to: id))
        }

        for user in snapshot.users.sorted(by: { $0.userName < $1.userName }) {
            let row = snapshot.report?.rows[user.userName]
            let passwordLastUsed = user.passwordLastUsed ?? row?.passwordLastUsed
            var reported: JSONObject = [
                "arn": .string(user.arn), "path": .string(user.path), "user_id": .string(user.userId),
                "tags": .object(user.tags.mapValues(JSONValue.string)),
            ]
            reported["password_enabled"] = row?.passwordEnabled.map(JSONValue.bool)
            reported["password_last_used"] = passwordLastUsed.map { .string(ISO8601.format($0)) }
            reported["mfa_active"] = row?.mfaActive.map(JSONValue.bool)
            reported["password_last_changed"] = row?.passwordLastChanged.map { .string(ISO8601.format($0)) }
            if let iam {
                let detail = iam.users[user.userName]
                reported["group_names"] = .array((detail?.groups ?? []).sorted().map(JSONValue.string))
                // A user created between ListUsers and GetAccountAuthorizationDetails has no details: its
                // summary says so instead of claiming it has no permissions.
                reported["permissions"] = iam.userPermissions[user.userName].map(IAMGraph.json)
                    ?? IAMGraph.json(PolicyEvaluator(policies: [NamedPolicy(
                        name: "user/\(user.userName)",
                        error: PolicyDocumentError(path: "document",
                                                   message: "not in GetAccountAuthorizationDetails"))]).summary())
            }
            nodes.append(Node(id: user.userId, kind: "aws_iam_user", name: user.userName, ctime: user.createDate,
                              atime: passwordLastUsed, reported: reported))
            edges.append(Edge(from: account, to: user.userId))

            for key in (snapshot.keys[user.userName] ?? []).sorted(by: { $0.accessKeyId < $1.accessKeyId }) {
                let (used, source) = snapshot.lastUsed[key.accessKeyId]
                    ?? (AccessKeyLastUsed(lastUsedDate: nil, serviceName: nil, region: nil), .getAccessKeyLastUsed)
                var lastUsed: JSONObject = [:]
                lastUsed["last_used"] = used.lastUsedDate.map { .string(ISO8601.format($0)) }
                lastUsed["service_name"] = used.serviceName.map(JSONValue.string)
                lastUsed["region"] = used.region.map(JSONValue.string)
                lastUsed["source"] = .string(source.rawValue)
                let reported: JSONObject = [
                    "access_key_status": .string(key.status.rawValue),
                    "user_name": .string(user.userName),
                    "access_key_last_used": .object(lastUsed),
                ]
                nodes.append(Node(id: key.accessKeyId, kind: "aws_iam_access_key", name: user.userName,
                                  ctime: key.createDate, atime: used.lastUsedDate, reported: reported))
                edges.append(Edge(from: user.userId, to: key.accessKeyId))
                edges.append(Edge(from: user.userId, to: key.accessKeyId, type: .delete))
            }
        }
        if let iam {
            let (iamNodes, iamEdges) = iam.nodesAndEdges(users: snapshot.users, report: snapshot.report,
                                                         mfaDevices: snapshot.mfaDevices ?? [])
            nodes += iamNodes
            edges += iamEdges
        }
        return Subgraph(name: account, nodes: nodes, edges: edges)
    }
}
