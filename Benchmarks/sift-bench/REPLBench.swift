import Foundation
import LineEditing
import SiftShell
import SiftStore

/// REPL figures: the cost of one keystroke on a 2,000-character line (highlight + layout in
/// process, and the whole round trip through a pseudo-terminal to the real `sift`), and the
/// time from starting `sift --db BIG` on a terminal to its first prompt on 1,000,000 nodes.
///
/// Run: `swift build -c release --product sift && swift run -c release sift-bench repl [--nodes N] [--keys K]`.
enum REPLBench {
    static func run(_ arguments: [String]) throws {
        var nodes = 1_000_000
        var keys = 200
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--nodes": nodes = Int(arguments[index + 1]) ?? nodes; index += 2
            case "--keys": keys = Int(arguments[index + 1]) ?? keys; index += 2
            default: index += 1
            }
        }
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let sift = directory.appendingPathComponent("sift").path
        guard FileManager.default.isExecutableFile(atPath: sift) else {
            throw ShellBench.BenchError("build sift first: swift build -c release --product sift (looked for \(sift))")
        }
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first ?? "?"
        print("REPL figures (load average \(load))")

        // A 2,000-character query line, as a long hand-written query.
        var line = "search is(access_key) and last_access > 90days"
        var term = 0
        while line.count < 2_000 {
            line += " and (name == \"user-\(term)\" or access_key_status == \"Inactive\" or age < \(term % 30)d)"
            term += 1
        }
        line = String(line.prefix(2_000))

        // In process: what the editor does for each key on that line.
        let kinds = KindModel.builtin
        let highlighter = Highlighter(commands: Set(CommandRegistry.standard.specs.map(\.name)), kinds: Set(kinds.kindNames), properties: Set(kinds.propertyNames))
        let characters = Array(line)
        let rounds = 500
        var costs: [Double] = []
        for round in 0..<(rounds + 20) {
            let start = DispatchTime.now().uptimeNanoseconds
            let runs = highlighter.runs(line)
            var styles = [LineEditing.TextStyle?](repeating: nil, count: characters.count)
            for run in runs { for i in run.range where i < styles.count { styles[i] = run.style } }
            let layout = ScreenLayout(prompt: "sift> ", continuation: "...> ", promptStyle: .bold, characters: characters, styles: styles, cursor: round % characters.count, width: 120)
            let text = layout.rows.joined(separator: "\r\n")
            if round >= 20 { costs.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }  // 20 warm-up rounds
            if text.isEmpty { print("empty") }
        }
        print(String(format: "  keystroke in process (highlight + layout + redraw text), 2,000 chars: median %.3f ms, p95 %.3f ms (goal < 2 ms)",
                     percentile(costs, 0.5), percentile(costs, 0.95)))

        // Through a pseudo-terminal: the real sift, a key typed, until its redraw is written.
        let db = try ShellBench.database(nodes: nodes, sift: sift)
        var starts: [Double] = []
        for _ in 0..<5 {
            let session = try PTYChild(program: sift, arguments: ["--db", db], columns: 120)
            starts.append(session.waitFor("sift> ", timeout: 30) ?? .nan)
            session.stop()
        }
        print(String(format: "  start to first prompt, %d nodes: median of 5 %.1f ms (goal < 60 ms)", nodes, percentile(starts, 0.5) * 1000))

        let session = try PTYChild(program: sift, arguments: ["--db", db], columns: 120)
        defer { session.stop() }
        _ = session.waitFor("sift> ", timeout: 30)
        session.type("\u{1B}[200~" + line + "\u{1B}[201~")
        _ = session.waitForRedraws(1, timeout: 10)
        var latencies: [Double] = []
        for k in 0..<keys {
            // Alternate an insertion in the middle of the line with a cursor move.
            let start = DispatchTime.now().uptimeNanoseconds
            session.type(k % 2 == 0 ? "\u{1B}[D" : "x")
            guard session.waitForRedraws(1, timeout: 5) != nil else { break }
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        print(String(format: "  keystroke round trip through a pty (key written -> redraw read), %d keys: median %.3f ms, p95 %.3f ms",
                     latencies.count, percentile(latencies, 0.5), percentile(latencies, 0.95)))
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.filter { !$0.isNaN }.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}

/// A child process on a pseudo-terminal, for the REPL figures.
final class PTYChild {
    let primary: Int32
    let pid: pid_t
    let started = DispatchTime.now().uptimeNanoseconds
    var received: [UInt8] = []
    var redraws = 0

    init(program: String, arguments: [String], columns: UInt16) throws {
        primary = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard primary >= 0, ioctl(primary, 0x4004_5431, &unlock) == 0, ioctl(primary, 0x8004_5430, &number) == 0 else {
            throw ShellBench.BenchError("no pseudo-terminal")
        }
        var size = winsize(ws_row: 50, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(primary, UInt(TIOCSWINSZ), &size)
        let secondary = "/dev/pts/\(number)"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        for fd in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, fd, secondary, O_RDWR, 0) }
        posix_spawn_file_actions_addclose(&actions, primary)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm-256color"
        environment["XDG_STATE_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("sift-bench-repl-state").path
        environment.removeValue(forKey: "NO_COLOR")
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        guard posix_spawn(&child, program, &actions, nil, argv, envp) == 0 else { throw ShellBench.BenchError("cannot start \(program)") }
        posix_spawn_file_actions_destroy(&actions)
        pid = child
    }

    func type(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBufferPointer { write(primary, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Reads until `text` has appeared; the seconds since start, or nil after the timeout.
    func waitFor(_ text: String, timeout: Double) -> Double? {
        let needle = Array(text.utf8)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            if received.count >= needle.count, contains(needle) {
                return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            }
            guard readSome(until: deadline) else { return nil }
        }
        return nil
    }

    /// Reads until `count` more redraws (each ends by showing the cursor) have been written.
    func waitForRedraws(_ count: Int, timeout: Double) -> Void? {
        let target = redraws + count
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        while redraws < target {
            guard readSome(until: deadline) else { return nil }
        }
        return ()
    }

    private func contains(_ needle: [UInt8]) -> Bool {
        guard received.count >= needle.count else { return false }
        for start in 0...(received.count - needle.count) where received[start] == needle[0] {
            if Array(received[start..<(start + needle.count)]) == needle { return true }
        }
        return false
    }

    private func readSome(until deadline: UInt64) -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now < deadline else { return false }
        var fds = [pollfd(fd: primary, events: Int16(POLLIN), revents: 0)]
        guard poll(&fds, 1, Int32((deadline - now) / 1_000_000) + 1) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = read(primary, &buffer, buffer.count)
        guard n > 0 else { return false }
        let chunk = buffer[0..<n]
        // "\e[?25h" ends each redraw.
        let marker: [UInt8] = [0x1B, 0x5B, 0x3F, 0x32, 0x35, 0x68]
        let joined = Array(received.suffix(5)) + chunk
        if joined.count >= marker.count {
            for start in 0...(joined.count - marker.count) where joined[start] == 0x1B && Array(joined[start..<(start + 6)]) == marker {
                redraws += 1
            }
        }
        received += chunk
        return true
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(primary)
    }
}
