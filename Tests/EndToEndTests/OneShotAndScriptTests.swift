import Foundation
import Testing

/// The binary run once, with scripts, with standard input: outputs and exit statuses.
@Suite(.serialized)
struct OneShotAndScriptTests {
    @Test func walkthroughCountByOwner() throws {
        let db = try Fixture.database()
        let result = try SiftProcess.run(["--db", db, "search is(access_key) and last_access > 90days <-- is(user) | count name"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        // nancy's old key, ccm-sa's never-used key (counted from creation), jenkins' old key.
        #expect(result.stdout == """
            ccm-sa: 1
            jenkins: 1
            nancy: 1
            total matched: 3
            total unmatched: 0

            """)
    }

    @Test func wordsAreJoinedIntoOneLine() throws {
        let db = try Fixture.database()
        let result = try SiftProcess.run(["--db", db, "search", "is(user)", "|", "count"])
        #expect(result.status == 0)
        #expect(result.stdout == "total matched: 5\ntotal unmatched: 0\n")
    }

    @Test func countByPathWithUnmatched() throws {
        let db = try Fixture.database()
        let result = try SiftProcess.run(["--db", db, "search is(user) | count tags.owner"])
        #expect(result.stdout == "sec: 1\ntotal matched: 1\ntotal unmatched: 4\n")
    }

    @Test func sidDbFromEnvironment() throws {
        let db = try Fixture.database()
        let result = try SiftProcess.run(["search is(account) | count"], environment: ["SIFT_DB": db])
        #expect(result.stdout == "total matched: 1\ntotal unmatched: 0\n")
    }

    @Test func xdgDefaultDatabaseIsCreatedPrivately() throws {
        let home = try SiftProcess.temporaryDirectory()
        let result = try SiftProcess.run(
            ["search all | count"],
            environment: ["SIFT_DB": "", "XDG_DATA_HOME": home.path + "/data", "HOME": home.path])
        #expect(result.status == 0)
        let db = home.path + "/data/sift/sift.db"
        let attributes = try FileManager.default.attributesOfItem(atPath: db)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let directory = try FileManager.default.attributesOfItem(atPath: home.path + "/data/sift")
        #expect((directory[.posixPermissions] as? Int) == 0o700)
    }

    @Test func listFormatsAreExact() throws {
        let db = try Fixture.database()
        let query = "search is(access_key) and name in [nancy, jenkins] sort id"
        let csv = try SiftProcess.run(["--db", db, "\(query) | list --csv id, name, access_key_status as status, account"])
        #expect(csv.stdout == """
            id,name,status,account
            AKIAJENKINS1,jenkins,Inactive,prod
            AKIANANCY1,nancy,Active,prod
            AKIANANCY2,nancy,Active,prod

            """)
        let ndjson = try SiftProcess.run(["--db", db, "\(query) | list --ndjson id, /ancestors.account.reported.id as account_id"])
        #expect(ndjson.stdout == """
            {"account_id":"111111111111","id":"AKIAJENKINS1"}
            {"account_id":"111111111111","id":"AKIANANCY1"}
            {"account_id":"111111111111","id":"AKIANANCY2"}

            """)
        let markdown = try SiftProcess.run(["--db", db, "\(query) | list --markdown id, name | head -1"])
        #expect(markdown.stdout == "| id | name |\n| --- | --- |\n| AKIAJENKINS1 | jenkins |\n")
        let json = try SiftProcess.run(["--db", db, "\(query) | list --json id | tail 2"])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: String]]
        #expect(parsed == [["id": "AKIANANCY1"], ["id": "AKIANANCY2"]])
    }

    @Test func defaultListHasAlignedColumns() throws {
        let db = try Fixture.database()
        let result = try SiftProcess.run(["--db", db, "search is(access_key) and name == ccm-sa"])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("kind                id        name    age   last_access  account"))
        #expect(lines[1].hasPrefix("aws_iam_access_key  AKIACCM1  ccm-sa  400d  never        prod"))
    }

    @Test func formatTemplateUniqHeadTail() throws {
        let db = try Fixture.database()
        let names = try SiftProcess.run(["--db", db, "search is(access_key) sort name | format \"{name}\" | uniq"])
        #expect(names.stdout == "ccm-sa\nfresh\njenkins\nnancy\n")
        let template = try SiftProcess.run(["--db", db, "search id(AKIANANCY1) | format \"{id}: {access_key_status} {missing} {{x}}\""])
        #expect(template.stdout == "AKIANANCY1: Active null {x}\n")
        let head = try SiftProcess.run(["--db", db, "search is(user) sort name | format {name} | head -2"])
        #expect(head.stdout == "ccm-sa\nfresh\n")
        let tail = try SiftProcess.run(["--db", db, "search is(user) sort name | tail -2 | format {name}"])
        #expect(tail.stdout == "nancy\nnokeys\n")
        let sortLimit = try SiftProcess.run(["--db", db, "search is(user) | sort name desc | limit 1, 2 | format {name}"])
        #expect(sortLimit.stdout == "nancy\njenkins\n")
    }

    @Test func formatJSONAndYAMLAndDump() throws {
        let db = try Fixture.database()
        let json = try SiftProcess.run(["--db", db, "search id(AIDANANCY) | format --json"])
        let array = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(array?.count == 1)
        #expect((array?.first?["reported"] as? [String: Any])?["name"] as? String == "nancy")
        let ndjson = try SiftProcess.run(["--db", db, "search is(user) | format --ndjson"])
        #expect(ndjson.stdout.split(separator: "\n").count == 5)
        let yaml = try SiftProcess.run(["--db", db, "search id(AIDANANCY) | format --yaml"])
        #expect(yaml.stdout.contains("- desired: {}\n  id: AIDANANCY\n"))
        #expect(yaml.stdout.contains("    tags:\n      owner: sec\n"))
        let dump = try SiftProcess.run(["--db", db, "search id(AIDANANCY) | dump"])
        #expect(dump.stdout.hasPrefix("{\n  \"desired\": {},\n  \"id\": \"AIDANANCY\","))
    }

    @Test func cleanProtectUnprotect() throws {
        let db = try Fixture.database()
        let clean = try SiftProcess.run([
            "--db", db,
            "search is(access_key) and last_access > 90days and name not in [jenkins, ci] | clean \"unused for 90 days\"",
        ])
        #expect(clean.status == 0)
        #expect(clean.stdout.contains("AKIANANCY1"))
        #expect(clean.stdout.contains("AKIACCM1"))
        #expect(!clean.stdout.contains("AKIAJENKINS1"))
        #expect(clean.stdout.hasSuffix("marked for cleanup: 2 nodes\n"))
        let marked = try SiftProcess.run(["--db", db, "search /desired.clean == true sort id | format \"{id} {/desired.clean_reason}\""])
        #expect(marked.stdout == "AKIACCM1 unused for 90 days\nAKIANANCY1 unused for 90 days\n")
        _ = try SiftProcess.run(["--db", db, "search id(AKIACCM1) | protect"])
        let protected = try SiftProcess.run(["--db", db, "search /metadata.protected == true | format {id}"])
        #expect(protected.stdout == "AKIACCM1\n")
        _ = try SiftProcess.run(["--db", db, "search id(AKIACCM1) | unprotect"])
        let none = try SiftProcess.run(["--db", db, "search /metadata.protected == true | count"])
        #expect(none.stdout.hasPrefix("total matched: 0"))
        let history = try SiftProcess.run(["--db", db, "history --since 1h"])
        #expect(history.stdout.contains("node_marked"))
    }

    @Test func parseExplainKindsHelp() throws {
        let db = try Fixture.database()
        let parse = try SiftProcess.run(["--db", db, "parse is(user)   and name==x -[1:3]-> all"])
        #expect(parse.stdout == "is(user) and name == x -[1:3]-> all\n")
        let explain = try SiftProcess.run(["--db", db, "explain is(access_key) and age > 1yr"])
        #expect(explain.status == 0)
        #expect(explain.stdout.contains("SELECT"))
        let kinds = try SiftProcess.run(["--db", db, "kinds access_key"])
        #expect(kinds.stdout.contains("aws_iam_access_key"))
        let help = try SiftProcess.run(["--db", db, "help count"])
        #expect(help.stdout.hasPrefix("usage: count [path]\n"))
        let all = try SiftProcess.run(["--db", db, "help"])
        for command in ["search", "count", "list", "clean", "import", "export", "generate"] {
            #expect(all.stdout.contains("  " + command))
        }
    }

    @Test func semicolonsRunInOrder() throws {
        let db = try Fixture.database()
        let result = try SiftProcess.run(["--db", db, "search is(account) | format {name} ; search is(cloud) | format {name}"])
        #expect(result.stdout == "prod\naws\n")
    }

    @Test func scriptFileWithCommentsAndContinuations() throws {
        let db = try Fixture.database()
        let directory = try SiftProcess.temporaryDirectory()
        let script = directory.appendingPathComponent("count.sift")
        try """
            #!/usr/bin/env -S sift -f
            # users by name
            search is(user) \\
              and name in [nancy, fresh] | count name   # trailing comment

            search is(account) | format "{name}"
            """.write(to: script, atomically: true, encoding: .utf8)
        let result = try SiftProcess.run(["--db", db, "-f", script.path])
        #expect(result.status == 0)
        #expect(result.stdout == "fresh: 1\nnancy: 1\ntotal matched: 2\ntotal unmatched: 0\nprod\n")
    }

    @Test func shebangScriptRuns() throws {
        let db = try Fixture.database()
        let directory = try SiftProcess.temporaryDirectory()
        // `env -S sift -f` finds sift on PATH.
        let binDirectory = URL(fileURLWithPath: SiftProcess.binary).deletingLastPathComponent().path
        let script = directory.appendingPathComponent("run.sift")
        try "#!/usr/bin/env -S sift -f\nsearch is(cloud) | format {id}\n".write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        let process = Process()
        process.executableURL = script
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = binDirectory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["SIFT_DB"] = db
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: data, as: UTF8.self) == "aws\n")
    }

    @Test func scriptFromStandardInput() throws {
        let db = try Fixture.database()
        let result = try SiftProcess.run(["--db", db], stdin: "search is(cloud) | format {id}\nsearch is(account) | format {id}\n")
        #expect(result.status == 0)
        #expect(result.stdout == "aws\n111111111111\n")
    }

    @Test func scriptStopsAtFirstFailureUnlessKeepGoing() throws {
        let db = try Fixture.database()
        let script = "search is(cloud) | format {id}\nserch all\nsearch is(account) | format {id}\n"
        let stopped = try SiftProcess.run(["--db", db, "-f", "-"], stdin: script)
        #expect(stopped.status == 1)
        #expect(stopped.stdout == "aws\n")
        #expect(stopped.stderr == "<stdin>:2:1: unknown command 'serch' (did you mean 'search'?)\n  serch all\n  ^\n")
        let kept = try SiftProcess.run(["--db", db, "--keep-going"], stdin: script)
        #expect(kept.status == 1)
        #expect(kept.stdout == "aws\n111111111111\n")
    }

    @Test func versionNamesTheReleaseTheCommitAndSQLite() throws {
        let flag = try SiftProcess.run(["--version"])
        #expect(flag.status == 0)
        #expect(flag.stdout.hasPrefix("sift 0."))
        #expect(flag.stdout.contains("(commit ") && !flag.stdout.contains("(commit )"))
        #expect(flag.stdout.contains(", SQLite 3."))
        let command = try SiftProcess.run(["--db", try Fixture.database(), "version"])
        #expect(command.status == 0)
        #expect(command.stdout == flag.stdout)
    }

    /// The REPL's line editor is Sift's own: the binary links no libedit, readline, ncurses or
    /// tinfo, and no source includes their headers.
    @Test func noLineEditingLibraryIsLinked() throws {
        let ldd = try SiftProcess.runProgram("/usr/bin/ldd", [SiftProcess.binary])
        #expect(ldd.status == 0)
        #expect(ldd.stdout.contains("libsqlite3"))
        for library in ["libedit", "libreadline", "libncurses", "libtinfo"] {
            #expect(!ldd.stdout.contains(library), "\(library) is linked")
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sources = FileManager.default.enumerator(atPath: root.appendingPathComponent("Sources").path)
        var files = 0
        while let file = sources?.nextObject() as? String {
            guard file.hasSuffix(".swift") || file.hasSuffix(".h") || file.hasSuffix(".c") || file.hasSuffix(".modulemap") else { continue }
            files += 1
            let text = try String(contentsOfFile: root.appendingPathComponent("Sources/" + file).path, encoding: .utf8)
            #expect(!text.contains("histedit" + ".h") && !text.contains("readline" + "/readline.h"), "\(file)")
        }
        #expect(files > 50)
    }

    /// The man page comes from the same declarations as --help and `help`, and renders
    /// without warnings.
    @Test func manPageHasEveryCommandAndOptionAndRendersCleanly() throws {
        let man = try SiftProcess.run(["--man"])
        #expect(man.status == 0)
        #expect(man.stdout.hasPrefix(".TH SIFT 1 "))
        let help = try SiftProcess.run(["--db", try Fixture.database(), "help"])
        for line in help.stdout.split(separator: "\n") where line.hasPrefix("  ") {
            let name = line.split(separator: " ").first.map(String.init) ?? ""
            #expect(man.stdout.contains(".B " + name.replacingOccurrences(of: "-", with: "\\-")), "\(name)")
        }
        let usage = try SiftProcess.run(["--help"])
        for option in ["--db", "--keep-going", "--profile", "--endpoint", "--version", "--complete", "--man"] {
            #expect(usage.stdout.contains(option), "\(option)")
            #expect(man.stdout.contains(option.replacingOccurrences(of: "-", with: "\\-")), "\(option)")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/man") else { return }
        let page = FileManager.default.temporaryDirectory.appendingPathComponent("sift-\(UUID().uuidString).1")
        try man.stdout.write(to: page, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: page) }
        let rendered = try SiftProcess.runProgram("/usr/bin/man", ["--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", page.path], environment: ["LC_ALL": "C.UTF-8", "MANWIDTH": "80"])
        #expect(rendered.status == 0)
        #expect(rendered.stderr == "", "\(rendered.stderr)")
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try SiftProcess.run(["--bogus"]).status == 2)
        #expect(try SiftProcess.run(["--db"]).status == 2)
        #expect(try SiftProcess.run(["-f", "/nonexistent/script.sift"]).status == 2)
        let both = try SiftProcess.run(["-f", "x.sift", "search all"])
        #expect(both.status == 2)
        let help = try SiftProcess.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--db"))
    }

    /// Every bad line gives one error line with its position on stderr, then the line and a
    /// caret under the spot (on a pipe too, as in CI logs), exit status 1, and the next line
    /// of the script still runs (the shell stays usable).
    @Test(arguments: [
        ("serch all", "1:1: unknown command 'serch' (did you mean 'search'?)"),
        ("search all | list --cvs", "1:19: list: unknown flag '--cvs' (did you mean '--csv'? see 'help list')"),
        ("check run --sevrity HIGH", "1:11: check run: unknown flag '--sevrity' (did you mean '--severity'?"),
        ("check run --severity", "1:11: check run: --severity needs a value"),
        ("jobs runn x", "1:6: jobs: unknown subcommand 'runn', did you mean 'run'?"),
        ("search is(user) and", "1:20: unexpected end of query"),
        ("search is(acces_key)", "1:11: unknown kind 'acces_key' (did you mean access_key?)"),
        ("search name == \"abc | count", "1:16: unterminated double quote"),
        ("search all |", "1:12: '|' leads into nothing"),
        ("| count", "1:1: empty command before '|'"),
        ("count name", "1:1: 'count' needs search results"),
        ("search all | head -x", "1:19: head: unknown flag '-x'"),
        ("help | count", "1:8: 'help' produces no search results"),
    ])
    func badLines(line: String, expected: String) throws {
        let db = try Fixture.database()
        let oneShot = try SiftProcess.run(["--db", db, line])
        #expect(oneShot.status == 1)
        #expect(oneShot.stdout == "")
        #expect(oneShot.stderr.hasPrefix("error at " + expected), "\(oneShot.stderr)")
        let lines = oneShot.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines[3].isEmpty)
        #expect(lines.count > 2 && lines[1] == "  " + line)
        let column = Int(expected.split(separator: ":")[1]) ?? 0
        #expect(lines.count > 2 && lines[2] == "  " + String(repeating: " ", count: column - 1) + "^")
        let script = try SiftProcess.run(["--db", db, "--keep-going"], stdin: line + "\nsearch is(cloud) | format {id}\n")
        #expect(script.status == 1)
        #expect(script.stdout == "aws\n")
        #expect(script.stderr.hasPrefix("<stdin>:" + expected), "\(script.stderr)")
    }

    @Test func exportImportRoundTrip() throws {
        let db = try Fixture.database()
        let first = try SiftProcess.run(["--db", db, "export -"])
        #expect(first.status == 0)
        let directory = try SiftProcess.temporaryDirectory()
        let copy = directory.appendingPathComponent("copy.db").path
        let imported = try SiftProcess.run(["--db", copy, "import -"], stdin: first.stdout)
        #expect(imported.status == 0)
        let second = try SiftProcess.run(["--db", copy, "export -"])
        #expect(second.stdout == first.stdout)
    }
}
