import Foundation
import Testing

/// The REPL's editor in a real terminal (tmux), driven as a person would: completion from the
/// live model, the candidate list, Ctrl-R, a bracketed paste, a resize, wide characters, and the
/// terminal's modes (`stty -g`) the same before and after a normal exit, Ctrl-C during a long
/// query, Ctrl-Z and `fg`, and SIGTERM.
@Suite(.serialized, .enabled(if: TmuxSession.isAvailable))
struct REPLTerminalTests {
    /// A session at the prompt on the fixture database.
    func session() throws -> TmuxSession {
        let session = try TmuxSession(db: try Fixture.database())
        try session.waitFor { $0.contains("sift>") }
        return session
    }

    /// The screen row that holds the prompt, last.
    func promptLine(_ screen: String) -> String {
        String(screen.split(separator: "\n").last { $0.hasPrefix("sift> ") } ?? "")
    }

    @Test func tabCompletesAPropertyOfTheKindInScope() throws {
        let session = try session()
        defer { session.close() }
        try session.type("search is(access_key) and last_a")
        try session.send("Tab")
        let screen = try session.waitFor { self.promptLine($0).contains("last_access") }
        #expect(promptLine(screen) == "sift> search is(access_key) and last_access")
        // `access_key_status` is an access key's property, not a user's: in scope only for keys.
        try session.send("C-u")
        try session.type("search is(user) and access_key_s")
        try session.send("Tab")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(promptLine(try session.screen()) == "sift> search is(user) and access_key_s")
    }

    @Test func aSecondTabListsTheCandidatesInColumns() throws {
        let session = try session()
        defer { session.close() }
        try session.type("search is(access_key) and last_")
        try session.send("Tab")
        try session.send("Tab")
        let screen = try session.waitFor { $0.contains("last_update") }
        let listing = screen.split(separator: "\n").first { $0.contains("last_access") && $0.contains("last_update") }
        #expect(listing != nil, "\(screen)")
        // The entry is drawn again under the list, as it was.
        #expect(promptLine(screen) == "sift> search is(access_key) and last_")
        // Subcommands and flags complete too.
        try session.send("C-u")
        try session.type("check run --sev")
        try session.send("Tab")
        let flag = try session.waitFor { self.promptLine($0).contains("--severity") }
        #expect(promptLine(flag) == "sift> check run --severity")
    }

    @Test func ctrlRFindsAnEarlierLine() throws {
        let session = try session()
        defer { session.close() }
        try session.type("search is(cloud) | format {id}-one")
        try session.send("Enter")
        try session.waitFor { $0.contains("aws-one") }
        try session.type("search is(user) | count")
        try session.send("Enter")
        try session.waitFor { $0.contains("total matched") }
        try session.send("C-r")
        try session.type("{id}-one")
        let found = try session.waitFor { $0.contains("(reverse-i-search)'{id}-one': search is(cloud) | format {id}-one") }
        #expect(found.contains("(reverse-i-search)'{id}-one': search is(cloud) | format {id}-one"))
        try session.send("Enter")
        let ran = try session.waitFor { $0.components(separatedBy: "aws-one").count == 3 }
        #expect(ran.components(separatedBy: "aws-one").count == 3)
    }

    @Test func aBracketedPasteOfThreeLinesIsInsertedNotRun() throws {
        let session = try session()
        defer { session.close() }
        try TmuxSession.tmux(["set-buffer", "-b", "sift-paste", "search is(cloud) |\nformat {id}-pasted\n# third line\n"])
        try TmuxSession.tmux(["paste-buffer", "-p", "-d", "-b", "sift-paste", "-t", session.name + ":"])
        Thread.sleep(forTimeInterval: 0.5)
        let pasted = try session.screen()
        // Nothing ran: the three lines stand in the entry, under the continuation prompt.
        #expect(!pasted.contains("aws-pasted"), "\(pasted)")
        #expect(pasted.contains("sift> search is(cloud) |"))
        #expect(pasted.contains("...> format {id}-pasted"))
        #expect(pasted.contains("...> # third line"))
        try session.send("BSpace")
        try session.send("Enter")
        let ran = try session.waitFor { $0.contains("aws-pasted") }
        #expect(ran.contains("aws-pasted"))
    }

    @Test func aResizeRedrawsTheEntryForTheNewWidth() throws {
        let session = try session()
        defer { session.close() }
        let long = "search is(user) and name == " + String(repeating: "x", count: 60)
        try session.type(long)
        try session.waitFor { $0.contains("xxxxxxxxxx") }
        try TmuxSession.tmux(["resize-window", "-t", session.name + ":", "-x", "40", "-y", "30"])
        let screen = try session.waitFor { $0.contains("sift> search is(user) and name == xxxxxx\n") }
        // 40 columns: the prompt and 34 characters, then the rest on the following rows.
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
        let first = try #require(rows.firstIndex { $0.hasPrefix("sift> search") })
        #expect(rows[first] == "sift> search is(user) and name == xxxxxx")
        #expect(rows[first + 1] == Substring(String(repeating: "x", count: 40)))
        #expect(rows[first + 2] == Substring(String(repeating: "x", count: 14)))
        // Typing goes on at the right place.
        try session.type("y")
        let typed = try session.waitFor { $0.contains(String(repeating: "x", count: 14) + "y") }
        #expect(typed.contains(String(repeating: "x", count: 14) + "y"))
    }

    @Test func cjkAndEmojiEditedInTheMiddle() throws {
        let session = try session()
        defer { session.close() }
        try session.type("search name == \"名前😀テスト\" | count")
        try session.waitFor { $0.contains("| count") }
        // Back over ` | count"` and three wide characters, then delete one and type there.
        for _ in 0..<(9 + 3) { try session.send("Left") }
        try session.send("BSpace")
        try session.type("ß表")
        let screen = try session.waitFor { self.promptLine($0).contains("ß表") }
        #expect(promptLine(screen) == "sift> search name == \"名前ß表テスト\" | count")
        try session.send("End")
        try session.type(" name")
        let end = try session.waitFor { self.promptLine($0).hasSuffix("count name") }
        #expect(promptLine(end) == "sift> search name == \"名前ß表テスト\" | count name")
    }

    /// The last line with text on the screen.
    func lastLine(_ screen: String) -> String {
        String(screen.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "")
    }

    /// Runs sift from bash with `stty -g` saved before and after; `during` acts while sift runs.
    func modesAroundARun(db: String, _ during: (TmuxSession) throws -> Void) throws -> (before: String, after: String, screen: String) {
        let home = try SiftProcess.temporaryDirectory()
        let session = try TmuxSession(shellIn: home)
        defer { session.close() }
        try session.waitFor { self.lastLine($0) == "$" }
        let before = home.appendingPathComponent("before").path, after = home.appendingPathComponent("after").path
        try session.type("stty -g > \(before); \(SiftProcess.binary) --db \(db); status=$?; stty -g > \(after); echo DO''NE-$status")
        try session.send("Enter")
        try session.waitFor { $0.contains("sift>") }
        try during(session)
        // (The typed line says DO''NE so that only the echo matches.)
        let screen = try session.waitFor(timeout: 15) { $0.contains("DONE-") }
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return (read(before), read(after), screen)
    }

    @Test func modesAreGivenBackAfterAFailingCommandAndANormalExit() throws {
        let run = try modesAroundARun(db: try Fixture.database()) { session in
            try session.type("search is(user) | count")
            try session.send("Enter")
            try session.waitFor { $0.contains("total matched") && self.lastLine($0) == "sift>" }
            // A command that fails on the way.
            try session.type("search is(user) and")
            try session.send("Enter")
            try session.waitFor { $0.contains("error at") && self.lastLine($0) == "sift>" }
            try session.send("C-d")
        }
        #expect(!run.before.isEmpty)
        #expect(run.before == run.after)
        #expect(run.screen.contains("DONE-0"))
    }

    @Test func modesAreGivenBackAfterCtrlCDuringALongQueryAndAfterCtrlZAndFg() throws {
        let directory = try SiftProcess.temporaryDirectory()
        let db = directory.appendingPathComponent("big.db").path
        #expect(try SiftProcess.run(["--db", db, "generate --accounts 1 --users 3000 --seed 3"]).status == 0)
        let run = try modesAroundARun(db: db) { session in
            try session.type("search all with(count >= 1, <-[0:]-> all) | format row-{id}")
            try session.send("Enter")
            try session.waitFor { $0.contains("row-") }
            try session.send("C-c")
            try session.waitFor { $0.contains("interrupted") }
            try session.send("C-l")
            try session.waitFor { self.lastLine($0) == "sift>" && !$0.contains("interrupted") }
            // Ctrl-Z at the prompt stops sift and gives bash the terminal; fg brings it back.
            try session.type("search is(cloud) | format {id}")
            try session.send("C-z")
            let stopped = try session.waitFor { $0.contains("Stopped") }
            #expect(stopped.contains("Stopped"))
            try session.type("stty -g > \(directory.path)/stopped; fg")
            try session.send("Enter")
            try session.waitFor { $0.contains("sift> search is(cloud) | format {id}") }
            try session.type(" back")
            try session.send("Enter")
            try session.waitFor { $0.contains("aws back") && self.lastLine($0) == "sift>" }
            try session.send("C-d")
            // (bash went on with the rest of the line when sift stopped: the modes are read again here.)
            try session.waitFor { self.lastLine($0) == "$" }
            try session.type("stty -g > \(directory.path)/final; echo FIN''AL")
            try session.send("Enter")
            try session.waitFor { $0.contains("FINAL") }
        }
        #expect(run.before == run.after)
        let stopped = try String(contentsOfFile: directory.path + "/stopped", encoding: .utf8)
        let final = try String(contentsOfFile: directory.path + "/final", encoding: .utf8)
        #expect(stopped == run.before)
        #expect(final == run.before)
        // Stopped (148) while the rest of the line ran.
        #expect(run.screen.contains("DONE-148"))
    }

    @Test func theLineIsHighlightedAsItIsTypedButNeverWithNoColor() throws {
        let db = try Fixture.database()
        for noColor in [false, true] {
            let session = try TmuxSession(db: db, noColor: noColor)
            defer { session.close() }
            try session.waitFor { $0.contains("sift>") }
            try session.type("search is(user) and )")
            try session.waitFor { self.promptLine($0).hasSuffix("and )") }
            let styled = try session.styledScreen()
            let line = styled.split(separator: "\n").last { $0.contains("and") } ?? ""
            // tmux re-encodes the styles; what matters is that the typed text carries some.
            #expect(line.contains("\u{1B}[") == !noColor, "\(line)")
        }
    }

    @Test(arguments: [(SIGTERM, 143), (SIGHUP, 129)])
    func modesAreGivenBackAfterASignalAtThePrompt(signal: Int32, status: Int) throws {
        let db = try Fixture.database()
        let run = try modesAroundARun(db: db) { session in
            try session.type("search is(user")
            try session.waitFor { self.promptLine($0) == "sift> search is(user" }
            try Self.signal(signal, processWithArgument: db)
        }
        #expect(run.before == run.after)
        #expect(run.screen.contains("DONE-\(status)"))
    }

    /// Sends a signal to the sift process whose command line names `argument`.
    static func signal(_ signal: Int32, processWithArgument argument: String) throws {
        let entries = try FileManager.default.contentsOfDirectory(atPath: "/proc")
        var sent = 0
        for entry in entries {
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if words.first?.hasSuffix("/sift") == true && words.contains(argument) {
                kill(pid, signal)
                sent += 1
            }
        }
        #expect(sent == 1)
    }
}
