import Foundation
import Logging
import SiftStore

/// What to collect and how.
public struct CollectOptions: Sendable {
    /// Profiles of the shared files (`--profile a --profile b`), each collected in turn with its own
    /// credentials; empty: the default chain. A named profile overrides the environment's keys.
    public var profiles: [String]
    /// The first profile (`--profile`), for one-profile callers.
    public var profile: String? {
        get { profiles.first }
        set { profiles = newValue.map { [$0] } ?? [] }
    }
    /// How the credential chain behaves (refresh windows, MFA prompt, timeouts).
    public var credentialOptions: CredentialOptions
    /// Providers shared with other work (the daemon's cleanup); `nil`: providers of this collect only.
    public var credentialCache: CredentialProviderCache?
    /// An endpoint for every service (`--endpoint`).
    public var endpoint: String?
    /// The role to assume in other accounts (`--assume-role NAME`).
    public var assumeRole: String?
    /// Accounts to collect by assuming `assumeRole` (`--account ID ...`), besides the caller's.
    public var accounts: [String]
    /// Collect every account of the organisation (Organizations `ListAccounts`) by assuming `assumeRole`
    /// (default `OrganizationAccountAccessRole`).
    public var organisation: Bool
    /// The environment the credential chain reads (pass `ProcessInfo.processInfo.environment`).
    public var environment: [String: String]
    /// Requests in flight at most.
    public var maxInFlight: Int
    /// Retry policy for throttling, 5xx and dropped connections.
    public var retry: RetryPolicy
    /// `MaxItems` per page of `ListUsers` / `ListAccessKeys`.
    public var pageSize: Int
    /// How long to wait for the credential report before falling back to `GetAccessKeyLastUsed`.
    public var reportTimeout: Double
    /// Accounts collected at the same time.
    public var accountConcurrency: Int
    /// Seconds before a request without an answer counts as dropped (and is retried).
    public var requestTimeout: Double
    /// The most one account's collect may take, seconds (`AWSTransport.deadline`), whatever retries remain.
    public var accountTimeout: Double
    /// Debug lines per request (operation, status, duration); never credentials.
    public var logger: Logger
    /// The most one account's write into the graph may take, seconds (nil: no limit; the shell
    /// gives `query_timeout`): past it the account's write is rolled back and the account fails.
    public var writeTimeLimit: Double? = nil

    /// Creates options; only the environment is required.
    public init(profile: String? = nil, profiles: [String] = [], endpoint: String? = nil, assumeRole: String? = nil,
                accounts: [String] = [], organisation: Bool = false, environment: [String: String],
                maxInFlight: Int = 16, retry: RetryPolicy = RetryPolicy(), pageSize: Int = 1000,
                reportTimeout: Double = 120, accountConcurrency: Int = 2, requestTimeout: Double = 30,
                accountTimeout: Double = 600,
                credentialOptions: CredentialOptions = CredentialOptions(), credentialCache: CredentialProviderCache? = nil,
                logger: Logger = Logger(label: "sift.aws")) {
        self.logger = logger
        self.requestTimeout = requestTimeout
        self.accountTimeout = accountTimeout
        self.profiles = (profile.map { [$0] } ?? []) + profiles.filter { $0 != profile }
        self.credentialOptions = credentialOptions
        self.credentialCache = credentialCache
        self.endpoint = endpoint
        self.assumeRole = assumeRole
        self.accounts = accounts
        self.organisation = organisation
        self.environment = environment
        self.maxInFlight = maxInFlight
        self.retry = retry
        self.pageSize = pageSize
        self.reportTimeout = reportTimeout
        self.accountConcurrency = accountConcurrency
    }
}

/// Progress of a collect, for a terminal display.
public enum CollectProgress: Sendable, Hashable {
    /// The credentials of a profile (`nil`: the default chain) were resolved: who signs, and from where.
    case signedIn(profile: String?, arn: String, account: String, source: String)
    /// A profile's credentials could not be resolved; the other profiles go on.
    case profileFailed(profile: String, message: String)
    /// The accounts to collect are known.
    case accountsPlanned([String])
    /// Work on an account began.
    case accountStarted(account: String)
    /// `ListUsers` finished.
    case usersListed(account: String, users: Int)
    /// `ListAccessKeys` finished for `users` of `of` users.
    case keysListed(account: String, users: Int, of: Int)
    /// The account's subgraph was written.
    case accountWritten(account: String, users: Int, keys: Int)
    /// The account failed; the others go on.
    case accountFailed(account: String, message: String)
}

/// One account that could not be collected.
public struct CollectFailure: Sendable, Hashable, CustomStringConvertible {
    /// The account id.
    public var account: String
    /// What went wrong.
    public var message: String

    /// `account: message`.
    public var description: String { "\(account): \(message)" }
}

/// The result of a collect.
public struct CollectSummary: Sendable, Hashable, CustomStringConvertible {
    /// Accounts written.
    public var accounts: [String]
    /// Users written.
    public var users: Int
    /// Access keys written.
    public var keys: Int
    /// Requests sent (retries included).
    public var apiCalls: Int
    /// Requests by operation.
    public var callsByOperation: [String: Int]
    /// Wall time.
    public var seconds: Double
    /// Accounts that failed.
    public var failures: [CollectFailure]
    /// Things that degraded without failing (no credential report, no alias).
    public var warnings: [String]
    /// Per profile (or the default chain), where its credentials came from: `source:` lines.
    public var sources: [String]
    /// Renewals of temporary credentials by the providers this collect signed with, since those providers were
    /// made: during this collect, or since the daemon started when its providers are shared
    /// (`CollectOptions.credentialCache`).
    public var credentialRefreshes: Int

    /// The one-line summary: accounts, users, keys, API calls, seconds (and failures).
    public var description: String {
        var line = "collected \(accounts.count) account\(accounts.count == 1 ? "" : "s"), \(users) users, "
            + "\(keys) access keys, \(apiCalls) API calls in \(String(format: "%.1f", seconds)) s"
        if !failures.isEmpty {
            line += "; \(failures.count) account\(failures.count == 1 ? "" : "s") failed: "
                + failures.map(\.description).joined(separator: "; ")
        }
        return line
    }
}

/// Why a collect could not start at all (per-account failures are in the summary instead).
public enum CollectError: Error, Sendable, CustomStringConvertible {
    /// No credentials, a bad profile or endpoint.
    case configuration(CredentialError)
    /// The caller's identity or the organisation's accounts could not be read.
    case aws(AWSError)
    /// Options that do not fit together.
    case usage(String)
    /// Writing the cloud node failed.
    case store(String)

    /// One line.
    public var description: String {
        switch self {
        case .configuration(let error): return error.description
        case .aws(let error): return error.description
        case .usage(let message): return message
        case .store(let message): return "store: \(message)"
        }
    }
}

/// Where collected subgraphs go: the graph's backend in the product.
public protocol SubgraphSink: Sendable {
    /// Replaces one subgraph in one transaction.
    func write(_ subgraph: Subgraph) async throws
}

/// Collects IAM users and access keys of one or more accounts into the graph.
public enum Collector {
    /// Collects per `options` and writes each account with `sink` (the cloud subgraph first).
    /// Throws only when nothing can start; a failing account is reported in the summary.
    public static func run(options: CollectOptions, sink: any SubgraphSink,
                           progress: @escaping @Sendable (CollectProgress) -> Void = { _ in })
        async throws(CollectError) -> CollectSummary
    {
        let start = Date()
        if !options.accounts.isEmpty && options.assumeRole == nil {
            throw .usage("collecting other accounts (--account) needs a role to assume (--assume-role NAME)")
        }
        let transport = AWSTransport(maxInFlight: options.maxInFlight, retry: options.retry,
                                     timeout: options.requestTimeout, logger: options.logger)
        let cache = options.credentialCache ?? CredentialProviderCache(options: options.credentialOptions)
        let profiles: [String?] = options.profiles.isEmpty ? [nil] : options.profiles.map { $0 }
        var summary = CollectSummary(accounts: [], users: 0, keys: 0, apiCalls: 0, callsByOperation: [:],
                                     seconds: 0, failures: [], warnings: [], sources: [], credentialRefreshes: 0)
        var wroteCloud = false
        var providers: [CredentialProvider] = []
        for profile in profiles {
            let configuration = AWSConfiguration(environment: options.environment, profile: profile,
                                                 endpoint: options.endpoint)
            do {
                let (provider, results) = try await collectProfile(
                    configuration, profile: profile, options: options, cache: cache, transport: transport, sink: sink,
                    wroteCloud: &wroteCloud, summary: &summary, progress: progress)
                providers.append(provider)
                summary.merge(results)
            } catch {
                // One profile: nothing could start, as before. Several: report it and go on.
                guard profiles.count > 1, let profile else { throw error }
                progress(.profileFailed(profile: profile, message: error.description))
                summary.failures.append(CollectFailure(account: "profile \(profile)", message: error.description))
            }
        }
        for provider in providers { summary.credentialRefreshes += await provider.refreshCount }
        summary.apiCalls = transport.counter.total
        summary.callsByOperation = transport.counter.byOperation
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// Collects the accounts reachable from one profile's credentials.
    private static func collectProfile(
        _ configuration: AWSConfiguration, profile: String?, options: CollectOptions, cache: CredentialProviderCache,
        transport: AWSTransport, sink: any SubgraphSink, wroteCloud: inout Bool, summary: inout CollectSummary,
        progress: @escaping @Sendable (CollectProgress) -> Void
    ) async throws(CollectError) -> (CredentialProvider, [AccountOutcome]) {
        let base: CredentialProvider
        let stsEndpoint: URL, iamEndpoint: URL, organizationsEndpoint: URL
        let region: String, globalRegion: String, organizationsRegion: String
        do {
            stsEndpoint = try configuration.endpoint(for: .sts)
            iamEndpoint = try configuration.endpoint(for: .iam)
            organizationsEndpoint = try configuration.endpoint(for: .organizations)
            region = try configuration.region()
            globalRegion = try configuration.signingRegion(for: .iam)
            organizationsRegion = try configuration.signingRegion(for: .organizations)
            base = try await cache.provider(for: configuration, transport: transport)
        } catch {
            throw .configuration(error)
        }
        let sts = STSClient(provider: base, endpoint: stsEndpoint, region: region, transport: transport)

        let caller: CallerIdentity
        var targets: [(String, OrganizationAccount?)] = []
        do {
            caller = try await sts.getCallerIdentity()
            progress(.signedIn(profile: profile, arn: caller.arn, account: caller.account, source: base.source))
            summary.sources.append((profile.map { "profile \($0): " } ?? "") + base.source)
            targets.append((caller.account, nil))
            if options.organisation {
                let orgs = OrganizationsClient(provider: base, endpoint: organizationsEndpoint,
                                               signingRegion: organizationsRegion, transport: transport)
                for account in try await orgs.listAccounts() where account.status == "ACTIVE" {
                    if account.id == caller.account {
                        targets[0].1 = account
                    } else {
                        targets.append((account.id, account))
                    }
                }
            }
        } catch {
            throw .aws(error)
        }
        for id in options.accounts where !targets.contains(where: { $0.0 == id }) {
            targets.append((id, nil))
        }
        // An account already collected through an earlier profile is not collected twice.
        targets.removeAll { target in summary.accounts.contains(target.0) }
        progress(.accountsPlanned(targets.map(\.0)))
        if !wroteCloud {
            do { try await sink.write(AccountGraph.cloudSubgraph) } catch { throw .store("\(error)") }
            wroteCloud = true
        }

        let role = options.assumeRole ?? (options.organisation ? "OrganizationAccountAccessRole" : nil)
        let plan = AccountPlan(base: base, caller: caller.account, role: role, sts: sts,
                               iamEndpoint: iamEndpoint, iamRegion: globalRegion, transport: transport,
                               options: options, sink: sink, progress: progress)
        return (base, await plan.runAll(targets))
    }
}

extension CollectSummary {
    /// Adds the outcomes of one profile's accounts.
    mutating func merge(_ results: [AccountOutcome]) {
        for result in results {
            switch result {
            case .written(let account, let users, let keys, let warnings):
                accounts.append(account)
                self.users += users
                self.keys += keys
                self.warnings += warnings
            case .failed(let failure):
                failures.append(failure)
            }
        }
    }
}

/// The outcome of one account.
enum AccountOutcome: Sendable {
    case written(account: String, users: Int, keys: Int, warnings: [String])
    case failed(CollectFailure)
}

/// Collects a list of accounts a few at a time; each one fails alone.
struct AccountPlan: Sendable {
    let base: CredentialProvider
    let caller: String
    let role: String?
    let sts: STSClient
    let iamEndpoint: URL
    let iamRegion: String
    let transport: AWSTransport
    let options: CollectOptions
    let sink: any SubgraphSink
    let progress: @Sendable (CollectProgress) -> Void

    func runAll(_ targets: [(String, OrganizationAccount?)]) async -> [AccountOutcome] {
        let limiter = ConcurrencyLimiter(limit: options.accountConcurrency)
        return await withTaskGroup(of: (Int, AccountOutcome).self) { group in
            for (index, (account, org)) in targets.enumerated() {
                group.addTask {
                    await limiter.acquire()
                    let outcome = await AWSTransport.$deadline.withValue(AWSDeadline(seconds: options.accountTimeout)) {
                        await run(account: account, organizationAccount: org)
                    }
                    await limiter.release()
                    return (index, outcome)
                }
            }
            var outcomes: [(Int, AccountOutcome)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    func run(account: String, organizationAccount: OrganizationAccount?) async -> AccountOutcome {
        progress(.accountStarted(account: account))
        let outcome: AccountOutcome
        do {
            let credentials = try await credentials(for: account)
            let collector = AccountCollector(
                accountId: account,
                iam: IAMClient(provider: credentials, endpoint: iamEndpoint, signingRegion: iamRegion, transport: transport),
                pageSize: options.pageSize, reportTimeout: options.reportTimeout, progress: progress)
            let (snapshot, warnings) = try await collector.collect(organizationAccount: organizationAccount)
            let subgraph = AccountGraph.subgraph(snapshot)
            do {
                try await sink.write(subgraph)
            } catch {
                return fail(account, "store: \(error)")
            }
            let keys = snapshot.keys.values.reduce(0) { $0 + $1.count }
            progress(.accountWritten(account: account, users: snapshot.users.count, keys: keys))
            outcome = .written(account: account, users: snapshot.users.count, keys: keys, warnings: warnings)
        } catch {
            return fail(account, error.description)
        }
        return outcome
    }

    private func fail(_ account: String, _ message: String) -> AccountOutcome {
        progress(.accountFailed(account: account, message: message))
        return .failed(CollectFailure(account: account, message: message))
    }

    /// The caller's own provider, or a provider of the role in `account`, renewed like any other.
    private func credentials(for account: String) async throws(AWSError) -> CredentialProvider {
        // `run` refuses other accounts without a role, so only the caller's account lands here without one.
        guard account != caller, let role else { return base }
        let roleArn = "arn:aws:iam::\(account):role/\(role)"
        // The first AssumeRole here, so that its error is the service's own (AccessDenied, ...).
        let first = try await sts.assumeRole(roleArn: roleArn, sessionName: "sift-collect")
        let provider = AssumedRoleProvider.make(sts: sts, roleArn: roleArn, sessionName: "sift-collect", base: base,
                                                options: options.credentialOptions, initial: first)
        return provider
    }
}

/// A backend as the collector's sink: each subgraph written with `replaceSubgraph`.
struct BackendSink: SubgraphSink {
    let backend: any GraphWriting
    let timeLimit: Double?

    func write(_ subgraph: Subgraph) async throws {
        _ = try await backend.replaceSubgraph(subgraph, now: Date(), timeLimit: timeLimit)
    }
}

extension Collector {
    /// Collects per `options` into `store`, one `replaceSubgraph` per account (the cloud subgraph first).
    /// Throws only when nothing can start; a failing account is reported in the summary.
    public static func run(options: CollectOptions, store: any GraphWriting,
                           progress: @escaping @Sendable (CollectProgress) -> Void = { _ in })
        async throws(CollectError) -> CollectSummary
    {
        try await run(options: options, sink: BackendSink(backend: store, timeLimit: options.writeTimeLimit), progress: progress)
    }
}
