@preconcurrency import CEditLine
import Foundation

/// The completion candidates of the Tab press being answered (libedit calls plain C functions).
nonisolated(unsafe) private var completionMatches: [String] = []
/// The provider the C callbacks ask.
nonisolated(unsafe) private var activeCompletion: CompletionProvider?

/// The interactive shell on libedit: prompt `sift> `, history in a file (secrets never
/// recorded), Tab completion, multi-line input (a trailing `\` or an open quote or bracket
/// continues with `...> `), Ctrl-C cancels the running query or the line being typed and keeps
/// the shell, Ctrl-D leaves.
public final class REPL {
    /// The shell lines run in.
    public let shell: Shell
    /// The history file.
    public let historyPath: String
    /// Completion candidates come from here.
    public var completion: () -> CompletionProvider

    /// Creates a REPL.
    public init(shell: Shell, historyPath: String, completion: (() -> CompletionProvider)? = nil) {
        self.shell = shell
        self.historyPath = historyPath
        let context = shell.context
        self.completion = completion ?? {
            CompletionProvider(
                commands: context.registry.infos.map(\.name),
                kinds: context.kinds.kindNames,
                properties: context.kinds.propertyNames)
        }
    }

    /// Runs until Ctrl-D; returns the exit status (0).
    public func run() -> Int32 {
        setlocale(LC_CTYPE, "")
        Interruption.shared.install()
        rl_readline_name = UnsafePointer(strdup("sift"))
        // Our SIGINT handler makes the read return; libedit must not install its own.
        rl_catch_signals = 0
        rl_attempted_completion_function = { text, start, end in
            rl_attempted_completion_over = 1
            guard let provider = activeCompletion, let buffer = rl_line_buffer else { return nil }
            let line = String(cString: buffer)
            let prefix = text.map { String(cString: $0) } ?? ""
            let chars = Array(line.utf8.prefix(Int(start)))
            let wordStart = String(decoding: chars, as: UTF8.self).count
            completionMatches = provider.candidates(line: line, wordStart: wordStart, prefix: prefix)
            if completionMatches.isEmpty { return nil }
            return rl_completion_matches(text) { _, state in
                let index = Int(state)
                guard index < completionMatches.count else { return nil }
                return strdup(completionMatches[index])
            }
        }
        using_history()
        stifle_history(2000)
        try? Locations.createParentDirectory(of: historyPath)
        _ = read_history(historyPath)
        activeCompletion = completion()

        let out = shell.context.out
        if out.isTerminal {
            out.line(out.styled("sift", .bold) + " — type 'help' for the commands, Tab to complete, Ctrl-D to leave.")
        }
        while true {
            Interruption.shared.reset()
            guard let line = readLogicalLine() else {
                if Interruption.shared.isRequested {
                    // Ctrl-C at the prompt: drop the line, show a new prompt.
                    FileHandle.standardOutput.write(Data("^C\n".utf8))
                    continue
                }
                FileHandle.standardOutput.write(Data("\n".utf8))
                break
            }
            if line.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            if HistoryPolicy.mayRecord(line) {
                add_history(line)
                _ = write_history(historyPath)
                chmod(historyPath, 0o600)
            }
            Interruption.shared.reset()
            shell.run(line: line)
            // The model may have changed (generate, import): refresh what Tab offers.
            activeCompletion = completion()
        }
        return 0
    }

    /// Reads one logical line: more physical lines while it continues. `nil` on Ctrl-D or Ctrl-C.
    func readLogicalLine() -> String? {
        var text = ""
        var prompt = "sift> "
        while true {
            guard let raw = readline(prompt) else { return nil }
            let part = String(cString: raw)
            free(raw)
            if Interruption.shared.isRequested { return nil }
            text += text.isEmpty ? part : "\n" + part
            if !LineGrammar.needsMoreInput(text) { return text }
            prompt = "...> "
        }
    }
}
