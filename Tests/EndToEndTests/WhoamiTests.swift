import Foundation
import Testing

/// A loopback forward proxy (`Tests/Fixtures/http_proxy.py`) that logs each request it sees.
final class LoggingProxy {
    let process = Process()
    let port: Int
    let log: String

    init(directory: URL) throws {
        log = directory.appendingPathComponent("proxy.log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", SiftProcess.packageRoot.appendingPathComponent("Tests/Fixtures/http_proxy.py").path,
                             "--log", log]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("PORT="), let port = Int(line.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            throw Fixture.FixtureError(message: "the proxy did not start: \(text)")
        }
        self.port = port
    }

    var lines: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// `sift whoami`, `collect --profile a --profile b` and proxies, through the real binary against the emulator.
@Suite(.enabled(if: Emulator.isAvailable), .serialized)
struct WhoamiTests {
    static let secret = "sift-e2e-base-secret-0b7d"

    /// Shared files in a fresh HOME: a static profile, a role in the emulator's second account, a broken one.
    static func home() throws -> (URL, [String: String]) {
        let directory = try SiftProcess.temporaryDirectory()
        try FileManager.default.createDirectory(at: directory.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        try """
            [profile second]
            role_arn = arn:aws:iam::111111111111:role/reader
            source_profile = base
            role_session_name = sift-e2e
            [profile broken]
            role_arn = arn:aws:iam::111111111111:role/reader
            source_profile = nowhere
            """.write(to: directory.appendingPathComponent(".aws/config"), atomically: true, encoding: .utf8)
        try "[base]\naws_access_key_id = AKIDSIFTE2EBASE\naws_secret_access_key = \(secret)\n"
            .write(to: directory.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8)
        let environment = [
            "HOME": directory.path, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "",
            "AWS_DEFAULT_PROFILE": "", "AWS_SHARED_CREDENTIALS_FILE": "", "AWS_CONFIG_FILE": "",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1",
            "http_proxy": "", "https_proxy": "", "HTTPS_PROXY": "", "NO_PROXY": "", "no_proxy": "",
        ]
        return (directory, environment)
    }

    @Test func whoamiNamesTheRoleAndWhereItCameFrom() throws {
        let emulator = try Emulator()
        defer { emulator.stop() }
        var (directory, environment) = try Self.home()
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(emulator.port)"
        let db = directory.appendingPathComponent("sift.db").path
        let result = try SiftProcess.run(["--db", db, "whoami --profile second"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            arn: arn:aws:sts::111111111111:assumed-role/reader/sift-e2e
            account: 111111111111
            source: assume role arn:aws:iam::111111111111:role/reader via profile base

            """)
        #expect(!(result.stdout + result.stderr).contains(Self.secret))

        let broken = try SiftProcess.run(["--db", db, "whoami --profile broken"], environment: environment)
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("source_profile 'nowhere' does not exist"), "\(broken.stderr)")
    }

    @Test func collectSeveralProfilesPrintsEachSource() throws {
        let emulator = try Emulator()
        defer { emulator.stop() }
        var (directory, environment) = try Self.home()
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(emulator.port)"
        let db = directory.appendingPathComponent("sift.db").path
        let result = try SiftProcess.run(["--db", db, "collect --profile second --profile broken --profile base"],
                                         environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "source: profile second: assume role arn:aws:iam::111111111111:role/reader via profile base")
        #expect(lines.dropFirst().first?.hasPrefix("source: profile base: profile base (keys in ") == true, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("collected 2 accounts, ") && $0.contains("1 account failed: profile broken: ") },
                "\(lines)")
        #expect(result.stderr.contains("profile broken: failed: "), "\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains(Self.secret))
        let accounts = try SiftProcess.run(["--db", db, "search is(aws_account) | count"])
        #expect(accounts.stdout.hasPrefix("total matched: 2\n"), "\(accounts.stdout)")
    }

    /// libcurl (under URLSession) takes `http_proxy` / `HTTPS_PROXY` / `NO_PROXY` from the environment, as the
    /// AWS CLI does: http goes through the proxy unless NO_PROXY names the host; https asks the proxy to CONNECT.
    @Test func proxiesFromTheEnvironment() throws {
        let emulator = try Emulator()
        defer { emulator.stop() }
        var (directory, environment) = try Self.home()
        let proxy = try LoggingProxy(directory: directory)
        defer { proxy.stop() }
        let db = directory.appendingPathComponent("sift.db").path
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(emulator.port)"
        environment["http_proxy"] = "http://127.0.0.1:\(proxy.port)"
        let proxied = try SiftProcess.run(["--db", db, "whoami --profile base"], environment: environment)
        #expect(proxied.status == 0, "\(proxied.stderr)")
        #expect(proxy.lines == ["POST http://127.0.0.1:\(emulator.port)/"])

        environment["NO_PROXY"] = "127.0.0.1"
        let direct = try SiftProcess.run(["--db", db, "whoami --profile base"], environment: environment)
        #expect(direct.status == 0, "\(direct.stderr)")
        #expect(proxy.lines.count == 1)

        // https: the proxy is asked to CONNECT (and refuses; nothing leaves the machine).
        environment["NO_PROXY"] = ""
        environment["HTTPS_PROXY"] = "http://127.0.0.1:\(proxy.port)"
        environment["AWS_ENDPOINT_URL"] = "https://127.0.0.1:9"
        let tunnelled = try SiftProcess.run(["--db", db, "whoami --profile base"], environment: environment)
        #expect(tunnelled.status == 1)
        #expect(proxy.lines.last == "CONNECT 127.0.0.1:9", "\(proxy.lines)")
    }
}
