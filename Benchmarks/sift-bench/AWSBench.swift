import Foundation
import GRDB
import SiftAWS
import SiftStore

/// `sift-bench aws [--users N] [--keys M] [--in-flight K]`: Sift's collect against the moto emulator, beside a minimal
/// boto3 script of direct calls and Cloud Custodian's stale-key policy, on the same server in one run.
///
/// Cloud Custodian is looked for as `$C7N_PYTHON` (a python with c7n installed), else `custodian`'s python
/// in PATH; without it that line says so.
enum AWSBench {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func run(arguments: [String]) async throws {
        func value(_ flag: String, _ fallback: Int) -> Int {
            guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return fallback }
            return Int(arguments[index + 1]) ?? fallback
        }
        let users = value("--users", 2000)
        let keys = value("--keys", 3000)
        let inFlight = value("--in-flight", 16)
        let python = try executable("python3")
        print("aws: emulator (moto) with \(users) users, \(keys) access keys")
        let emulator = try BenchProcess.start(python, [root.appendingPathComponent("Tests/Fixtures/emulator.py").path,
                                                       "--users", "\(users)", "--keys", "\(keys)"])
        defer { emulator.stop() }
        let endpoint = "http://127.0.0.1:\(emulator.port)"
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = "AKIASIFTBENCH0000001"
        environment["AWS_SECRET_ACCESS_KEY"] = "sift-bench-secret"
        environment["AWS_ENDPOINT_URL"] = endpoint
        environment["AWS_DEFAULT_REGION"] = "us-east-1"
        environment.removeValue(forKey: "AWS_PROFILE")

        // Sift
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sift-aws-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try GraphStore(path: directory.appendingPathComponent("bench.sqlite").path)
        let summary = try await Collector.run(options: CollectOptions(environment: environment, maxInFlight: inFlight),
                                              store: store)
        print(String(format: "  sift collect (%2d in flight) %4.2f s  %5d API calls  (%d users, %d keys; users + %d)",
                     inFlight, summary.seconds, summary.apiCalls, summary.users, summary.keys, summary.apiCalls - summary.users))
        let stale = try staleKeys(store)
        print("    unused for 90+ days (never-used keys counted from creation): \(stale.keys) keys of \(stale.users) users, "
            + "\(stale.neverUsed) of them never used")
        let byOperation = summary.callsByOperation.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        print("    calls: " + byOperation.joined(separator: ", "))

        // A minimal boto3 script of direct calls.
        let direct = try BenchProcess.runToEnd(python, [root.appendingPathComponent("Benchmarks/aws/direct_calls.py").path],
                                               environment: environment)
        let directFigures = figures(direct.output)
        print(String(format: "  boto3 direct calls      %7.2f s  %5d API calls  (%@)", direct.seconds,
                     directFigures["calls"].flatMap { Int($0) } ?? -1, direct.output.trimmingCharacters(in: .newlines)))

        // Cloud Custodian's stale-key policy, dry run.
        var custodianSeconds: Double?
        if let c7nPython = custodianPython(environment) {
            let output = directory.appendingPathComponent("c7n-out").path
            let policy = root.appendingPathComponent("Benchmarks/aws/custodian-stale-keys.yml").path
            let run = try BenchProcess.runToEnd(c7nPython, [root.appendingPathComponent("Benchmarks/aws/custodian_counted.py").path,
                                                            "run", "--dryrun", "--cache-period", "0", "-s", output, policy],
                                                environment: environment)
            let c7n = figures(run.output)
            custodianSeconds = run.seconds
            print(String(format: "  custodian stale keys    %7.2f s  %5d API calls  (%@ users matched; exit %d)", run.seconds,
                         c7n["calls"].flatMap { Int($0) } ?? -1, c7n["matched"] ?? "?", run.status))
        } else {
            print("  custodian stale keys    not run: no python with c7n (set C7N_PYTHON, e.g. a venv's bin/python)")
        }
        print(String(format: "  ratio: boto3 direct / sift = %.1fx", direct.seconds / summary.seconds))
        if let custodianSeconds {
            print(String(format: "  ratio: custodian / sift = %.1fx (goal >= 3x)", custodianSeconds / summary.seconds))
        }
        print("  goal: API calls <= users + 10: \(summary.apiCalls <= summary.users + 10 ? "met" : "NOT met")")
    }

    /// Keys whose last use (or creation, when never used) is more than 90 days ago, by hand-written SQL
    /// on the store's file (a connection of the benchmark's own: the store does not lend its own).
    static func staleKeys(_ store: GraphStore) throws -> (keys: Int, users: Int, neverUsed: Int) {
        try DatabaseQueue(path: store.location).read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), count(DISTINCT name), count(*) FILTER (WHERE atime IS NULL) FROM node
                WHERE kind = 'aws_iam_access_key' AND coalesce(atime, ctime) < CAST(strftime('%s', 'now') AS INTEGER) - 90 * 86400
                """)
            return (row?[0] ?? 0, row?[1] ?? 0, row?[2] ?? 0)
        }
    }

    /// `name=value` words of a line.
    static func figures(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = word.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }

    static func custodianPython(_ environment: [String: String]) -> String? {
        if let explicit = environment["C7N_PYTHON"], FileManager.default.isExecutableFile(atPath: explicit) {
            return explicit
        }
        guard let custodian = try? executable("custodian") else { return nil }
        let python = (custodian as NSString).deletingLastPathComponent + "/python"
        return FileManager.default.isExecutableFile(atPath: python) ? python : nil
    }

    static func executable(_ name: String) throws -> String {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw BenchProcess.Failure.notFound(name)
    }
}

/// A child process for the benchmark: a server that prints `PORT=<n>`, or a command run to its end.
struct BenchProcess {
    enum Failure: Error, CustomStringConvertible {
        case notFound(String)
        case noPort(String)

        var description: String {
            switch self {
            case .notFound(let name): return "\(name) not found in PATH"
            case .noPort(let text): return "server ended before printing PORT=: \(text)"
            }
        }
    }

    let process: Process
    let port: Int

    static func start(_ executable: String, _ arguments: [String]) throws -> BenchProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var buffer = Data()
        while !buffer.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw Failure.noPort(String(decoding: buffer, as: UTF8.self)) }
            buffer.append(chunk)
        }
        let text = String(decoding: buffer, as: UTF8.self)
        guard let range = text.range(of: "PORT="), let port = Int(text[range.upperBound...].prefix { $0.isNumber })
        else { throw Failure.noPort(text) }
        return BenchProcess(process: process, port: port)
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Runs to the end; stdout is returned, stderr discarded.
    static func runToEnd(_ executable: String, _ arguments: [String],
                         environment: [String: String]) throws -> (output: String, seconds: Double, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        let start = Date()
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), Date().timeIntervalSince(start), process.terminationStatus)
    }
}
