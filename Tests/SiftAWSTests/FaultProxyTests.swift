import Foundation
import Logging
import Testing
@testable import SiftAWS
@testable import SiftStore

/// `Tests/Fixtures/fault_proxy.py` running as a child process in front of an emulator, its fault mode
/// set through a control file it re-reads. Set once in `init`, read only afterwards.
final class FaultProxy {
    let process: Process
    let port: Int
    let directory: String

    /// `lifetime` only bounds a proxy left behind; the collect test runs 33 s alone but took 310 s alongside
    /// the whole suite (with the 2,000-user IAM collect of IAMGraphEmulatorTests on the same 2 cores), when a
    /// 240 s proxy had already exited under it.
    init(target: String, lifetime: Int = 900) throws {
        directory = NSTemporaryDirectory() + "sift-fault-proxy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = try PythonServer.python()
        process.arguments = [PythonServer.fixtures.appendingPathComponent("fault_proxy.py").path, "--target", target,
                             "--control", directory + "/control.json", "--log", directory + "/requests.ndjson",
                             "--lifetime", String(lifetime)]
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
            throw PythonServer.StartError.exited("fault_proxy.py: \(line)")
        }
        self.process = process
        self.port = port
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Sets the fault mode for the requests from now on (`mode`, `share`, `delay`, `after`).
    func set(_ mode: String, share: Double = 1, delay: Double = 0.5, after: Bool = false, except: [String] = []) throws {
        let data = try JSONSerialization.data(withJSONObject: ["mode": mode, "share": share, "delay": delay, "after": after,
                                                               "except": except] as [String: Any])
        try data.write(to: URL(fileURLWithPath: directory + "/control.json"), options: .atomic)
        usleep(20_000)  // a new mtime for the next change, whatever the file system's granularity
    }

    /// Requests that got a fault so far.
    func faulted() -> Int {
        let text = (try? String(contentsOfFile: directory + "/requests.ndjson", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.contains("\"fault\": null") }.count
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }
}

/// Issue 13: collect through a proxy that delays, resets, stalls, answers 5xx storms and truncates bodies.
/// Every run ends within its deadline, and the graph afterwards is the old one or the new one complete.
@Suite(.serialized)
struct FaultProxyTests {
    static let main = "123456789012"
    static let requestTimeout = 2.0
    static let accountTimeout = 5.0

    struct Case: Sendable, CustomStringConvertible {
        let mode: String
        let share: Double
        var delay = 0.5
        var after = false
        var except: [String] = []
        /// The account's deadline for this case (a delay must leave time to finish).
        var accountTimeout = FaultProxyTests.accountTimeout
        var description: String {
            "\(mode) share=\(share)\(after ? " after" : "")\(except.isEmpty ? "" : " except \(except.joined(separator: ","))")"
        }
    }

    static let cases: [Case] = [
        Case(mode: "delay", share: 1, delay: 0.6, accountTimeout: 30),
        Case(mode: "reset", share: 0.1),
        Case(mode: "reset", share: 1),
        Case(mode: "stall", share: 0.25),
        Case(mode: "stall", share: 1),
        // Every IAM request stalls (the caller's identity answers): the account's deadline ends it.
        Case(mode: "stall", share: 1, except: ["GetCallerIdentity"]),
        Case(mode: "5xx", share: 0.2),
        Case(mode: "5xx", share: 1),
        Case(mode: "truncate", share: 0.1),
        Case(mode: "truncate", share: 1),
    ]

    /// Short timeouts for a faulty run; long ones (`calm`) for the clean collects around it, which must
    /// not fail on a loaded machine.
    static func options(_ endpoint: String, home: String, accountTimeout: Double = FaultProxyTests.accountTimeout,
                        calm: Bool = false) -> CollectOptions {
        CollectOptions(environment: ["HOME": home, "AWS_ACCESS_KEY_ID": "AKIDFAULTPROXY", "AWS_SECRET_ACCESS_KEY": "x",
                                     "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint,
                                     "AWS_SHARED_CREDENTIALS_FILE": home + "/none", "AWS_CONFIG_FILE": home + "/none"],
                       maxInFlight: 8, retry: RetryPolicy(maxAttempts: 5, baseDelay: 0.05, maxDelay: 0.2),
                       reportTimeout: calm ? 60 : 3, requestTimeout: calm ? 30 : requestTimeout,
                       accountTimeout: calm ? 300 : accountTimeout)
    }

    /// The graph as compared between runs: nodes without metadata (it holds collect times), and edges.
    struct Graph: Equatable {
        let nodes: [String: Node]
        let edges: Set<String>

        init(_ db: TemporaryStore) throws {
            nodes = try db.nodes().mapValues { node in
                var copy = node
                copy.metadata = [:]
                return copy
            }
            edges = try db.edges()
        }

        var users: Set<String> { Set(nodes.values.filter { $0.kind == "aws_iam_user" }.compactMap(\.name)) }
    }

    @Test func everyCollectEndsInTimeWithTheOldGraphOrTheNewOneComplete() async throws {
        let emulator = try PythonServer("emulator.py")
        defer { emulator.stop() }
        let proxy = try FaultProxy(target: emulator.endpoint)
        defer { proxy.stop() }
        // Changes the emulator's data directly (not through the proxy), so that each run has a new graph to land.
        let direct = IAMClient(credentials: AWSCredentials(accessKeyId: "AKIDFAULTSETUP", secretAccessKey: "x", source: "test"),
                               endpoint: try #require(URL(string: emulator.endpoint)), transport: AWSTransport())
        let db = try TemporaryStore()
        try proxy.set("none")
        let clean = try await Collector.run(options: Self.options(proxy.endpoint, home: emulator.directory.path, calm: true),
                                            store: db.store)
        #expect(clean.failures.isEmpty && clean.accounts == [Self.main], "\(clean)")
        #expect(differences(try db.nodes(), emulator.manifest, accounts: [Self.main]).isEmpty)

        var durations: [String] = []
        var outcomes: (kept: Int, new: Int) = (0, 0)
        for (index, fault) in Self.cases.enumerated() {
            let old = try Graph(db)
            let newUser = "fault-user-\(index)"
            _ = try await direct.client.query("CreateUser", [("UserName", newUser)])
            _ = try await direct.client.query("CreateAccessKey", [("UserName", newUser)])
            try proxy.set(fault.mode, share: fault.share, delay: fault.delay, after: fault.after, except: fault.except)
            let faultedBefore = proxy.faulted()
            let start = Date()
            var message = ""
            do {
                let summary = try await Collector.run(options: Self.options(proxy.endpoint, home: emulator.directory.path,
                                                                            accountTimeout: fault.accountTimeout),
                                                      store: db.store)
                message = summary.description
            } catch {
                message = "no start: \(error)"
            }
            let elapsed = Date().timeIntervalSince(start)
            try proxy.set("none")
            durations.append("\(fault): \(String(format: "%.1f", elapsed)) s")
            #expect(proxy.faulted() > faultedBefore, "\(fault): the proxy injected nothing")
            // Ends within the account's deadline plus the caller-identity call (outside it: at most
            // 3 attempts of requestTimeout), with room for a loaded machine.
            #expect(elapsed < fault.accountTimeout + 3 * Self.requestTimeout + 10, "\(fault) took \(elapsed) s: \(message)")

            // The truth now: a clean collect into a fresh store, without the proxy.
            let truthDB = try TemporaryStore()
            let truthSummary = try await Collector.run(options: Self.options(emulator.endpoint, home: emulator.directory.path, calm: true),
                                                       store: truthDB.store)
            #expect(truthSummary.failures.isEmpty)
            let truth = try Graph(truthDB)
            #expect(truth.users.contains(newUser))
            let after = try Graph(db)
            if after == old {
                outcomes.kept += 1
                #expect(!after.users.contains(newUser))
            } else {
                outcomes.new += 1
                #expect(after.nodes == truth.nodes, "\(fault): neither the old graph nor the new one complete: \(message)")
                #expect(after.edges == truth.edges, "\(fault): edges differ from the new graph")
            }
            if fault.mode == "delay" {
                #expect(after.nodes == truth.nodes, "a delay under the request timeout changes nothing: \(message)")
            }
            print("fault proxy collect: \(fault): \(String(format: "%.1f", elapsed)) s, \(after == old ? "old graph kept" : "new graph complete"): \(message)")
            // Bring the store up to date for the next case, so that "old" is always the previous truth.
            let refresh = try await Collector.run(options: Self.options(emulator.endpoint, home: emulator.directory.path, calm: true),
                                                  store: db.store)
            #expect(refresh.failures.isEmpty)
        }
        print("fault proxy collect durations: \(durations.joined(separator: "; ")); old kept \(outcomes.kept), new \(outcomes.new)")
        #expect(outcomes.kept > 0 && outcomes.new > 0, "both ends are exercised")
    }
}
