import Foundation
import Testing
@testable import SiftAWS
@testable import SiftStore
import SiftQuery

/// The IAM graph around the keys (SPEC section 11), collected from the moto emulator's scenario.
@Suite(.serialized)
struct IAMGraphEmulatorTests {
    static let main = CollectorEmulatorTests.main

    /// Runs `text` on the store: the ids and names of what it finds.
    static func search(_ store: GraphStore, _ text: String) async throws -> [(id: String, name: String)] {
        let query = try QueryParser.parse(text)
        var found: [(String, String)] = []
        try store.nodes(query, NodeRequest(kinds: .builtin, now: Date())) { row in
            found.append((row.node.id, row.node.name ?? ""))
            return true
        }
        return found.sorted { $0.0 < $1.0 }
    }

    static func permissions(_ node: Node?) -> [String: JSONValue] {
        guard case .object(let object)? = node?.reported["permissions"] else { return [:] }
        return object
    }

    @Test func collectsGroupsRolesPoliciesAndSummaries() async throws {
        let server = try PythonServer("emulator.py")
        defer { server.stop() }
        let db = try TemporaryStore()
        let summary = try await Collector.run(options: CollectOptions(environment: CollectorEmulatorTests.environment(server)),
                                              store: db.store)
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        #expect(summary.warnings.isEmpty, "\(summary.warnings)")
        let nodes = try db.nodes()
        func named(_ kind: String) -> [String: Node] {
            Dictionary(nodes.values.filter { $0.kind == kind }.map { ($0.name ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        }
        let users = named("aws_iam_user"), groups = named("aws_iam_group"), roles = named("aws_iam_role")
        let policies = named("aws_iam_policy"), inline = named("aws_iam_inline_policy")
        #expect(Set(groups.keys) == ["admins", "developers", "empty"])
        #expect(Set(roles.keys) == ["app-role", "break-glass"])
        // Customer-managed ones all (one unattached), AWS-managed ones in use only.
        #expect(Set(policies.keys) == ["AdministratorAccess", "IAMUserChangePassword", "admin-with-mfa", "ci-deploy",
                                       "dev-s3-read", "unused-full-access"])
        #expect(Set(inline.keys) == ["assume-any", "ccm-escalate", "dev-ec2", "queue"])
        #expect(Set(named("aws_iam_mfa_device").keys) == ["alice-mfa"])
        #expect(Set(named("aws_iam_login_profile").keys) == ["alice", "grace"])
        let admin = try #require(policies["AdministratorAccess"])
        #expect(admin.id == "\(Self.main)/arn:aws:iam::aws:policy/AdministratorAccess")
        guard case .object(let document)? = admin.reported["document"] else {
            Issue.record("AdministratorAccess has no document")
            return
        }
        #expect(document["Statement"] != nil)

        // Edges: account -> group|role|policy, group -> user, policy -> user|group|role, owner -> inline policy.
        let edges = try db.edges()
        let nancy = try #require(users["nancy"]), bob = try #require(users["bob"]), alice = try #require(users["alice"])
        #expect(edges.contains("\(Self.main) -default-> \(try #require(groups["admins"]).id)"))
        #expect(edges.contains("\(Self.main) -default-> \(try #require(roles["break-glass"]).id)"))
        #expect(edges.contains("\(Self.main) -default-> \(admin.id)"))
        #expect(edges.contains("\(try #require(groups["admins"]).id) -default-> \(nancy.id)"))
        #expect(edges.contains("\(admin.id) -default-> \(try #require(groups["admins"]).id)"))
        #expect(edges.contains("\(admin.id) -default-> \(bob.id)"))
        #expect(edges.contains("\(admin.id) -default-> \(try #require(roles["break-glass"]).id)"))
        #expect(edges.contains("\(try #require(users["ccm-sa"]).id) -default-> \(try #require(inline["ccm-escalate"]).id)"))
        #expect(edges.contains("\(alice.id) -default-> arn:aws:iam::123456789012:mfa/alice-mfa"))

        // Summaries: admin directly (bob) or only through a group (nancy, jenkins, dave).
        for name in ["bob", "nancy", "jenkins", "dave"] {
            #expect(Self.permissions(users[name])["admin"] == .bool(true), "\(name)")
        }
        for name in ["alice", "ccm-sa", "ci", "mallory", "grace", "erin", "sam"] {
            #expect(Self.permissions(users[name])["admin"] == .bool(false), "\(name)")
        }
        #expect(Self.permissions(users["ccm-sa"])["escalation_actions"]
            == .array([.string("iam:AttachUserPolicy"), .string("iam:CreateAccessKey")]))
        #expect(Self.permissions(users["ci"])["escalation_actions"] == .array([.string("lambda:UpdateFunctionCode")]))
        // sam may assume break-glass (admin; its trust names the account): an escalation through a role.
        #expect(Self.permissions(users["sam"])["escalation_actions"] == .array([.string("sts:AssumeRole+role/break-glass")]))
        #expect(Self.permissions(users["sam"])["privilege_escalation"] == .bool(true))
        #expect(Self.permissions(users["alice"])["iam_write"] == .bool(true))  // iam:ChangePassword via the group
        #expect(Self.permissions(users["alice"])["services"] == .array([.string("ec2"), .string("iam"), .string("s3")]))
        guard case .array(let malloryNotes)? = Self.permissions(users["mallory"])["not_evaluated"] else {
            Issue.record("mallory has no not_evaluated")
            return
        }
        #expect(malloryNotes.contains { "\($0)".contains("aws:MultiFactorAuthPresent") })
        #expect(Self.permissions(groups["admins"])["admin"] == .bool(true))
        #expect(Self.permissions(roles["break-glass"])["admin"] == .bool(true))
        #expect(Self.permissions(roles["app-role"])["services"] == .array([.string("s3"), .string("sqs")]))
        #expect(Self.permissions(policies["unused-full-access"])["admin"] == .bool(true))
        #expect(Self.permissions(policies["admin-with-mfa"])["admin"] == .bool(false))

        // The stale keys that matter most, in one query: exactly the active keys unused for 90 days of admins.
        let manifestUsers = try #require(server.manifest.accounts[Self.main]?.users)
        let expected = manifestUsers.filter { ["bob", "nancy", "jenkins"].contains($0.name) }
            .flatMap(\.keys).map(\.id).sorted()
        let found = try await Self.search(db.store, "is(access_key) and access_key_status == Active and last_access > 90d "
            + "with(any, <-- is(user) and permissions.admin == true)")
        #expect(found.map(\.id) == expected)
        #expect(Set(found.map(\.name)) == ["bob", "jenkins", "nancy"])
        // SPEC 11's navigation reaches their users (and dave, whose Inactive key is unused for 300 days).
        let owners = try await Self.search(db.store, "is(access_key) and last_access > 90days <-- is(user) and permissions.admin == true")
        #expect(Set(owners.map(\.name)) == ["bob", "dave", "jenkins", "nancy"])
    }

    @Test func twoThousandUsersInFewCalls() async throws {
        let users = 2000
        let server = try PythonServer("emulator.py", ["--users", "\(users)", "--keys", "\(users)", "--iam"])
        defer { server.stop() }
        let db = try TemporaryStore()
        let summary = try await Collector.run(options: CollectOptions(environment: CollectorEmulatorTests.environment(server)),
                                              store: db.store)
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        let calls = summary.callsByOperation
        let pages = (calls["ListUsers"] ?? 0) + (calls["GetAccountAuthorizationDetails"] ?? 0)
            + (calls["ListVirtualMFADevices"] ?? 0)
        #expect(calls["GetAccountAuthorizationDetails"] == 1)  // moto answers in one page
        #expect(summary.apiCalls <= users + pages + 10, "\(calls)")
        let nodes = try db.nodes()
        #expect(nodes.values.filter { $0.kind == "aws_iam_user" }.count == users)
        #expect(nodes.values.filter { $0.kind == "aws_iam_role" }.count == 20)
        let admins = nodes.values.filter { $0.kind == "aws_iam_user" && Self.permissions($0)["admin"] == .bool(true) }
        #expect(admins.count == (0..<users).filter { $0 % 30 == 0 }.count)
        print("IAM collect of \(users) users: \(summary.apiCalls) calls \(calls), \(String(format: "%.1f", summary.seconds)) s")
    }
}
