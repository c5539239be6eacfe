import Foundation
import SiftAWS
import SiftStore
@testable import SiftOps

/// `Tests/Fixtures/ops_emulator.py` (moto with a dated scenario, a log of key-changing calls, and
/// injected faults) running as a child process on 127.0.0.1. Its properties are set once in
/// `init` and only read afterwards (the manifest is JSON), hence `@unchecked Sendable`.
final class OpsEmulator: @unchecked Sendable {
    let process = Process()
    let directory: String
    let port: Int
    let manifest: [String: Any]

    static var fixtures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
    }

    /// Starts the emulator; `arguments` go to the script (e.g. `--users 1000 --keys 1000`).
    init(arguments: [String] = []) throws {
        directory = NSTemporaryDirectory() + "sift-emulator-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let extra = arguments + ["--faults", directory + "/faults.json"]
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", OpsEmulator.fixtures + "/ops_emulator.py", "--manifest", directory + "/manifest.json",
                             "--calls", directory + "/calls.ndjson"] + extra
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var buffer = Data()
        var found: Int?
        while found == nil {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("PORT=") }) { found = Int(line.dropFirst(5)) }
        }
        guard let found else {
            process.terminate()
            throw LineFailure(description: "the emulator did not start: \(String(decoding: buffer, as: UTF8.self))")
        }
        port = found
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json"))
        manifest = (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Sets the faults the server injects from now on (see ops_emulator.py).
    func setFaults(_ faults: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: faults)
        try data.write(to: URL(fileURLWithPath: directory + "/faults.json"), options: .atomic)
    }

    /// The environment of a client of this emulator (credentials that are no scenario key).
    var environment: [String: String] {
        ["AWS_ACCESS_KEY_ID": "AKIDSIFTTESTCLIENT", "AWS_SECRET_ACCESS_KEY": "test-secret",
         "AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)", "AWS_REGION": "us-east-1",
         "AWS_SHARED_CREDENTIALS_FILE": directory + "/none", "AWS_CONFIG_FILE": directory + "/none", "HOME": directory]
    }

    /// The manifest's keys of the main account: AccessKeyId -> (user, status).
    var scenarioKeys: [String: (user: String, status: String)] {
        let accounts = manifest["accounts"] as? [String: Any] ?? [:]
        let main = accounts["123456789012"] as? [String: Any] ?? [:]
        var keys: [String: (String, String)] = [:]
        for user in main["users"] as? [[String: Any]] ?? [] {
            for key in user["keys"] as? [[String: Any]] ?? [] {
                keys[key["id"] as? String ?? ""] = (user["name"] as? String ?? "", key["status"] as? String ?? "")
            }
        }
        return keys
    }

    /// The key-changing calls the server answered: (action, key, user, status, http).
    func calls() -> [(action: String, key: String, user: String, status: String?, http: Int)] {
        loggedCalls().filter { $0.action != "GetAccessKeyLastUsed" }
    }

    /// The `GetAccessKeyLastUsed` calls the server answered (the collector's and the cleanup's), in order.
    func lastUseChecks() -> [(key: String, http: Int)] {
        loggedCalls().filter { $0.action == "GetAccessKeyLastUsed" }.map { ($0.key, $0.http) }
    }

    private func loggedCalls() -> [(action: String, key: String, user: String, status: String?, http: Int)] {
        guard let text = try? String(contentsOfFile: directory + "/calls.ndjson", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return (object["action"] as? String ?? "", object["key"] as? String ?? "", object["user"] as? String ?? "",
                    object["status"] as? String, object["http"] as? Int ?? 0)
        }
    }

    /// A real IAM client of this emulator.
    func iamClient(retry: RetryPolicy = RetryPolicy()) throws -> IAMClient {
        let configuration = AWSConfiguration(environment: environment)
        let credentials = AWSCredentials(accessKeyId: environment["AWS_ACCESS_KEY_ID"] ?? "",
                                         secretAccessKey: environment["AWS_SECRET_ACCESS_KEY"] ?? "", source: "environment")
        return IAMClient(credentials: credentials, endpoint: try configuration.endpoint(for: .iam),
                         transport: AWSTransport(retry: retry))
    }

    /// What the server holds now: AccessKeyId -> status, over the scenario's users.
    func serverKeys() async throws -> [String: String] {
        let client = try iamClient()
        var keys: [String: String] = [:]
        for user in Set(scenarioKeys.values.map(\.user)) {
            for key in try await client.listAccessKeys(userName: user) { keys[key.accessKeyId] = key.status.rawValue }
        }
        return keys
    }

    /// The cleanup's provider of cloud calls for this emulator.
    func provider(retry: RetryPolicy = RetryPolicy(), role: String? = nil) -> AccessKeyActionsProvider {
        IAMKeyActionsProvider(configuration: AWSConfiguration(environment: environment), role: role,
                              transport: AWSTransport(retry: retry)).provider
    }

    /// Collects the emulator into `store` (other accounts through `role`).
    func collect(into store: GraphStore, role: String? = nil, accounts: [String] = []) async throws -> CollectSummary {
        try await Collector.run(options: CollectOptions(assumeRole: role, accounts: accounts, environment: environment),
                                sink: StoreSink(store: store))
    }
}

/// Writes collected subgraphs to a GraphStore.
struct StoreSink: SubgraphSink {
    let store: GraphStore
    func write(_ subgraph: Subgraph) throws { try store.replaceSubgraph(subgraph) }
}
