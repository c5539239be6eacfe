import Foundation
import SiftAWS

/// `whoami [--profile NAME] [--endpoint URL]`: who the credentials chain signs in as, and from where.
public struct WhoamiCommand: ShellCommand, StandaloneCommand {
    /// Name, help and options.
    public static let spec = CommandSpec(
        name: "whoami", summary: "show the AWS identity collect and cleanup sign with (never a secret)",
        discussion: """
        Resolves credentials as collect does (the AWS CLI's chain) and calls STS GetCallerIdentity.
        Prints `arn:`, `account:` and `source:` (where the credentials came from, e.g.
        `assume role arn:aws:iam::111122223333:role/audit via profile base`).
        """,
        options: [
            .single("--profile", value: "NAME", help: "the AWS profile (default: sift --profile, AWS_PROFILE)"),
            .single("--endpoint", value: "URL", help: "the STS endpoint to call instead of AWS's"),
        ]
    ) { arguments throws(ShellError) in
        .standalone(WhoamiCommand(profile: arguments.value("--profile")?.text, endpoint: arguments.value("--endpoint")?.text))
    }

    let profile: String?
    let endpoint: String?

    /// Prints `arn:`, `account:` and `source:`; never a secret.
    public func run(in context: ShellContext) async throws {
        let configuration = AWSConfiguration(environment: context.environment, profile: profile ?? context.options.profile,
                                             endpoint: endpoint ?? context.options.endpoint)
        let options = CredentialOptions(mfaPrompt: context.err.isTerminal ? .terminal : .unavailable)
        let identity: CallerIdentity, source: String
        do {
            (identity, source) = try await WhoamiCommand.identify(configuration, options: options)
        } catch {
            throw ShellError("whoami: \(error)")
        }
        context.out.line("arn: \(identity.arn)")
        context.out.line("account: \(identity.account)")
        context.out.line("source: \(source)")
    }

    /// The caller's identity and the source of its credentials.
    static func identify(_ configuration: AWSConfiguration,
                         options: CredentialOptions) async throws -> (CallerIdentity, String) {
        let transport = AWSTransport()
        let provider = try await configuration.credentialProvider(options: options, transport: transport)
        let sts = STSClient(provider: provider, endpoint: try configuration.endpoint(for: .sts),
                            region: try configuration.region(), transport: transport)
        return (try await sts.getCallerIdentity(), provider.source)
    }
}
