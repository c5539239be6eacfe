import Foundation
import Testing
@testable import SiftAWS

/// botocore is the oracle: for each configuration (shared files, environment), boto3's
/// `sts.get_caller_identity()` and Sift's chain must name the same caller, against the same STS (moto) and the
/// same fakes of IMDS, the container endpoint and the IAM Identity Center portal (Tests/Fixtures/cred_endpoints.py).
@Suite(.serialized)
struct CredentialParityTests {
    /// The fixture, its keys and a case's files.
    struct World {
        let server: PythonServer
        let moto: String
        let fake: String
        let users: [String: (id: String, secret: String)]
        let containerToken: String
        let ssoToken: String
        let ssoRefreshToken: String
        let ssoClientSecret: String

        init(lifetime: Int = 3600) throws {
            server = try PythonServer("cred_endpoints.py", ["--lifetime", String(lifetime)])
            let object = try server.manifestObject()
            guard let motoPort = object["moto_port"] as? Int,
                  let users = object["users"] as? [String: [String: String]],
                  let containerToken = object["container_token"] as? String,
                  let ssoToken = object["sso_token"] as? String,
                  let ssoRefreshToken = object["sso_refresh_token"] as? String,
                  let ssoClientSecret = object["sso_client_secret"] as? String
            else { throw PythonServer.StartError.exited("manifest lacks moto_port, users or tokens") }
            self.ssoRefreshToken = ssoRefreshToken
            self.ssoClientSecret = ssoClientSecret
            moto = "http://127.0.0.1:\(motoPort)"
            fake = server.endpoint
            self.users = users.mapValues { (id: $0["id"] ?? "", secret: $0["secret"] ?? "") }
            self.containerToken = containerToken
            self.ssoToken = ssoToken
        }

        func key(_ user: String) -> (id: String, secret: String) { users[user] ?? (id: "", secret: "") }

        /// Every secret the fixture handed out or that a case's files hold, for the secret scans.
        var secrets: [String] {
            users.values.map(\.secret) + [containerToken, ssoToken, ssoRefreshToken, ssoClientSecret,
                                           CredentialParityTests.webToken]
        }
    }

    static let webToken = "eyJhbGciOiJSUzI1NiJ9.web-identity-token-sift-test.c2lnbmF0dXJl"

    /// One configuration: files in a fresh HOME, the environment, the profile passed explicitly.
    struct Case: CustomStringConvertible {
        var name: String
        var config = ""
        var credentials = ""
        var environment: [String: String] = [:]
        var profile: String?
        /// The ARN both must print (`nil`: both must fail).
        var arn: String?
        /// Part of Sift's `source:` line.
        var source: String?
        var ssoCache: [String: String] = [:]

        var description: String { name }
    }

    /// A HOME with `.aws/config`, `.aws/credentials`, the SSO cache and a web identity token; the environment
    /// both sides get (no instance metadata unless the case points at the fake).
    static func prepare(_ testCase: Case, world: World) throws -> (home: String, environment: [String: String]) {
        let home = NSTemporaryDirectory() + "sift-parity-" + UUID().uuidString
        let aws = home + "/.aws"
        try FileManager.default.createDirectory(atPath: aws + "/sso/cache", withIntermediateDirectories: true)
        func fill(_ text: String) -> String {
            var text = text
            for (user, key) in world.users {
                text = text.replacingOccurrences(of: "{\(user).id}", with: key.id)
                    .replacingOccurrences(of: "{\(user).secret}", with: key.secret)
            }
            return text.replacingOccurrences(of: "{home}", with: home).replacingOccurrences(of: "{fake}", with: world.fake)
                .replacingOccurrences(of: "{fixtures}", with: PythonServer.fixtures.path)
        }
        try fill(testCase.config).write(toFile: aws + "/config", atomically: true, encoding: .utf8)
        try fill(testCase.credentials).write(toFile: aws + "/credentials", atomically: true, encoding: .utf8)
        for (name, text) in testCase.ssoCache {
            try fill(text).write(toFile: aws + "/sso/cache/\(name).json", atomically: true, encoding: .utf8)
        }
        try webToken.write(toFile: home + "/web-identity-token", atomically: true, encoding: .utf8)
        try world.containerToken.write(toFile: home + "/container-token", atomically: true, encoding: .utf8)
        var environment = [
            "HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "AWS_ENDPOINT_URL_STS": world.moto, "AWS_ENDPOINT_URL_SSO": world.fake,
            "AWS_ENDPOINT_URL_SSO_OIDC": world.fake,
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
        ]
        for (name, value) in testCase.environment { environment[name] = fill(value) }
        return (home, environment)
    }

    /// boto3 in a process of its own with exactly `environment`.
    static func botocore(_ environment: [String: String], profile: String?, sts: String) throws -> Result<String, Refusal> {
        let process = Process()
        process.executableURL = try PythonServer.python()
        process.arguments = [PythonServer.fixtures.appendingPathComponent("botocore_whoami.py").path, profile ?? "", sts]
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let object = (try? JSONSerialization.jsonObject(with: data) as? [String: String]) ?? [:]
        if let arn = object["arn"] { return .success(arn) }
        return .failure(Refusal(object["error"] ?? "no answer: \(String(decoding: data, as: UTF8.self))"))
    }

    /// Sift's chain, then GetCallerIdentity with its credentials.
    static func sift(_ environment: [String: String], profile: String?,
                     sts: String) async -> Result<(arn: String, source: String), Refusal> {
        let configuration = AWSConfiguration(environment: environment, profile: profile)
        let options = CredentialOptions(mfaPrompt: .answer { _ in "123456" }, processStderr: { _ in })
        do {
            let transport = AWSTransport(retry: RetryPolicy(maxAttempts: 2))
            let provider = try await configuration.credentialProvider(options: options, transport: transport)
            let client = STSClient(provider: provider, endpoint: try configuration.endpoint(for: .sts),
                                   region: try configuration.region(), transport: transport)
            return .success((try await client.getCallerIdentity().arn, provider.source))
        } catch {
            return .failure(Refusal("\(error)"))
        }
    }

    static func cases(_ world: World) -> [Case] {
        let alice = ["AWS_ACCESS_KEY_ID": "{alice.id}", "AWS_SECRET_ACCESS_KEY": "{alice.secret}"]
        let base = "[base]\naws_access_key_id = {bob.id}\naws_secret_access_key = {bob.secret}\n"
        let audit = "[profile audit]\nrole_arn = arn:aws:iam::111122223333:role/audit\nsource_profile = base\n"
            + "role_session_name = audit-session\n"
        let future = "2099-01-01T00:00:00Z"
        let past = "2020-01-01T00:00:00Z"
        func sha1(_ text: String) -> String { pythonSHA1(text) }
        var cases: [Case] = []
        cases.append(Case(name: "environment keys", environment: alice, arn: "arn:aws:iam::123456789012:user/alice",
                          source: "environment"))
        cases.append(Case(name: "environment keys win over AWS_PROFILE", credentials: base,
                          environment: alice.merging(["AWS_PROFILE": "base"]) { $1 },
                          arn: "arn:aws:iam::123456789012:user/alice", source: "environment"))
        cases.append(Case(name: "--profile wins over environment keys", credentials: base, environment: alice,
                          profile: "base", arn: "arn:aws:iam::123456789012:user/bob", source: "profile base (keys in"))
        cases.append(Case(name: "static keys in the config file",
                          config: "[profile cfg]\naws_access_key_id = {carol.id}\naws_secret_access_key = {carol.secret}\n",
                          environment: ["AWS_PROFILE": "cfg"], arn: "arn:aws:iam::123456789012:user/carol",
                          source: "profile cfg (keys in"))
        cases.append(Case(name: "credentials file wins over config file in one profile",
                          config: "[default]\naws_access_key_id = {carol.id}\naws_secret_access_key = {carol.secret}\n",
                          credentials: "[default]\naws_access_key_id = {bob.id}\naws_secret_access_key = {bob.secret}\n",
                          arn: "arn:aws:iam::123456789012:user/bob"))
        cases.append(Case(name: "AWS_DEFAULT_PROFILE before AWS_PROFILE", credentials: base
                            + "[cfg]\naws_access_key_id = {carol.id}\naws_secret_access_key = {carol.secret}\n",
                          environment: ["AWS_DEFAULT_PROFILE": "base", "AWS_PROFILE": "cfg"],
                          arn: "arn:aws:iam::123456789012:user/bob"))
        cases.append(Case(name: "a secret without its key id in the credentials file falls through to the config file",
                          config: "[default]\naws_access_key_id = {carol.id}\naws_secret_access_key = {carol.secret}\n",
                          credentials: "[default]\naws_secret_access_key = {bob.secret}\n",
                          arn: "arn:aws:iam::123456789012:user/carol"))
        cases.append(Case(name: "a key id without its secret is an error",
                          credentials: "[default]\naws_access_key_id = {bob.id}\n", arn: nil))
        cases.append(Case(name: "role_arn + source_profile", config: audit, credentials: base, profile: "audit",
                          arn: "arn:aws:sts::111122223333:assumed-role/audit/audit-session",
                          source: "assume role arn:aws:iam::111122223333:role/audit via profile base"))
        cases.append(Case(name: "a chain of two roles with external_id and duration_seconds",
                          config: audit + "[profile org]\nrole_arn = arn:aws:iam::444455556666:role/org-admin\n"
                            + "source_profile = audit\nexternal_id = ext-1234\nduration_seconds = 1800\n"
                            + "role_session_name = org-session\n",
                          credentials: base, environment: ["AWS_PROFILE": "org"],
                          arn: "arn:aws:sts::444455556666:assumed-role/org-admin/org-session",
                          source: "assume role arn:aws:iam::444455556666:role/org-admin via assume role "
                            + "arn:aws:iam::111122223333:role/audit via profile base"))
        cases.append(Case(name: "source_profile naming itself with static keys",
                          credentials: "[self]\naws_access_key_id = {bob.id}\naws_secret_access_key = {bob.secret}\n"
                            + "role_arn = arn:aws:iam::111122223333:role/self-role\nsource_profile = self\n"
                            + "role_session_name = self-session\n",
                          profile: "self", arn: "arn:aws:sts::111122223333:assumed-role/self-role/self-session"))
        cases.append(Case(name: "mfa_serial (code answered)",
                          config: "[profile mfa]\nrole_arn = arn:aws:iam::111122223333:role/mfa-role\nsource_profile = base\n"
                            + "mfa_serial = arn:aws:iam::123456789012:mfa/bob\nrole_session_name = mfa-session\n",
                          credentials: base, profile: "mfa",
                          arn: "arn:aws:sts::111122223333:assumed-role/mfa-role/mfa-session"))
        cases.append(Case(name: "credential_source Environment",
                          config: "[profile envrole]\nrole_arn = arn:aws:iam::111122223333:role/env-role\n"
                            + "credential_source = Environment\nrole_session_name = env-session\n",
                          environment: alice, profile: "envrole",
                          arn: "arn:aws:sts::111122223333:assumed-role/env-role/env-session",
                          source: "via credential_source Environment"))
        cases.append(Case(name: "credential_source EcsContainer",
                          config: "[profile ecsrole]\nrole_arn = arn:aws:iam::111122223333:role/from-ecs\n"
                            + "credential_source = EcsContainer\nrole_session_name = ecs-session\n",
                          environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "{fake}/container/creds",
                                        "AWS_CONTAINER_AUTHORIZATION_TOKEN": world.containerToken],
                          profile: "ecsrole", arn: "arn:aws:sts::111122223333:assumed-role/from-ecs/ecs-session"))
        cases.append(Case(name: "credential_source Ec2InstanceMetadata",
                          config: "[profile imdsrole]\nrole_arn = arn:aws:iam::111122223333:role/from-imds\n"
                            + "credential_source = Ec2InstanceMetadata\nrole_session_name = imds-session\n",
                          environment: ["AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{fake}"],
                          profile: "imdsrole", arn: "arn:aws:sts::111122223333:assumed-role/from-imds/imds-session"))
        cases.append(Case(name: "credential_process",
                          config: "[profile proc]\ncredential_process = python3 \"{fixtures}/credential_process.py\" "
                            + "{carol.id} {carol.secret}\n",
                          profile: "proc", arn: "arn:aws:iam::123456789012:user/carol",
                          source: "credential_process of profile proc"))
        cases.append(Case(name: "IAM Identity Center with sso_session",
                          config: "[profile sso]\nsso_session = corp\nsso_account_id = 777788889999\n"
                            + "sso_role_name = ReadOnly\nregion = eu-west-1\n"
                            + "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
                          profile: "sso", arn: "arn:aws:sts::777788889999:assumed-role/AWSReservedSSO_ReadOnly/sso-user",
                          source: "IAM Identity Center role ReadOnly in account 777788889999 (sso_session corp)",
                          ssoCache: [sha1("corp"): "{\"accessToken\": \"\(world.ssoToken)\", \"expiresAt\": \"\(future)\", "
                            + "\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"eu-west-1\"}"]))
        cases.append(Case(name: "IAM Identity Center, legacy sso_start_url",
                          config: "[profile legacy]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\n"
                            + "sso_account_id = 777788889999\nsso_role_name = Legacy\n",
                          profile: "legacy", arn: "arn:aws:sts::777788889999:assumed-role/AWSReservedSSO_Legacy/sso-user",
                          ssoCache: [sha1("https://legacy.awsapps.com/start"): "{\"accessToken\": \"\(world.ssoToken)\", "
                            + "\"expiresAt\": \"\(future)\", \"region\": \"us-east-1\"}"]))
        cases.append(Case(name: "IAM Identity Center, expired token",
                          config: "[profile expired]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\n"
                            + "sso_account_id = 777788889999\nsso_role_name = Legacy\n",
                          profile: "expired", arn: nil,
                          ssoCache: [sha1("https://legacy.awsapps.com/start"): "{\"accessToken\": \"\(world.ssoToken)\", "
                            + "\"expiresAt\": \"\(past)\", \"region\": \"us-east-1\"}"]))
        cases.append(Case(name: "IAM Identity Center, sso_session with an expired token",
                          config: "[profile ssoexp]\nsso_session = corp\nsso_account_id = 777788889999\n"
                            + "sso_role_name = ReadOnly\n"
                            + "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
                          profile: "ssoexp", arn: nil,
                          ssoCache: [sha1("corp"): "{\"accessToken\": \"\(world.ssoToken)\", \"expiresAt\": \"\(past)\"}"]))
        cases.append(Case(name: "IAM Identity Center, sso_session token renewed through sso-oidc",
                          config: "[profile ssorenew]\nsso_session = corp\nsso_account_id = 777788889999\n"
                            + "sso_role_name = ReadOnly\n"
                            + "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
                          profile: "ssorenew", arn: "arn:aws:sts::777788889999:assumed-role/AWSReservedSSO_ReadOnly/sso-user",
                          ssoCache: [sha1("corp"): "{\"accessToken\": \"stale-access-token\", \"expiresAt\": \"\(past)\", "
                            + "\"refreshToken\": \"\(world.ssoRefreshToken)\", \"clientId\": \"client-1\", "
                            + "\"clientSecret\": \"\(world.ssoClientSecret)\", \"registrationExpiresAt\": \"\(future)\"}"]))
        cases.append(Case(name: "IAM Identity Center, token refused by the portal",
                          config: "[profile ssobad]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\n"
                            + "sso_account_id = 777788889999\nsso_role_name = Legacy\n",
                          profile: "ssobad", arn: nil,
                          ssoCache: [sha1("https://legacy.awsapps.com/start"): "{\"accessToken\": \"revoked\", "
                            + "\"expiresAt\": \"\(future)\"}"]))
        cases.append(Case(name: "credential_process that fails",
                          config: "[profile procfail]\ncredential_process = python3 \"{fixtures}/credential_process.py\" "
                            + "A B --fail\n", profile: "procfail", arn: nil))
        cases.append(Case(name: "web identity token file missing",
                          environment: ["AWS_WEB_IDENTITY_TOKEN_FILE": "{home}/no-such-token",
                                        "AWS_ROLE_ARN": "arn:aws:iam::555566667777:role/eks-pod"], arn: nil))
        cases.append(Case(name: "web_identity_token_file in a profile",
                          config: "[profile web]\nweb_identity_token_file = {home}/web-identity-token\n"
                            + "role_arn = arn:aws:iam::555566667777:role/eks-web\nrole_session_name = web-session\n",
                          profile: "web", arn: "arn:aws:sts::555566667777:assumed-role/eks-web/web-session",
                          source: "web identity token"))
        cases.append(Case(name: "AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (EKS)",
                          environment: ["AWS_WEB_IDENTITY_TOKEN_FILE": "{home}/web-identity-token",
                                        "AWS_ROLE_ARN": "arn:aws:iam::555566667777:role/eks-pod",
                                        "AWS_ROLE_SESSION_NAME": "pod-session"],
                          arn: "arn:aws:sts::555566667777:assumed-role/eks-pod/pod-session"))
        cases.append(Case(name: "container credentials, _FULL_URI and token file",
                          environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "{fake}/container/creds",
                                        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "{home}/container-token"],
                          arn: "arn:aws:sts::210987654321:assumed-role/ecs-task/ecs-task-session",
                          source: "container credentials"))
        cases.append(Case(name: "container credentials, wrong token",
                          environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "{fake}/container/creds",
                                        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "not-the-token"], arn: nil))
        cases.append(Case(name: "container _FULL_URI to a host that is not loopback over http",
                          environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://192.0.2.1/creds"], arn: nil))
        cases.append(Case(name: "instance role through IMDSv2",
                          environment: ["AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{fake}"],
                          arn: "arn:aws:sts::210987654321:assumed-role/sift-instance-role/i-0123456789abcdef0",
                          source: "EC2 instance role sift-instance-role"))
        cases.append(Case(name: "a source_profile cycle",
                          config: "[profile a]\nrole_arn = arn:aws:iam::111122223333:role/a\nsource_profile = b\n"
                            + "[profile b]\nrole_arn = arn:aws:iam::111122223333:role/b\nsource_profile = a\n",
                          profile: "a", arn: nil))
        cases.append(Case(name: "source_profile and credential_source together",
                          config: "[profile both]\nrole_arn = arn:aws:iam::111122223333:role/x\nsource_profile = base\n"
                            + "credential_source = Environment\n", credentials: base, profile: "both", arn: nil))
        cases.append(Case(name: "a named profile that does not exist", credentials: base, profile: "nope", arn: nil))
        return cases
    }

    @Test func siftResolvesTheSameCallerAsBotocore() async throws {
        let world = try World()
        defer { world.server.stop() }
        var report: [String] = []
        for testCase in Self.cases(world) {
            // Each side gets its own copy of the files: both may write the SSO token cache back.
            let (home, environment) = try Self.prepare(testCase, world: world)
            let (siftHome, siftEnvironment) = try Self.prepare(testCase, world: world)
            defer {
                try? FileManager.default.removeItem(atPath: home)
                try? FileManager.default.removeItem(atPath: siftHome)
            }
            let oracle = try Self.botocore(environment, profile: testCase.profile, sts: world.moto)
            let ours = await Self.sift(siftEnvironment, profile: testCase.profile, sts: world.moto)
            if testCase.name.contains("renewed through sso-oidc") {
                let cache = try String(contentsOfFile: siftHome + "/.aws/sso/cache/\(pythonSHA1("corp")).json", encoding: .utf8)
                #expect(cache.contains(world.ssoToken) && cache.contains(world.ssoRefreshToken + "-next"),
                        "Sift did not write the renewed token back")
            }
            switch (oracle, ours) {
            case (.success(let expected), .success(let got)):
                #expect(got.arn == expected, "\(testCase): botocore \(expected), Sift \(got.arn)")
                let wanted = testCase.arn ?? "an error"
                #expect(expected == testCase.arn, "\(testCase): botocore resolved \(expected), the case expects \(wanted)")
                if let source = testCase.source {
                    #expect(got.source.contains(source), "\(testCase): source '\(got.source)' lacks '\(source)'")
                }
                for secret in world.secrets { #expect(!got.source.contains(secret)) }
                report.append("\(testCase.name): \(got.arn)  [source: \(got.source)]")
            case (.failure(let expected), .failure(let got)):
                #expect(testCase.arn == nil, "\(testCase): both failed: botocore \(expected); Sift \(got)")
                for secret in world.secrets { #expect(!got.message.contains(secret), "\(testCase): error shows a secret") }
                report.append("\(testCase.name): both refuse; Sift: \(got)")
            case (.success(let expected), .failure(let got)):
                Issue.record("\(testCase): botocore resolved \(expected), Sift failed: \(got)")
            case (.failure(let expected), .success(let got)):
                Issue.record("\(testCase): botocore failed (\(expected)), Sift resolved \(got.arn)")
            }
        }
        print("parity with botocore:\n  " + report.joined(separator: "\n  "))
    }
}

extension CredentialParityTests {
    /// The `AssumeRole*` requests the gate has forwarded so far.
    static func assumeRoleRequests(_ world: World) throws -> [[String: String]] {
        let data = try Data(contentsOf: try #require(URL(string: world.fake + "/requests")))
        let list = (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
        return list.map { $0.mapValues { "\($0)" } }
    }

    /// The same STS requests, parameter for parameter: RoleArn, RoleSessionName, ExternalId, DurationSeconds,
    /// SerialNumber, TokenCode, the web identity token, and whether the request was signed.
    @Test func assumeRoleRequestsAreBotocores() async throws {
        let world = try World()
        defer { world.server.stop() }
        let wanted = ["a chain of two roles with external_id and duration_seconds", "mfa_serial (code answered)",
                      "AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (EKS)", "credential_source Environment"]
        var compared = 0
        var seen: [[String: String]] = []
        for testCase in Self.cases(world) where wanted.contains(testCase.name) {
            var (home, environment) = try Self.prepare(testCase, world: world)
            defer { try? FileManager.default.removeItem(atPath: home) }
            environment["AWS_ENDPOINT_URL_STS"] = world.fake  // through the gate, which records each form
            let before = try Self.assumeRoleRequests(world).count
            _ = try Self.botocore(environment, profile: testCase.profile, sts: world.moto)
            let middle = try Self.assumeRoleRequests(world)
            _ = await Self.sift(environment, profile: testCase.profile, sts: world.moto)
            let after = try Self.assumeRoleRequests(world)
            let theirs = Array(middle[before...])
            let ours = Array(after[middle.count...])
            #expect(!theirs.isEmpty, "\(testCase): botocore sent no AssumeRole")
            #expect(ours.map(Self.comparable) == theirs.map(Self.comparable), "\(testCase):\n botocore \(theirs)\n Sift \(ours)")
            compared += theirs.count
            seen += ours
        }
        #expect(compared >= 5)
        // The settings did reach the wire (the comparison is not between two empty forms).
        #expect(seen.contains { $0["ExternalId"] == "ext-1234" && $0["DurationSeconds"] == "1800" })
        #expect(seen.contains { $0["SerialNumber"] == "arn:aws:iam::123456789012:mfa/bob" && $0["TokenCode"] == "123456" })
        #expect(seen.contains { $0["Action"] == "AssumeRoleWithWebIdentity" && $0["signed"] == "0" })
        print("AssumeRole requests identical to botocore's: \(compared)")
    }

    /// A request without what differs by design (`Version`).
    static func comparable(_ form: [String: String]) -> [String: String] {
        form.filter { $0.key != "Version" }
    }
}

/// Why one side resolved no caller.
struct Refusal: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// SHA-1 hex of `text` computed by Python, as botocore names SSO cache files.
func pythonSHA1(_ text: String) -> String {
    var result = ""
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import hashlib,sys;print(hashlib.sha1(sys.argv[1].encode()).hexdigest())", text]
    let pipe = Pipe()
    process.standardOutput = pipe
    do {
        try process.run()
        result = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        process.waitUntilExit()
    } catch {
        result = "sha1-unavailable"
    }
    return result
}
