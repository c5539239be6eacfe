// The line editor: a prompt, a completion callback, a highlighting callback and a history
// store in; lines out. Emacs keys, multi-line entries edited as one buffer, history with prefix
// search and Ctrl-R, bracketed paste, wide characters, resize. Off a terminal (or on a dumb
// one) it reads lines plainly. It knows nothing of what the lines mean.

/// What Tab offers: candidates that replace the text from `replaceFrom` to the cursor.
public struct Completions: Sendable, Equatable {
    /// The character offset where the word being completed starts.
    public var replaceFrom: Int
    /// The candidates (each replaces the word).
    public var candidates: [String]

    /// Creates completions.
    public init(replaceFrom: Int, candidates: [String]) {
        self.replaceFrom = replaceFrom
        self.candidates = candidates
    }
}

/// What one read gave.
public enum ReadResult: Sendable, Equatable {
    /// A line (possibly with line breaks: one multi-line entry).
    case line(String)
    /// Ctrl-C: the line was dropped.
    case interrupted
    /// Ctrl-D on an empty line, or the end of the input.
    case end
}

/// Reads lines from a terminal with editing, or plainly from anything else.
public final class LineEditor {
    /// The terminal.
    public let terminal: Terminal
    /// Where history lives between sessions (nil: this session only).
    public let historyStore: HistoryStore?
    /// The history.
    public private(set) var history: History
    /// Whether to edit (a terminal that is not dumb) or read plainly.
    public let isInteractive: Bool

    /// The candidates for the text and cursor (character offset).
    public var completion: ((String, Int) -> Completions)?
    /// The styles of a text's characters.
    public var highlighter: ((String) -> [HighlightRun])?
    /// Whether Enter ends the entry (false: it inserts a line break, e.g. an open quote).
    public var isComplete: (String) -> Bool = { _ in true }
    /// The prompts' style.
    public var promptStyle: TextStyle?

    /// Creates an editor on two descriptors; `environment` decides a dumb terminal (`TERM`).
    public init(input: Int32 = 0, output: Int32 = 1, historyStore: HistoryStore? = nil, environment: [String: String] = [:], historyLimit: Int = 2000) {
        terminal = Terminal(input: input, output: output)
        self.historyStore = historyStore
        history = History(entries: historyStore?.load() ?? [], limit: historyLimit)
        let term = environment["TERM"] ?? ""
        isInteractive = Terminal.isTerminal(input) && Terminal.isTerminal(output) && !["", "dumb", "cons25", "emacs"].contains(term)
    }

    /// Adds an entry to the history and its store; returns whether the store kept it.
    @discardableResult
    public func addHistory(_ entry: String) -> Bool {
        let kept = historyStore?.append(entry) ?? true
        if kept { history.add(entry) }
        return kept
    }

    /// Reads one entry.
    public func readLine(prompt: String, continuationPrompt: String) -> ReadResult {
        guard isInteractive else { return readPlain(prompt: prompt, continuationPrompt: continuationPrompt) }
        guard terminal.enterRawMode() else { return readPlain(prompt: prompt, continuationPrompt: continuationPrompt) }
        defer { terminal.restore() }
        var session = EditSession(editor: self, prompt: prompt, continuation: continuationPrompt)
        return session.run()
    }

    // MARK: - Plain reading

    /// Bytes read past the last line (plain mode).
    private var plainPending: [UInt8] = []
    private var plainEnded = false

    /// Reads physical lines until the entry is complete.
    func readPlain(prompt: String, continuationPrompt: String) -> ReadResult {
        var text: String?
        var currentPrompt = prompt
        while true {
            terminal.write(currentPrompt)
            guard let line = readPlainLine() else {
                return text.map { .line($0) } ?? .end
            }
            text = text.map { $0 + "\n" + line } ?? line
            if let text, isComplete(text) { return .line(text) }
            currentPrompt = continuationPrompt
        }
    }

    /// One physical line (without its line break, CR removed); nil at the end of the input.
    func readPlainLine() -> String? {
        while true {
            if let newline = plainPending.firstIndex(of: 0x0A) {
                var line = Array(plainPending[0..<newline])
                plainPending.removeFirst(newline + 1)
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            if plainEnded {
                guard !plainPending.isEmpty else { return nil }
                defer { plainPending.removeAll() }
                return String(decoding: plainPending, as: UTF8.self)
            }
            switch terminal.read() {
            case .bytes(let bytes): plainPending.append(contentsOf: bytes)
            case .end: plainEnded = true
            case .redraw, .timeout: continue
            }
        }
    }
}

/// The state of one entry being edited.
struct EditSession {
    let editor: LineEditor
    let prompt: String
    let continuation: String
    var buffer = EditBuffer()
    var decoder = KeyDecoder()
    /// The cursor's row in the drawn region (to move back to its top on redraw).
    var drawnCursorRow = 0
    /// The kill ring (Ctrl-Y yanks the newest).
    var killRing: [String] = []
    /// Whether the last key was a kill (consecutive kills join).
    var lastWasKill = false
    /// History walk: the index shown (entries.count: the line being typed), the prefix, and
    /// the line being typed before the walk began.
    var historyIndex: Int
    var historyPrefix: String?
    var typedLine = ""
    /// Tab pressed last (a second Tab lists the candidates).
    var lastWasTab = false
    /// Ctrl-R: the query and the entry matched.
    var search: (query: String, match: Int?, original: EditBuffer)?

    init(editor: LineEditor, prompt: String, continuation: String) {
        self.editor = editor
        self.prompt = prompt
        self.continuation = continuation
        historyIndex = editor.history.entries.count
    }

    /// Runs until the entry is done.
    mutating func run() -> ReadResult {
        redraw()
        while true {
            let wake = editor.terminal.read(timeout: decoder.isWaitingAfterEscape ? 50 : -1)
            var keys: [Key]
            switch wake {
            case .bytes(let bytes): keys = decoder.feed(bytes)
            case .timeout: keys = decoder.flushEscape()
            case .redraw:
                redraw()
                continue
            case .end:
                finish()
                return buffer.isEmpty ? .end : .line(buffer.text)
            }
            // Typed text that arrives in one read is inserted at once (one redraw).
            var typed = ""
            var index = 0
            while index < keys.count {
                if case .character(let c) = keys[index], search == nil {
                    typed.append(c)
                    index += 1
                    continue
                }
                if !typed.isEmpty {
                    insert(typed)
                    typed = ""
                }
                if let result = handle(keys[index]) { return result }
                index += 1
            }
            if !typed.isEmpty { insert(typed) }
            redraw()
        }
    }

    /// Inserts typed text.
    mutating func insert(_ text: String) {
        buffer.insert(text)
        lastWasKill = false
        lastWasTab = false
        historyPrefix = nil
    }

    /// Handles one key; returns a result when the entry is done.
    mutating func handle(_ key: Key) -> ReadResult? {
        if search != nil { return handleSearch(key) }
        let wasKill = lastWasKill
        let wasTab = lastWasTab
        lastWasKill = false
        lastWasTab = false
        if !Self.isHistoryKey(key) { historyPrefix = nil }
        switch key {
        case .character(let c): buffer.insert(String(c))
        case .paste(let text): buffer.insert(text)
        case .enter:
            if editor.isComplete(buffer.text) {
                finish()
                return .line(buffer.text)
            }
            buffer.insert("\n")
        case .tab: complete(secondPress: wasTab)
        case .backspace, .control("h"): buffer.deleteBackward()
        case .delete: buffer.deleteForward()
        case .control("d"):
            if buffer.isEmpty {
                finish()
                return .end
            }
            buffer.deleteForward()
        case .control("c"):
            search = nil
            buffer.moveTo(buffer.characters.count)
            redraw()
            editor.terminal.write("^C\r\n")
            drawnCursorRow = 0
            return .interrupted
        case .control("a"), .home: buffer.moveToLineStart()
        case .control("e"), .end: buffer.moveToLineEnd()
        case .control("b"), .left(control: false): buffer.moveTo(buffer.cursor - 1)
        case .control("f"), .right(control: false): buffer.moveTo(buffer.cursor + 1)
        case .alt("b"), .left(control: true): buffer.moveWordBackward()
        case .alt("f"), .right(control: true): buffer.moveWordForward()
        case .control("k"): kill(buffer.killToLineEnd(), append: wasKill, before: false)
        case .control("u"): kill(buffer.killToLineStart(), append: wasKill, before: true)
        case .control("w"): kill(buffer.killBlankWordBackward(), append: wasKill, before: true)
        case .altBackspace: kill(buffer.killWordBackward(), append: wasKill, before: true)
        case .alt("d"): kill(buffer.killWordForward(), append: wasKill, before: false)
        case .control("y"): if let text = killRing.last { buffer.insert(text) }
        case .control("t"): buffer.transpose()
        case .control("l"):
            editor.terminal.write("\u{1B}[H\u{1B}[2J")
            drawnCursorRow = 0
        case .control("z"):
            buffer.moveTo(buffer.characters.count)
            redraw()
            editor.terminal.write("\r\n")
            drawnCursorRow = 0
            editor.terminal.suspend()
        case .control("r"):
            search = (query: "", match: nil, original: buffer)
        case .up, .control("p"):
            if buffer.cursorOnFirstLine || key == .control("p") { historyStep(older: true) } else { _ = buffer.moveLine(up: true) }
        case .down, .control("n"):
            if buffer.cursorOnLastLine || key == .control("n") { historyStep(older: false) } else { _ = buffer.moveLine(up: false) }
        case .pageUp: historyStep(older: true)
        case .pageDown: historyStep(older: false)
        case .control, .alt, .escape, .unknown:
            break
        }
        return nil
    }

    /// Whether the key walks the history (keeps the walk's prefix).
    static func isHistoryKey(_ key: Key) -> Bool {
        switch key {
        case .up, .down, .control("p"), .control("n"), .pageUp, .pageDown: return true
        default: return false
        }
    }

    /// Keeps killed text (consecutive kills join into one ring entry).
    mutating func kill(_ text: String, append: Bool, before: Bool) {
        lastWasKill = true
        guard !text.isEmpty else { return }
        if append, let last = killRing.last {
            killRing[killRing.count - 1] = before ? text + last : last + text
        } else {
            killRing.append(text)
            if killRing.count > 16 { killRing.removeFirst() }
        }
    }

    /// Up/Down through the history, by the prefix typed before the walk began.
    mutating func historyStep(older: Bool) {
        let history = editor.history
        if historyPrefix == nil {
            if historyIndex == history.entries.count { typedLine = buffer.text }
            historyPrefix = historyIndex == history.entries.count ? buffer.text : ""
        }
        let prefix = historyPrefix ?? ""
        if older {
            guard let index = history.previous(before: historyIndex, prefix: prefix, current: buffer.text) else { return }
            historyIndex = index
            buffer.set(history.entries[index])
        } else {
            if let index = history.next(after: historyIndex, prefix: prefix, current: buffer.text) {
                historyIndex = index
                buffer.set(history.entries[index])
            } else {
                historyIndex = history.entries.count
                buffer.set(typedLine)
            }
        }
    }

    /// Tab: one candidate is inserted; several extend to their common prefix, and a second
    /// Tab lists them in columns.
    mutating func complete(secondPress: Bool) {
        guard let completion = editor.completion else { return }
        let result = completion(buffer.text, buffer.cursor)
        let candidates = result.candidates
        guard !candidates.isEmpty else { return }
        let from = min(max(result.replaceFrom, 0), buffer.cursor)
        let word = String(buffer.characters[from..<buffer.cursor])
        if candidates.count == 1, let only = candidates.first {
            replaceWord(from: from, with: only + (only.hasSuffix("(") || only.hasSuffix(".") || only.hasSuffix("/") ? "" : " "))
            return
        }
        let common = Self.commonPrefix(candidates)
        if common.count > word.count {
            replaceWord(from: from, with: common)
            lastWasTab = true
            return
        }
        if secondPress {
            listCandidates(candidates)
        } else {
            lastWasTab = true
        }
    }

    /// Replaces the text from `from` to the cursor.
    mutating func replaceWord(from: Int, with text: String) {
        let cursor = buffer.cursor
        var characters = buffer.characters
        characters.replaceSubrange(from..<cursor, with: Array(text))
        let after = buffer.characters.count - cursor
        buffer.set(String(characters))
        buffer.moveTo(buffer.characters.count - after)
    }

    /// Prints the candidates in columns under the entry, then the entry again.
    mutating func listCandidates(_ candidates: [String]) {
        let layout = currentLayout()
        var text = ""
        let down = layout.rows.count - 1 - layout.cursorRow
        if down > 0 { text += "\u{1B}[\(down)B" }
        text += "\r\n"
        let lines = ScreenLayout.columns(candidates, width: editor.terminal.columns)
        let shown = lines.prefix(100)
        text += shown.joined(separator: "\r\n") + "\r\n"
        if lines.count > shown.count { text += "(\(candidates.count) candidates, \(lines.count - shown.count) rows not shown)\r\n" }
        editor.terminal.write(text)
        drawnCursorRow = 0
    }

    /// The common prefix of strings.
    static func commonPrefix(_ strings: [String]) -> String {
        guard var prefix = strings.first.map({ Array($0) }) else { return "" }
        for string in strings.dropFirst() {
            let characters = Array(string)
            var n = 0
            while n < prefix.count && n < characters.count && prefix[n] == characters[n] { n += 1 }
            prefix.removeSubrange(n...)
        }
        return String(prefix)
    }

    // MARK: - Ctrl-R

    /// A key during a reverse search: text extends the query, Ctrl-R finds an older match,
    /// Backspace shortens, Ctrl-G or Ctrl-C cancels, Enter runs the match, anything else
    /// keeps the match and acts on it.
    mutating func handleSearch(_ key: Key) -> ReadResult? {
        guard var state = search else { return nil }
        let history = editor.history
        switch key {
        case .character(let c):
            state.query.append(c)
            state.match = history.search(state.query, atOrBefore: state.match ?? history.entries.count - 1)?.entry
        case .paste(let text):
            state.query += text
            state.match = history.search(state.query, atOrBefore: history.entries.count - 1)?.entry
        case .backspace, .control("h"):
            if !state.query.isEmpty { state.query.removeLast() }
            state.match = history.search(state.query, atOrBefore: history.entries.count - 1)?.entry
        case .control("r"):
            let from = (state.match ?? history.entries.count) - 1
            if from >= 0, let found = history.search(state.query, atOrBefore: from) { state.match = found.entry }
        case .control("g"), .control("c"):
            buffer = state.original
            search = nil
            return nil
        default:
            // The buffer holds the match with the cursor on it already.
            if let match = state.match { historyIndex = match }
            search = nil
            if key == .escape { return nil }
            return handle(key)
        }
        search = state
        if let match = state.match {
            buffer.set(history.entries[match])
            if let found = history.search(state.query, atOrBefore: match), found.entry == match {
                buffer.moveTo(found.offset)
            }
        }
        return nil
    }

    // MARK: - Drawing

    /// The layout of the entry as it stands.
    func currentLayout() -> ScreenLayout {
        let text = buffer.text
        var styles: [TextStyle?] = []
        if search == nil, let highlighter = editor.highlighter {
            styles = Array(repeating: nil, count: buffer.characters.count)
            for run in highlighter(text) {
                let lower = max(0, run.range.lowerBound), upper = min(styles.count, run.range.upperBound)
                if lower < upper { for i in lower..<upper { styles[i] = run.style } }
            }
        }
        let shownPrompt: String
        if let search {
            let failed = !search.query.isEmpty && search.match == nil
            shownPrompt = "(\(failed ? "failed " : "")reverse-i-search)'\(search.query)': "
        } else {
            shownPrompt = prompt
        }
        return ScreenLayout(
            prompt: shownPrompt, continuation: continuation, promptStyle: editor.promptStyle,
            characters: buffer.characters, styles: styles, cursor: buffer.cursor, width: editor.terminal.columns)
    }

    /// Draws the entry anew over the last drawing.
    mutating func redraw() {
        let layout = currentLayout()
        var text = "\u{1B}[?25l"
        if drawnCursorRow > 0 { text += "\u{1B}[\(drawnCursorRow)A" }
        text += "\r\u{1B}[J"
        text += layout.rows.joined(separator: "\r\n")
        let up = layout.rows.count - 1 - layout.cursorRow
        if up > 0 { text += "\u{1B}[\(up)A" }
        text += "\r"
        if layout.cursorColumn > 0 { text += "\u{1B}[\(layout.cursorColumn)C" }
        text += "\u{1B}[?25h"
        editor.terminal.write(text)
        drawnCursorRow = layout.cursorRow
    }

    /// Leaves the cursor below the entry, drawn without the search prompt.
    mutating func finish() {
        search = nil
        buffer.moveTo(buffer.characters.count)
        redraw()
        editor.terminal.write("\r\n")
        drawnCursorRow = 0
    }
}
