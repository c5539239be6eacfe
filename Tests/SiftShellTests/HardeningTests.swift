import Foundation
import SiftStore
import Testing
@testable import SiftShell

/// Inputs from issue 13 through the shell: each ends with a clear error, never a crash or a hang.
@Suite struct HardeningTests {
    let directory: URL
    let databasePath: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sift-harden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        databasePath = directory.appendingPathComponent("graph.sqlite").path
        let store = try GraphStore(path: databasePath)
        var nodes = [Node(id: "111111111111", kind: "aws_account", name: "prod")]
        for index in 0..<10 {
            nodes.append(Node(id: "AIDA\(index)", kind: "aws_iam_user", name: String(repeating: "a", count: 2_000)))
        }
        nodes.append(Node(id: "AIDALONG", kind: "aws_iam_user", name: String(repeating: "a", count: 20_000)))
        nodes.append(Node(id: "AIDAX", kind: "aws_iam_user", name: String(repeating: "a", count: 40)))
        try store.replaceSubgraph(Subgraph(name: "111111111111", nodes: nodes,
                                           edges: nodes.dropFirst().map { Edge(from: "111111111111", to: $0.id) }))
    }

    /// The first line of an error on stderr (the source line and a caret follow it).
    static func errorLine(_ err: String) -> String {
        String(err.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
    }

    /// Runs one line in a fresh shell; returns whether it succeeded, its stdout and stderr.
    func run(_ line: String, databasePath: String? = nil) async throws -> (ok: Bool, out: String, err: String) {
        let outPath = directory.appendingPathComponent("out-\(UUID().uuidString)").path
        let errPath = directory.appendingPathComponent("err-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let context = ShellContext(
            options: ShellOptions(databasePath: databasePath ?? self.databasePath),
            out: OutputWriter(descriptor: outHandle.fileDescriptor), err: OutputWriter(descriptor: errHandle.fileDescriptor),
            environment: [:])
        let ok = await Shell(context: context).run(line: line)
        context.out.flush()
        context.err.flush()
        try outHandle.close()
        try errHandle.close()
        return (ok, try String(contentsOfFile: outPath, encoding: .utf8), try String(contentsOfFile: errPath, encoding: .utf8))
    }

    @Test func catastrophicRegexAnswers() async throws {
        let result = try await run(#"search name =~ "(a*)*b" | count"#)
        #expect(result.ok)
        #expect(result.out == "total matched: 0\ntotal unmatched: 0\n")
        let dollar = try await run(#"search name =~ "(.*)*x$" | count"#)
        #expect(dollar.out == "total matched: 0\ntotal unmatched: 0\n")
    }

    @Test func invalidPatternIsPlaced() async throws {
        let result = try await run(#"search name =~ "a(b" | count"#)
        #expect(!result.ok)
        #expect(Self.errorLine(result.err) == "error at 1:17: invalid regular expression \"a(b\" for 'name' at character 4: missing ')' for the '(' at character 2")
    }

    @Test func queryTimeout() async throws {
        await #expect(try run("config set query_timeout=1s").ok)
        // Each match takes about a second in a debug build: ten of them pass the limit.
        let result = try await run(#"search id != AIDALONG and name =~ "[a-z]{0,1000}x" | count"#)
        #expect(!result.ok)
        #expect(Self.errorLine(result.err) == "error at 1:8: query timed out after 1 s (config query_timeout)")
        await #expect(try run("config set query_timeout=-1s").err.contains("'-1s' is not a duration"))
    }

    @Test func importAndGenerateStopAtTheTimeLimitAndChangeNothing() async throws {
        let database = directory.appendingPathComponent("limits.db").path
        #expect(try await run("config set query_timeout=1s", databasePath: database).ok)
        // 400,000 nodes: several seconds to import or generate in a debug build.
        let file = directory.appendingPathComponent("big.ndjson").path
        var text = ""
        text.reserveCapacity(400_000 * 64)
        for index in 0..<400_000 { text += #"{"id":"n\#(index)","reported":{"kind":"aws_iam_user","name":"u\#(index)"}}"# + "\n" }
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        let imported = try await run("import \(file)", databasePath: database)
        #expect(!imported.ok)
        #expect(Self.errorLine(imported.err) == "error: import: timed out after 1 s (config query_timeout); nothing was imported", "\(imported.err)")
        let generated = try await run("generate --accounts 20 --users 10000", databasePath: database)
        #expect(!generated.ok)
        #expect(Self.errorLine(generated.err) == "error: generate: timed out after 1 s (config query_timeout); nothing was written", "\(generated.err)")
        #expect(try await run("search all | count", databasePath: database).out == "total matched: 0\ntotal unmatched: 0\n")
    }

    @Test func costlyMatchIsAnErrorNotANo() async throws {
        let result = try await run(#"search id == AIDALONG and name =~ "[a-z]{0,1000}x" | count"#)
        #expect(!result.ok)
        #expect(Self.errorLine(result.err) == "error at 1:8: regular expression too costly on a value of 20000 characters (more than 10000000 steps)")
    }

    @Test func sqliteSizeErrorsAreOneLine() async throws {
        let nested = "all " + String(repeating: "with(any, --> ", count: 30) + "all" + String(repeating: ")", count: 30)
        let result = try await run("search \(nested) | count")
        #expect(!result.ok)
        #expect(Self.errorLine(result.err) == "error at 1:8: query too complex for SQLite (parser stack overflow): simplify the nesting or split the query")
    }

    @Test func deepInputIsAnError() async throws {
        let result = try await run("parse " + String(repeating: "(", count: 3000) + "all" + String(repeating: ")", count: 3000))
        #expect(!result.ok)
        #expect(result.err.hasPrefix("error at 1:39: query nested too deeply"))
    }

    @Test func jobsAddRefusesABadLine() async throws {
        let unknownKind = try await run("jobs add --id bad 'search is(acces_key) | count'")
        #expect(!unknownKind.ok)
        #expect(Self.errorLine(unknownKind.err) == "error at 1:30: jobs add: the job's line does not run: unknown kind 'acces_key' (did you mean access_key?)")
        let deep = try await run("jobs add --id deep 'search " + String(repeating: "(", count: 3000) + "all" + String(repeating: ")", count: 3000) + "'")
        #expect(deep.err.hasPrefix("error at 1:60: jobs add: the job's line does not run: query nested too deeply"))
        let command = try await run("jobs add --id typo 'serch all'")
        #expect(command.err.hasPrefix("error at 1:21: jobs add: the job's line does not run: unknown command 'serch'"))
        await #expect(try run("jobs add --id good 'search is(user) | count'").ok)
        let list = try await run("jobs list")
        #expect(list.out.contains("good:") && !list.out.contains("bad") && !list.out.contains("deep") && !list.out.contains("typo"))
    }

    @Test func configSetIsCheckedForSenseAndPlaced() async throws {
        let grace = try await run("config set cleanup=true cleanup_grace=0s")
        #expect(!grace.ok)
        #expect(grace.err.hasPrefix("error at 1:39: config set: 'cleanup_grace=0s': cleanup_grace must be at least 1h, not 0s"))
        await #expect(try run("config set --force cleanup_grace=0s").out == "cleanup_grace = 0s\n")
        await #expect(try run("config set clenup=true").err.hasPrefix("error at 1:12: config set: 'clenup=true': unknown config key"))
        let cron = try await run("jobs add --id never --schedule '0 0 31 2 *' 'search all | count'")
        #expect(Self.errorLine(cron.err) == "error at 1:32: jobs add: cron schedule '0 0 31 2 *' never fires: day 31 of the month does not occur in feb")
        await #expect(try run("jobs add --id weekly --schedule '0 9 * * MON-SUN' 'search all | count'").ok)
    }

    @Test func checkReportsArePrivate() async throws {
        let path = directory.appendingPathComponent("report.txt").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644])
        await #expect(try run("check run --output \(path)").ok)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("iam.unused_access_keys"))
    }

    @Test func anImpossibleDatabasePathIsOneLine() async throws {
        let result = try await run("search all", databasePath: "/proc/nonexistent/x.db")
        #expect(!result.ok)
        #expect(result.err == "error: cannot open database /proc/nonexistent/x.db: cannot create directory /proc/nonexistent: No such file or directory\n")
    }
}
