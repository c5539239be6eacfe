import Foundation

/// When temporary credentials are renewed, as botocore's `RefreshableCredentials`: within the advisory window
/// before expiry a refresh is tried and a failure keeps the current credentials; within the mandatory window
/// a refresh must succeed.
public struct RefreshWindows: Sendable, Hashable {
    /// Seconds before expiry at which a refresh is attempted (botocore: 15 minutes).
    public var advisory: TimeInterval
    /// Seconds before expiry at which a refresh is required (botocore: 10 minutes).
    public var mandatory: TimeInterval

    /// Creates windows; tests scale them down.
    public init(advisory: TimeInterval, mandatory: TimeInterval) {
        self.advisory = advisory
        self.mandatory = mandatory
    }

    /// botocore's defaults: 15 and 10 minutes.
    public static let botocore = RefreshWindows(advisory: 15 * 60, mandatory: 10 * 60)
}

/// The credentials of one source of the chain, renewed before they expire. One provider is shared by
/// everything that signs for it (collect, cleanup, the daemon), so a refresh happens once for all of them.
public actor CredentialProvider {
    /// Where the credentials come from, e.g. `assume role arn:aws:iam::111122223333:role/audit via profile base`.
    public nonisolated let source: String
    private let fetch: @Sendable () async throws(CredentialError) -> AWSCredentials
    private let windows: RefreshWindows
    private let now: @Sendable () -> Date
    private var current: AWSCredentials?
    private var pending: Task<Result<AWSCredentials, CredentialError>, Never>?
    private var refreshes = 0
    private var advisoryFailures = 0
    private let fixed: Bool

    /// A provider that calls `fetch` for the first credentials and again whenever they near expiry.
    public init(source: String, windows: RefreshWindows = .botocore, now: @escaping @Sendable () -> Date = { Date() },
                initial: AWSCredentials? = nil,
                fetch: @escaping @Sendable () async throws(CredentialError) -> AWSCredentials) {
        self.source = source
        self.current = initial
        self.fixed = false
        self.windows = windows
        self.now = now
        self.fetch = fetch
    }

    /// A provider of fixed credentials: always these, never refreshed nor checked (as botocore's static
    /// `Credentials`).
    public init(fixed credentials: AWSCredentials) {
        self.fixed = true
        self.source = credentials.source
        self.windows = .botocore
        self.now = { Date() }
        self.fetch = { credentials }
        self.current = credentials
    }

    /// How many times the credentials were renewed (the first fetch is not counted).
    public var refreshCount: Int { refreshes }

    /// Refreshes in the advisory window that failed (the current credentials were kept).
    public var failedAdvisoryRefreshes: Int { advisoryFailures }

    /// Credentials good for at least the mandatory window (or credentials that do not expire).
    public func credentials() async throws(CredentialError) -> AWSCredentials {
        guard let current else { return try await load(counted: false) }
        guard !fixed, needsRefresh(current, within: windows.advisory) else { return current }
        let mandatory = needsRefresh(current, within: windows.mandatory)
        if pending != nil && !mandatory { return current }  // another caller is refreshing; these still work
        do {
            return try await load(counted: true)
        } catch {
            if mandatory { throw error }
            advisoryFailures += 1
            return current
        }
    }

    private func needsRefresh(_ credentials: AWSCredentials, within seconds: TimeInterval) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration.timeIntervalSince(now()) < seconds
    }

    /// Fetches once for all concurrent callers.
    private func load(counted: Bool) async throws(CredentialError) -> AWSCredentials {
        let task: Task<Result<AWSCredentials, CredentialError>, Never>
        if let pending {
            task = pending
        } else {
            let fetch = self.fetch
            task = Task {
                do throws(CredentialError) { return .success(try await fetch()) } catch { return .failure(error) }
            }
            pending = task
        }
        let result = await task.value
        let first = pending == task  // the first of the waiters to resume keeps the result
        if first { pending = nil }
        let fresh = try result.get()
        if let expiration = fresh.expiration, expiration <= now() { throw .expired(source: source) }
        if first {
            if current != nil && counted { refreshes += 1 }
            current = fresh
        }
        return fresh
    }
}

/// One provider per profile, resolved once and then shared: collect, cleanup and the daemon sign through
/// the same providers, so temporary credentials are renewed once for all of them.
public actor CredentialProviderCache {
    /// The chain's knobs for every provider made here.
    public nonisolated let options: CredentialOptions
    private var providers: [String: CredentialProvider] = [:]

    /// An empty cache.
    public init(options: CredentialOptions = CredentialOptions()) {
        self.options = options
    }

    /// The provider of `configuration`'s profile (the default chain when none is named), resolved on first use.
    public func provider(for configuration: AWSConfiguration,
                         transport: AWSTransport = AWSTransport()) async throws(CredentialError) -> CredentialProvider {
        let key = configuration.explicitProfile.map { "profile:\($0)" } ?? "chain"
        if let provider = providers[key] { return provider }
        let provider = try await configuration.credentialProvider(options: options, transport: transport)
        providers[key] = provider
        return provider
    }

    /// Refreshes so far, over every provider.
    public var refreshCount: Int {
        get async {
            var total = 0
            for provider in providers.values { total += await provider.refreshCount }
            return total
        }
    }
}

/// Providers of a role assumed in another account (collect `--assume-role`, cleanup's `collect_role`).
public enum AssumedRoleProvider {
    /// A provider that calls `AssumeRole` with `base`'s credentials (through `sts`) and again before expiry.
    public static func make(sts: STSClient, roleArn: String, sessionName: String, base: CredentialProvider,
                            options: CredentialOptions, initial: AWSCredentials? = nil) -> CredentialProvider {
        let source = "assume role \(roleArn) via \(base.source)"
        return CredentialProvider(source: source, windows: options.refreshWindows, now: options.now,
                                  initial: initial?.withSource(source)) {
            () throws(CredentialError) -> AWSCredentials in
            do throws(AWSError) {
                return try await sts.assumeRole(roleArn: roleArn, sessionName: sessionName).withSource(source)
            } catch {
                throw .retrieval(source: "AssumeRole \(roleArn)", message: error.description)
            }
        }
    }
}
