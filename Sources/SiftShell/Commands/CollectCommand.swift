import Foundation
import Synchronization
import SiftAWS
import SiftOps
import SiftStore

/// `collect [--profile P ...] [--endpoint URL] [--assume-role NAME --account ID ...] [--organization]`.
public struct CollectCommand: ShellCommand, StandaloneCommand {
    public static let spec = CommandSpec(
        name: "collect", summary: "read IAM users and access keys from AWS into the graph",
        discussion: """
        Credentials come from the AWS CLI's chain: environment keys, --profile / AWS_PROFILE in
        ~/.aws/credentials and ~/.aws/config (static keys, role_arn with source_profile or
        credential_source, credential_process, IAM Identity Center after `aws sso login`, web identity),
        container credentials and the EC2 instance role. A `source:` line says which was used.
        --profile may be repeated: each profile's account is collected as its own subgraph, and a
        profile that fails is reported while the others go on.
        AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM or --endpoint point at another endpoint.
        Other accounts: --assume-role NAME --account ID (repeatable), or --organization for every
        account of the organisation. One failing account is reported; the others still land.
        """,
        options: [
            .repeatable("--profile", value: "P", help: "an AWS profile to collect (repeatable: one subgraph each)"),
            .single("--endpoint", value: "URL", help: "the AWS endpoint to call instead of AWS's"),
            .single("--assume-role", value: "NAME", help: "the role to assume in each --account"),
            .repeatable("--account", value: "ID", help: "an account to collect through --assume-role (repeatable, or ID,ID)"),
            .flag("--organization", "--organisation", help: "collect every account of the organisation"),
        ]
    ) { arguments throws(ShellError) in
        let role = arguments.value("--assume-role")?.text
        let accounts = arguments.values("--account").flatMap { $0.text.split(separator: ",").map(String.init) }
        if !accounts.isEmpty && role == nil {
            throw ShellError("collect: --account needs --assume-role NAME", at: arguments.end)
        }
        return .standalone(CollectCommand(
            profiles: arguments.values("--profile").map(\.text), endpoint: arguments.value("--endpoint")?.text,
            assumeRole: role, accounts: accounts, organisation: arguments.flag("--organization")))
    }

    let profiles: [String]
    let endpoint: String?
    let assumeRole: String?
    let accounts: [String]
    let organisation: Bool

    public func run(in context: ShellContext) async throws {
        var options = CollectOptions(
            profiles: profiles.isEmpty ? context.options.profile.map { [$0] } ?? [] : profiles,
            endpoint: endpoint ?? context.options.endpoint,
            assumeRole: assumeRole, accounts: accounts, organisation: organisation,
            environment: context.environment,
            credentialOptions: CredentialOptions(mfaPrompt: context.err.isTerminal ? .terminal : .unavailable))
        let store = try await context.store()
        options.writeTimeLimit = OpsDuration(seconds: try await context.queryTimeout()).limit
        let display = CollectDisplay(context.err)
        let summary = try await Collector.run(options: options, store: store) { display.show($0) }
        display.clear()
        for source in summary.sources { context.out.line("source: " + source) }
        context.out.line(summary.description)
        if summary.credentialRefreshes > 0 {
            context.out.line("credentials renewed \(summary.credentialRefreshes) time\(summary.credentialRefreshes == 1 ? "" : "s")")
        }
        for warning in summary.warnings { context.err.line("warning: " + warning) }
        context.err.flush()  // failures and warnings reach a non-terminal stderr too
        if !summary.failures.isEmpty && summary.accounts.isEmpty {
            throw ShellError("collect: every account failed")
        }
    }
}

/// Progress of a collect on a terminal (stderr), one line rewritten in place.
final class CollectDisplay: Sendable {
    let writer: OutputWriter
    private struct State {
        var written = 0
        var planned = 0
        var shown = false
    }
    private let state = Mutex(State())

    init(_ writer: OutputWriter) {
        self.writer = writer
    }

    func show(_ progress: CollectProgress) {
        state.withLock { state in show(progress, &state) }
    }

    private func show(_ progress: CollectProgress, _ state: inout State) {
        let text: String
        switch progress {
        case .signedIn(let profile, let arn, _, _):
            text = (profile.map { "profile \($0): " } ?? "") + "signed in as \(arn)"
        case .profileFailed(let profile, let message):
            writer.line((state.shown ? "\r\u{1B}[K" : "") + writer.styled("profile \(profile): failed: \(message)", .red))
            state.shown = false
            return
        case .accountsPlanned(let accounts):
            state.planned = accounts.count
            text = "collecting \(accounts.count) account\(accounts.count == 1 ? "" : "s")"
        case .accountStarted(let account):
            text = "\(account): listing users"
        case .usersListed(let account, let users):
            text = "\(account): \(users) users"
        case .keysListed(let account, let users, let total):
            text = "\(account): access keys of \(users)/\(total) users"
        case .accountWritten(let account, let users, let keys):
            state.written += 1
            text = "\(account): \(users) users, \(keys) keys state.written (\(state.written)/\(max(state.planned, state.written)) accounts)"
        case .accountFailed(let account, let message):
            writer.line((state.shown ? "\r\u{1B}[K" : "") + writer.styled("\(account): failed: \(message)", .red))
            state.shown = false
            return
        }
        guard writer.isTerminal else { return }
        writer.write("\r\u{1B}[K" + text)
        state.shown = true
    }

    func clear() {
        state.withLock { state in
            if state.shown { writer.write("\r\u{1B}[K") }
            state.shown = false
        }
    }
}
