import Foundation
import LineEditing
import SiftChecks
import SiftOps
import SiftStore

/// The interactive shell on the `LineEditing` editor: prompt `sift> `, the line highlighted as
/// it is typed, Tab completion from the live model, history in a file (secrets never recorded)
/// with prefix search and Ctrl-R, multi-line entries (a trailing `\` or an open quote or bracket
/// continues with `...> `), Ctrl-C cancels the running query or the line being typed and keeps
/// the shell, Ctrl-D leaves. Off a terminal, lines are read plainly.
public final class REPL {
    /// The shell lines run in.
    public let shell: Shell
    /// The history file.
    public let historyPath: String
    /// Completion candidates come from here.
    public var completion: () async -> CompletionProvider

    /// Creates a REPL.
    public init(shell: Shell, historyPath: String, completion: (() async -> CompletionProvider)? = nil) {
        self.shell = shell
        self.historyPath = historyPath
        let context = shell.context
        self.completion = completion ?? { await REPL.liveCompletion(context) }
    }

    /// Completion from the live model: commands, kinds and their properties, config keys, check
    /// ids, job ids (read from the database if it exists; never when `openingDatabase` is false:
    /// completing never creates a database), file paths.
    public static func liveCompletion(_ context: ShellContext, openingDatabase: Bool = true) async -> CompletionProvider {
        let ids = openingDatabase ? await jobIds(context) : []
        let kinds = context.kinds
        return CompletionProvider(
            commands: context.registry.specs, kinds: kinds.kindNames, properties: kinds.propertyNames,
            propertiesOfKind: { Array(kinds.properties(of: $0).keys) },
            configKeys: ConfigKey.allCases.map(\.rawValue),
            checkIds: CheckCatalogue.builtin.checks.map(\.id),
            jobIds: { ids },
            paths: CompletionProvider.filePaths)
    }

    /// The ids of the stored jobs, if the database exists (none when it cannot be read).
    static func jobIds(_ context: ShellContext) async -> [String] {
        guard FileManager.default.fileExists(atPath: context.options.databasePath),
              let store = try? await context.store() else { return [] }
        return (try? await JobStore(store: store).list().map(\.id)) ?? []
    }

    /// The highlighter for the shell's commands and the kind model.
    public static func highlighter(_ context: ShellContext) -> Highlighter {
        Highlighter(
            commands: Set(context.registry.specs.map(\.name)), kinds: Set(context.kinds.kindNames),
            properties: Set(context.kinds.propertyNames))
    }

    /// Runs until Ctrl-D; returns the exit status (0).
    public func run() async -> Int32 {
        setlocale(LC_CTYPE, "")
        Interruption.shared.install()
        try? Locations.createParentDirectory(of: historyPath)
        let context = shell.context
        let editor = LineEditor(historyStore: HistoryFile(path: historyPath), environment: context.environment)
        var provider = await completion()
        editor.completion = { text, cursor in
            let result = provider.complete(line: text, cursor: cursor)
            return Completions(replaceFrom: result.replaceFrom, candidates: result.candidates)
        }
        editor.isComplete = { !LineGrammar.needsMoreInput($0) }
        if context.out.useColor {
            let highlighter = Self.highlighter(context)
            editor.highlighter = { highlighter.runs($0) }
            editor.promptStyle = .bold
        }

        let out = context.out
        if out.isTerminal {
            out.line(out.styled("sift", .bold) + " — type 'help' for the commands, Tab to complete, Ctrl-R to search the history, Ctrl-D to leave.")
        }
        while true {
            Interruption.shared.reset()
            out.flush()
            switch editor.readLine(prompt: "sift> ", continuationPrompt: "...> ") {
            case .end:
                if editor.isInteractive { out.line("") }
                return 0
            case .interrupted:
                continue
            case .line(let line):
                if line.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
                editor.addHistory(line)
                Interruption.shared.reset()
                await shell.run(line: line)
                out.flush()
                // The model may have changed (generate, import): refresh what Tab offers.
                provider = await completion()
            }
        }
    }
}

/// The history file: libedit's format (entries written by earlier versions read back), mode
/// 0600, and only lines `HistoryPolicy` allows (never one with a secret).
final class HistoryFile: HistoryStore {
    let path: String
    var entries: [String] = []
    /// At most this many entries are kept in the file.
    let limit = 2000

    init(path: String) { self.path = path }

    func load() -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        entries = HistoryFileFormat.entries(of: String(decoding: data, as: UTF8.self)).filter(HistoryPolicy.mayRecord)
        return entries
    }

    func append(_ entry: String) -> Bool {
        guard HistoryPolicy.mayRecord(entry) else { return false }
        if entries.last != entry { entries.append(entry) }
        if entries.count > limit { entries.removeFirst(entries.count - limit) }
        let text = HistoryFileFormat.file(of: entries)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        fchmod(fd, 0o600)
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBufferPointer { write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if written <= 0 { if errno == EINTR { continue }; break }
            offset += written
        }
        return true
    }
}
