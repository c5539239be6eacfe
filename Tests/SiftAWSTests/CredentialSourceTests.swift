import Foundation
import Testing
@testable import SiftAWS

/// The sources one by one where botocore cannot be the oracle (it has no knob for them), and the refresh
/// rules of `CredentialProvider` on a clock of the test's own.
@Suite(.serialized)
struct CredentialSourceTests {
    /// A settable clock.
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var value = Date(timeIntervalSince1970: 1_800_000_000)
        var now: Date {
            lock.lock()
            defer { lock.unlock() }
            return value
        }
        func advance(_ seconds: TimeInterval) {
            lock.lock()
            value += seconds
            lock.unlock()
        }
    }

    /// A fetch that hands out numbered credentials expiring `lifetime` after the clock, or fails when told.
    final class Issuer: @unchecked Sendable {
        private let lock = NSLock()
        private var issued = 0
        var failing = false
        let clock: Clock
        let lifetime: TimeInterval
        init(clock: Clock, lifetime: TimeInterval) {
            self.clock = clock
            self.lifetime = lifetime
        }
        var count: Int {
            lock.lock()
            defer { lock.unlock() }
            return issued
        }
        func fetch() throws(CredentialError) -> AWSCredentials {
            lock.lock()
            defer { lock.unlock() }
            if failing { throw .retrieval(source: "issuer", message: "down") }
            issued += 1
            return AWSCredentials(accessKeyId: "ASIA\(issued)", secretAccessKey: "s", sessionToken: "t", source: "issuer",
                                  expiration: clock.now + lifetime)
        }
    }

    @Test func refreshFollowsBotocoreWindows() async throws {
        let clock = Clock()
        let issuer = Issuer(clock: clock, lifetime: 3600)
        let provider = CredentialProvider(source: "issuer", now: { clock.now }) { () throws(CredentialError) in
            try issuer.fetch()
        }
        #expect(try await provider.credentials().accessKeyId == "ASIA1")
        clock.advance(3600 - 15 * 60 + 1)  // inside the advisory window (15 min): refreshed
        #expect(try await provider.credentials().accessKeyId == "ASIA2")
        #expect(await provider.refreshCount == 1)
        clock.advance(3600 - 15 * 60 + 1)
        issuer.failing = true  // advisory refresh fails: the current credentials stay
        #expect(try await provider.credentials().accessKeyId == "ASIA2")
        #expect(await provider.failedAdvisoryRefreshes == 1)
        clock.advance(5 * 60)  // inside the mandatory window (10 min): a failure is an error
        await #expect(throws: CredentialError.retrieval(source: "issuer", message: "down")) {
            try await provider.credentials()
        }
        issuer.failing = false
        #expect(try await provider.credentials().accessKeyId == "ASIA3")
        #expect(await provider.refreshCount == 2)
    }

    @Test func concurrentCallersShareOneFetch() async throws {
        let clock = Clock()
        let issuer = Issuer(clock: clock, lifetime: 60)
        let provider = CredentialProvider(source: "issuer", windows: RefreshWindows(advisory: 20, mandatory: 10),
                                          now: { clock.now }) { () throws(CredentialError) in
            try? await Task.sleep(nanoseconds: 50_000_000)
            return try issuer.fetch()
        }
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await provider.credentials().accessKeyId } }
            for try await id in group { #expect(id == "ASIA1") }
        }
        clock.advance(55)  // mandatory: every caller waits for the one refresh
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await provider.credentials().accessKeyId } }
            for try await id in group { #expect(id == "ASIA2") }
        }
        #expect(issuer.count == 2)
        #expect(await provider.refreshCount == 1)
    }

    @Test func freshCredentialsThatAreAlreadyExpiredAreRefused() async throws {
        let clock = Clock()
        let issuer = Issuer(clock: clock, lifetime: -1)
        let provider = CredentialProvider(source: "issuer", now: { clock.now }) { () throws(CredentialError) in
            try issuer.fetch()
        }
        await #expect(throws: CredentialError.expired(source: "issuer")) { try await provider.credentials() }
    }

    static func home(config: String) throws -> String {
        let home = NSTemporaryDirectory() + "sift-source-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
        try config.write(toFile: home + "/.aws/config", atomically: true, encoding: .utf8)
        return home
    }

    @Test func mfaWithoutTerminalIsAClearError() async throws {
        let home = try Self.home(config: """
            [profile base]
            aws_access_key_id = AKIABASE
            aws_secret_access_key = base-secret
            [profile mfa]
            role_arn = arn:aws:iam::111122223333:role/admin
            source_profile = base
            mfa_serial = arn:aws:iam::123456789012:mfa/me
            """)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let configuration = AWSConfiguration(environment: ["HOME": home, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"],
                                             profile: "mfa")
        let expected = CredentialError.mfaNeedsTerminal(profile: "mfa", serial: "arn:aws:iam::123456789012:mfa/me")
        await #expect(throws: expected) {
            try await configuration.credentials(options: CredentialOptions(mfaPrompt: .unavailable))
        }
        #expect(expected.description.contains("no terminal"))
        if isatty(STDIN_FILENO) == 0 {
            await #expect(throws: expected) {
                try await configuration.credentials(options: CredentialOptions(mfaPrompt: .terminal))
            }
        }
    }

    /// Captures what a child writes to stderr.
    final class Captured: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ chunk: Data) {
            lock.lock()
            data.append(chunk)
            lock.unlock()
        }
        var text: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: data, as: UTF8.self)
        }
    }

    static func process(_ arguments: String, timeout: TimeInterval = 30,
                        stderr: Captured = Captured()) async -> Result<AWSCredentials, CredentialError> {
        let script = PythonServer.fixtures.appendingPathComponent("credential_process.py").path
        let home: String
        do { home = try Self.home(config: "[default]\ncredential_process = python3 '\(script)' \(arguments)\n") } catch {
            return .failure(.retrieval(source: "test", message: "\(error)"))
        }
        defer { try? FileManager.default.removeItem(atPath: home) }
        let environment = ["HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                           "AWS_EC2_METADATA_DISABLED": "true"]
        do {
            return .success(try await AWSConfiguration(environment: environment).credentials(
                options: CredentialOptions(processTimeout: timeout, processStderr: { stderr.append($0) })))
        } catch {
            return .failure(error)
        }
    }

    @Test func credentialProcessPassesStderrThroughAndParsesExpiration() async throws {
        let stderr = Captured()
        let credentials = try await Self.process("AKIAPROC \"se cret\" 900", stderr: stderr).get()
        #expect(credentials.accessKeyId == "AKIAPROC")
        #expect(credentials.secretAccessKey == "se cret")
        #expect(credentials.source == "credential_process of profile default")
        let expiration = try #require(credentials.expiration)
        #expect(expiration > Date() + 800 && expiration < Date() + 1000)
        #expect(stderr.text.contains("credential_process: issuing credentials"))
    }

    @Test func credentialProcessFailuresSayWhy() async throws {
        let stderr = Captured()
        guard case .failure(let failed) = await Self.process("A B --fail", stderr: stderr) else {
            Issue.record("a failing process gave credentials")
            return
        }
        #expect(failed.description.contains("exited with status 3"))
        #expect(failed.description.contains("the vault is sealed"))
        #expect(stderr.text.contains("the vault is sealed"))

        guard case .failure(let slow) = await Self.process("A B --sleep 30", timeout: 1) else {
            Issue.record("a process past its timeout gave credentials")
            return
        }
        #expect(slow.description.contains("no answer within 1 s; killed"))
        #expect(throws: CredentialError.retrieval(source: "p", message: "unsupported Version '2'; supported versions: 1")) {
            try CredentialProcess.parse(Data(#"{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "B"}"#.utf8), source: "p")
        }
        #expect(throws: CredentialError.retrieval(source: "p", message: "missing required key in response: 'SecretAccessKey'")) {
            try CredentialProcess.parse(Data(#"{"Version": 1, "AccessKeyId": "A"}"#.utf8), source: "p")
        }
        #expect(try CredentialProcess.split(#"a 'b c' "d \"e\"" f\ g"#) == ["a", "b c", "d \"e\"", "f g"])
    }

    @Test func containerRelativeURIAndInstanceMetadataTimeouts() async throws {
        let world = try CredentialParityTests.World()
        defer { world.server.stop() }
        let home = try Self.home(config: "")
        defer { try? FileManager.default.removeItem(atPath: home) }
        // AWS_CONTAINER_CREDENTIALS_RELATIVE_URI goes to 169.254.170.2 on ECS; here the base is the fake.
        let relative = try await AWSConfiguration(environment: ["HOME": home,
                                                                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"])
            .credentialProvider(options: CredentialOptions(containerRelativeBase: world.fake))
        #expect(relative.source == "container credentials (\(world.fake)/v2/credentials/abc)")
        #expect(try await relative.credentials().sessionToken != nil)

        // An instance metadata endpoint that accepts connections and never answers: 1 s, then the chain ends.
        let silent = try SilentListener()
        defer { silent.close() }
        let started = Date()
        do {
            _ = try await AWSConfiguration(environment: [
                "HOME": home, "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(silent.port)",
            ]).credentials()
            Issue.record("a silent IMDS gave credentials")
        } catch {
            #expect(error.description.contains("EC2 instance metadata at http://127.0.0.1:\(silent.port)/"))
            #expect(error.description.contains("no answer within 1 s"), "\(error)")
        }
        #expect(Date().timeIntervalSince(started) < 20)  // bounded: the 1 s deadline, not the 30 s default
        do {
            _ = try await AWSConfiguration(environment: ["HOME": home, "AWS_EC2_METADATA_DISABLED": "TRUE"]).credentials()
            Issue.record("credentials from nowhere")
        } catch {
            #expect(error.description.contains("EC2 instance metadata (AWS_EC2_METADATA_DISABLED=true)"))
        }
    }

    /// botocore's endpoints per region, partition by partition, are Sift's.
    @Test func endpointsAndPartitionsAreBotocores() throws {
        let regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "cn-northwest-1", "us-gov-west-1",
                       "us-gov-east-1"]
        let script = """
            import boto3, json, sys
            out = {}
            for r in sys.argv[1:]:
                s = boto3.Session(region_name=r, aws_access_key_id="a", aws_secret_access_key="b")
                out[r] = {x: s.client(x).meta.endpoint_url for x in ("sts", "iam", "organizations")}
                out[r]["iam_signing"] = s.client("iam")._request_signer._region_name
                out[r]["organizations_signing"] = s.client("organizations")._request_signer._region_name
            print(json.dumps(out))
            """
        let process = Process()
        process.executableURL = try PythonServer.python()
        process.arguments = ["-c", script] + regions
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                               "HOME": NSTemporaryDirectory(), "AWS_CONFIG_FILE": "/nonexistent",
                               "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let oracle = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: String]])
        for region in regions {
            let configuration = AWSConfiguration(environment: ["AWS_DEFAULT_REGION": region, "HOME": NSTemporaryDirectory(),
                                                               "AWS_CONFIG_FILE": "/nonexistent"])
            for service in [AWSService.sts, .iam, .organizations] {
                let ours = try configuration.endpoint(for: service).absoluteString
                let theirs = oracle[region]?[service.rawValue] ?? "?"
                #expect(ours.trimmingCharacters(in: CharacterSet(charactersIn: "/")) == theirs, "\(region) \(service)")
            }
            #expect(try configuration.signingRegion(for: .iam) == oracle[region]?["iam_signing"], "\(region)")
            #expect(try configuration.signingRegion(for: .organizations) == oracle[region]?["organizations_signing"],
                    "\(region)")
        }
    }
}

/// A loopback socket that accepts connections and never answers (an instance metadata service that hangs).
final class SilentListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            _ = Glibc.close(fd)
            throw PythonServer.StartError.exited("cannot listen")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
