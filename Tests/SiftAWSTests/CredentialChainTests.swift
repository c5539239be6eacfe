import Foundation
import Testing
@testable import SiftAWS

/// The credential chain and endpoint resolution, hermetic: explicit environment, files in a temp folder.
struct CredentialChainTests {
    /// A temporary HOME with optional `~/.aws/credentials` and `~/.aws/config`.
    struct Home {
        let path: String

        init(credentials: String? = nil, config: String? = nil) throws {
            path = NSTemporaryDirectory() + "sift-aws-home-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: path + "/.aws", withIntermediateDirectories: true)
            if let credentials { try credentials.write(toFile: path + "/.aws/credentials", atomically: true, encoding: .utf8) }
            if let config { try config.write(toFile: path + "/.aws/config", atomically: true, encoding: .utf8) }
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    /// No instance metadata, no terminal: nothing leaves the machine.
    static let options = CredentialOptions(mfaPrompt: .unavailable)

    static let credentialsFile = """
        # comment
        [default]
        aws_access_key_id = AKIADEFAULT
        aws_secret_access_key = default-secret

        [dev]
        aws_access_key_id=AKIADEV
        aws_secret_access_key=dev-secret
        aws_session_token = dev-token
        """

    static let configFile = """
        [default]
        region = eu-west-1
        s3 =
          max_concurrent_requests = 10

        [profile cfgonly]
        aws_access_key_id = AKIACFG
        aws_secret_access_key = cfg-secret
        endpoint_url = http://127.0.0.1:4566

        [profile sso]
        sso_session = corp
        """

    @Test func environmentKeysWinOverFiles() async throws {
        let home = try Home(credentials: Self.credentialsFile)
        defer { home.remove() }
        let env = ["HOME": home.path, "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret",
                   "AWS_SESSION_TOKEN": "env-token", "AWS_PROFILE": "dev"]
        let credentials = try await AWSConfiguration(environment: env).credentials(options: Self.options)
        #expect(credentials.accessKeyId == "AKIAENV")
        #expect(credentials.secretAccessKey == "env-secret")
        #expect(credentials.sessionToken == "env-token")
        #expect(credentials.source == "environment")
    }

    @Test func explicitProfileWinsOverEnvironmentKeys() async throws {
        let home = try Home(credentials: Self.credentialsFile)
        defer { home.remove() }
        let env = ["HOME": home.path, "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret"]
        let credentials = try await AWSConfiguration(environment: env, profile: "dev").credentials(options: Self.options)
        #expect(credentials.accessKeyId == "AKIADEV")
        #expect(credentials.sessionToken == "dev-token")
        #expect(credentials.source == "profile dev (keys in \(home.path)/.aws/credentials)")
    }

    @Test func defaultAndAWSProfile() async throws {
        let home = try Home(credentials: Self.credentialsFile)
        defer { home.remove() }
        #expect(try await AWSConfiguration(environment: ["HOME": home.path]).credentials(options: Self.options).accessKeyId == "AKIADEFAULT")
        let dev = try await AWSConfiguration(environment: ["HOME": home.path, "AWS_PROFILE": "dev"]).credentials(options: Self.options)
        #expect(dev.accessKeyId == "AKIADEV")
    }

    @Test func configFileProfileSectionAndEndpoint() async throws {
        let home = try Home(credentials: Self.credentialsFile, config: Self.configFile)
        defer { home.remove() }
        let configuration = AWSConfiguration(environment: ["HOME": home.path, "AWS_PROFILE": "cfgonly"])
        let credentials = try await configuration.credentials(options: Self.options)
        #expect(credentials.accessKeyId == "AKIACFG")
        #expect(try configuration.endpoint(for: .iam).absoluteString == "http://127.0.0.1:4566")
        #expect(try AWSConfiguration(environment: ["HOME": home.path]).region() == "eu-west-1")
    }

    @Test func fileLocationsFromEnvironment() async throws {
        let home = try Home()
        defer { home.remove() }
        let credentialsPath = home.path + "/elsewhere-credentials"
        let configPath = home.path + "/elsewhere-config"
        try "[ci]\naws_access_key_id = AKIACI\naws_secret_access_key = ci-secret\n"
            .write(toFile: credentialsPath, atomically: true, encoding: .utf8)
        try "[profile ci]\nregion = ap-south-1\n".write(toFile: configPath, atomically: true, encoding: .utf8)
        let configuration = AWSConfiguration(environment: [
            "HOME": home.path, "AWS_SHARED_CREDENTIALS_FILE": credentialsPath, "AWS_CONFIG_FILE": configPath,
            "AWS_PROFILE": "ci",
        ])
        #expect(try await configuration.credentials(options: Self.options).accessKeyId == "AKIACI")
        #expect(try configuration.region() == "ap-south-1")
    }

    @Test func endpointPrecedence() async throws {
        let home = try Home()
        defer { home.remove() }
        var env = ["HOME": home.path]
        #expect(try AWSConfiguration(environment: env).endpoint(for: .iam).absoluteString == "https://iam.amazonaws.com/")
        env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1000"
        #expect(try AWSConfiguration(environment: env).endpoint(for: .sts).absoluteString == "http://127.0.0.1:1000")
        env["AWS_ENDPOINT_URL_IAM"] = "http://127.0.0.1:2000"
        env["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:3000"
        env["AWS_ENDPOINT_URL_ORGANIZATIONS"] = "http://127.0.0.1:4000"
        let configuration = AWSConfiguration(environment: env)
        #expect(try configuration.endpoint(for: .iam).absoluteString == "http://127.0.0.1:2000")
        #expect(try configuration.endpoint(for: .sts).absoluteString == "http://127.0.0.1:3000")
        #expect(try configuration.endpoint(for: .organizations).absoluteString == "http://127.0.0.1:4000")
        let explicit = AWSConfiguration(environment: env, endpoint: "http://localhost:9")
        #expect(try explicit.endpoint(for: .iam).absoluteString == "http://localhost:9")
        #expect(throws: CredentialError.badEndpoint(setting: "--endpoint", value: "localhost:9")) {
            try AWSConfiguration(environment: env, endpoint: "localhost:9").endpoint(for: .iam)
        }
    }

    @Test func noCredentialsSaysWhereItLooked() async throws {
        let home = try Home()
        defer { home.remove() }
        do {
            _ = try await AWSConfiguration(environment: ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true"])
                .credentials(options: Self.options)
            Issue.record("expected an error")
        } catch {
            let text = error.description
            #expect(text.hasPrefix("no AWS credentials found; looked in: environment"))
            #expect(text.contains("\(home.path)/.aws/credentials (no such file)"))
            #expect(text.contains("\(home.path)/.aws/config (no such file)"))
            #expect(text.contains("EC2 instance metadata (AWS_EC2_METADATA_DISABLED=true)"))
        }
    }

    @Test func namedProfileMissing() async throws {
        let home = try Home(credentials: Self.credentialsFile)
        defer { home.remove() }
        await #expect {
            try await AWSConfiguration(environment: ["HOME": home.path], profile: "nope").credentials(options: Self.options)
        } throws: { error in
            guard case CredentialError.profileNotFound(let profile, _) = error else { return false }
            return profile == "nope"
        }
    }

    @Test func halfAKeyPairIsAnError() async throws {
        let home = try Home(credentials: "[default]\naws_access_key_id = AKIAHALF\n")
        defer { home.remove() }
        await #expect(throws: CredentialError.incompleteEnvironment(missing: "AWS_SECRET_ACCESS_KEY")) {
            try await AWSConfiguration(environment: ["HOME": home.path, "AWS_ACCESS_KEY_ID": "AKIA"]).credentials(options: Self.options)
        }
        await #expect(throws: CredentialError.incompleteProfile(profile: "default", file: "\(home.path)/.aws/credentials",
                                                          missing: "aws_secret_access_key")) {
            try await AWSConfiguration(environment: ["HOME": home.path]).credentials(options: Self.options)
        }
    }

    @Test func ssoProfileWithoutItsSessionIsNamed() async throws {
        let home = try Home(config: Self.configFile + "\nsso_account_id = 111122223333\nsso_role_name = Audit\n")
        defer { home.remove() }
        await #expect(throws: CredentialError.invalidProfile(profile: "sso", message: "sso_session 'corp' does not exist")) {
            try await AWSConfiguration(environment: ["HOME": home.path], profile: "sso").credentials(options: Self.options)
        }
    }

    @Test func malformedFileGivesLine() async throws {
        let home = try Home(credentials: "[default]\naws_access_key_id = A\nthis is not a setting\n")
        defer { home.remove() }
        await #expect(throws: CredentialError.malformedFile(file: "\(home.path)/.aws/credentials", line: 3,
                                                      message: "expected 'key = value' or '[section]'")) {
            try await AWSConfiguration(environment: ["HOME": home.path]).credentials(options: Self.options)
        }
    }

    @Test func secretsNeverPrint() {
        let credentials = AWSCredentials(accessKeyId: "AKIAPRINT", secretAccessKey: "s3cr3t-value",
                                         sessionToken: "t0ken-value", source: "test")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in ["\(credentials)", String(describing: credentials), String(reflecting: credentials), dumped] {
            #expect(text.contains("AKIAPRINT"))
            #expect(!text.contains("s3cr3t-value"))
            #expect(!text.contains("t0ken-value"))
        }
    }
}
