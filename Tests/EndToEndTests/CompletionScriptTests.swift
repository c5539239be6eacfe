import Foundation
import Testing

/// The completion scripts of `Release/completions`, driven in the real shells under tmux: the
/// shell's Tab asks `sift --complete` and completes as the REPL does. bash always; zsh and fish
/// when they are installed.
@Suite(.serialized, .enabled(if: TmuxSession.isAvailable))
struct CompletionScriptTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let scripts = root.appendingPathComponent("Release/completions")
    static let binDirectory = URL(fileURLWithPath: SiftProcess.binary).deletingLastPathComponent().path

    static func installed(_ shell: String) -> Bool {
        ["/usr/bin/", "/bin/", "/usr/local/bin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + shell) }
    }

    /// A shell in tmux with the completion script loaded; the prompt is `READY> `.
    func shell(_ name: String) throws -> TmuxSession {
        let home = try SiftProcess.temporaryDirectory()
        let command: String
        let setup: String
        switch name {
        case "bash":
            command = "bash --norc --noprofile -i"
            setup = "source \(Self.scripts.path)/sift.bash; PS1='READY> '"
        case "zsh":
            command = "zsh -f"
            setup = "autoload -U compinit && compinit -u; source \(Self.scripts.path)/sift.zsh; compdef _sift sift; PS1='READY> '"
        default:
            command = "fish --no-config"
            setup = "source \(Self.scripts.path)/sift.fish; function fish_prompt; echo -n 'READY> '; end"
        }
        let session = try TmuxSession(command: "env PATH=\(Self.binDirectory):/usr/bin:/bin HOME=\(home.path) TERM=xterm-256color \(command)", home: home)
        Thread.sleep(forTimeInterval: 0.5)
        try session.type(setup)
        try session.send("Enter")
        try session.waitFor { $0.contains("READY> ") }
        try session.send("C-l")
        return session
    }

    /// Types a line, presses Tab, and returns the prompt line once it changed.
    func complete(_ session: TmuxSession, _ typed: String, expecting: String) throws -> String {
        try session.type(typed)
        try session.send("Tab")
        let screen = try session.waitFor { $0.contains(expecting) }
        let line = screen.split(separator: "\n").last { $0.hasPrefix("READY> ") } ?? ""
        try session.send("C-u")
        return String(line)
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func tabAsksSiftForTheCandidates(shell name: String) throws {
        guard Self.installed(name) else { return }
        let db = try Fixture.database()
        let session = try shell(name)
        defer { session.close() }
        // In a quoted line (the usual way), a property of the kind in scope.
        let quoted = try complete(session, "sift --db \(db) 'search is(access_key) and last_a", expecting: "last_access")
        #expect(quoted.hasPrefix("READY> sift --db \(db) 'search is(access_key) and last_access"), "\(quoted)")
        // A kind inside is( and a command at the start.
        let kind = try complete(session, "sift 'search is(aws_iam_acc", expecting: "aws_iam_access_key")
        #expect(kind.hasPrefix("READY> sift 'search is(aws_iam_access_key"), "\(kind)")
        let command = try complete(session, "sift 'sea", expecting: "search")
        #expect(command.hasPrefix("READY> sift 'search"), "\(command)")
        // Options of sift itself.
        let option = try complete(session, "sift --ver", expecting: "--version")
        #expect(option.hasPrefix("READY> sift --version"), "\(option)")
    }

    @Test func completeOptionPrintsTheREPLCandidates() throws {
        let db = try Fixture.database()
        let result = try SiftProcess.run(["--db", db, "--complete", "search is(access_key) and last_a"])
        #expect(result.status == 0)
        #expect(result.stdout == "last_access\n")
        let kinds = try SiftProcess.run(["--complete", "search is(acc"])
        #expect(kinds.stdout == "access_key\naccount\n")
        // Completing never creates a database.
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("sift-none-\(UUID().uuidString).db").path
        #expect(try SiftProcess.run(["--db", missing, "--complete", "jobs show "]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
