import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SiftTime

/// How an `mfa_serial` code is obtained.
public enum MFAPrompt: Sendable {
    /// Asked on the terminal (stdin and stderr must both be terminals); elsewhere a clear error.
    case terminal
    /// Never asked (scripts, the daemon): a profile with `mfa_serial` is an error that says so.
    case unavailable
    /// Answered by a function of the serial number (tests, front ends).
    case answer(@Sendable (String) -> String?)
}

/// Knobs of the credential chain. The defaults are botocore's.
public struct CredentialOptions: Sendable {
    /// Refresh windows of temporary credentials (botocore: 15 and 10 minutes).
    public var refreshWindows: RefreshWindows
    /// Where MFA codes come from.
    public var mfaPrompt: MFAPrompt
    /// Longest run of a `credential_process` before it is killed, in seconds (botocore has none).
    public var processTimeout: TimeInterval
    /// Receives the `credential_process`'s stderr as it is written (default: this process's stderr).
    public var processStderr: @Sendable (Data) -> Void
    /// Instance metadata: seconds per request (botocore: 1 s).
    public var metadataTimeout: TimeInterval
    /// Instance metadata: attempts per request (botocore: 1).
    public var metadataAttempts: Int
    /// Container credentials: seconds per attempt (botocore: 2 s).
    public var containerTimeout: TimeInterval
    /// Container credentials: attempts (botocore: 3).
    public var containerAttempts: Int
    /// Container credentials: seconds between attempts (botocore: 1 s).
    public var containerRetryPause: TimeInterval
    /// Seconds for a request to the IAM Identity Center portal or STS `AssumeRoleWithWebIdentity`.
    public var requestTimeout: TimeInterval
    /// The host of `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (ECS: `169.254.170.2`; tests point it at loopback).
    public var containerRelativeBase: String
    /// The clock (expiry checks, session names).
    public var now: @Sendable () -> Date

    /// botocore's defaults.
    public init(refreshWindows: RefreshWindows = .botocore, mfaPrompt: MFAPrompt = .terminal,
                processTimeout: TimeInterval = 60,
                processStderr: @escaping @Sendable (Data) -> Void = { FileHandle.standardError.write($0) },
                metadataTimeout: TimeInterval = 1, metadataAttempts: Int = 1, containerTimeout: TimeInterval = 2,
                containerAttempts: Int = 3, containerRetryPause: TimeInterval = 1, requestTimeout: TimeInterval = 30,
                containerRelativeBase: String = "http://169.254.170.2",
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.refreshWindows = refreshWindows
        self.mfaPrompt = mfaPrompt
        self.processTimeout = processTimeout
        self.processStderr = processStderr
        self.metadataTimeout = metadataTimeout
        self.metadataAttempts = metadataAttempts
        self.containerTimeout = containerTimeout
        self.containerAttempts = containerAttempts
        self.containerRetryPause = containerRetryPause
        self.requestTimeout = requestTimeout
        self.containerRelativeBase = containerRelativeBase
        self.now = now
    }
}

extension AWSConfiguration {
    /// The first source of botocore's chain that applies, as a provider that renews its credentials. Errors
    /// of a source that applies stop the chain (as in botocore); with no source at all, the error lists
    /// every place looked at.
    public func credentialProvider(options: CredentialOptions = CredentialOptions(),
                                   transport: AWSTransport = AWSTransport()) async throws(CredentialError)
        -> CredentialProvider
    {
        let chain = CredentialChain(configuration: self, options: options, transport: transport,
                                    shared: try sharedConfig())
        let provider = try await chain.resolve()
        _ = try await provider.credentials()
        return provider
    }

    /// The credentials of the chain right now (a convenience over `credentialProvider`).
    public func credentials(options: CredentialOptions = CredentialOptions(),
                            transport: AWSTransport = AWSTransport()) async throws(CredentialError) -> AWSCredentials {
        try await credentialProvider(options: options, transport: transport).credentials()
    }
}

/// botocore's chain over one configuration.
struct CredentialChain: Sendable {
    let configuration: AWSConfiguration
    let options: CredentialOptions
    let transport: AWSTransport
    let shared: SharedConfig

    private var environment: [String: String] { configuration.environment }

    private func env(_ name: String) -> String? { configuration.nonEmpty(name) }

    /// Walks the chain for the profile in effect.
    func resolve() async throws(CredentialError) -> CredentialProvider {
        var searched: [String] = []
        let profileName = configuration.profileName
        let profile = shared.profiles[profileName]
        if configuration.profileNamed && profile == nil {
            throw .profileNotFound(profile: profileName, searched: fileNotes(profileName))
        }
        // 1. Environment keys, unless a profile was named explicitly (`--profile`).
        if configuration.explicitProfile == nil {
            if let provider = try environmentProvider() { return provider }
            searched.append("environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY not set)")
        }
        // 2. `role_arn` in the profile (without web_identity_token_file).
        if let profile, profile.hasAssumeRole {
            return try assumeRoleProvider(profile, visited: [profile.name])
        }
        // 3-8. The profile's own sources.
        if let provider = try profileSources(profileName, environmentAllowed: configuration.explicitProfile == nil,
                                                   searched: &searched) {
            return provider
        }
        // 9. Container credentials.
        if let provider = try containerProvider() { return provider }
        searched.append("container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, _FULL_URI not set)")
        // 10. The EC2 instance role.
        switch await instanceMetadataProvider() {
        case .provider(let provider): return provider
        case .absent(let why): searched.append(why)
        }
        throw .notFound(searched: searched)
    }

    private func fileNotes(_ profile: String) -> [String] {
        [shared.credentialsFileExists ? "\(shared.credentialsFile) (no [\(profile)] section)"
            : "\(shared.credentialsFile) (no such file)",
         shared.configFileExists
            ? "\(shared.configFile) (no [\(profile == "default" ? "default" : "profile \(profile)")] section)"
            : "\(shared.configFile) (no such file)"]
    }

    // MARK: environment

    private func environmentProvider() throws(CredentialError) -> CredentialProvider? {
        switch (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
        case let (id?, secret?):
            let expiration = env("AWS_CREDENTIAL_EXPIRATION").flatMap(ISO8601.date)
            let credentials = AWSCredentials(accessKeyId: id, secretAccessKey: secret,
                                             sessionToken: env("AWS_SESSION_TOKEN") ?? env("AWS_SECURITY_TOKEN"),
                                             source: "environment", expiration: expiration)
            return CredentialProvider(fixed: credentials)
        case (.some, nil): throw .incompleteEnvironment(missing: "AWS_SECRET_ACCESS_KEY")
        case (nil, .some): throw .incompleteEnvironment(missing: "AWS_ACCESS_KEY_ID")
        case (nil, nil): return nil
        }
    }

    // MARK: a profile's own sources (botocore's ProfileProviderBuilder)

    /// Web identity, IAM Identity Center, the credentials file, `credential_process`, the config file.
    private func profileSources(_ name: String, environmentAllowed: Bool,
                                searched: inout [String]) throws(CredentialError) -> CredentialProvider? {
        let profile = shared.profiles[name]
        if let provider = try webIdentityProvider(profile, environmentAllowed: environmentAllowed) { return provider }
        if let profile, let provider = try ssoProvider(profile) { return provider }
        if let values = profile?.credentialsFileValues {
            if let provider = try staticProvider(name, values, file: shared.credentialsFile) { return provider }
            searched.append("\(shared.credentialsFile) ([\(name)] has no aws_access_key_id)")
        } else {
            searched.append(fileNotes(name)[0])
        }
        if let profile, profile["login_session"] != nil {
            throw .unsupportedProfile(profile: name, file: shared.configFile, setting: "login_session")
        }
        if let profile, let command = profile["credential_process"] {
            return processProvider(command: command, profile: name)
        }
        if let values = profile?.configFileValues {
            if let provider = try staticProvider(name, values, file: shared.configFile) { return provider }
            searched.append("\(shared.configFile) ([\(name == "default" ? "default" : "profile \(name)")] has no aws_access_key_id)")
        } else {
            searched.append(fileNotes(name)[1])
        }
        return nil
    }

    private func staticProvider(_ name: String, _ values: [String: String],
                                file: String) throws(CredentialError) -> CredentialProvider? {
        switch (values["aws_access_key_id"].flatMap(nonEmpty), values["aws_secret_access_key"].flatMap(nonEmpty)) {
        case let (id?, secret?):
            return CredentialProvider(fixed: AWSCredentials(
                accessKeyId: id, secretAccessKey: secret, sessionToken: values["aws_session_token"].flatMap(nonEmpty),
                source: "profile \(name) (keys in \(file))"))
        case (.some, nil): throw .incompleteProfile(profile: name, file: file, missing: "aws_secret_access_key")
        case (nil, .some), (nil, nil): return nil  // botocore looks only for aws_access_key_id
        }
    }

    private func nonEmpty(_ value: String) -> String? { value.isEmpty ? nil : value }

    // MARK: assume role

    /// `role_arn` with `source_profile` or `credential_source`, as botocore's `AssumeRoleProvider`.
    private func assumeRoleProvider(_ profile: ProfileSettings,
                                    visited: [String]) throws(CredentialError) -> CredentialProvider {
        guard let roleArn = profile["role_arn"] else {
            throw .invalidProfile(profile: profile.name, message: "has no role_arn")
        }
        let sourceProfile = profile["source_profile"]
        let credentialSource = profile["credential_source"]
        let source: CredentialProvider
        let via: String
        switch (sourceProfile, credentialSource) {
        case (.some, .some):
            throw .invalidProfile(profile: profile.name, message: "has both source_profile and credential_source")
        case (nil, nil):
            throw .invalidProfile(profile: profile.name, message: "has role_arn but neither source_profile nor credential_source")
        case (nil, let named?):
            source = try namedSource(named, profile: profile.name)
            via = "credential_source \(named) (\(source.source))"
        case (let sourceName?, nil):
            guard let next = shared.profiles[sourceName] else {
                throw .invalidProfile(profile: profile.name,
                                      message: "source_profile '\(sourceName)' does not exist")
            }
            if visited.contains(sourceName) && (sourceName != profile.name || !next.hasStaticKeys) {
                throw .profileCycle(cycle: visited + [sourceName])
            }
            source = try sourceProfileProvider(next, visited: visited + [sourceName])
            via = next.hasStaticKeys || !next.hasAssumeRole ? "profile \(sourceName)" : source.source
        }
        let sessionName = profile["role_session_name"]
        let externalId = profile["external_id"]
        let serial = profile["mfa_serial"]
        let duration = profile["duration_seconds"].flatMap { Int($0) }
        let configuration = self.configuration
        let options = self.options
        let transport = self.transport
        let profileName = profile.name
        let endpoint = try configuration.endpoint(for: .sts)
        let region = try configuration.region()
        return CredentialProvider(source: "assume role \(roleArn) via \(via)", windows: options.refreshWindows,
                                  now: options.now) { () throws(CredentialError) -> AWSCredentials in
            var tokenCode: String?
            if let serial {
                tokenCode = try Self.askMFA(serial: serial, profile: profileName, prompt: options.mfaPrompt)
            }
            let sts = STSClient(provider: source, endpoint: endpoint, region: region, transport: transport)
            let session = sessionName ?? "botocore-session-\(UnixTime.seconds(of: options.now()))"
            do throws(AWSError) {
                return try await sts.assumeRole(roleArn: roleArn, sessionName: session, durationSeconds: duration,
                                                externalId: externalId, serialNumber: serial, tokenCode: tokenCode)
                    .withSource("assume role \(roleArn) via \(via)")
            } catch {
                throw .retrieval(source: "AssumeRole \(roleArn) (profile \(profileName))", message: error.description)
            }
        }
    }

    /// The credentials of a `source_profile`: its own sources when it has static keys or no `role_arn`, else
    /// another assumed role.
    private func sourceProfileProvider(_ profile: ProfileSettings,
                                       visited: [String]) throws(CredentialError) -> CredentialProvider {
        if profile.hasStaticKeys || !profile.hasAssumeRole {
            var ignored: [String] = []
            // botocore reads a source profile's sources with the environment switched off.
            guard let found = try profileSources(profile.name, environmentAllowed: false, searched: &ignored) else {
                throw .invalidProfile(profile: profile.name, message: "the source profile has no credentials")
            }
            return found
        }
        return try assumeRoleProvider(profile, visited: visited)
    }

    /// `credential_source`: `Environment`, `EcsContainer` or `Ec2InstanceMetadata`.
    private func namedSource(_ name: String, profile: String) throws(CredentialError) -> CredentialProvider {
        switch name {
        case "Environment":
            guard let provider = try environmentProvider() else {
                throw .retrieval(source: "credential_source Environment (profile \(profile))",
                                 message: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
            }
            return provider
        case "EcsContainer":
            guard let provider = try containerProvider() else {
                throw .retrieval(source: "credential_source EcsContainer (profile \(profile))",
                                 message: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set")
            }
            return provider
        case "Ec2InstanceMetadata":
            let chain = self
            return CredentialProvider(source: "EC2 instance role (IMDSv2 at \(imdsBase()))",
                                      windows: options.refreshWindows, now: options.now) {
                () throws(CredentialError) -> AWSCredentials in
                switch await chain.fetchInstanceCredentials() {
                case .success(let credentials): return credentials
                case .failure(let error): throw error
                }
            }
        default:
            throw .invalidProfile(profile: profile, message: "credential_source '\(name)' is not one of "
                + "Environment, EcsContainer, Ec2InstanceMetadata")
        }
    }

    static func askMFA(serial: String, profile: String, prompt: MFAPrompt) throws(CredentialError) -> String {
        switch prompt {
        case .unavailable:
            throw .mfaNeedsTerminal(profile: profile, serial: serial)
        case .answer(let answer):
            guard let code = answer(serial), !code.isEmpty else { throw .mfaNeedsTerminal(profile: profile, serial: serial) }
            return code
        case .terminal:
            guard isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1 else {
                throw .mfaNeedsTerminal(profile: profile, serial: serial)
            }
            FileHandle.standardError.write(Data("Enter MFA code for \(serial): ".utf8))
            // Not echoed, as botocore's getpass prompt: the terminal's modes are given back after.
            var modes = termios()
            let haveModes = tcgetattr(STDIN_FILENO, &modes) == 0
            if haveModes {
                var quiet = modes
                quiet.c_lflag &= ~tcflag_t(ECHO)
                _ = tcsetattr(STDIN_FILENO, TCSADRAIN, &quiet)
            }
            let answer = readLine(strippingNewline: true)
            if haveModes {
                _ = tcsetattr(STDIN_FILENO, TCSADRAIN, &modes)
                FileHandle.standardError.write(Data("\n".utf8))
            }
            guard let line = answer?.trimmingCharacters(in: .whitespaces), !line.isEmpty else {
                throw .mfaNeedsTerminal(profile: profile, serial: serial)
            }
            return line
        }
    }

    // MARK: web identity

    private func webIdentityProvider(_ profile: ProfileSettings?,
                                     environmentAllowed: Bool) throws(CredentialError) -> CredentialProvider? {
        func setting(_ key: String, _ variable: String) -> String? {
            if environmentAllowed, let value = environment[variable] { return value }
            return profile?[key]
        }
        guard let tokenFile = setting("web_identity_token_file", "AWS_WEB_IDENTITY_TOKEN_FILE"), !tokenFile.isEmpty else {
            return nil
        }
        guard let roleArn = setting("role_arn", "AWS_ROLE_ARN"), !roleArn.isEmpty else {
            throw .invalidProfile(profile: profile?.name ?? configuration.profileName,
                                  message: "web identity (\(tokenFile)) has no role_arn (or AWS_ROLE_ARN)")
        }
        let sessionName = setting("role_session_name", "AWS_ROLE_SESSION_NAME")
        let endpoint = try configuration.endpoint(for: .sts)
        let options = self.options
        let http = CredentialHTTP(timeout: options.requestTimeout)
        let source = "web identity token \(tokenFile) for \(roleArn)"
        return CredentialProvider(source: source, windows: options.refreshWindows, now: options.now) {
            () throws(CredentialError) -> AWSCredentials in
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw .retrieval(source: source, message: "cannot read the token file")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let session = sessionName ?? "botocore-session-\(UnixTime.seconds(of: options.now()))"
            let form = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleArn),
                        ("RoleSessionName", session), ("WebIdentityToken", token)]
                .map { "\(SigV4Signer.uriEncode($0.0))=\(SigV4Signer.uriEncode($0.1))" }.joined(separator: "&")
            let answer = await http.send("POST", endpoint,
                                         headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                                         body: Data(form.utf8))
            switch answer {
            case .failure(let failure):
                throw .retrieval(source: source, message: failure.message)
            case .success(let response):
                do throws(AWSError) {
                    return try STSClient.credentials(from: response.body, status: response.status,
                                                     operation: "AssumeRoleWithWebIdentity").withSource(source)
                } catch {
                    throw .retrieval(source: source, message: error.description)
                }
            }
        }
    }

    // MARK: IAM Identity Center

    private func ssoProvider(_ profile: ProfileSettings) throws(CredentialError) -> CredentialProvider? {
        guard profile["sso_role_name"] != nil || profile["sso_account_id"] != nil else { return nil }
        var settings = profile.values
        var required = ["sso_start_url", "sso_region", "sso_role_name", "sso_account_id"]
        let sessionName = profile["sso_session"]
        if let sessionName {
            guard let session = shared.ssoSessions[sessionName] else {
                throw .invalidProfile(profile: profile.name, message: "sso_session '\(sessionName)' does not exist")
            }
            for (key, value) in session {
                if let mine = settings[key], mine != value {
                    throw .invalidProfile(profile: profile.name,
                                          message: "\(key) differs between the profile and sso-session \(sessionName)")
                }
                settings[key] = value
            }
            required.append("sso_session")
        }
        let missing = required.filter { settings[$0] == nil }
        guard missing.isEmpty,
              let startURL = settings["sso_start_url"], let ssoRegion = settings["sso_region"],
              let roleName = settings["sso_role_name"], let accountId = settings["sso_account_id"]
        else {
            throw .invalidProfile(profile: profile.name,
                                  message: "uses IAM Identity Center but lacks " + missing.joined(separator: ", "))
        }
        let cacheKey = Insecure.SHA1.hash(data: Data((sessionName ?? startURL).utf8))
            .map { String(format: "%02x", $0) }.joined()
        let cacheFile = configuration.expand("~/.aws/sso/cache/\(cacheKey).json")
        let endpoint = try configuration.ssoEndpoint(region: ssoRegion)
        let oidcEndpoint = try configuration.ssoOIDCEndpoint(region: ssoRegion)
        let options = self.options
        let http = CredentialHTTP(timeout: options.requestTimeout)
        let profileName = profile.name
        let source = "IAM Identity Center role \(roleName) in account \(accountId)"
            + (sessionName.map { " (sso_session \($0))" } ?? " (\(startURL))") + " for profile \(profileName)"
        return CredentialProvider(source: source, windows: options.refreshWindows, now: options.now) {
            () throws(CredentialError) -> AWSCredentials in
            guard let data = FileManager.default.contents(atPath: cacheFile) else {
                throw .ssoLoginNeeded(profile: profileName, reason: "no token in \(cacheFile)")
            }
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                  var token = object["accessToken"] as? String,
                  let expiresText = object["expiresAt"] as? String, var expires = SSOToken.date(expiresText)
            else {
                throw .ssoLoginNeeded(profile: profileName, reason: "the token in \(cacheFile) is not valid")
            }
            // sso_session tokens are renewed through sso-oidc CreateToken within 15 minutes of expiry, as
            // botocore's SSOTokenProvider does, and written back to the cache.
            if sessionName != nil, expires.timeIntervalSince(options.now()) < 15 * 60,
               let renewed = await SSOToken.refresh(object, oidc: oidcEndpoint, startURL: startURL, region: ssoRegion,
                                                    http: http, now: options.now()) {
                token = renewed.token
                expires = renewed.expires
                if let data = try? JSONSerialization.data(withJSONObject: renewed.cache, options: [.sortedKeys]) {
                    try? data.write(to: URL(fileURLWithPath: cacheFile), options: .atomic)
                }
            }
            guard expires > options.now() else {
                throw .ssoLoginNeeded(profile: profileName, reason: "the token in \(cacheFile) has expired")
            }
            var components = URLComponents(url: endpoint, resolvingAgainstBaseURL: false)
            components?.path = (endpoint.path.hasSuffix("/") ? String(endpoint.path.dropLast()) : endpoint.path)
                + "/federation/credentials"
            components?.queryItems = [URLQueryItem(name: "role_name", value: roleName),
                                      URLQueryItem(name: "account_id", value: accountId)]
            guard let url = components?.url else {
                throw .retrieval(source: source, message: "cannot build the portal URL from \(endpoint)")
            }
            switch await http.send("GET", url, headers: [("x-amz-sso_bearer_token", token)]) {
            case .failure(let failure):
                throw .retrieval(source: source, message: failure.message)
            case .success(let response) where response.status == 401 || response.status == 403:
                throw .ssoLoginNeeded(profile: profileName, reason: "the portal refused the token (HTTP \(response.status))")
            case .success(let response) where response.status != 200:
                throw .retrieval(source: source, message: "GetRoleCredentials: HTTP \(response.status): "
                    + ServiceClient.snippet(response.body))
            case .success(let response):
                guard let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
                      let role = object["roleCredentials"] as? [String: Any],
                      let id = role["accessKeyId"] as? String, let secret = role["secretAccessKey"] as? String
                else {
                    throw .retrieval(source: source, message: "GetRoleCredentials: no roleCredentials in the answer")
                }
                let expiration = (role["expiration"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue / 1000) }
                return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: role["sessionToken"] as? String,
                                      source: source, expiration: expiration)
            }
        }
    }

    // MARK: credential_process

    private func processProvider(command: String, profile: String) -> CredentialProvider {
        let options = self.options
        let environment = self.environment
        let source = "credential_process of profile \(profile)"
        return CredentialProvider(source: source, windows: options.refreshWindows, now: options.now) {
            () throws(CredentialError) -> AWSCredentials in
            try await CredentialProcess.run(command: command, source: source, environment: environment,
                                            timeout: options.processTimeout, stderr: options.processStderr)
        }
    }

    // MARK: container credentials

    private func containerProvider() throws(CredentialError) -> CredentialProvider? {
        let urlText: String
        let setting: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            urlText = options.containerRelativeBase + relative
            setting = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            urlText = full
            setting = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
            try Self.checkContainerHost(full)
        } else {
            return nil
        }
        guard let url = URL(string: urlText) else { throw .badEndpoint(setting: setting, value: urlText) }
        let tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
        let tokenValue = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        let options = self.options
        let source = "container credentials (\(CredentialHTTP.redacted(url)))"
        return CredentialProvider(source: source, windows: options.refreshWindows, now: options.now) {
            () throws(CredentialError) -> AWSCredentials in
            var headers = [("Accept", "application/json")]
            var token = tokenValue
            if let tokenFile {
                guard let data = FileManager.default.contents(atPath: tokenFile) else {
                    throw .retrieval(source: source, message: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
                }
                token = String(decoding: data, as: UTF8.self)
            }
            if let token {
                guard !token.contains("\r") && !token.contains("\n") else {
                    throw .retrieval(source: source, message: "the authorization token is not a legal header value")
                }
                headers.append(("Authorization", token))
            }
            let http = CredentialHTTP(timeout: options.containerTimeout)
            var last = ""
            for attempt in 1...max(1, options.containerAttempts) {
                switch await http.send("GET", url, headers: headers) {
                case .success(let response) where response.status == 200:
                    return try Self.metadataCredentials(response.body, source: source, tokenKey: "Token")
                case .success(let response):
                    last = "HTTP \(response.status) from the container endpoint"
                case .failure(let failure):
                    last = failure.message
                }
                if attempt < options.containerAttempts {
                    try? await Task.sleep(nanoseconds: UInt64(options.containerRetryPause * 1_000_000_000))
                }
            }
            throw .retrieval(source: source, message: last)
        }
    }

    /// botocore's rule for `_FULL_URI`: https anywhere; http only to a loopback address or the ECS/EKS hosts.
    static func checkContainerHost(_ text: String) throws(CredentialError) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host else {
            throw .badEndpoint(setting: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: text)
        }
        if scheme == "https" { return }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let allowed = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost"]
        if allowed.contains(bare) || isLoopback(bare) { return }
        throw .retrieval(source: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                         message: "unsupported host '\(bare)': only https, a loopback address or "
                            + allowed.joined(separator: ", "))
    }

    /// `127.0.0.0/8` or `::1`, written as an address (names other than `localhost` are not resolved).
    static func isLoopback(_ host: String) -> Bool {
        if host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }

    /// `{AccessKeyId, SecretAccessKey, Token, Expiration}` of IMDS and container endpoints.
    static func metadataCredentials(_ body: Data, source: String, tokenKey: String) throws(CredentialError) -> AWSCredentials {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw .retrieval(source: source, message: "the answer is not a JSON object")
        }
        guard let id = object["AccessKeyId"] as? String, let secret = object["SecretAccessKey"] as? String,
              let token = object[tokenKey] as? String, let expirationText = object["Expiration"] as? String
        else {
            throw .retrieval(source: source, message: "the answer lacks AccessKeyId, SecretAccessKey, \(tokenKey) or Expiration")
        }
        let expiration: Date
        do {
            expiration = try ISO8601.parseDate(expirationText)
        } catch {
            throw .retrieval(source: source, message: "Expiration '\(expirationText)' is not an ISO 8601 time (\(error))")
        }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token, source: source,
                              expiration: expiration)
    }

    // MARK: instance metadata (IMDSv2)

    enum InstanceOutcome {
        case provider(CredentialProvider)
        case absent(String)
    }

    func imdsBase() -> String {
        var base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT")
            ?? shared.profiles[configuration.profileName]?["ec2_metadata_service_endpoint"]
            ?? "http://169.254.169.254/"
        if !base.hasSuffix("/") { base += "/" }
        return base
    }

    private func instanceMetadataProvider() async -> InstanceOutcome {
        if env("AWS_EC2_METADATA_DISABLED")?.lowercased() == "true" {
            return .absent("EC2 instance metadata (AWS_EC2_METADATA_DISABLED=true)")
        }
        switch await fetchInstanceCredentials() {
        case .failure(let error):
            return .absent("EC2 instance metadata at \(imdsBase()) (\(error))")
        case .success(let first):
            let chain = self
            let provider = CredentialProvider(source: first.source, windows: options.refreshWindows, now: options.now,
                                              initial: first) {
                () throws(CredentialError) -> AWSCredentials in
                switch await chain.fetchInstanceCredentials() {
                case .success(let credentials): return credentials
                case .failure(let error): throw error
                }
            }
            return .provider(provider)
        }
    }

    /// PUT a session token, GET the role name, GET its credentials; 1 s and 1 attempt each by default. A
    /// 403/404/405 on the token falls back to IMDSv1, as botocore does.
    func fetchInstanceCredentials() async -> Result<AWSCredentials, CredentialError> {
        let base = imdsBase()
        // botocore's metadata_service_timeout / _num_attempts (profile or AWS_METADATA_SERVICE_*) win.
        let profile = shared.profiles[configuration.profileName]
        let timeout = (env("AWS_METADATA_SERVICE_TIMEOUT") ?? profile?["metadata_service_timeout"])
            .flatMap { TimeInterval($0) } ?? options.metadataTimeout
        let attempts = max(1, (env("AWS_METADATA_SERVICE_NUM_ATTEMPTS") ?? profile?["metadata_service_num_attempts"])
            .flatMap { Int($0) } ?? options.metadataAttempts)
        let http = CredentialHTTP(timeout: timeout)
        func fail(_ message: String) -> Result<AWSCredentials, CredentialError> {
            .failure(.retrieval(source: "EC2 instance metadata (\(base))", message: message))
        }
        func request(_ method: String, _ path: String, _ headers: [(String, String)]) async -> Result<CredentialHTTP.Response, HTTPFailure> {
            guard let url = URL(string: base + path) else { return .failure(HTTPFailure(message: "bad URL \(base)\(path)")) }
            var last = Result<CredentialHTTP.Response, HTTPFailure>.failure(HTTPFailure(message: "no attempt"))
            for _ in 0..<attempts {
                last = await http.send(method, url, headers: headers)
                if case .success(let response) = last, response.status < 500 { return last }
            }
            return last
        }
        var headers: [(String, String)] = []
        switch await request("PUT", "latest/api/token", [("x-aws-ec2-metadata-token-ttl-seconds", "21600")]) {
        case .success(let response) where response.status == 200:
            headers = [("x-aws-ec2-metadata-token", String(decoding: response.body, as: UTF8.self))]
        case .success(let response) where [403, 404, 405].contains(response.status):
            break  // IMDSv1 only
        case .success(let response):
            return fail("PUT latest/api/token: HTTP \(response.status)")
        case .failure(let failure):
            return fail(failure.message)
        }
        let roleName: String
        switch await request("GET", "latest/meta-data/iam/security-credentials/", headers) {
        case .success(let response) where response.status == 200:
            guard let first = String(decoding: response.body, as: UTF8.self)
                .split(whereSeparator: \.isNewline).first.map(String.init), !first.isEmpty
            else { return fail("no IAM role attached to the instance") }
            roleName = first
        case .success(let response):
            return fail("GET latest/meta-data/iam/security-credentials/: HTTP \(response.status)")
        case .failure(let failure):
            return fail(failure.message)
        }
        let encoded = roleName.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? roleName
        switch await request("GET", "latest/meta-data/iam/security-credentials/\(encoded)", headers) {
        case .success(let response) where response.status == 200:
            do {
                return .success(try Self.metadataCredentials(response.body, source: "EC2 instance role \(roleName)",
                                                             tokenKey: "Token"))
            } catch {
                return .failure(error)
            }
        case .success(let response):
            return fail("GET the credentials of role \(roleName): HTTP \(response.status)")
        case .failure(let failure):
            return fail(failure.message)
        }
    }
}

/// The IAM Identity Center token cache entry of an `sso_session`, and its renewal.
enum SSOToken {
    /// `expiresAt` as the AWS CLI writes it (`...Z`, or `...UTC` in old versions).
    static func date(_ text: String) -> Date? {
        ISO8601.date(text.hasSuffix("UTC") ? String(text.dropLast(3)) + "Z" : text)
    }

    /// A renewed token and the cache entry to write back.
    struct Renewed {
        var token: String
        var expires: Date
        var cache: [String: Any]
    }

    /// sso-oidc `CreateToken` with `grantType=refresh_token` when the entry has `refreshToken`, `clientId`,
    /// `clientSecret` and an unexpired `registrationExpiresAt`; `nil` when it cannot be renewed (then the
    /// current token is used while it lasts, as in botocore).
    static func refresh(_ entry: [String: Any], oidc: URL, startURL: String, region: String, http: CredentialHTTP,
                        now: Date) async -> Renewed? {
        guard let refreshToken = entry["refreshToken"] as? String, let clientId = entry["clientId"] as? String,
              let clientSecret = entry["clientSecret"] as? String,
              let registration = (entry["registrationExpiresAt"] as? String).flatMap(date), registration > now,
              let body = try? JSONSerialization.data(withJSONObject: [
                  "grantType": "refresh_token", "clientId": clientId, "clientSecret": clientSecret,
                  "refreshToken": refreshToken,
              ])
        else { return nil }
        let url = oidc.appendingPathComponent("token")
        guard case .success(let response) = await http.send("POST", url, headers: [("Content-Type", "application/json")],
                                                           body: body),
              response.status == 200,
              let answer = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
              let token = answer["accessToken"] as? String, let expiresIn = answer["expiresIn"] as? NSNumber
        else { return nil }
        let expires = now.addingTimeInterval(expiresIn.doubleValue)
        var cache = entry
        cache["startUrl"] = startURL
        cache["region"] = region
        cache["accessToken"] = token
        cache["expiresAt"] = ISO8601.format(expires)
        if let renewed = answer["refreshToken"] as? String { cache["refreshToken"] = renewed }
        return Renewed(token: token, expires: expires, cache: cache)
    }
}
