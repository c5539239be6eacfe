import Foundation
import Testing
@testable import LineEditing

/// A pseudo-terminal pair: the editor reads and writes the secondary side; the test types
/// into the primary side and reads what the editor drew.
final class PseudoTerminal: @unchecked Sendable {
    let primary: Int32
    let secondary: Int32
    private let lock = NSLock()
    private var received: [UInt8] = []
    private var reader: Thread?
    private var stopped = false

    init(columns: UInt16 = 80, rows: UInt16 = 24) throws {
        // posix_openpt/grantpt/unlockpt are not visible from Swift's Glibc module: the same
        // through /dev/ptmx and its ioctls (TIOCSPTLCK to unlock, TIOCGPTN for the number).
        primary = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard primary >= 0, ioctl(primary, 0x4004_5431, &unlock) == 0, ioctl(primary, 0x8004_5430, &number) == 0 else {
            throw PTYError(message: "no pseudo-terminal")
        }
        secondary = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        guard secondary >= 0 else { throw PTYError(message: "cannot open /dev/pts/\(number)") }
        resize(columns: columns, rows: rows)
        let thread = Thread { [weak self] in self?.drain() }
        reader = thread
        thread.start()
    }

    struct PTYError: Error { let message: String }

    /// Sets the window size (the kernel sends SIGWINCH to the foreground group, not to us:
    /// tests that resize also raise SIGWINCH).
    func resize(columns: UInt16, rows: UInt16) {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(primary, UInt(TIOCSWINSZ), &size)
    }

    /// Reads everything the editor writes, so its writes never block.
    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var fds = [pollfd(fd: primary, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 1, 100)
            lock.lock()
            let done = stopped
            lock.unlock()
            if done { return }
            guard ready > 0 else { continue }
            let count = read(primary, &buffer, buffer.count)
            if count <= 0 { return }
            lock.lock()
            received.append(contentsOf: buffer[0..<count])
            lock.unlock()
        }
    }

    /// Types bytes.
    func type(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBufferPointer { write(primary, $0.baseAddress, $0.count) }
    }

    /// Everything drawn so far.
    var output: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: received, as: UTF8.self)
    }

    /// Waits until the output contains a text (at most 5 s).
    @discardableResult
    func waitFor(_ text: String) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if output.contains(text) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    /// The terminal's modes as `stty -g` would compare them.
    func modes() -> [UInt8] {
        var t = termios()
        _ = tcgetattr(secondary, &t)
        return withUnsafeBytes(of: &t) { Array($0) }
    }

    func close() {
        lock.lock()
        stopped = true
        lock.unlock()
        while reader?.isFinished == false { Thread.sleep(forTimeInterval: 0.01) }
        _ = Foundation.close(secondary)
        _ = Foundation.close(primary)
    }
}

/// A history kept in memory.
final class MemoryHistory: HistoryStore, @unchecked Sendable {
    var entries: [String]
    init(_ entries: [String]) { self.entries = entries }
    func load() -> [String] { entries }
    func append(_ entry: String) -> Bool {
        guard !entry.contains("secret") else { return false }
        entries.append(entry)
        return true
    }
}

/// Runs one `readLine` on a pseudo-terminal while keys are typed.
func edit(
    _ keys: [String], history: [String] = [], columns: UInt16 = 80, waitBetween: String? = nil,
    configure: (LineEditor) -> Void = { _ in }
) throws -> (result: ReadResult, output: String, modesKept: Bool) {
    let pty = try PseudoTerminal(columns: columns)
    defer { pty.close() }
    let before = pty.modes()
    nonisolated(unsafe) let editor = LineEditor(input: pty.secondary, output: pty.secondary, historyStore: MemoryHistory(history), environment: ["TERM": "xterm"])
    configure(editor)
    let box = ResultBox()
    let thread = Thread {
        box.set(editor.readLine(prompt: "sift> ", continuationPrompt: "...> "))
    }
    thread.start()
    pty.waitFor("sift> ")
    for key in keys {
        pty.type(key)
        // Let each key be read on its own (as typing does), so sequences are not merged.
        Thread.sleep(forTimeInterval: 0.02)
    }
    let deadline = Date().addingTimeInterval(5)
    while box.get() == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    let result = try #require(box.get(), "readLine did not return; output: \(pty.output)")
    return (result, pty.output, pty.modes() == before)
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: ReadResult?
    func set(_ v: ReadResult) { lock.lock(); value = v; lock.unlock() }
    func get() -> ReadResult? { lock.lock(); defer { lock.unlock() }; return value }
}

let esc = "\u{1B}"

/// The editor under a real pseudo-terminal: each group of keys, modes given back.
@Suite(.serialized)
struct PTYEditorTests {
    @Test func typingAndEnterGiveTheLineAndTheModesBack() throws {
        let run = try edit(["search all", "\r"])
        #expect(run.result == .line("search all"))
        #expect(run.modesKept)
        #expect(run.output.contains("\u{1B}[?2004h") && run.output.contains("\u{1B}[?2004l"))
    }

    @Test func ctrlMovesAndDeletes() throws {
        // Ctrl-A, Ctrl-E, Ctrl-B, Ctrl-F, Ctrl-D, Ctrl-H
        var run = try edit(["bcd", "\u{1}", "a", "\u{5}", "e", "\u{2}\u{2}", "\u{4}", "\u{6}", "\u{8}", "X", "\r"])
        #expect(run.result == .line("abcX"))
        // Ctrl-K, Ctrl-U, Ctrl-Y, Ctrl-W, Ctrl-T
        run = try edit(["one two three", "\u{17}", "\u{19}", "\u{19}", "\r"])
        #expect(run.result == .line("one two threethree"))
        run = try edit(["hello world", "\u{1}", "\u{6}\u{6}\u{6}\u{6}\u{6}", "\u{b}", "\u{1}", "\u{19}", "\r"])
        #expect(run.result == .line(" worldhello"))
        run = try edit(["abc def", "\u{2}\u{2}\u{2}", "\u{15}", "\r"])
        #expect(run.result == .line("def"))
        run = try edit(["teh", "\u{2}", "\u{14}", "\r"])
        #expect(run.result == .line("the"))
        // Ctrl-L clears the screen and redraws.
        run = try edit(["abc", "\u{c}", "\r"])
        #expect(run.result == .line("abc"))
        #expect(run.output.contains("\u{1B}[2J"))
    }

    @Test func altKeysHomeEndDeleteAndArrows() throws {
        // Alt-B, Alt-F, Alt-D, Alt-Backspace
        var run = try edit(["alpha beta gamma", "\(esc)b", "\(esc)b", "\(esc)d", "\r"])
        #expect(run.result == .line("alpha  gamma"))
        run = try edit(["alpha beta gamma", "\(esc)\u{7F}", "\r"])
        #expect(run.result == .line("alpha beta "))
        run = try edit(["alpha beta", "\(esc)[H", "\(esc)f", "!", "\r"])
        #expect(run.result == .line("alpha! beta"))
        // Home, End, Delete, Left, Right, Ctrl-Left, Ctrl-Right.
        run = try edit(["abc", "\(esc)[H", "\(esc)[3~", "\(esc)[F", "Z", "\(esc)[D", "\(esc)[D", "<", "\(esc)[C", ">", "\r"])
        #expect(run.result == .line("b<c>Z"))
        run = try edit(["one two three", "\(esc)[1;5D", "\(esc)[1;5D", "^", "\(esc)[1;5C", "$", "\r"])
        #expect(run.result == .line("one ^two$ three"))
    }

    @Test func ctrlCDropsTheLineAndCtrlDOnAnEmptyLineEnds() throws {
        var run = try edit(["search is(user", "\u{3}"])
        #expect(run.result == .interrupted)
        #expect(run.output.contains("^C"))
        #expect(run.modesKept)
        run = try edit(["\u{4}"])
        #expect(run.result == .end)
        #expect(run.modesKept)
    }

    @Test func multiLineEntryIsOneBuffer() throws {
        let run = try edit(["search is(user) and (name == a", "\r", "or name == b)", "\(esc)[A", "\u{5}", "X", "\r"]) { editor in
            editor.isComplete = { text in text.filter { $0 == "(" }.count == text.filter { $0 == ")" }.count }
        }
        #expect(run.result == .line("search is(user) and (name == aX\nor name == b)"))
        #expect(run.output.contains("...> "))
    }

    @Test func historyUpDownByPrefixAndCtrlR() throws {
        let history = ["search is(user)", "count", "search is(access_key)", "help"]
        var run = try edit(["\(esc)[A", "\(esc)[A", "\r"], history: history)
        #expect(run.result == .line("search is(access_key)"))
        run = try edit(["sea", "\(esc)[A", "\(esc)[A", "\r"], history: history)
        #expect(run.result == .line("search is(user)"))
        run = try edit(["sea", "\(esc)[A", "\(esc)[B", "\r"], history: history)
        #expect(run.result == .line("sea"))
        // Ctrl-R finds the newest match, Ctrl-R again an older one, Enter takes it.
        run = try edit(["\u{12}", "is(", "\u{12}", "\r"], history: history)
        #expect(run.result == .line("search is(user)"))
        #expect(run.output.contains("reverse-i-search)'is(': "))
        // Ctrl-G gives the line back as it was.
        run = try edit(["mine", "\u{12}", "count", "\u{7}", "\r"], history: history)
        #expect(run.result == .line("mine"))
        // A movement key keeps the match for editing.
        run = try edit(["\u{12}", "is(u", "\(esc)[D", "!", "\r"], history: history)
        #expect(run.result == .line("search! is(user)"))
    }

    @Test func bracketedPasteIsInsertedNotRun() throws {
        let run = try edit(["\(esc)[200~search all\rcount\rhelp\(esc)[201~", "X", "\r"])
        #expect(run.result == .line("search all\ncount\nhelpX"))
    }

    @Test func tabCompletesAndASecondTabListsInColumns() throws {
        let candidates = ["last_access", "last_update", "last_used", "name"]
        var run = try edit(["search la", "\t", "\t", "us", "\t", "\r"]) { editor in
            editor.completion = { text, cursor in
                let start = (text.prefix(cursor).lastIndex(of: " ").map { text.distance(from: text.startIndex, to: $0) + 1 }) ?? 0
                let word = String(Array(text)[start..<cursor])
                return Completions(replaceFrom: start, candidates: candidates.filter { $0.hasPrefix(word) })
            }
        }
        #expect(run.result == .line("search last_used "), "\(run.output)")
        #expect(run.output.contains("last_access  last_update  last_used"))
        run = try edit(["zz", "\t", "\r"]) { editor in
            editor.completion = { _, cursor in Completions(replaceFrom: cursor, candidates: []) }
        }
        #expect(run.result == .line("zz"))
    }

    @Test func wideCharactersEditedInTheMiddle() throws {
        // CJK and an emoji with a skin tone (two scalars typed apart), then edits in the middle.
        let run = try edit(["名前 == ", "👍", "🏽", " 表", "\(esc)[D", "\(esc)[D", "\u{7F}", "x", "\(esc)[D", "\(esc)[D", "\(esc)[3~", "\r"])
        #expect(run.result == .line("名前 ==x 表"))
        // Two columns for each wide character: `sift> 名前 == 👍🏽 表` ends at column 19; Left
        // over 表 gives 17, over the blank 16; after the edits the cursor stands at 13.
        for column in [19, 17, 16, 14, 15, 13] {
            #expect(run.output.contains("\r\u{1B}[\(column)C"), "column \(column)")
        }
    }

    @Test func resizeRedrawsForTheNewWidth() throws {
        let pty = try PseudoTerminal(columns: 40)
        defer { pty.close() }
        nonisolated(unsafe) let editor = LineEditor(input: pty.secondary, output: pty.secondary, environment: ["TERM": "xterm"])
        let box = ResultBox()
        let thread = Thread { box.set(editor.readLine(prompt: "sift> ", continuationPrompt: "...> ")) }
        thread.start()
        pty.waitFor("sift> ")
        pty.type(String(repeating: "a", count: 30))
        pty.waitFor(String(repeating: "a", count: 30))
        pty.resize(columns: 20, rows: 24)
        let mark = pty.output.count
        kill(getpid(), SIGWINCH)
        let deadline = Date().addingTimeInterval(5)
        // Redrawn for 20 columns: the first row holds the prompt and 14 a's, then a line break.
        while !String(pty.output.dropFirst(mark)).contains("sift> " + String(repeating: "a", count: 14) + "\r\n") && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(String(pty.output.dropFirst(mark)).contains("sift> " + String(repeating: "a", count: 14) + "\r\n" + String(repeating: "a", count: 16)), "\(pty.output)")
        pty.type("\r")
        while box.get() == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(box.get() == .line(String(repeating: "a", count: 30)))
    }

    @Test func highlighterStylesAreDrawn() throws {
        let run = try edit(["search x", "\r"]) { editor in
            editor.highlighter = { text in text.hasPrefix("search") ? [HighlightRun(0..<6, .boldBlue)] : [] }
        }
        #expect(run.output.contains("\u{1B}[1;34msearch\u{1B}[0m"))
    }

    @Test func historyStoreRefusesSecrets() throws {
        let store = MemoryHistory([])
        let editor = LineEditor(input: -1, output: -1, historyStore: store, environment: [:])
        #expect(editor.addHistory("search all"))
        #expect(!editor.addHistory("config set secret=x"))
        #expect(editor.history.entries == ["search all"])
        #expect(store.entries == ["search all"])
    }

    @Test func offATerminalLinesAreReadPlainly() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        let text = "search all\r\nsearch 'a\nb'\nlast"
        _ = Array(text.utf8).withUnsafeBufferPointer { write(fds[1], $0.baseAddress, $0.count) }
        _ = Foundation.close(fds[1])
        let devnull = open("/dev/null", O_WRONLY)
        defer { _ = Foundation.close(devnull); _ = Foundation.close(fds[0]) }
        let editor = LineEditor(input: fds[0], output: devnull, environment: ["TERM": "xterm"])
        editor.isComplete = { $0.filter { $0 == "'" }.count % 2 == 0 }
        #expect(!editor.isInteractive)
        #expect(editor.readLine(prompt: "> ", continuationPrompt: ". ") == .line("search all"))
        #expect(editor.readLine(prompt: "> ", continuationPrompt: ". ") == .line("search 'a\nb'"))
        #expect(editor.readLine(prompt: "> ", continuationPrompt: ". ") == .line("last"))
        #expect(editor.readLine(prompt: "> ", continuationPrompt: ". ") == .end)
    }

    @Test func aDumbTerminalIsReadPlainly() throws {
        let pty = try PseudoTerminal()
        defer { pty.close() }
        let editor = LineEditor(input: pty.secondary, output: pty.secondary, environment: ["TERM": "dumb"])
        #expect(!editor.isInteractive)
    }
}
