import Foundation
import SiftTime

/// An AWS access key pair with an optional session token and expiry.
///
/// The secret and the token never appear in `description`, `debugDescription`, `dump` or string
/// interpolation: they print as `<redacted>`.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The access key id (not a secret; it names the key).
    public let accessKeyId: String
    /// The secret access key.
    public let secretAccessKey: String
    /// The session token of temporary credentials.
    public let sessionToken: String?
    /// Where these credentials came from, e.g. `environment` or `profile 'dev' in /home/a/.aws/credentials`.
    public let source: String
    /// When temporary credentials stop working; `nil` for credentials that do not expire.
    public let expiration: Date?

    /// Creates credentials.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, source: String,
                expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
        self.expiration = expiration
    }

    /// The same keys with another source description.
    func withSource(_ source: String) -> AWSCredentials {
        AWSCredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken,
                       source: source, expiration: expiration)
    }

    /// Names the key and its source; the secret and token are redacted.
    public var description: String {
        let token = sessionToken == nil ? "none" : "<redacted>"
        let expiry = expiration.map { ", expiration: \(ISO8601.format($0))" } ?? ""
        return "AWSCredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>, sessionToken: \(token), "
            + "source: \(source)\(expiry))"
    }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror without the secret or the token.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": accessKeyId, "secretAccessKey": "<redacted>",
                                "sessionToken": sessionToken == nil ? "none" : "<redacted>", "source": source,
                                "expiration": expiration.map(ISO8601.format) ?? "none"])
    }
}

/// Why no usable credentials or settings could be resolved.
public enum CredentialError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing anywhere; `searched` lists each place looked at and what was found there.
    case notFound(searched: [String])
    /// A profile named explicitly (parameter or `AWS_PROFILE`) exists in neither file.
    case profileNotFound(profile: String, searched: [String])
    /// A profile has one half of a key pair.
    case incompleteProfile(profile: String, file: String, missing: String)
    /// Only one of `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` is set.
    case incompleteEnvironment(missing: String)
    /// The profile gets credentials in a way Sift does not implement (`login_session`).
    case unsupportedProfile(profile: String, file: String, setting: String)
    /// A shared file could not be parsed.
    case malformedFile(file: String, line: Int, message: String)
    /// An endpoint setting is not an absolute http(s) URL.
    case badEndpoint(setting: String, value: String)
    /// A profile's settings contradict each other or lack something (botocore's `InvalidConfigError`).
    case invalidProfile(profile: String, message: String)
    /// `source_profile` settings that lead back to a profile already on the way.
    case profileCycle(cycle: [String])
    /// `mfa_serial` needs a code and nobody can type one (no terminal: a script, the daemon).
    case mfaNeedsTerminal(profile: String, serial: String)
    /// A source was configured but could not deliver credentials (`source` names it, `message` says why).
    case retrieval(source: String, message: String)
    /// The IAM Identity Center token is missing or expired; `aws sso login --profile PROFILE` renews it.
    case ssoLoginNeeded(profile: String, reason: String)
    /// Freshly fetched temporary credentials were already expired.
    case expired(source: String)

    /// A one-line explanation that says where Sift looked.
    public var description: String {
        switch self {
        case .notFound(let searched):
            return "no AWS credentials found; looked in: " + searched.joined(separator: "; ")
        case .profileNotFound(let profile, let searched):
            return "AWS profile '\(profile)' not found; looked in: " + searched.joined(separator: "; ")
        case .incompleteProfile(let profile, let file, let missing):
            return "AWS profile '\(profile)' in \(file) has no \(missing)"
        case .incompleteEnvironment(let missing):
            return "environment has only half of an AWS key pair: \(missing) is not set"
        case .unsupportedProfile(let profile, let file, let setting):
            return "AWS profile '\(profile)' in \(file) uses '\(setting)', which Sift does not support; "
                + "export static or session credentials instead"
        case .malformedFile(let file, let line, let message):
            return "\(file):\(line): \(message)"
        case .badEndpoint(let setting, let value):
            return "\(setting): '\(value)' is not an absolute http(s) URL"
        case .invalidProfile(let profile, let message):
            return "AWS profile '\(profile)': \(message)"
        case .profileCycle(let cycle):
            return "AWS profiles form a source_profile cycle: " + cycle.joined(separator: " -> ")
        case .mfaNeedsTerminal(let profile, let serial):
            return "AWS profile '\(profile)' needs an MFA code for \(serial), and there is no terminal to ask on; "
                + "run interactively or use credentials without mfa_serial"
        case .retrieval(let source, let message):
            return "\(source): \(message)"
        case .ssoLoginNeeded(let profile, let reason):
            return "IAM Identity Center: \(reason); run aws sso login --profile \(profile)"
        case .expired(let source):
            return "\(source): the credentials just fetched are already expired"
        }
    }
}

/// The AWS services Sift talks to.
public enum AWSService: String, Sendable, Hashable, CaseIterable {
    /// Identity and Access Management (global; query protocol, version 2010-05-08).
    case iam
    /// Security Token Service (query protocol, version 2011-06-15).
    case sts
    /// AWS Organizations (JSON 1.1 protocol).
    case organizations
    /// The IAM Identity Center portal (`GetRoleCredentials`, REST/JSON, unsigned).
    case sso

    /// The suffix of the service-specific endpoint variable, `AWS_ENDPOINT_URL_<ID>`.
    var environmentSuffix: String { rawValue.uppercased() }
}

/// An AWS partition: its own endpoints, its own accounts.
public enum AWSPartition: String, Sendable, Hashable, CaseIterable {
    /// The commercial regions.
    case aws
    /// The China regions (`cn-north-1`, `cn-northwest-1`).
    case awsCN = "aws-cn"
    /// AWS GovCloud (US) (`us-gov-west-1`, `us-gov-east-1`).
    case awsUSGov = "aws-us-gov"

    /// The partition of `region` (by its prefix, as the endpoint rules of botocore do).
    public init(region: String) {
        if region.hasPrefix("cn-") {
            self = .awsCN
        } else if region.hasPrefix("us-gov-") {
            self = .awsUSGov
        } else {
            self = .aws
        }
    }

    /// `amazonaws.com` or `amazonaws.com.cn`.
    public var dnsSuffix: String {
        switch self {
        case .aws, .awsUSGov: return "amazonaws.com"
        case .awsCN: return "amazonaws.com.cn"
        }
    }

    /// The region global services (IAM, Organizations) sign for.
    public var globalRegion: String {
        switch self {
        case .aws: return "us-east-1"
        case .awsCN: return "cn-north-1"
        case .awsUSGov: return "us-gov-west-1"
        }
    }

    /// The public endpoint of `service` for `region` (regional STS, as botocore's default
    /// `sts_regional_endpoints = regional`; `region == nil` gives the global STS endpoint).
    func endpoint(for service: AWSService, region: String?) -> String {
        switch (service, self) {
        case (.iam, .aws): return "https://iam.amazonaws.com/"
        case (.iam, .awsCN): return "https://iam.cn-north-1.amazonaws.com.cn/"
        case (.iam, .awsUSGov): return "https://iam.us-gov.amazonaws.com/"
        case (.sts, _):
            guard let region else { return "https://sts.amazonaws.com/" }
            return "https://sts.\(region).\(dnsSuffix)/"
        case (.organizations, .aws): return "https://organizations.us-east-1.amazonaws.com/"
        case (.organizations, .awsCN): return "https://organizations.cn-northwest-1.amazonaws.com.cn/"
        case (.organizations, .awsUSGov): return "https://organizations.us-gov-west-1.amazonaws.com/"
        case (.sso, _): return "https://portal.sso.\(region ?? globalRegion).\(dnsSuffix)/"
        }
    }
}

/// One profile as botocore sees it: the config file's `[profile NAME]` (or `[default]`) with the credentials
/// file's `[NAME]` laid over it.
struct ProfileSettings: Sendable, Hashable {
    /// The profile's name.
    var name: String
    /// Merged settings (credentials file wins).
    var values: [String: String]
    /// Settings from the credentials file alone.
    var credentialsFileValues: [String: String]?
    /// Settings from the config file alone.
    var configFileValues: [String: String]?

    subscript(key: String) -> String? { values[key] }

    /// Static keys are present (either half, as botocore's `_has_static_credentials`).
    var hasStaticKeys: Bool { values["aws_access_key_id"] != nil || values["aws_secret_access_key"] != nil }
    /// `role_arn` without `web_identity_token_file` (botocore's `_has_assume_role_config_vars`).
    var hasAssumeRole: Bool { values["role_arn"] != nil && values["web_identity_token_file"] == nil }
}

/// The shared files read once: profiles and `sso-session` sections.
struct SharedConfig: Sendable {
    /// Profiles by name.
    var profiles: [String: ProfileSettings]
    /// `[sso-session NAME]` sections.
    var ssoSessions: [String: [String: String]]
    /// Where the files are (and whether they exist), for error messages.
    var credentialsFile: String
    var configFile: String
    var credentialsFileExists: Bool
    var configFileExists: Bool
}

/// Resolves credentials, endpoints and the region the way the AWS CLI and SDKs do, from an explicit
/// environment (so tests are hermetic).
///
/// Credentials: `credentialProvider(options:transport:)` walks botocore's chain (see docs/collect.md):
/// environment keys (skipped when a profile is named explicitly), `role_arn` profiles, web identity,
/// IAM Identity Center, the credentials file, `credential_process`, the config file, container credentials
/// and the EC2 instance role.
/// Endpoints: explicit parameter > `AWS_ENDPOINT_URL_<SERVICE>` > `AWS_ENDPOINT_URL` > the profile's
/// `endpoint_url` > the public endpoint of the region's partition.
public struct AWSConfiguration: Sendable {
    /// The environment variables consulted.
    public let environment: [String: String]
    /// A profile named by the caller (`--profile`); overrides the environment's keys.
    public let explicitProfile: String?
    /// An endpoint named by the caller (`--endpoint`); used for every service.
    public let explicitEndpoint: String?

    /// Creates a resolver over `environment`.
    public init(environment: [String: String], profile: String? = nil, endpoint: String? = nil) {
        self.environment = environment
        self.explicitProfile = profile
        self.explicitEndpoint = endpoint
    }

    /// The profile in effect: explicit, `AWS_DEFAULT_PROFILE`, `AWS_PROFILE` (botocore's order), or `default`.
    public var profileName: String {
        explicitProfile ?? nonEmpty("AWS_DEFAULT_PROFILE") ?? nonEmpty("AWS_PROFILE") ?? "default"
    }

    /// Whether the profile was named (parameter or environment): then it must exist.
    var profileNamed: Bool {
        explicitProfile != nil || nonEmpty("AWS_DEFAULT_PROFILE") != nil || nonEmpty("AWS_PROFILE") != nil
    }

    /// The shared credentials file path.
    public var credentialsFilePath: String {
        expand(nonEmpty("AWS_SHARED_CREDENTIALS_FILE") ?? "~/.aws/credentials")
    }

    /// The shared config file path.
    public var configFilePath: String {
        expand(nonEmpty("AWS_CONFIG_FILE") ?? "~/.aws/config")
    }

    /// The same settings for another profile (`--profile NAME` of one account among several).
    public func with(profile: String?) -> AWSConfiguration {
        AWSConfiguration(environment: environment, profile: profile, endpoint: explicitEndpoint)
    }

    /// The endpoint for `service`, by the precedence above.
    public func endpoint(for service: AWSService) throws(CredentialError) -> URL {
        let candidates: [(String, String?)] = [
            ("--endpoint", explicitEndpoint),
            ("AWS_ENDPOINT_URL_\(service.environmentSuffix)", nonEmpty("AWS_ENDPOINT_URL_\(service.environmentSuffix)")),
            ("AWS_ENDPOINT_URL", nonEmpty("AWS_ENDPOINT_URL")),
            ("endpoint_url in profile '\(profileName)'", try profileSetting("endpoint_url")),
        ]
        let region = try regionSetting()
        let partition = AWSPartition(region: region ?? "us-east-1")
        let (setting, value) = candidates.lazy.compactMap { setting, value in value.map { (setting, $0) } }.first
            ?? ("the default endpoint of \(service.rawValue)", partition.endpoint(for: service, region: region))
        return try Self.checkedURL(value, setting: setting)
    }

    /// The endpoint of the IAM Identity Center portal for `ssoRegion` (overrides as for any service).
    func ssoEndpoint(region ssoRegion: String) throws(CredentialError) -> URL {
        let candidates: [(String, String?)] = [
            ("AWS_ENDPOINT_URL_SSO", nonEmpty("AWS_ENDPOINT_URL_SSO")),
            ("AWS_ENDPOINT_URL", nonEmpty("AWS_ENDPOINT_URL")),
        ]
        let (setting, value) = candidates.lazy.compactMap { setting, value in value.map { (setting, $0) } }.first
            ?? ("sso_region \(ssoRegion)", AWSPartition(region: ssoRegion).endpoint(for: .sso, region: ssoRegion))
        return try Self.checkedURL(value, setting: setting)
    }

    /// The endpoint of IAM Identity Center OIDC (`CreateToken`) for `ssoRegion`.
    func ssoOIDCEndpoint(region ssoRegion: String) throws(CredentialError) -> URL {
        let candidates: [(String, String?)] = [
            ("AWS_ENDPOINT_URL_SSO_OIDC", nonEmpty("AWS_ENDPOINT_URL_SSO_OIDC")),
            ("AWS_ENDPOINT_URL", nonEmpty("AWS_ENDPOINT_URL")),
        ]
        let partition = AWSPartition(region: ssoRegion)
        let (setting, value) = candidates.lazy.compactMap { setting, value in value.map { (setting, $0) } }.first
            ?? ("sso_region \(ssoRegion)", "https://oidc.\(ssoRegion).\(partition.dnsSuffix)/")
        return try Self.checkedURL(value, setting: setting)
    }

    static func checkedURL(_ value: String, setting: String) throws(CredentialError) -> URL {
        guard let url = URL(string: value), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil
        else { throw .badEndpoint(setting: setting, value: value) }
        return url
    }

    /// `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, or `us-east-1`.
    public func region() throws(CredentialError) -> String {
        try regionSetting() ?? "us-east-1"
    }

    /// The region when one is configured.
    func regionSetting() throws(CredentialError) -> String? {
        if let region = nonEmpty("AWS_REGION") ?? nonEmpty("AWS_DEFAULT_REGION") { return region }
        return try profileSetting("region")
    }

    /// The partition of the configured region (`aws` when none is).
    public func partition() throws(CredentialError) -> AWSPartition {
        AWSPartition(region: try region())
    }

    /// The region a service's requests are signed for: the configured region, except for the global
    /// services, which sign for their partition's home region.
    public func signingRegion(for service: AWSService) throws(CredentialError) -> String {
        switch (service, try partition()) {
        case (.organizations, .awsCN): return "cn-northwest-1"
        case (.iam, let partition), (.organizations, let partition): return partition.globalRegion
        case (.sts, _), (.sso, _): return try region()
        }
    }

    /// A setting of the profile in the config file (then the credentials file).
    func profileSetting(_ key: String) throws(CredentialError) -> String? {
        try sharedConfig().profiles[profileName]?[key]
    }

    /// Reads both shared files and merges their profiles as botocore's `full_config` does.
    func sharedConfig() throws(CredentialError) -> SharedConfig {
        let credentialsFile = try SharedINIFile.load(path: credentialsFilePath)
        let configFile = try SharedINIFile.load(path: configFilePath)
        var profiles: [String: ProfileSettings] = [:]
        var sessions: [String: [String: String]] = [:]
        for (section, values) in configFile?.sections ?? [:] {
            let parts = section.split(separator: " ", maxSplits: 1).map(String.init)
            let name: String
            if section == "default" {
                name = "default"
            } else if parts.count == 2 && parts[0] == "profile" {
                name = parts[1]
            } else if parts.count == 2 && parts[0] == "sso-session" {
                sessions[parts[1]] = values
                continue
            } else {
                continue
            }
            // `[profile default]` wins over `[default]`, as in botocore.
            if name == "default" && section == "default" && profiles["default"] != nil { continue }
            profiles[name] = ProfileSettings(name: name, values: values, credentialsFileValues: nil,
                                             configFileValues: values)
        }
        for (name, values) in credentialsFile?.sections ?? [:] {
            var profile = profiles[name] ?? ProfileSettings(name: name, values: [:], credentialsFileValues: nil,
                                                             configFileValues: nil)
            profile.values.merge(values) { _, new in new }
            profile.credentialsFileValues = values
            profiles[name] = profile
        }
        return SharedConfig(profiles: profiles, ssoSessions: sessions, credentialsFile: credentialsFilePath,
                            configFile: configFilePath, credentialsFileExists: credentialsFile != nil,
                            configFileExists: configFile != nil)
    }

    func nonEmpty(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// `~/` against `HOME` of the environment.
    func expand(_ path: String) -> String {
        guard path.hasPrefix("~/") || path == "~" else { return path }
        let home = nonEmpty("HOME") ?? NSHomeDirectory()
        return home + String(path.dropFirst(1))
    }
}

/// An AWS shared file (`credentials` or `config`): `[section]` headers and `key = value` lines.
/// Indented lines under a key (nested settings such as `s3 =`) are skipped.
struct SharedINIFile: Sendable {
    /// Settings by section name (`default`, `profile dev`, `dev`).
    let sections: [String: [String: String]]

    /// The section's settings, if present.
    func section(_ name: String) -> [String: String]? { sections[name] }

    /// Reads and parses the file; `nil` when it does not exist.
    static func load(path: String) throws(CredentialError) -> SharedINIFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .malformedFile(file: path, line: 0, message: "cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses `text`; errors name `path` and the line.
    static func parse(_ text: String, path: String) throws(CredentialError) -> SharedINIFile {
        var sections: [String: [String: String]] = [:]
        var current: String?
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if line.first == " " || line.first == "\t" { continue }  // nested setting
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else {
                    throw .malformedFile(file: path, line: lineNumber, message: "section header without ']'")
                }
                let name = trimmed.dropFirst().dropLast().split(whereSeparator: { $0 == " " || $0 == "\t" })
                    .joined(separator: " ")
                current = name
                sections[name, default: [:]] = sections[name, default: [:]]
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw .malformedFile(file: path, line: lineNumber, message: "expected 'key = value' or '[section]'")
            }
            guard let section = current else {
                throw .malformedFile(file: path, line: lineNumber, message: "setting before any [section]")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key] = value
        }
        return SharedINIFile(sections: sections)
    }
}
