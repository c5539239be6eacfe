import Foundation
import Testing
@testable import SiftAWS
@testable import SiftStore

/// The IAM graph from hand-made GetAccountAuthorizationDetails results, without a server.
struct IAMGraphTests {
    static let account = "111111111111"

    static func enc(_ json: String) -> String { json.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? json }

    static func snapshot() -> AccountSnapshot {
        let admin = ManagedPolicyDetail(arn: "arn:aws:iam::aws:policy/AdministratorAccess", name: "AdministratorAccess",
                                        policyId: "ANPAADMIN", path: "/", defaultVersionId: "v1", attachmentCount: 1,
                                        document: enc(#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#))
        let unused = ManagedPolicyDetail(arn: "arn:aws:iam::aws:policy/ReadOnlyAccess", name: "ReadOnlyAccess",
                                         path: "/", defaultVersionId: "v9", attachmentCount: 0,
                                         document: enc(#"{"Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}"#))
        let own = ManagedPolicyDetail(arn: "arn:aws:iam::\(account):policy/keys", name: "keys", path: "/",
                                      defaultVersionId: "v1", attachmentCount: 0,
                                      document: enc(#"{"Statement": {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"}}"#))
        var details = AuthorizationDetails()
        details.policies = [admin, unused, own]
        details.groups = [GroupDetail(groupId: "AGPAOPS", groupName: "ops", arn: "arn:aws:iam::\(account):group/ops", path: "/",
                                      inlinePolicies: [], attachedPolicies: [AttachedPolicyRef(name: "AdministratorAccess", arn: admin.arn)])]
        details.users = [
            UserDetail(userId: "AIDAANN", userName: "ann", arn: "arn:aws:iam::\(account):user/ann", groups: ["ops"],
                       inlinePolicies: [], attachedPolicies: []),
            UserDetail(userId: "AIDABEN", userName: "ben", arn: "arn:aws:iam::\(account):user/ben", groups: [],
                       inlinePolicies: [InlinePolicy(name: "mfa-admin", document: enc(#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}"#))],
                       attachedPolicies: [AttachedPolicyRef(name: "Gone", arn: "arn:aws:iam::aws:policy/Gone"),
                                          AttachedPolicyRef(name: "keys", arn: own.arn)],
                       permissionsBoundary: "arn:aws:iam::\(account):policy/boundary"),
        ]
        let users = details.users.map { IAMUser(userId: $0.userId, userName: $0.userName, arn: $0.arn, path: "/", tags: [:]) }
        return AccountSnapshot(accountId: account, users: users, keys: [:], lastUsed: [:], report: nil,
                               authorization: details, mfaDevices: [])
    }

    static func permissions(_ node: Node?) -> [String: JSONValue] {
        guard case .object(let object)? = node?.reported["permissions"] else { return [:] }
        return object
    }

    @Test func nodesEdgesAndSummaries() throws {
        let graph = AccountGraph.subgraph(Self.snapshot())
        let nodes = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.id, $0) })
        let edges = Set(graph.edges.map { "\($0.from) -> \($0.to)" })
        let adminId = "\(Self.account)/arn:aws:iam::aws:policy/AdministratorAccess"
        // AWS-managed: kept when attached, dropped otherwise; ids carry the account. Customer-managed: kept.
        #expect(nodes[adminId]?.kind == "aws_iam_policy")
        #expect(!nodes.keys.contains { $0.contains("ReadOnlyAccess") })
        #expect(nodes["arn:aws:iam::\(Self.account):policy/keys"]?.reported["aws_managed"] == .bool(false))
        #expect(edges.isSuperset(of: ["\(Self.account) -> AGPAOPS", "\(Self.account) -> \(adminId)", "AGPAOPS -> AIDAANN",
                                      "\(adminId) -> AGPAOPS", "arn:aws:iam::\(Self.account):policy/keys -> AIDABEN",
                                      "AIDABEN -> AIDABEN/inline/mfa-admin"]))
        #expect(nodes["AIDABEN/inline/mfa-admin"]?.kind == "aws_iam_inline_policy")

        // ann: admin only through her group.
        let ann = Self.permissions(nodes["AIDAANN"])
        #expect(ann["admin"] == .bool(true))
        #expect(ann["policies"] == .array([.string("group/ops: arn:aws:iam::aws:policy/AdministratorAccess")]))
        #expect(nodes["AIDAANN"]?.reported["group_names"] == .array([.string("ops")]))
        // ben: a conditional admin, a policy that was not returned, a boundary: all reported, none applied.
        let ben = Self.permissions(nodes["AIDABEN"])
        #expect(ben["admin"] == .bool(false))
        #expect(ben["escalation_actions"] == .array([.string("iam:CreateAccessKey")]))
        guard case .array(let notes)? = ben["not_evaluated"] else { Issue.record("no not_evaluated"); return }
        let text = notes.map { "\($0)" }.joined(separator: "\n")
        #expect(text.contains("aws:MultiFactorAuthPresent"))
        #expect(text.contains("arn:aws:iam::aws:policy/Gone: unreadable document"))
        #expect(text.contains("permissions boundary arn:aws:iam::\(Self.account):policy/boundary"))
        #expect(text.contains("service control policies"))
        // A policy's document is stored decoded.
        guard case .object(let document)? = nodes[adminId]?.reported["document"] else { Issue.record("no document"); return }
        #expect(document["Statement"] != nil)
    }
}
