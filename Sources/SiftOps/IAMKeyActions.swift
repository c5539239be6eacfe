import Foundation
import SiftAWS

/// `AccessKeyActions` on a real `IAMClient` (retries and backoff are the client's).
public struct IAMKeyActions: AccessKeyActions {
    /// The client, signed for one account.
    public let client: IAMClient

    /// Wraps `client`.
    public init(client: IAMClient) { self.client = client }

    /// `UpdateAccessKey Status=Inactive`.
    public func setInactive(userName: String, accessKeyId: String) async throws(KeyActionError) {
        do { try await client.updateAccessKey(userName: userName, accessKeyId: accessKeyId, status: .inactive) } catch {
            throw Self.map(error)
        }
    }

    /// `DeleteAccessKey`.
    public func delete(userName: String, accessKeyId: String) async throws(KeyActionError) {
        do { try await client.deleteAccessKey(userName: userName, accessKeyId: accessKeyId) } catch { throw Self.map(error) }
    }

    /// `ListAccessKeys` for the user; a user that no longer exists has no keys.
    public func exists(userName: String, accessKeyId: String) async throws(KeyActionError) -> Bool {
        do {
            return try await client.listAccessKeys(userName: userName).contains { $0.accessKeyId == accessKeyId }
        } catch {
            if case .noSuchEntity = error { return false }
            throw Self.map(error)
        }
    }

    /// `GetAccessKeyLastUsed`.
    public func lastUsed(accessKeyId: String) async throws(KeyActionError) -> AccessKeyLastUsed {
        do { return try await client.getAccessKeyLastUsed(accessKeyId: accessKeyId) } catch { throw Self.map(error) }
    }

    static func map(_ error: AWSError) -> KeyActionError {
        if error.code == "NoSuchEntity" { return .noSuchEntity(error.description) }
        switch error {
        case .transport, .retriesExhausted(_, _, .transport): return .noAnswer(error.description)
        default: return .failed(error.description)
        }
    }
}

extension IAMKeyActions: AccessKeyStatusReading {
    /// `ListAccessKeys` for the user: the key's status, nil when it (or the user) is gone.
    public func status(userName: String, accessKeyId: String) async throws(KeyActionError) -> AccessKeyStatus? {
        do {
            return try await client.listAccessKeys(userName: userName).first { $0.accessKeyId == accessKeyId }?.status
        } catch {
            if case .noSuchEntity = error { return nil }
            throw Self.map(error)
        }
    }
}

/// Builds the `AccessKeyActions` of each account from the standard credential chain: the caller's
/// account directly, another account by assuming `role` in it (`collect_role`).
public struct IAMKeyActionsProvider: Sendable {
    /// Credentials, endpoints and region (env, profiles, `--endpoint`).
    public let configuration: AWSConfiguration
    /// The role assumed in accounts other than the caller's.
    public let role: String?
    /// The shared transport (bounded requests in flight, retries with backoff and jitter).
    public let transport: AWSTransport
    /// Credential providers shared with collect and the daemon (renewed before expiry, once for all).
    public let credentials: CredentialProviderCache

    /// Creates a provider.
    public init(configuration: AWSConfiguration, role: String?, transport: AWSTransport = AWSTransport(),
                credentials: CredentialProviderCache = CredentialProviderCache(options: CredentialOptions(mfaPrompt: .unavailable))) {
        self.configuration = configuration
        self.role = role
        self.transport = transport
        self.credentials = credentials
    }

    /// The provider as cleanup takes it.
    public var provider: AccessKeyActionsProvider {
        let state = CallerState()
        return { account in try await actions(for: account, state: state) }
    }

    private func actions(for account: String?, state: CallerState) async throws -> any AccessKeyActions {
        let provider = try await credentials.provider(for: configuration, transport: transport)
        let iamEndpoint = try configuration.endpoint(for: .iam)
        let iamRegion = try configuration.signingRegion(for: .iam)
        func client(_ provider: CredentialProvider) -> IAMKeyActions {
            IAMKeyActions(client: IAMClient(provider: provider, endpoint: iamEndpoint, signingRegion: iamRegion,
                                            transport: transport))
        }
        guard let account else { return client(provider) }
        let sts = STSClient(provider: provider, endpoint: try configuration.endpoint(for: .sts),
                            region: try configuration.region(), transport: transport)
        let caller = try await state.account { () async throws(AWSError) -> String in try await sts.getCallerIdentity().account }
        if caller == account { return client(provider) }
        guard let role else {
            throw KeyActionError.failed("account \(account) is not the caller's (\(caller)) and collect_role is not set")
        }
        let assumed = await state.assumed(account: account) {
            AssumedRoleProvider.make(sts: sts, roleArn: "arn:aws:iam::\(account):role/\(role)", sessionName: "sift-cleanup",
                                     base: provider, options: credentials.options)
        }
        return client(assumed)
    }
}

/// The caller's account, asked for once, and the providers of roles assumed in other accounts.
actor CallerState {
    private var caller: String?
    private var roles: [String: CredentialProvider] = [:]

    func assumed(account: String, make: () -> CredentialProvider) -> CredentialProvider {
        if let provider = roles[account] { return provider }
        let provider = make()
        roles[account] = provider
        return provider
    }

    func account(_ fetch: () async throws(AWSError) -> String) async throws(AWSError) -> String {
        if let caller { return caller }
        let fetched = try await fetch()
        caller = fetched
        return fetched
    }
}
