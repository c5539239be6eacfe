import Foundation
import Logging
import Testing
@testable import SiftAWS
@testable import SiftStore

/// Collects from Tests/Fixtures/fake_iam.py: small pages, throttling, 5xx, dropped connections, a report
/// that stays in progress, an account whose role cannot be assumed. It checks every SigV4 signature.
@Suite(.serialized)
struct CollectorFaultTests {
    static let main = "123456789012"
    static let second = "222222222222"
    static let denied = "999999999999"
    static let debugLogger: Logger = {
        var logger = Logger(label: "sift.aws.test")
        logger.logLevel = ProcessInfo.processInfo.environment["SIFT_AWS_DEBUG"] == nil ? .info : .debug
        return logger
    }()
    static let quickRetry = RetryPolicy(maxAttempts: 10, baseDelay: 0.01, maxDelay: 0.2)

    static func options(_ server: PythonServer, secret: String = "fake-base-secret", organisation: Bool = false,
                        accounts: [String] = [second, denied]) -> CollectOptions {
        CollectOptions(assumeRole: "SiftReader", accounts: organisation ? [] : accounts, organisation: organisation,
                       environment: ["HOME": server.directory.path, "AWS_ACCESS_KEY_ID": "FAKEBASEKEY",
                                     "AWS_SECRET_ACCESS_KEY": secret, "AWS_ENDPOINT_URL": server.endpoint],
                       maxInFlight: 8, retry: quickRetry, requestTimeout: 2, logger: debugLogger)
    }

    /// Collects with `flags` and returns the nodes (with the summary), after checking them against the manifest.
    func collect(_ flags: [String], organisation: Bool = false) async throws -> ([String: Node], CollectSummary) {
        let server = try PythonServer("fake_iam.py", flags)
        defer { server.stop() }
        let db = try TemporaryStore()
        let summary = try await Collector.run(options: Self.options(server, organisation: organisation), store: db.store)
        #expect(summary.accounts == [Self.main, Self.second])
        #expect(summary.failures.map(\.account) == [Self.denied])
        #expect(summary.failures.first?.message.contains("AccessDenied") == true)
        let nodes = try db.nodes()
        let problems = differences(nodes, server.manifest, accounts: [Self.main, Self.second])
        #expect(problems.isEmpty, "\(flags): \(problems.joined(separator: "\n"))")
        #expect(nodes["\(Self.main)-root"]?.reported["mfa_active"] == .bool(true))
        // Neither the base secret nor the assumed role's secret or session token reach the database.
        let bytes = try db.fileBytes()
        #expect(bytes.range(of: Data("muser000".utf8)) != nil)  // the scan does see what is written
        for secret in ["fake-base-secret", "assumed-secret-", "assumed-token-"] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) found in the database")
        }
        return (nodes, summary)
    }

    @Test func faultsEndInTheSameGraph() async throws {
        let (clean, cleanSummary) = try await collect(["--report-polls", "1"])
        // Only the keys created in the same second as their sibling needed GetAccessKeyLastUsed (3 users + 1).
        #expect(cleanSummary.callsByOperation["GetAccessKeyLastUsed"] == 8)
        #expect(cleanSummary.callsByOperation["ListAccessKeys"] == 23 + 4)
        // Pages of one: ListUsers once per user, ListAccessKeys twice for users with two keys.
        let (faulty, faultySummary) = try await collect(["--throttle-first", "6", "--fault-every", "5",
                                                         "--report-polls", "4", "--page-size", "1"])
        #expect(faultySummary.apiCalls > cleanSummary.apiCalls)
        #expect(faultySummary.callsByOperation["ListUsers", default: 0] >= 23 + 4)
        func withoutMetadata(_ nodes: [String: Node]) -> [String: Node] {
            nodes.mapValues { node in
                var copy = node
                copy.metadata = [:]
                return copy
            }
        }
        #expect(withoutMetadata(faulty) == withoutMetadata(clean))
        // GetAccountAuthorizationDetails followed its Marker over pages of one entry (users, a group, a policy),
        // and the summaries are the same as from one page.
        let users = clean.values.filter { $0.kind == "aws_iam_user" }
        #expect(faultySummary.callsByOperation["GetAccountAuthorizationDetails", default: 0] >= users.count + 2)
        #expect(faultySummary.warnings.isEmpty && cleanSummary.warnings.isEmpty, "\(faultySummary.warnings)")
        for user in users {
            let index = Int(user.name?.suffix(3) ?? "") ?? -1
            guard case .object(let permissions)? = user.reported["permissions"] else {
                Issue.record("\(user.name ?? user.id) has no permissions")
                continue
            }
            // The default version (v2) of AdministratorAccess is `*` on `*`; v1 would not be.
            #expect(permissions["admin"] == .bool(index % 3 == 0), "\(user.name ?? "")")
            let escalates = index % 3 == 0 || index % 4 == 0
            #expect(permissions["privilege_escalation"] == .bool(escalates), "\(user.name ?? "")")
        }
        #expect(clean.values.filter { $0.kind == "aws_iam_mfa_device" }.count
            == users.filter { $0.reported["mfa_active"] == .bool(true) }.count)
    }

    @Test func organisationPagesWithNextToken() async throws {
        let (nodes, summary) = try await collect(["--report-polls", "2", "--fault-every", "9"], organisation: true)
        #expect(summary.callsByOperation["ListAccounts", default: 0] >= 3)
        #expect(nodes[Self.second]?.reported["account_status"] == .string("ACTIVE"))
    }

    @Test func aFailingAccountKeepsItsLastGraphAndTheOthersLand() async throws {
        let db = try TemporaryStore()
        let first = try PythonServer("fake_iam.py")
        _ = try await Collector.run(options: Self.options(first, accounts: [Self.second]), store: db.store)
        first.stop()
        let before = try db.nodes()
        let secondUser = try #require(first.manifest.accounts[Self.second]?.users.first)
        #expect(before[secondUser.id] != nil)

        // Same data, but the second account's role can no longer be assumed.
        let again = try PythonServer("fake_iam.py", ["--deny", Self.second])
        defer { again.stop() }
        let summary = try await Collector.run(options: Self.options(again, accounts: [Self.second]), store: db.store)
        #expect(summary.accounts == [Self.main])
        #expect(summary.failures.map(\.account) == [Self.second])
        #expect(summary.description.contains("1 account failed: \(Self.second): AssumeRole: AccessDenied"))
        let after = try db.nodes()
        #expect(differences(after, again.manifest, accounts: [Self.main, Self.second]).isEmpty)
        #expect(after[secondUser.id] == before[secondUser.id])
    }

    /// A reader not allowed GetAccountAuthorizationDetails or ListVirtualMFADevices still collects users and
    /// keys exactly; the warnings say what is missing, and no summary pretends to know.
    @Test func withoutAuthorizationDetailsKeysAreStillCollected() async throws {
        let server = try PythonServer("fake_iam.py", ["--deny-action", "GetAccountAuthorizationDetails",
                                                      "--deny-action", "ListVirtualMFADevices"])
        defer { server.stop() }
        let db = try TemporaryStore()
        let summary = try await Collector.run(options: Self.options(server, accounts: [Self.second]), store: db.store)
        #expect(summary.failures.isEmpty)
        let nodes = try db.nodes()
        #expect(differences(nodes, server.manifest, accounts: [Self.main, Self.second]).isEmpty)
        #expect(summary.warnings.contains { $0.hasPrefix("\(Self.main): groups, roles and policies unavailable") && $0.contains("AccessDenied") },
                "\(summary.warnings)")
        #expect(summary.warnings.contains { $0.hasPrefix("\(Self.main): MFA devices unavailable") })
        #expect(!nodes.values.contains { ["aws_iam_group", "aws_iam_policy", "aws_iam_mfa_device"].contains($0.kind) })
        #expect(!nodes.values.contains { $0.kind == "aws_iam_user" && $0.reported["permissions"] != nil })
    }

    @Test func wrongSecretIsRefusedBySignatureCheck() async throws {
        let server = try PythonServer("fake_iam.py")
        defer { server.stop() }
        let db = try TemporaryStore()
        await #expect {
            _ = try await Collector.run(options: Self.options(server, secret: "not-the-secret"), store: db.store)
        } throws: { error in
            "\(error)".contains("SignatureDoesNotMatch")
        }
    }

    @Test func keyActionsNameTheExactKey() async throws {
        let server = try PythonServer("fake_iam.py")
        defer { server.stop() }
        let credentials = AWSCredentials(accessKeyId: "FAKEBASEKEY", secretAccessKey: "fake-base-secret", source: "test")
        let transport = AWSTransport(maxInFlight: 4, retry: Self.quickRetry)
        let iam = IAMClient(credentials: credentials, endpoint: try #require(URL(string: server.endpoint)),
                            transport: transport)
        let user = try #require(server.manifest.accounts[Self.main]?.users.first { $0.keys.count == 2 })
        let key = user.keys[0]
        try await iam.updateAccessKey(userName: user.name, accessKeyId: key.id, status: .inactive)
        let listed = try await iam.listAccessKeys(userName: user.name)
        #expect(listed.first { $0.accessKeyId == key.id }?.status == .inactive)
        #expect(listed.first { $0.accessKeyId == user.keys[1].id }?.status.rawValue == user.keys[1].status)
        try await iam.deleteAccessKey(userName: user.name, accessKeyId: key.id)
        await #expect(throws: AWSError.noSuchEntity(operation: "DeleteAccessKey",
                                                    message: "The Access Key with id \(key.id) cannot be found.")) {
            try await iam.deleteAccessKey(userName: user.name, accessKeyId: key.id)
        }
        #expect(try await iam.listAccessKeys(userName: user.name).map(\.accessKeyId) == [user.keys[1].id])
    }

    @Test func retriesGiveUpWithTheLastError() async throws {
        let server = try PythonServer("fake_iam.py", ["--throttle-first", "1000"])
        defer { server.stop() }
        let credentials = AWSCredentials(accessKeyId: "FAKEBASEKEY", secretAccessKey: "fake-base-secret", source: "test")
        let transport = AWSTransport(maxInFlight: 2, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.02))
        let iam = IAMClient(credentials: credentials, endpoint: try #require(URL(string: server.endpoint)),
                            transport: transport)
        await #expect {
            _ = try await iam.listUsers()
        } throws: { error in
            guard case AWSError.retriesExhausted("ListUsers", 3, let last) = error else { return false }
            return last.code == "Throttling"
        }
        #expect(transport.counter.total == 3)
    }
}
