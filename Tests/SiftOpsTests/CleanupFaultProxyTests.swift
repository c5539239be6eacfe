import Foundation
import Testing
@testable import SiftAWS
import SiftStore
@testable import SiftOps

/// `Tests/Fixtures/fault_proxy.py` in front of the ops emulator, its mode set through a control file.
final class OpsFaultProxy {
    let process = Process()
    let port: Int
    let directory: String

    init(target: Int, lifetime: Int = 240) throws {
        directory = NSTemporaryDirectory() + "sift-ops-fault-proxy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", OpsEmulator.fixtures + "/fault_proxy.py", "--target", "http://127.0.0.1:\(target)",
                             "--control", directory + "/control.json", "--lifetime", String(lifetime)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var buffer = Data()
        while !buffer.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
        }
        let line = String(decoding: buffer, as: UTF8.self)
        guard let range = line.range(of: "PORT="), let port = Int(line[range.upperBound...].prefix { $0.isNumber }) else {
            process.terminate()
            throw LineFailure(description: "fault_proxy.py did not start: \(line)")
        }
        self.port = port
    }

    func set(_ settings: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: settings)
        try data.write(to: URL(fileURLWithPath: directory + "/control.json"), options: .atomic)
        usleep(20_000)
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Issue 13: cleanup through a proxy that delays, resets, stalls, answers 5xx storms and truncates bodies.
/// Each run ends in bounded time; across a faulty run and the clean run after it, no key gets a second
/// UpdateAccessKey or DeleteAccessKey, and every key ends deleted.
@Suite(.serialized)
struct CleanupFaultProxyTests {
    static let requestTimeout = 2.0
    static let actions = ["UpdateAccessKey", "DeleteAccessKey"]

    static var cases: [(String, [String: Any])] { [
        ("delay", ["mode": "delay", "delay": 0.6]),
        ("reset", ["mode": "reset", "share": 0.5]),
        ("reset after forwarding", ["mode": "reset", "share": 0.5, "after": true, "only": actions]),
        ("stall", ["mode": "stall", "share": 1, "only": actions]),
        ("5xx storm", ["mode": "5xx", "share": 1]),
        ("truncate", ["mode": "truncate", "share": 0.5, "only": actions]),
        // The key-changing call's answer is lost, then the next run cannot reach AWS at all: the open
        // intent must survive that run, so that the clean run settles it without a second call.
        ("truncate, then a run where every request is reset", ["mode": "truncate", "share": 1, "only": actions,
                                                               "then": ["mode": "reset", "share": 1]]),
    ] }

    @Test func noCloudActionIsRepeatedAndEveryRunEnds() async throws {
        let emulator = try OpsEmulator()
        let proxy = try OpsFaultProxy(target: emulator.port)
        var proxied = emulator.environment
        proxied["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(proxy.port)"
        let retry = RetryPolicy(maxAttempts: 4, baseDelay: 0.05, maxDelay: 0.2)
        let transport = AWSTransport(retry: retry, timeout: Self.requestTimeout)
        let faultyActions = IAMKeyActionsProvider(configuration: AWSConfiguration(environment: proxied), role: nil,
                                                  transport: transport).provider
        let direct = try emulator.iamClient()
        var durations: [String] = []

        for (index, (name, settings)) in Self.cases.enumerated() {
            // Fresh keys for this case, collected (without the proxy) and marked.
            var keys: [String: String] = [:]   // AccessKeyId -> user
            for n in 0..<3 {
                let user = "fault-\(index)-\(n)"
                _ = try await direct.client.query("CreateUser", [("UserName", user)])
                let created = try await direct.client.query("CreateAccessKey", [("UserName", user)])
                let id = try #require(created.child("AccessKey")?.value("AccessKeyId"))
                keys[id] = user
            }
            let temp = try TemporaryStore()
            _ = try await emulator.collect(into: temp.store)
            #expect(try temp.store.mark(ids: Array(keys.keys), desired: ["clean": .bool(true)], metadata: [:]) == keys.count)
            try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true", "cleanup_dry_run=false", "cleanup_pool_size=3"])
            let clock = TestClock(Date())
            func workflows(_ actions: @escaping AccessKeyActionsProvider) -> WorkflowRunner {
                WorkflowRunner(environment: WorkflowEnvironment(
                    store: temp.store, collect: { _ in "" }, actions: actions, runLine: { _ in }, now: clock.function,
                    output: { _ in }))
            }
            let clean = workflows(emulator.provider(retry: retry))

            // Disable: a faulty run, then a clean one; after the grace, delete: a faulty run, then a clean one.
            var phase: [String] = []
            for step in ["disable", "delete"] {
                if step == "delete" { clock.advance(8 * 86_400) }
                try proxy.set(settings)
                let start = Date()
                let faulty = try await workflows(faultyActions).run(.cleanup).cleanup
                let elapsed = Date().timeIntervalSince(start)
                try proxy.set(["mode": "none"])
                phase.append("\(step) \(String(format: "%.1f", elapsed)) s")
                // Per key at most: the last-use check and the action, each up to 3 attempts of the request
                // timeout (3 keys at once), plus slack for a loaded machine.
                #expect(elapsed < 2 * 3 * Self.requestTimeout + 15, "\(name) \(step) took \(elapsed) s")
                #expect(faulty?.outcomes.count == keys.count, "\(name) \(step): one outcome per key")
                if let then = settings["then"] as? [String: Any] {
                    try proxy.set(then)
                    let start = Date()
                    _ = try await workflows(faultyActions).run(.cleanup)
                    let elapsed = Date().timeIntervalSince(start)
                    try proxy.set(["mode": "none"])
                    phase.append("then \(String(format: "%.1f", elapsed)) s")
                    #expect(elapsed < 2 * 3 * Self.requestTimeout + 15, "\(name) \(step), second run took \(elapsed) s")
                }
                _ = try await clean.run(.cleanup)
                if step == "disable" {
                    // After the clean run every key is Inactive on the server, whatever the faulty run did.
                    for (key, user) in keys {
                        let status = try await direct.listAccessKeys(userName: user).first { $0.accessKeyId == key }?.status
                        #expect(status == .inactive, "\(name): \(key) is \(String(describing: status)) after the disable runs")
                    }
                }
            }
            durations.append("\(name): \(phase.joined(separator: ", "))")

            // Every key was disabled once and deleted once, whatever the faults.
            let calls = emulator.calls().filter { keys[$0.key] != nil }
            for (key, user) in keys {
                let updates = calls.filter { $0.key == key && $0.action == "UpdateAccessKey" }
                let deletes = calls.filter { $0.key == key && $0.action == "DeleteAccessKey" }
                #expect(updates.count <= 1, "\(name): \(key) got \(updates.count) UpdateAccessKey calls")
                #expect(deletes.count <= 1, "\(name): \(key) got \(deletes.count) DeleteAccessKey calls")
                #expect(updates.allSatisfy { $0.user == user && $0.status == "Inactive" })
                #expect(deletes.count == 1, "\(name): \(key) not deleted")
            }
            let left = try await direct.listUsers().filter { keys.values.contains($0.userName) }
            for user in left {
                #expect(try await direct.listAccessKeys(userName: user.userName).isEmpty, "\(name): \(user.userName) still has a key")
            }
        }
        print("fault proxy cleanup durations: \(durations.joined(separator: "; "))")
    }
}
