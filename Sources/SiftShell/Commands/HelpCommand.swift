/// `help [command]`: the list of commands, or one command's usage and details.
public struct HelpCommand: ShellCommand, StandaloneCommand {
    public static let info = CommandInfo(
        name: "help", synopsis: "help [command]", summary: "list the commands, or show how one is used",
        details: """
        A line is `command args | command args ; command args`. Quote with '...' or "..." to keep
        blanks, '|' and ';' inside an argument; `#` starts a comment. `search QUERY` produces
        results; count, list, head, tail, uniq, format, dump, clean, protect and unprotect consume them.
        """)

    /// The command asked about, if any.
    public var topic: Word?

    /// Creates the command.
    public init(topic: Word?) {
        self.topic = topic
    }

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        let words = try reader.positionals()
        if words.count > 1 {
            throw ShellError("help: takes at most one command name", at: words[1].position)
        }
        return .standalone(HelpCommand(topic: words.first))
    }

    public func run(in context: ShellContext) async throws {
        let out = context.out
        guard let topic else {
            let infos = context.registry.infos
            let width = infos.map { $0.synopsis.count }.max() ?? 0
            out.line(out.styled("Commands", .bold) + " (help COMMAND for details):")
            for info in infos {
                out.line("  " + info.synopsis.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + info.summary)
            }
            out.line("")
            out.line(Self.info.details)
            return
        }
        guard let command = context.registry.command(named: topic.text) else {
            var message = "help: unknown command '\(topic.text)'"
            if let near = context.registry.suggestion(for: topic.text) { message += " (did you mean '\(near)'?)" }
            throw ShellError(message, at: topic.position)
        }
        let info = command.info
        out.line(out.styled("usage: ", .bold) + info.synopsis)
        out.line(info.summary)
        if !info.details.isEmpty {
            out.line("")
            out.line(info.details)
        }
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
