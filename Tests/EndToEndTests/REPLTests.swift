import Foundation
import Testing

/// A sift REPL running in a detached tmux session: a real pseudo-terminal.
final class TmuxSession {
    let name: String
    let home: URL

    /// Starts `sift --db DB` in a new session with its own HOME (so its history file is private).
    init(db: String, home: URL? = nil, noColor: Bool = false) throws {
        name = "sift-test-\(UUID().uuidString.prefix(8))"
        self.home = try home ?? SiftProcess.temporaryDirectory()
        let colour = noColor ? "NO_COLOR=1" : "-u NO_COLOR"
        let command = "env \(colour) HOME=\(self.home.path) XDG_STATE_HOME=\(self.home.path)/state TERM=xterm-256color \(SiftProcess.binary) --db \(db)"
        try Self.tmux(["new-session", "-d", "-s", name, "-x", "200", "-y", "50", command])
    }

    /// Runs any command in a new session (HOME is only recorded).
    init(command: String, home: URL) throws {
        name = "sift-test-\(UUID().uuidString.prefix(8))"
        self.home = home
        try Self.tmux(["new-session", "-d", "-s", name, "-x", "200", "-y", "50", command])
    }

    /// Starts an interactive bash (no rc files) in a new session with its own HOME, for tests
    /// that run sift from a shell (job control, `stty -g` before and after).
    init(shellIn home: URL, columns: Int = 120) throws {
        name = "sift-test-\(UUID().uuidString.prefix(8))"
        self.home = home
        let command = "env -u NO_COLOR HOME=\(home.path) XDG_STATE_HOME=\(home.path)/state TERM=xterm-256color PS1='$ ' bash --norc --noprofile -i"
        try Self.tmux(["new-session", "-d", "-s", name, "-x", String(columns), "-y", "50", command])
    }

    /// Whether tmux is installed.
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/tmux")
    }

    /// Runs a tmux command with posix_spawn and waitpid. (Foundation's Process would wait for
    /// the tmux server that `new-session` forks, which inherits its exit-detection descriptor.)
    @discardableResult
    static func tmux(_ arguments: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("sift-tmux-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let target = arguments.first == "new-session" ? "/dev/null" : outputPath
        posix_spawn_file_actions_addopen(&actions, 1, target, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = (["tmux"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The tmux server and the shells it starts must not inherit this thread's blocked signals.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        guard posix_spawnp(&pid, "tmux", &actions, &attributes, argv, environ) == 0 else {
            throw Fixture.FixtureError(message: "cannot run tmux")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// Types keys (tmux key names such as `Enter`, `Tab`, `Up`, `C-c`, `C-d`, or literal text).
    func send(_ keys: String...) throws {
        try Self.tmux(["send-keys", "-t", name + ":"] + keys)
    }

    /// Types text literally.
    func type(_ text: String) throws {
        try Self.tmux(["send-keys", "-t", name + ":", "-l", text])
    }

    /// The screen's text.
    func screen() throws -> String {
        try Self.tmux(["capture-pane", "-p", "-t", name + ":"])
    }

    /// The screen's text with its colour escapes.
    func styledScreen() throws -> String {
        try Self.tmux(["capture-pane", "-p", "-e", "-t", name + ":"])
    }

    /// Waits until the screen satisfies the condition (or the timeout passes); returns the screen.
    @discardableResult
    func waitFor(timeout: TimeInterval = 10, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var text = try screen()
        while !condition(text) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            text = try screen()
        }
        return text
    }

    /// How many times a text occurs on the screen.
    func occurrences(of text: String, in screen: String) -> Int {
        screen.components(separatedBy: text).count - 1
    }

    /// Whether the session (the sift process) is still running.
    var isRunning: Bool {
        (try? Self.tmux(["list-sessions", "-F", "#{session_name}"]).contains(name)) ?? false
    }

    func close() {
        _ = try? Self.tmux(["kill-session", "-t", name])
    }
}

/// The interactive shell under a real pseudo-terminal.
@Suite(.serialized, .enabled(if: TmuxSession.isAvailable))
struct REPLTests {
    @Test func typingAQueryShowsTheResult() throws {
        let db = try Fixture.database()
        let session = try TmuxSession(db: db)
        defer { session.close() }
        try session.waitFor { $0.contains("sift>") }
        try session.type("search is(user) | count")
        try session.send("Enter")
        let screen = try session.waitFor { $0.contains("total unmatched: 0") }
        #expect(screen.contains("total matched: 5"))
        // A bad line: an error with its position, and the shell goes on.
        try session.type("search is(user) | cont")
        try session.send("Enter")
        try session.waitFor { $0.contains("unknown command") }
        try session.type("search is(cloud) | format {id}-ok")
        try session.send("Enter")
        let after = try session.waitFor { $0.contains("aws-ok") }
        #expect(after.contains("error at 1:19: unknown command 'cont' (did you mean 'count'?)"))
        #expect(after.contains("aws-ok"))
        // Ctrl-D leaves.
        try session.send("C-d")
        let deadline = Date().addingTimeInterval(5)
        while session.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!session.isRunning)
    }

    @Test func colourOnlyOnATerminalAndNeverWithNoColor() throws {
        let db = try Fixture.database()
        for noColor in [false, true] {
            let session = try TmuxSession(db: db, noColor: noColor)
            defer { session.close() }
            try session.waitFor { $0.contains("sift>") }
            try session.type("search is(cloud)")
            try session.send("Enter")
            try session.waitFor { $0.contains("last_access") }
            let styled = try session.styledScreen()
            #expect(styled.contains("\u{1B}[1mkind") == !noColor, "\(styled)")
        }
        // On a pipe there is never colour.
        let piped = try SiftProcess.run(["--db", db, "search is(cloud)"], environment: ["NO_COLOR": ""])
        #expect(!piped.stdout.contains("\u{1B}["))
    }

    @Test func tabCompletesAKind() throws {
        let db = try Fixture.database()
        let session = try TmuxSession(db: db)
        defer { session.close() }
        try session.waitFor { $0.contains("sift>") }
        try session.type("search is(aws_iam_acc")
        try session.send("Tab")
        let completed = try session.waitFor { $0.contains("search is(aws_iam_access_key") }
        #expect(completed.contains("sift> search is(aws_iam_access_key"))
        try session.type(") | count")
        try session.send("Enter")
        let screen = try session.waitFor { $0.contains("total unmatched") }
        #expect(screen.contains("total matched: 5"))
        // Commands complete at the start of a pipeline segment.
        try session.type("search all | cou")
        try session.send("Tab")
        let command = try session.waitFor { $0.contains("search all | count") }
        #expect(command.contains("sift> search all | count"))
    }

    @Test func upRecallsHistoryAcrossSessionsButNeverSecrets() throws {
        let db = try Fixture.database()
        let session = try TmuxSession(db: db)
        try session.waitFor { $0.contains("sift>") }
        try session.type("search is(cloud) | format {id}-first")
        try session.send("Enter")
        try session.waitFor { $0.contains("aws-first") }
        try session.type("help # password=hunter2")
        try session.send("Enter")
        try session.waitFor { $0.contains("usage") || $0.contains("Commands") }
        try session.send("C-d")
        Thread.sleep(forTimeInterval: 0.5)
        session.close()

        let history = try String(contentsOfFile: session.home.path + "/state/sift/history", encoding: .utf8)
        #expect(history.contains("first"))
        #expect(!history.contains("hunter2"))

        let again = try TmuxSession(db: db, home: session.home)
        defer { again.close() }
        try again.waitFor { $0.contains("sift>") }
        try again.send("Up")
        let recalled = try again.waitFor { $0.contains("sift> search is(cloud) | format {id}-first") }
        #expect(recalled.contains("sift> search is(cloud) | format {id}-first"))
        try again.send("Enter")
        let screen = try again.waitFor { $0.contains("aws-first") }
        #expect(screen.contains("aws-first"))
    }

    @Test func multiLineInputContinues() throws {
        let db = try Fixture.database()
        let session = try TmuxSession(db: db)
        defer { session.close() }
        try session.waitFor { $0.contains("sift>") }
        try session.type("search is(user) and (name == nancy")
        try session.send("Enter")
        try session.waitFor { $0.contains("...>") }
        try session.type("or name == fresh) | count")
        try session.send("Enter")
        let screen = try session.waitFor { $0.contains("total unmatched") }
        #expect(screen.contains("total matched: 2"))
    }

    @Test func ctrlCCancelsARunningQueryAndKeepsTheShell() throws {
        let directory = try SiftProcess.temporaryDirectory()
        let db = directory.appendingPathComponent("big.db").path
        let generated = try SiftProcess.run(["--db", db, "generate --accounts 1 --users 3000 --seed 3"])
        #expect(generated.status == 0)
        let session = try TmuxSession(db: db)
        defer { session.close() }
        try session.waitFor { $0.contains("sift>") }
        // Ctrl-C at the prompt drops the line being typed.
        try session.type("search is(user")
        try session.send("C-c")
        try session.waitFor { $0.contains("^C") }
        // Every node's whole neighbourhood, for every node: quadratic, runs for a long time,
        // and its rows stream: the first ones are on the screen long before it ends.
        try session.type("search all with(count >= 1, <-[0:]-> all) | format row-{id}")
        try session.send("Enter")
        let streaming = try session.waitFor { $0.contains("row-") }
        #expect(streaming.contains("row-"))
        Thread.sleep(forTimeInterval: 1)
        // Still running: the last line is a row, not a new prompt.
        let lastLine = try session.screen().split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(lastLine?.hasPrefix("row-") == true, "\(lastLine ?? "")")
        let started = Date()
        try session.send("C-c")
        let screen = try session.waitFor(timeout: 10) { $0.contains("interrupted") }
        #expect(screen.contains("error: interrupted"))
        #expect(Date().timeIntervalSince(started) < 5)
        try session.type("search is(cloud) | format {id}-alive")
        try session.send("Enter")
        let after = try session.waitFor { $0.contains("aws-alive") }
        #expect(after.contains("aws-alive"))
    }
}
