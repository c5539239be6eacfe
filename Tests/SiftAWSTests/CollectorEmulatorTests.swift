import Foundation
import Testing
@testable import SiftAWS
@testable import SiftStore

/// Collects from the moto emulator (Tests/Fixtures/emulator.py) into a real GraphStore.
@Suite(.serialized)
struct CollectorEmulatorTests {
    static let main = "123456789012"
    static let second = "111111111111"
    static let secret = "sift-test-secret-9f2c71"

    static func environment(_ server: PythonServer) -> [String: String] {
        ["HOME": server.directory.path, "AWS_ACCESS_KEY_ID": "AKIASIFTTESTCALLER01", "AWS_SECRET_ACCESS_KEY": secret,
         "AWS_ENDPOINT_URL": server.endpoint]
    }

    @Test func collectsTheScenarioExactly() async throws {
        let server = try PythonServer("emulator.py")
        defer { server.stop() }
        let db = try TemporaryStore()
        let events = EventLog()
        let summary = try await Collector.run(
            options: CollectOptions(assumeRole: "sift-reader", accounts: [Self.second],
                                    environment: Self.environment(server)),
            store: db.store, progress: { events.append($0) })
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        #expect(summary.accounts == [Self.main, Self.second])
        let manifest = server.manifest
        let users = [Self.main, Self.second].reduce(0) { $0 + (manifest.accounts[$1]?.users.count ?? 0) }
        let keys = [Self.main, Self.second].reduce(0) { $0 + (manifest.accounts[$1]?.users.reduce(0) { $0 + $1.keys.count } ?? 0) }
        #expect(summary.users == users && summary.keys == keys)

        let nodes = try db.nodes()
        let problems = differences(nodes, manifest, accounts: [Self.main, Self.second])
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")

        // Never-used keys have no last use at all; the account is named by its alias.
        let bob = try #require(manifest.accounts[Self.main]?.users.first { $0.name == "bob" }?.keys.first)
        #expect(nodes[bob.id]?.atime == nil)
        guard case .object(let bobUsed)? = nodes[bob.id]?.reported["access_key_last_used"] else {
            Issue.record("bob's key has no access_key_last_used")
            return
        }
        #expect(bobUsed["last_used"] == nil)
        #expect(nodes[Self.main]?.name == "sift-main")
        #expect(nodes[Self.second]?.name == Self.second)

        // Graph shape: cloud -> account -> user -> key, delete user -> key, each account its own subgraph.
        let edges = try db.edges()
        let henry = try #require(manifest.accounts[Self.main]?.users.first { $0.name == "henry" })
        #expect(edges.contains("aws -default-> \(Self.main)"))
        #expect(edges.contains("\(Self.main) -default-> \(henry.id)"))
        for key in henry.keys {
            #expect(edges.contains("\(henry.id) -default-> \(key.id)"))
            #expect(edges.contains("\(henry.id) -delete-> \(key.id)"))
        }
        let subgraphs = try db.subgraphs()
        #expect(subgraphs["aws"] == "cloud:aws")
        #expect(subgraphs[henry.id] == Self.main)
        let olivia = try #require(manifest.accounts[Self.second]?.users.first { $0.name == "olivia" })
        #expect(subgraphs[olivia.keys[0].id] == Self.second)

        // henry's two keys share a creation second: only they needed GetAccessKeyLastUsed.
        #expect(summary.callsByOperation["GetAccessKeyLastUsed"] == 2)
        // Per account: users + 10 at most when the report is unambiguous; plus the two ambiguous keys.
        #expect(summary.apiCalls <= users + 10 * 2 + 2, "\(summary.callsByOperation)")
        #expect(events.contains(.accountWritten(account: Self.second, users: 2, keys: 1)))

        // The secret never reaches the database file.
        let bytes = try db.fileBytes()
        #expect(bytes.range(of: Data(bob.id.utf8)) != nil)  // the scan does see what is written
        #expect(bytes.range(of: Data(Self.secret.utf8)) == nil)
        #expect(bytes.range(of: Data("AKIASIFTTESTCALLER01".utf8)) == nil)
    }

    @Test func collectsTheOrganisation() async throws {
        let server = try PythonServer("emulator.py")
        defer { server.stop() }
        let db = try TemporaryStore()
        let summary = try await Collector.run(options: CollectOptions(organisation: true,
                                                                      environment: Self.environment(server)),
                                              store: db.store)
        let members = try #require(server.manifest.organization_members)
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        #expect(Set(summary.accounts) == Set([Self.main] + members.keys))
        let problems = differences(try db.nodes(), server.manifest, accounts: [Self.main] + members.keys)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func recollectKeepsMarksAndChangesNothing() async throws {
        let server = try PythonServer("emulator.py")
        defer { server.stop() }
        let db = try TemporaryStore()
        let options = CollectOptions(environment: Self.environment(server))
        _ = try await Collector.run(options: options, store: db.store)
        let bob = try #require(server.manifest.accounts[Self.main]?.users.first { $0.name == "bob" }?.keys.first)
        _ = try db.store.mark(ids: [bob.id], desired: ["clean": .bool(true)], metadata: [:])
        let before = try db.store.history(since: nil, limit: nil).count
        _ = try await Collector.run(options: options, store: db.store)
        #expect(try db.store.history(since: nil, limit: nil).count == before)
        #expect(try db.nodes()[bob.id]?.desired["clean"] == .bool(true))
    }

    @Test func noCredentialsIsAClearError() async throws {
        let db = try TemporaryStore()
        await #expect {
            _ = try await Collector.run(options: CollectOptions(environment: ["HOME": db.directory.path]), store: db.store)
        } throws: { error in
            "\(error)".hasPrefix("no AWS credentials found; looked in: environment")
        }
        await #expect(throws: CollectError.self) {
            _ = try await Collector.run(options: CollectOptions(accounts: ["111111111111"],
                                                                environment: ["HOME": db.directory.path]),
                                        store: db.store)
        }
    }
}

/// Progress events, collected from any thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [CollectProgress] = []

    func append(_ event: CollectProgress) {
        lock.lock()
        events.append(event)
        lock.unlock()
    }

    func contains(_ event: CollectProgress) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return events.contains(event)
    }

    var all: [CollectProgress] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }
}
