import Foundation
import GRDB
@testable import SiftAWS
@testable import SiftStore
import SiftTime

/// A python fixture (`Tests/Fixtures/emulator.py` or `fake_iam.py`) running as a child process.
final class PythonServer {
    let process = Process()
    let port: Int
    let manifest: Manifest
    let directory: URL
    /// The `PORT=` line as printed (fixtures may add `NAME=value` pairs).
    let banner: String

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    enum StartError: Error, CustomStringConvertible {
        case noPython
        case exited(String)

        var description: String {
            switch self {
            case .noPython: return "python3 not found in PATH"
            case .exited(let log): return "fixture exited before printing PORT=: \(log)"
            }
        }
    }

    /// Starts `script` with `arguments` plus `--manifest`, and waits for `PORT=<n>`.
    init(_ script: String, _ arguments: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sift-aws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let manifestPath = directory.appendingPathComponent("manifest.json").path
        let logPath = directory.appendingPathComponent("server.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = try Self.python()
        process.arguments = [Self.fixtures.appendingPathComponent(script).path] + arguments
            + ["--manifest", manifestPath]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        var buffer = Data()
        while !buffer.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw StartError.exited(String(log.suffix(2000)))
            }
            buffer.append(chunk)
        }
        let line = String(decoding: buffer, as: UTF8.self)
        guard let range = line.range(of: "PORT="),
              let port = Int(line[range.upperBound...].prefix { $0.isNumber })
        else { throw StartError.exited(line) }
        self.port = port
        self.banner = line
        manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifestPath)))
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// An integer `NAME=<n>` of the banner.
    func bannerValue(_ name: String) -> Int? {
        guard let range = banner.range(of: " \(name)=") else { return nil }
        return Int(banner[range.upperBound...].prefix { $0.isNumber })
    }

    /// The manifest file as JSON (fixture-specific fields).
    func manifestObject() throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    static func python() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        throw StartError.noPython
    }
}

/// What a fixture created, as its `--manifest` file says.
struct Manifest: Decodable {
    struct Key: Decodable {
        let id: String
        let status: String
        let create_date: String
        let last_used: String?
        let service: String?
        let region: String?
    }

    struct User: Decodable {
        let name: String
        let id: String
        let arn: String
        let create_date: String
        let password_enabled: Bool
        let password_last_used: String?
        let mfa_active: Bool?
        let keys: [Key]
    }

    struct Account: Decodable {
        let alias: String?
        let users: [User]
        let root: Bool?
    }

    let now: String
    let accounts: [String: Account]
    let organization_members: [String: Account]?
}

/// A fresh store in a temporary directory.
final class TemporaryStore {
    let directory: URL
    let store: GraphStore

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sift-aws-db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try GraphStore(path: directory.appendingPathComponent("graph.sqlite").path)
    }

    /// Every node, by id.
    func nodes() throws -> [String: Node] {
        let rows = try store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(NodeColumns.sql) FROM node").map { try Node(row: $0) }
        }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
    }

    /// Every node's subgraph, by id.
    func subgraphs() throws -> [String: String] {
        let pairs = try store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, subgraph FROM node").map { ($0[0] as String, $0[1] as String) }
        }
        return Dictionary(uniqueKeysWithValues: pairs)
    }

    /// Every edge as `from -type-> to` by ids.
    func edges() throws -> Set<String> {
        try Set(store.writer.read { db in
            try String.fetchAll(db, sql: """
                SELECT f.id || ' -' || e.type || '-> ' || t.id FROM edge e
                JOIN node f ON f.nid = e.from_nid JOIN node t ON t.nid = e.to_nid
                """)
        })
    }

    /// The bytes of the database and its WAL, for secret scans.
    func fileBytes() throws -> Data {
        var data = Data()
        for suffix in ["", "-wal", "-shm"] {
            let path = store.path + suffix
            if let bytes = FileManager.default.contents(atPath: path) { data.append(bytes) }
        }
        return data
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

/// Whole seconds of a manifest timestamp.
func manifestSeconds(_ text: String) -> Int64? {
    ISO8601.date(text).map(UnixTime.seconds(of:))
}

/// Whole seconds of a date.
func seconds(_ date: Date?) -> Int64? {
    date.map(UnixTime.seconds(of:))
}

/// Describes every difference between the collected graph and the manifest for `accounts`: users and keys
/// exactly, with status, creation and last use to the second. Empty when they agree.
func differences(_ nodes: [String: Node], _ manifest: Manifest, accounts: [String]) -> [String] {
    var problems: [String] = []
    var expectedIds: Set<String> = []
    for account in accounts {
        guard let spec = manifest.accounts[account] else {
            problems.append("manifest has no account \(account)")
            continue
        }
        expectedIds.insert(account)
        if nodes[account]?.kind != "aws_account" { problems.append("account \(account) missing") }
        if spec.root == true {
            expectedIds.insert("\(account)-root")
            if nodes["\(account)-root"]?.kind != "aws_root_user" { problems.append("root of \(account) missing") }
        }
        for user in spec.users {
            expectedIds.insert(user.id)
            guard let node = nodes[user.id] else {
                problems.append("user \(user.name) (\(user.id)) missing")
                continue
            }
            if node.kind != "aws_iam_user" || node.name != user.name { problems.append("user \(user.id): \(node)") }
            if seconds(node.ctime) != manifestSeconds(user.create_date) {
                problems.append("user \(user.name): ctime \(String(describing: node.ctime)) != \(user.create_date)")
            }
            if node.reported["password_enabled"] != .bool(user.password_enabled) {
                problems.append("user \(user.name): password_enabled \(String(describing: node.reported["password_enabled"]))")
            }
            if seconds(node.atime) != user.password_last_used.flatMap(manifestSeconds) {
                problems.append("user \(user.name): atime \(String(describing: node.atime)) != \(user.password_last_used ?? "nil")")
            }
            if let mfa = user.mfa_active, node.reported["mfa_active"] != .bool(mfa) {
                problems.append("user \(user.name): mfa_active")
            }
            for key in user.keys {
                expectedIds.insert(key.id)
                guard let node = nodes[key.id] else {
                    problems.append("key \(key.id) of \(user.name) missing")
                    continue
                }
                let label = "key \(key.id) of \(user.name)"
                if node.kind != "aws_iam_access_key" || node.name != user.name { problems.append("\(label): \(node)") }
                if node.reported["access_key_status"] != .string(key.status) {
                    problems.append("\(label): status \(String(describing: node.reported["access_key_status"])) != \(key.status)")
                }
                if node.reported["user_name"] != .string(user.name) { problems.append("\(label): user_name") }
                if seconds(node.ctime) != manifestSeconds(key.create_date) {
                    problems.append("\(label): ctime \(String(describing: node.ctime)) != \(key.create_date)")
                }
                if seconds(node.atime) != key.last_used.flatMap(manifestSeconds) {
                    problems.append("\(label): atime \(String(describing: node.atime)) != \(key.last_used ?? "never")")
                }
                guard case .object(let used)? = node.reported["access_key_last_used"] else {
                    problems.append("\(label): no access_key_last_used")
                    continue
                }
                let expectedLastUsed = key.last_used.flatMap(ISO8601.date).map { JSONValue.string(ISO8601.format($0)) }
                if used["last_used"] != expectedLastUsed {
                    problems.append("\(label): last_used \(String(describing: used["last_used"]))")
                }
            }
        }
    }
    let collected = Set(nodes.values.filter { ["aws_account", "aws_iam_user", "aws_root_user", "aws_iam_access_key"]
        .contains($0.kind) }.map(\.id))
    for extra in collected.subtracting(expectedIds).sorted() { problems.append("unexpected node \(extra)") }
    return problems
}
