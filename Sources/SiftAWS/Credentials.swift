import Foundation

/// An AWS access key pair with an optional session token.
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

    /// Creates credentials.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, source: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }

    /// Names the key and its source; the secret and token are redacted.
    public var description: String {
        let token = sessionToken == nil ? "none" : "<redacted>"
        return "AWSCredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>, sessionToken: \(token), source: \(source))"
    }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror without the secret or the token.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": accessKeyId, "secretAccessKey": "<redacted>",
                                "sessionToken": sessionToken == nil ? "none" : "<redacted>", "source": source])
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
    /// The profile gets credentials in a way Sift does not implement (SSO, credential_process, role chaining).
    case unsupportedProfile(profile: String, file: String, setting: String)
    /// A shared file could not be parsed.
    case malformedFile(file: String, line: Int, message: String)
    /// An endpoint setting is not an absolute http(s) URL.
    case badEndpoint(setting: String, value: String)

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

    /// The suffix of the service-specific endpoint variable, `AWS_ENDPOINT_URL_<ID>`.
    var environmentSuffix: String { rawValue.uppercased() }

    /// The public endpoint when nothing overrides it (checked like the overrides are).
    var defaultEndpoint: String {
        switch self {
        case .iam: return "https://iam.amazonaws.com/"
        case .sts: return "https://sts.amazonaws.com/"
        case .organizations: return "https://organizations.us-east-1.amazonaws.com/"
        }
    }
}

/// Resolves credentials, endpoints and the region the way the AWS CLI and SDKs do, from an explicit
/// environment (so tests are hermetic).
///
/// Credentials: an explicit profile parameter wins; else `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`
/// (`AWS_SESSION_TOKEN`); else the profile `AWS_PROFILE` (or `default`) in the credentials file
/// (`AWS_SHARED_CREDENTIALS_FILE`, `~/.aws/credentials`) and then the config file (`AWS_CONFIG_FILE`,
/// `~/.aws/config`, sections `[profile NAME]` and `[default]`).
/// Endpoints: explicit parameter > `AWS_ENDPOINT_URL_<SERVICE>` > `AWS_ENDPOINT_URL` > the profile's
/// `endpoint_url` > the public endpoint.
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

    /// The profile in effect: explicit, `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, or `default`.
    public var profileName: String {
        explicitProfile ?? nonEmpty("AWS_PROFILE") ?? nonEmpty("AWS_DEFAULT_PROFILE") ?? "default"
    }

    /// The shared credentials file path.
    public var credentialsFilePath: String {
        expand(nonEmpty("AWS_SHARED_CREDENTIALS_FILE") ?? "~/.aws/credentials")
    }

    /// The shared config file path.
    public var configFilePath: String {
        expand(nonEmpty("AWS_CONFIG_FILE") ?? "~/.aws/config")
    }

    /// The credentials of the chain, or an error that lists every place looked at.
    public func credentials() throws(CredentialError) -> AWSCredentials {
        var searched: [String] = []
        if explicitProfile == nil {
            let id = nonEmpty("AWS_ACCESS_KEY_ID")
            let secret = nonEmpty("AWS_SECRET_ACCESS_KEY")
            switch (id, secret) {
            case let (id?, secret?):
                return AWSCredentials(accessKeyId: id, secretAccessKey: secret,
                                      sessionToken: nonEmpty("AWS_SESSION_TOKEN"), source: "environment")
            case (.some, nil): throw .incompleteEnvironment(missing: "AWS_SECRET_ACCESS_KEY")
            case (nil, .some): throw .incompleteEnvironment(missing: "AWS_ACCESS_KEY_ID")
            case (nil, nil): searched.append("environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY not set)")
            }
        }
        let profile = profileName
        var profileSeen = false
        for (path, section) in [(credentialsFilePath, profile),
                                (configFilePath, profile == "default" ? "default" : "profile \(profile)")] {
            guard let file = try SharedINIFile.load(path: path) else {
                searched.append("\(path) (no such file)")
                continue
            }
            let settings = file.section(section) ?? (path == configFilePath ? file.section(profile) : nil)
            guard let settings else {
                searched.append("\(path) (no [\(section)] section)")
                continue
            }
            profileSeen = true
            if let found = try credentials(in: settings, profile: profile, file: path) {
                return found
            }
            searched.append("\(path) ([\(section)] has no aws_access_key_id)")
        }
        let explicitlyNamed = explicitProfile != nil || nonEmpty("AWS_PROFILE") != nil
        if explicitlyNamed && !profileSeen {
            throw .profileNotFound(profile: profile, searched: searched)
        }
        throw .notFound(searched: searched)
    }

    /// The endpoint for `service`, by the precedence above.
    public func endpoint(for service: AWSService) throws(CredentialError) -> URL {
        let candidates: [(String, String?)] = [
            ("--endpoint", explicitEndpoint),
            ("AWS_ENDPOINT_URL_\(service.environmentSuffix)", nonEmpty("AWS_ENDPOINT_URL_\(service.environmentSuffix)")),
            ("AWS_ENDPOINT_URL", nonEmpty("AWS_ENDPOINT_URL")),
            ("endpoint_url in profile '\(profileName)'", try profileSetting("endpoint_url")),
        ]
        let (setting, value) = candidates.lazy.compactMap { setting, value in value.map { (setting, $0) } }.first
            ?? ("the default endpoint of \(service.rawValue)", service.defaultEndpoint)
        guard let url = URL(string: value), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil
        else { throw .badEndpoint(setting: setting, value: value) }
        return url
    }

    /// `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, or `us-east-1`.
    public func region() throws(CredentialError) -> String {
        if let region = nonEmpty("AWS_REGION") ?? nonEmpty("AWS_DEFAULT_REGION") { return region }
        return try profileSetting("region") ?? "us-east-1"
    }

    /// A setting of the profile in the config file (then the credentials file).
    func profileSetting(_ key: String) throws(CredentialError) -> String? {
        let profile = profileName
        let configSection = profile == "default" ? "default" : "profile \(profile)"
        if let file = try SharedINIFile.load(path: configFilePath),
           let value = (file.section(configSection) ?? file.section(profile))?[key] {
            return value
        }
        if let file = try SharedINIFile.load(path: credentialsFilePath), let value = file.section(profile)?[key] {
            return value
        }
        return nil
    }

    private func credentials(in settings: [String: String], profile: String,
                             file: String) throws(CredentialError) -> AWSCredentials? {
        let id = settings["aws_access_key_id"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = settings["aws_secret_access_key"].flatMap { $0.isEmpty ? nil : $0 }
        switch (id, secret) {
        case let (id?, secret?):
            return AWSCredentials(accessKeyId: id, secretAccessKey: secret,
                                  sessionToken: settings["aws_session_token"],
                                  source: "profile '\(profile)' in \(file)")
        case (.some, nil): throw .incompleteProfile(profile: profile, file: file, missing: "aws_secret_access_key")
        case (nil, .some): throw .incompleteProfile(profile: profile, file: file, missing: "aws_access_key_id")
        case (nil, nil):
            for setting in ["role_arn", "credential_process", "sso_session", "sso_start_url", "web_identity_token_file"]
            where settings[setting] != nil {
                throw .unsupportedProfile(profile: profile, file: file, setting: setting)
            }
            return nil
        }
    }

    private func nonEmpty(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    private func expand(_ path: String) -> String {
        guard path.hasPrefix("~/") else { return path }
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
