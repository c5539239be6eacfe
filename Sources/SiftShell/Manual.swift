import Foundation

/// What `sift --help`, the man page (`sift --man`) and shell completion say about the program
/// itself: its options, exit statuses, environment and files, each declared once here. The
/// commands' own help comes from their `CommandSpec`.
public enum Manual {
    /// One option of the `sift` command line: declared like the shell commands' options.
    public typealias Option = OptionSpec

    /// The options of the command line, in the order `--help` lists them.
    public static let options: [Option] = [
        Option(names: ["--db"], kind: .single, valueName: "path", help: "The database file.", discussion: "Default: $SIFT_DB, else $XDG_DATA_HOME/sift/sift.db (~/.local/share/sift/sift.db)."),
        Option(names: ["--keep-going"], kind: .flag, help: "In a script, go on after a line fails (the exit status is still 1).", discussion: ""),
        Option(names: ["-f"], kind: .single, valueName: "file", help: "Run the lines of a script ('-' for standard input).", discussion: ""),
        Option(names: ["--profile"], kind: .single, valueName: "name", help: "The AWS profile for collect.", discussion: ""),
        Option(names: ["--endpoint"], kind: .single, valueName: "url", help: "The AWS endpoint URL for collect.", discussion: ""),
        Option(names: ["--version"], kind: .flag, help: "Print the version, the commit and the SQLite library.", discussion: ""),
        Option(names: ["--complete"], kind: .single, valueName: "line", help: "Print the completion candidates for the end of a line, one per line (for shell completion scripts).", discussion: ""),
        Option(names: ["--man"], kind: .flag, help: "Print the manual page (roff), made from the same declarations as this help.", discussion: ""),
        Option(names: ["-h", "--help"], kind: .flag, help: "Show the usage.", discussion: ""),
    ]

    /// The option with this spelling.
    public static func option(_ name: String) -> Option {
        options.first { $0.names.contains(name) } ?? Option(names: [name], kind: .flag, help: "", discussion: "")
    }

    /// An option of the command line as the man page and `--help` write it: `--db <path>`.
    public static func usage(_ option: Option) -> String {
        option.names.joined(separator: ", ") + (option.takesValue ? " <\(option.valueName)>" : "")
    }

    /// How `sift` is started.
    public static let invocations: [(usage: String, what: String)] = [
        ("sift", "the interactive shell (on a terminal)"),
        ("sift 'LINE'", "run one line: sift 'search is(access_key) | count name'"),
        ("sift -f FILE | sift < FILE", "run a script (# comments, trailing \\ continues a line)"),
        ("sift --version", "the version, the commit and the SQLite library"),
    ]

    /// The exit statuses.
    public static let exitStatuses: [(status: Int, meaning: String)] = [
        (0, "every line succeeded"),
        (1, "a line failed"),
        (2, "usage (a bad option, an unreadable script)"),
        (3, "a check failed (check run)"),
    ]

    /// The environment variables Sift reads.
    public static let environment: [(name: String, meaning: String)] = [
        ("SIFT_DB", "the database file when --db is not given"),
        ("SIFT_HISTORY", "the REPL's history file"),
        ("XDG_DATA_HOME", "where the default database lives (sift/sift.db)"),
        ("XDG_STATE_HOME", "where the REPL's history lives (sift/history)"),
        ("NO_COLOR", "when set, no colour and no highlighting"),
        ("TERM", "dumb (or unset) makes the REPL read lines plainly"),
        ("AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN", "the credentials collect and cleanup sign with (the AWS CLI's chain)"),
        ("AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE", "where the shared AWS files are"),
        ("AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS", "endpoints to use instead of AWS's (an emulator)"),
    ]

    /// The files Sift reads and writes.
    public static let files: [(path: String, meaning: String)] = [
        ("~/.local/share/sift/sift.db", "the graph (SQLite, mode 0600), unless --db or SIFT_DB say otherwise"),
        ("~/.local/state/sift/history", "the REPL's history (mode 0600; lines that look like secrets are never written)"),
        ("~/.aws/config, ~/.aws/credentials", "AWS profiles and keys"),
    ]

    /// The usage summary `sift --help` prints before the options.
    public static var overview: String {
        let width = invocations.map { $0.usage.count }.max() ?? 0
        var text = "sift: a resource graph in SQLite, searched and cleaned from a shell.\n\n"
        for invocation in invocations {
            text += "  " + invocation.usage.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + invocation.what + "\n"
        }
        text += "\nExit status: " + exitStatuses.map { "\($0.status) \($0.meaning)" }.joined(separator: ", ") + "."
        return text
    }

    /// The man page, in roff (`man -l sift.1`).
    public static func manPage(commands: [CommandSpec], version: String, date: String) -> String {
        var page = ".TH SIFT 1 \"\(date)\" \"sift \(roff(version))\" \"User Commands\"\n"
        page += ".SH NAME\nsift \\- a resource graph in SQLite, searched and cleaned from a shell\n"
        page += ".SH SYNOPSIS\n"
        for invocation in invocations {
            page += ".B " + roff(invocation.usage) + "\n.br\n"
        }
        page += ".SH DESCRIPTION\n"
        page += "Sift keeps an inventory of cloud resources (AWS IAM users and access keys) as a graph in SQLite. "
        page += "Its query language finds, for instance, the access keys nobody has used for 90 days; "
        page += "results pipe into commands that count, list, mark and clean them up; posture checks say what fails.\n"
        page += ".PP\nA line is \\fBcommand args | command args ; command args\\fR. "
        page += "On a terminal without arguments, \\fBsift\\fR starts an interactive shell with highlighting, "
        page += "Tab completion and a history searched with Ctrl-R.\n"
        page += ".SH OPTIONS\n"
        for option in options {
            page += ".TP\n.B " + roff(usage(option)) + "\n" + roff(option.help)
            if !option.discussion.isEmpty { page += " " + roff(option.discussion) }
            page += "\n"
        }
        page += ".SH COMMANDS\n"
        for spec in commands {
            page += ".TP\n.B " + roff(spec.synopsis) + "\n" + roff(spec.summary) + "\n"
            for leaf in spec.leaves {
                let usage = leaf.path.joined(separator: " ") + (leaf.spec.argumentSynopsis.isEmpty ? "" : " " + leaf.spec.argumentSynopsis)
                if !spec.subcommands.isEmpty || !leaf.spec.options.isEmpty {
                    page += ".IP\n\\fB" + roff(usage) + "\\fR"
                    page += spec.subcommands.isEmpty ? "\n" : ": " + roff(leaf.spec.summary) + "\n"
                }
                for option in leaf.spec.options {
                    page += ".IP\n\\(bu \\fB" + roff(option.usage) + "\\fR: " + roff(option.help) + "\n"
                }
            }
            if !spec.discussion.isEmpty {
                for paragraph in spec.discussion.components(separatedBy: "\n\n") {
                    let text = paragraph.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
                    page += ".IP\n" + roff(text) + "\n"
                }
            }
        }
        page += ".SH EXIT STATUS\n"
        for (status, meaning) in exitStatuses {
            page += ".TP\n.B \(status)\n" + roff(meaning) + "\n"
        }
        page += ".SH ENVIRONMENT\n"
        for (name, meaning) in environment {
            page += ".TP\n.B " + roff(name) + "\n" + roff(meaning) + "\n"
        }
        page += ".SH FILES\n"
        for (path, meaning) in files {
            page += ".TP\n.I " + roff(path) + "\n" + roff(meaning) + "\n"
        }
        page += ".SH EXAMPLES\n.nf\n"
        page += roff("sift 'search is(access_key) and last_access > 90days <-- is(user) | count name'") + "\n"
        page += roff("sift 'check run iam.unused_access_keys | clean \"unused for 90 days\"'") + "\n"
        page += roff("sift -f Examples/unused_keys.sift") + "\n.fi\n"
        page += ".SH SEE ALSO\n\\fBsqlite3\\fR(1), \\fBaws\\fR(1)\n"
        return page
    }

    /// Text escaped for roff: backslashes, leading dots and quotes, hyphens in options.
    static func roff(_ text: String) -> String {
        var escaped = text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
        if escaped.hasPrefix(".") || escaped.hasPrefix("'") { escaped = "\\&" + escaped }
        return escaped
    }
}
