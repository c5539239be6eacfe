import ArgumentParser
import Foundation
import SiftShell

/// The command line of `sift`: options, then the words of one line to run.
struct SiftCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sift", abstract: "A resource graph in SQLite, searched and cleaned from a shell.")

    @Option(name: .long, help: ArgumentHelp("The database file.", discussion: "Default: $SIFT_DB, else $XDG_DATA_HOME/sift/sift.db (~/.local/share/sift/sift.db).", valueName: "path"))
    var db: String?

    @Flag(name: .long, help: "In a script, go on after a line fails (the exit status is still 1).")
    var keepGoing = false

    @Option(name: .customShort("f"), help: ArgumentHelp("Run the lines of a script ('-' for standard input).", valueName: "file"))
    var file: String?

    @Option(name: .long, help: ArgumentHelp("The AWS profile for collect.", valueName: "name"))
    var profile: String?

    @Option(name: .long, help: ArgumentHelp("The AWS endpoint URL for collect.", valueName: "url"))
    var endpoint: String?

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("A line to run once, e.g. 'search is(user) | count'.", valueName: "line"))
    var words: [String] = []
}

/// The usage summary printed for `--help`.
let overview = """
    sift: a resource graph in SQLite, searched and cleaned from a shell.

      sift                       the interactive shell (on a terminal)
      sift 'LINE'                run one line: sift 'search is(access_key) | count name'
      sift -f FILE | sift < FILE run a script (# comments, trailing \\ continues a line)
      sift --version             the version, the commit and the SQLite library

    Exit status: 0 every line succeeded, 1 a line failed, 2 usage, 3 a check failed (check run).
    """

let environment = ProcessInfo.processInfo.environment
let arguments: SiftCommandLine
do {
    arguments = try SiftCommandLine.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    if SiftCommandLine.exitCode(for: error) == .success {
        print(overview)
        print("")
        print(SiftCommandLine.helpMessage(columns: nil))
        exit(0)
    }
    FileHandle.standardError.write(Data(("sift: " + SiftCommandLine.message(for: error) + "\n" + SiftCommandLine.usageString() + "\n").utf8))
    exit(2)
}

if let first = arguments.words.first, first == "--version" || first == "-V" {
    print(VersionCommand.text)
    exit(0)
}
if let first = arguments.words.first, first == "--help" || first == "-h" {
    print(overview)
    print("")
    print(SiftCommandLine.helpMessage(columns: nil))
    exit(0)
}
if let first = arguments.words.first, first.hasPrefix("-"), first.count > 1 {
    FileHandle.standardError.write(Data("sift: unknown option '\(first)'\n\(SiftCommandLine.usageString())\n".utf8))
    exit(2)
}
if arguments.file != nil && !arguments.words.isEmpty {
    FileHandle.standardError.write(Data("sift: give either -f FILE or a line to run, not both\n".utf8))
    exit(2)
}

let databasePath = arguments.db ?? Locations.defaultDatabasePath(environment: environment)
let options = ShellOptions(databasePath: databasePath, keepGoing: arguments.keepGoing, profile: arguments.profile, endpoint: arguments.endpoint)
let context = ShellContext(options: options, environment: environment)
let shell = Shell(context: context)

if let file = arguments.file {
    let text: String
    if file == "-" {
        text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    } else {
        guard let data = FileManager.default.contents(atPath: file) else {
            FileHandle.standardError.write(Data("sift: cannot read script '\(file)'\n".utf8))
            exit(2)
        }
        text = String(decoding: data, as: UTF8.self)
    }
    exit(shell.runScript(text, name: file == "-" ? "<stdin>" : file) ? context.requestedExitStatus : 1)
} else if !arguments.words.isEmpty {
    exit(shell.run(line: arguments.words.joined(separator: " ")) ? context.requestedExitStatus : 1)
} else if isatty(STDIN_FILENO) == 0 {
    let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    exit(shell.runScript(text, name: "<stdin>") ? context.requestedExitStatus : 1)
} else {
    let repl = REPL(shell: shell, historyPath: Locations.historyPath(environment: environment))
    exit(repl.run())
}
