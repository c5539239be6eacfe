import Foundation
import Logging
import Testing
@testable import SiftAWS
@testable import SiftStore

/// Long work with short-lived credentials, and the secret scan: collects against moto behind an expiry gate
/// (Tests/Fixtures/cred_endpoints.py answers `ExpiredToken` to any request signed with a key it issued once
/// that key's Expiration has passed).
@Suite(.serialized)
struct CredentialRefreshTests {
    /// Lines logged at debug level, for the secret scan.
    final class LogCapture: LogHandler, @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            lock.lock()
            lines.append("\(event.level) \(event.message) \(event.metadata ?? [:])")
            lock.unlock()
        }

        var text: String {
            lock.lock()
            defer { lock.unlock() }
            return lines.joined(separator: "\n")
        }
    }

    static func stats(_ world: CredentialParityTests.World) throws -> [String: Int] {
        let data = try Data(contentsOf: URL(string: world.fake + "/stats")!)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Int]) ?? [:]
    }

    /// Container credentials that expire 60 s after issue; collects back to back for `SIFT_REFRESH_SECONDS`
    /// (default 150) with botocore's windows scaled from 15/10 minutes to 20/10 seconds. Every request goes
    /// through the expiry gate: none may be refused, and the provider must have renewed the credentials.
    @Test func collectsForMinutesOnSixtySecondCredentials() async throws {
        let world = try CredentialParityTests.World(lifetime: 60)
        defer { world.server.stop() }
        let duration = Double(ProcessInfo.processInfo.environment["SIFT_REFRESH_SECONDS"] ?? "") ?? 150
        let home = NSTemporaryDirectory() + "sift-refresh-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let environment = [
            "HOME": home, "AWS_ENDPOINT_URL": world.fake, "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": world.fake + "/container/creds",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": world.containerToken,
        ]
        let options = CredentialOptions(refreshWindows: RefreshWindows(advisory: 20, mandatory: 10),
                                        mfaPrompt: .unavailable)
        let cache = CredentialProviderCache(options: options)
        let db = try TemporaryStore()
        let logs = LogCapture()
        var logger = Logger(label: "sift.aws.refresh") { _ in logs }
        logger.logLevel = .trace
        let first = try await cache.provider(for: AWSConfiguration(environment: environment)).credentials()

        let start = Date()
        var collects = 0
        var failures: [String] = []
        var outputs: [String] = []
        while Date().timeIntervalSince(start) < duration {
            let summary = try await Collector.run(
                options: CollectOptions(environment: environment, retry: RetryPolicy(maxAttempts: 1),
                                        credentialCache: cache, logger: logger),
                store: db.store)
            collects += 1
            failures += summary.failures.map(\.description)
            outputs.append(summary.description + "\n" + summary.sources.joined(separator: "\n"))
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        let provider = try await cache.provider(for: AWSConfiguration(environment: environment))
        let refreshes = await provider.refreshCount
        let last = try await provider.credentials()
        let stats = try Self.stats(world)
        print("refresh: \(collects) collects in \(Int(Date().timeIntervalSince(start))) s on 60 s credentials, "
            + "\(refreshes) refreshes, \(stats["container"] ?? 0) credentials issued, "
            + "\(stats["gate-forwarded"] ?? 0) requests passed the expiry gate, \(stats["gate-expired"] ?? 0) refused")
        #expect(failures.isEmpty, "\(failures)")
        #expect(stats["gate-expired"] == nil, "requests signed with expired credentials: \(stats)")
        #expect(refreshes >= Int(duration / 60), "only \(refreshes) refreshes in \(duration) s")
        #expect(stats["container"] == refreshes + 1)
        #expect(last.accessKeyId != first.accessKeyId)

        // The gate does refuse expired credentials: the first ones, once expired, are turned away.
        if let expiration = first.expiration, expiration > Date() {
            try await Task.sleep(nanoseconds: UInt64((expiration.timeIntervalSinceNow + 2) * 1_000_000_000))
        }
        let stale = STSClient(credentials: first, endpoint: try #require(URL(string: world.fake)), region: "us-east-1",
                              transport: AWSTransport(retry: RetryPolicy(maxAttempts: 1)))
        do {
            _ = try await stale.getCallerIdentity()
            Issue.record("expired credentials were accepted")
        } catch {
            #expect(error.code == "ExpiredToken", "\(error)")
        }
        let after = try Self.stats(world)
        #expect(after["gate-expired"] == 1, "\(after)")

        // No session token, secret or container token in the database, its WAL, the logs or the output.
        let bytes = try db.fileBytes()
        let text = logs.text + outputs.joined(separator: "\n")
        #expect(bytes.count > 0 && !logs.text.isEmpty)
        for secret in [first.secretAccessKey, first.sessionToken ?? "", last.secretAccessKey, last.sessionToken ?? "",
                       world.containerToken] {
            #expect(!secret.isEmpty)
            #expect(bytes.range(of: Data(secret.utf8)) == nil)
            #expect(!text.contains(secret))
        }
    }

    /// `collect --profile a --profile b ...`: each profile's account is its own subgraph; a failing profile is
    /// reported and the others land. SSO access tokens, web identity tokens and session tokens stay out of the
    /// database, the logs and the output.
    @Test func collectsSeveralProfilesAndKeepsTokensOut() async throws {
        let world = try CredentialParityTests.World()
        defer { world.server.stop() }
        let home = NSTemporaryDirectory() + "sift-profiles-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: home + "/.aws/sso/cache", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let bob = world.key("bob")
        try """
            [profile sso]
            sso_session = corp
            sso_account_id = 777788889999
            sso_role_name = ReadOnly
            [sso-session corp]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = eu-west-1
            [profile web]
            web_identity_token_file = \(home)/token
            role_arn = arn:aws:iam::555566667777:role/eks-web
            role_session_name = web
            [profile broken]
            role_arn = arn:aws:iam::111122223333:role/x
            source_profile = missing
            """.write(toFile: home + "/.aws/config", atomically: true, encoding: .utf8)
        try "[base]\naws_access_key_id = \(bob.id)\naws_secret_access_key = \(bob.secret)\n"
            .write(toFile: home + "/.aws/credentials", atomically: true, encoding: .utf8)
        try "{\"accessToken\": \"\(world.ssoToken)\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}"
            .write(toFile: home + "/.aws/sso/cache/\(pythonSHA1("corp")).json", atomically: true, encoding: .utf8)
        try CredentialParityTests.webToken.write(toFile: home + "/token", atomically: true, encoding: .utf8)
        let environment = ["HOME": home, "AWS_ENDPOINT_URL": world.moto, "AWS_ENDPOINT_URL_SSO": world.fake,
                           "AWS_EC2_METADATA_DISABLED": "true"]
        let cache = CredentialProviderCache(options: CredentialOptions(mfaPrompt: .unavailable))
        let db = try TemporaryStore()
        let logs = LogCapture()
        var logger = Logger(label: "sift.aws.profiles") { _ in logs }
        logger.logLevel = .trace
        let events = EventLog()
        let summary = try await Collector.run(
            options: CollectOptions(profiles: ["sso", "broken", "web", "base"], environment: environment,
                                    credentialCache: cache, logger: logger),
            store: db.store, progress: { events.append($0) })
        #expect(summary.accounts == ["777788889999", "555566667777", "123456789012"])
        #expect(summary.failures.count == 1)
        #expect(summary.failures.first?.account == "profile broken")
        #expect(summary.failures.first?.message.contains("source_profile 'missing' does not exist") == true)
        #expect(summary.sources.count == 3)
        #expect(summary.sources.first == "profile sso: IAM Identity Center role ReadOnly in account 777788889999 "
            + "(sso_session corp) for profile sso")
        #expect(events.contains(.signedIn(profile: "base", arn: "arn:aws:iam::123456789012:user/bob",
                                          account: "123456789012", source: summary.sources[2].replacingOccurrences(
                                              of: "profile base: ", with: ""))))
        let subgraphs = try db.subgraphs()
        for account in summary.accounts { #expect(subgraphs[account] == account) }
        // bob is an IAM user of 123456789012 in moto: the graph holds him in that account's subgraph.
        let nodes = try db.nodes()
        #expect(nodes.values.contains { $0.kind == "aws_iam_user" && $0.name == "bob" && subgraphs[$0.id] == "123456789012" })

        var secrets = [world.ssoToken, CredentialParityTests.webToken, bob.secret]
        for profile in ["sso", "web"] {
            let credentials = try await cache.provider(for: AWSConfiguration(environment: environment, profile: profile))
                .credentials()
            secrets += [credentials.secretAccessKey, credentials.sessionToken ?? ""]
        }
        let bytes = try db.fileBytes()
        let text = logs.text + summary.description + summary.sources.joined() + summary.warnings.joined()
            + events.all.map { "\($0)" }.joined()
        for secret in secrets {
            #expect(!secret.isEmpty)
            #expect(bytes.range(of: Data(secret.utf8)) == nil)
            #expect(!text.contains(secret))
        }
    }
}
