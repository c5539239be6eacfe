import ArgumentParser
import Foundation
import SiftShell
import SiftTime

/// The command line of `sift`: options, then the words of one line to run. The help texts are
/// `Manual`'s, which the man page and completion use too.
struct SiftCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sift", abstract: "A resource graph in SQLite, searched and cleaned from a shell.")

    @Option(name: .long, help: help("--db"))
    var db: String?

    @Flag(name: .long, help: help("--keep-going"))
    var keepGoing = false

    @Option(name: .customShort("f"), help: help("-f"))
    var file: String?

    @Option(name: .long, help: help("--profile"))
    var profile: String?

    @Option(name: .long, help: help("--endpoint"))
    var endpoint: String?

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("A line to run once, e.g. 'search is(user) | count'.", valueName: "line"))
    var words: [String] = []

    /// An option's help, from `Manual`.
    static func help(_ name: String) -> ArgumentHelp {
        let option = Manual.option(name)
        return ArgumentHelp(option.help, discussion: option.discussion, valueName: option.takesValue ? option.valueName : nil)
    }
}

/// The options `sift` handles itself before running anything (they are words of the line to
/// argument-parser): --version, --complete, --man, --help.
let ownOptions = Manual.options.filter { ["--version", "--complete", "--man", "--help"].contains($0.names.last ?? "") }

/// The usage summary printed for `--help`.
let overview = Manual.overview + "\n\nAlso:\n" + ownOptions.map { "  " + Manual.usage($0).padding(toLength: 20, withPad: " ", startingAt: 0) + " " + $0.help }.joined(separator: "\n")

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
if let first = arguments.words.first, first == "--man" {
    let date = ISO8601.formatDate(seconds: UnixTime.seconds(of: Date()))
    print(Manual.manPage(commands: CommandRegistry.standard.specs, version: VersionCommand.versionOnly, date: String(date)), terminator: "")
    exit(0)
}
if let first = arguments.words.first, first == "--complete" {
    // The REPL's candidates for the end of the line (the shell's completion scripts call this).
    let line = arguments.words.dropFirst().joined(separator: " ")
    let databasePath = arguments.db ?? Locations.defaultDatabasePath(environment: environment)
    let context = ShellContext(options: ShellOptions(databasePath: databasePath), environment: environment)
    let result = await REPL.liveCompletion(context)
        .complete(line: line, cursor: line.count)
    for candidate in result.candidates { print(candidate) }
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
    exit(await shell.runScript(text, name: file == "-" ? "<stdin>" : file) ? context.requestedExitStatus : 1)
} else if !arguments.words.isEmpty {
    exit(await shell.run(line: arguments.words.joined(separator: " ")) ? context.requestedExitStatus : 1)
} else if isatty(STDIN_FILENO) == 0 {
    let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    exit(await shell.runScript(text, name: "<stdin>") ? context.requestedExitStatus : 1)
} else {
    let repl = REPL(shell: shell, historyPath: Locations.historyPath(environment: environment))
    exit(await repl.run())
}
