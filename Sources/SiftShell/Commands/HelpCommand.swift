/// `help [command]`: the list of commands, or one command's usage and details.
public struct HelpCommand: ShellCommand, StandaloneCommand {
    public static let spec = CommandSpec(
        name: "help", summary: "list the commands, or show how one is used",
        discussion: """
        A line is `command args | command args ; command args`. Quote with '...' or "..." to keep
        blanks, '|' and ';' inside an argument; `#` starts a comment. `search QUERY` produces
        results; count, list, head, tail, uniq, format, dump, clean, protect and unprotect consume them.
        """,
        arguments: [ArgumentSpec("command", .optional, help: "the command to explain", candidates: .commands),
                    ArgumentSpec("subcommand", .optional, help: "one of its subcommands")]
    ) { arguments throws(ShellError) in
        .standalone(HelpCommand(topic: arguments.positionals))
    }

    /// The command asked about (and its subcommand), if any.
    public var topic: [Word]

    /// Creates the command.
    public init(topic: [Word]) {
        self.topic = topic
    }

    public func run(in context: ShellContext) async throws {
        let out = context.out
        guard let name = topic.first else {
            let specs = context.registry.specs
            let width = specs.map { $0.synopsis.count }.max() ?? 0
            out.line(out.styled("Commands", .bold) + " (help COMMAND for details):")
            for spec in specs {
                out.line("  " + spec.synopsis.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + spec.summary)
            }
            out.line("")
            out.line(Self.spec.discussion)
            return
        }
        guard let command = context.registry.command(named: name.text) else {
            var message = "help: unknown command '\(name.text)'"
            if let near = context.registry.suggestion(for: name.text) { message += " (did you mean '\(near)'?)" }
            throw ShellError(message, at: name.position)
        }
        var spec = command.spec
        var parents: [String] = []
        for word in topic.dropFirst() {
            guard let sub = spec.subcommand(word.text) else {
                var message = "help: '\(name.text)' has no subcommand '\(word.text)'"
                if !spec.subcommands.isEmpty { message += " (\(spec.subcommands.map(\.name).joined(separator: ", ")))" }
                throw ShellError(message, at: word.position)
            }
            parents.append(spec.name)
            spec = sub
        }
        let text = spec.helpText(parents: parents)
        out.write(out.styled("usage: ", .bold) + String(text.dropFirst("usage: ".count)))
    }
}

extension CommandRegistry {
    /// Every command of the shell.
    public static var standard: CommandRegistry {
        CommandRegistry([
            HelpCommand.self, SearchCommand.self, ExplainCommand.self, ParseCommand.self,
            CountCommand.self, ListCommand.self, HeadCommand.self, TailCommand.self, SortCommand.self,
            LimitCommand.self, UniqCommand.self, FormatCommand.self, DumpCommand.self,
            KindsCommand.self, HistoryCommand.self, CleanCommand.self, ProtectCommand.self,
            UnprotectCommand.self, CollectCommand.self, WhoamiCommand.self, ImportCommand.self, ExportCommand.self,
            GenerateCommand.self, CheckCommand.self,
        ] + opsCommands + [VersionCommand.self])
    }
}
