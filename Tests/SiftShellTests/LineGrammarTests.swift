import Foundation
import SiftQuery
import Testing
@testable import SiftShell

/// The line grammar: pipelines, quoting, comments, continuations, raw text, errors with columns.
struct LineGrammarTests {
    func parse(_ text: String) throws -> [PipelineSyntax] {
        try LineGrammar.parse(text)
    }

    func error(_ text: String) -> LineSyntaxError? {
        do {
            _ = try LineGrammar.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func pipesAndSemicolons() throws {
        let lines = try parse("search is(user) | count name ; help")
        #expect(lines.count == 2)
        #expect(lines[0].commands.map(\.name) == ["search", "count"])
        #expect(lines[0].commands[0].rawArguments == "is(user)")
        #expect(lines[0].commands[1].words.map(\.text) == ["name"])
        #expect(lines[1].commands.map(\.name) == ["help"])
        #expect(lines[1].commands[0].words.isEmpty)
    }

    @Test func queryTextSurvivesRaw() throws {
        let query = #"is(access_key) and last_access > 90days <-- is(user) -[1:3]-> name in [a, "b c"] and x == 'q|r'"#
        let lines = try parse("search   " + query + "   | count")
        let search = lines[0].commands[0]
        #expect(search.rawArguments == query)
        #expect(search.rawPosition == SourcePosition(line: 1, column: 10))
        #expect(lines[0].commands[1].name == "count")
    }

    @Test func quotesKeepBlanksPipesAndSemicolons() throws {
        let lines = try parse(#"format "{name} | {id}; x" ; clean 'unused for 90 days'"#)
        #expect(lines[0].commands[0].words.map(\.text) == ["{name} | {id}; x"])
        #expect(lines[0].commands[0].words[0].quoted)
        #expect(lines[1].commands[0].words.map(\.text) == ["unused for 90 days"])
    }

    @Test func escapesInDoubleQuotesOnly() throws {
        let lines = try parse(#"x "a\"b\\c\nd" 'e\"f' g\ h"#)
        let words = lines[0].commands[0].words.map(\.text)
        #expect(words == ["a\"b\\c\nd", #"e\"f"#, "g h"])
    }

    @Test func adjacentQuotedPartsFormOneWord() throws {
        let lines = try parse(#"x ab"c d"'e'"#)
        #expect(lines[0].commands[0].words.map(\.text) == ["abc de"])
    }

    @Test func backticksStayInWords() throws {
        let lines = try parse("list tags.`app.io/name` as app")
        #expect(lines[0].commands[0].words.map(\.text) == ["tags.`app.io/name`", "as", "app"])
    }

    @Test func comments() throws {
        let lines = try parse("search is(user) # all users | count")
        #expect(lines.count == 1)
        #expect(lines[0].commands.count == 1)
        #expect(lines[0].commands[0].rawArguments == "is(user)")
        #expect(try parse("# only a comment").isEmpty)
        // `#` inside a word or quotes is text.
        let inside = try parse(##"x a#b "#c""##)
        #expect(inside[0].commands[0].words.map(\.text) == ["a#b", "#c"])
    }

    @Test func lineContinuation() throws {
        let lines = try parse("search is(user) \\\n  and name == x | count")
        #expect(lines[0].commands.count == 2)
        #expect(lines[0].commands[0].rawArguments == "is(user)     and name == x")
        #expect(lines[0].commands[1].position == SourcePosition(line: 2, column: 19))
        // A position the query parser reports in the raw text maps back across the continuation.
        #expect(lines[0].commands[0].sourcePosition(ofRawLine: 1, column: 14) == SourcePosition(line: 2, column: 3))
    }

    @Test func emptyPipelinesAreFine() throws {
        #expect(try parse("").isEmpty)
        #expect(try parse("   ").isEmpty)
        #expect(try parse("help ;; help ;").count == 2)
    }

    @Test func pipeIntoNothing() {
        let trailing = error("search all |")
        #expect(trailing?.position == SourcePosition(line: 1, column: 12))
        #expect(trailing?.message.contains("leads into nothing") == true)
        let beforeSemicolon = error("search all | ; help")
        #expect(beforeSemicolon?.position == SourcePosition(line: 1, column: 12))
    }

    @Test func emptyCommandBeforePipe() {
        #expect(error("| count")?.position == SourcePosition(line: 1, column: 1))
        #expect(error("search all || count")?.position == SourcePosition(line: 1, column: 13))
        #expect(error("a ; | b")?.message == "empty command before '|'")
    }

    @Test func unterminatedQuotes() {
        let double = error(#"search name == "abc | count"#)
        #expect(double?.position == SourcePosition(line: 1, column: 16))
        #expect(double?.message.contains("unterminated double quote") == true)
        #expect(error("clean 'oops")?.position == SourcePosition(line: 1, column: 7))
        #expect(error("list `a.b")?.message.contains("backtick") == true)
    }

    @Test func danglingBackslash() {
        #expect(error("help \\")?.position == SourcePosition(line: 1, column: 6))
    }

    @Test func positionsOfWords() throws {
        let lines = try parse("head  -5 | tail")
        #expect(lines[0].commands[0].words[0].position == SourcePosition(line: 1, column: 7))
        #expect(lines[0].commands[1].position == SourcePosition(line: 1, column: 12))
    }

    @Test func rawPositionMapping() throws {
        let segment = try parse("search   a and\\\nb")[0].commands[0]
        #expect(segment.sourcePosition(ofRawLine: 1, column: 3) == SourcePosition(line: 1, column: 12))
    }

    @Test func needsMoreInput() {
        #expect(LineGrammar.needsMoreInput("search a \\"))
        #expect(LineGrammar.needsMoreInput("search name == \"abc"))
        #expect(LineGrammar.needsMoreInput("search is(user"))
        #expect(LineGrammar.needsMoreInput("search x in [a,"))
        #expect(!LineGrammar.needsMoreInput("search x in [a, b] -[1:3]-> all"))
        #expect(!LineGrammar.needsMoreInput("help # it's a comment"))
        #expect(!LineGrammar.needsMoreInput(#"format "\"""#))
    }
}

/// Scripts: logical lines, comments, continuations, line numbers.
struct ScriptReaderTests {
    @Test func logicalLines() {
        let script = """
        #!/usr/bin/env -S sift -f
        # a comment

        help
        search is(user) \\
          | count
        format "a
        b"
        """
        let lines = ScriptReader.lines(of: script)
        // An open quote does not swallow the following lines: only `\` continues.
        #expect(lines.map(\.firstLine) == [4, 5, 7, 8])
        #expect(lines[1].text == "search is(user) \\\n  | count")
        #expect(lines[2].text == "format \"a")
    }

    @Test func unterminatedAtEndIsKept() {
        let lines = ScriptReader.lines(of: "help\nformat 'oops\nhelp \\")
        #expect(lines.count == 3)
        #expect(lines[1].firstLine == 2)
        #expect(lines[2].text == "help \\")
    }

    @Test func crlfLineEnds() {
        let lines = ScriptReader.lines(of: "help\r\nsearch all \\\r\n  | count\r\n# note\r\nkinds\r\n")
        #expect(lines == [
            ScriptLine(text: "help", firstLine: 1), ScriptLine(text: "search all \\\n  | count", firstLine: 2),
            ScriptLine(text: "kinds", firstLine: 5),
        ])
    }

    @Test func byteOrderMarkIsDropped() {
        #expect(ScriptReader.lines(of: "\u{FEFF}help\nkinds") == [ScriptLine(text: "help", firstLine: 1), ScriptLine(text: "kinds", firstLine: 2)])
    }

    /// A `\` on the last line (with or without a final newline) keeps its `\`: the grammar then
    /// reports it at its line, rather than the line running silently.
    @Test func trailingContinuationAtEndOfFile() throws {
        for script in ["help\nsearch all \\\n", "help\nsearch all \\", "help\r\nsearch all \\\r\n"] {
            let lines = ScriptReader.lines(of: script)
            #expect(lines.last == ScriptLine(text: "search all \\", firstLine: 2))
            #expect(throws: LineSyntaxError.self) { _ = try LineGrammar.parse(lines[1].text) }
        }
    }

    @Test func manyContinuationLines() {
        let script = "search all \\\n" + String(repeating: "and all \\\n", count: 10_000) + "| count\nhelp\n"
        let lines = ScriptReader.lines(of: script)
        #expect(lines.count == 2)
        #expect(lines[0].text.hasSuffix("and all \\\n| count"))
        #expect(lines[1] == ScriptLine(text: "help", firstLine: 10_003))
    }
}

/// Secrets never reach the history file.
struct HistoryPolicyTests {
    @Test func secretsAreNotRecorded() {
        #expect(!HistoryPolicy.mayRecord("config set aws_secret_access_key=abc"))
        #expect(!HistoryPolicy.mayRecord("collect --password hunter2"))
        #expect(!HistoryPolicy.mayRecord("x token=abc"))
        #expect(!HistoryPolicy.mayRecord("   "))
        #expect(HistoryPolicy.mayRecord("search is(user) and password_enabled == true"))
        #expect(HistoryPolicy.mayRecord("search is(access_key) | count name"))
    }
}

/// Tab completion candidates.
struct CompletionTests {
    let provider = CompletionProvider(
        commands: ["search", "count", "help", "kinds"], kinds: ["access_key", "aws_iam_access_key", "user"],
        properties: ["name", "access_key_status"])

    @Test func commandsAtTheStart() {
        #expect(provider.candidates(line: "se", wordStart: 0, prefix: "se") == ["search"])
        #expect(provider.candidates(line: "search all | co", wordStart: 13, prefix: "co") == ["count"])
    }

    @Test func kindsInsideIs() {
        #expect(provider.candidates(line: "search is(acc", wordStart: 10, prefix: "acc") == ["access_key"])
        #expect(provider.candidates(line: "kinds aws", wordStart: 6, prefix: "aws") == ["aws_iam_access_key"])
    }

    @Test func propertiesAndKeywordsInQueries() {
        let got = provider.candidates(line: "search is(user) a", wordStart: 16, prefix: "a")
        #expect(got.contains("and"))
        #expect(got.contains("access_key_status"))
        #expect(got.contains("age"))
    }
}

/// Completion from the live model: subcommands and options from the commands' declarations, the properties of
/// the kinds in scope, config keys, check ids, job ids, paths.
struct LiveCompletionTests {
    let provider = CompletionProvider(
        commands: CommandRegistry.standard.specs,
        kinds: ["access_key", "user"], properties: ["name", "access_key_status", "password_enabled"],
        propertiesOfKind: { $0 == "access_key" ? ["name", "access_key_status"] : ["name", "password_enabled"] },
        configKeys: ["cleanup", "cleanup_grace"], checkIds: ["iam.unused_access_keys", "iam.root_keys"],
        jobIds: { ["nightly", "weekly"] }, paths: { prefix in ["graph.ndjson", "gen.sift"].filter { $0.hasPrefix(prefix) } })

    func complete(_ line: String) -> [String] {
        provider.complete(line: line, cursor: line.count).candidates
    }

    @Test func subcommandsAndOptionsFromTheDeclarations() {
        #expect(complete("config ") == ["edit", "set", "show"])
        #expect(complete("jobs a") == ["activate", "add"])
        #expect(complete("check run --") == ["--format", "--include-protected", "--output", "--param", "--severity"])
        #expect(complete("check run -") == ["--format", "--include-protected", "--output", "--param", "--severity", "-o", "-p", "-s"])
        #expect(complete("check list -") == [])
        #expect(complete("list --c") == ["--csv"])
        #expect(complete("config set --") == ["--force"])
        #expect(complete("config show --") == [])
    }

    @Test func optionValuesFromTheDeclarations() {
        #expect(complete("check run --severity ") == ["CRITICAL", "HIGH", "INFO", "LOW", "MEDIUM"])
        #expect(complete("check run --severity H") == ["HIGH"])
        #expect(complete("check run --format ") == ["html", "json", "sarif", "text"])
        #expect(complete("check run --severity HIGH iam.r") == ["iam.root_keys"])
        #expect(complete("jobs run ") == ["nightly", "weekly"])
        #expect(complete("jobs add --wait-for-event post_") == ["post_cleanup", "post_cleanup_plan", "post_collect"])
        #expect(complete("workflow run c") == ["cleanup", "collect", "collect_and_cleanup"])
        #expect(complete("export ") == ["gen.sift", "graph.ndjson"])
        #expect(complete("help ch") == ["check"])
        #expect(complete("kinds us") == ["user"])
        #expect(complete("check run --format=j") == ["json"])
        #expect(complete("check run --format=") == ["html", "json", "sarif", "text"])
        #expect(complete("help jobs ") == ["activate", "add", "deactivate", "delete", "list", "run", "show"])
        #expect(complete("help count ") == [])
        // One id only: after it, nothing more to offer.
        #expect(complete("jobs run nightly ") == [])
    }

    @Test func propertiesOfTheKindsInScope() {
        #expect(complete("search is(access_key) and access_key_s") == ["access_key_status"])
        #expect(complete("search is(user) and access_key_s") == [])
        #expect(complete("search is(user) and pass") == ["password_enabled"])
        #expect(complete("search all and pass") == ["password_enabled"])
        #expect(complete("search is(access_key) | list access_key_s") == ["access_key_status"])
    }

    @Test func configKeysCheckIdsJobIdsAndPaths() {
        #expect(complete("config set cleanup_g") == ["cleanup_grace="])
        #expect(complete("config show cle") == ["cleanup", "cleanup_grace"])
        #expect(complete("check run iam.r") == ["iam.root_keys"])
        #expect(complete("check show iam.u") == ["iam.unused_access_keys"])
        #expect(complete("jobs show n") == ["nightly"])
        #expect(complete("import gr") == ["graph.ndjson"])
        #expect(complete("check run --output ge") == ["gen.sift"])
    }

    @Test func theWordStartsAfterABreak() {
        let result = provider.complete(line: "search is(acc", cursor: 13)
        #expect(result.replaceFrom == 10)
        #expect(result.candidates == ["access_key"])
    }

    @Test func filePathsListTheDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sift-paths-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try "x".write(to: directory.appendingPathComponent("graph.ndjson"), atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(CompletionProvider.filePaths(directory.path + "/g") == [directory.path + "/graph.ndjson"])
        #expect(CompletionProvider.filePaths(directory.path + "/s") == [directory.path + "/sub/"])
    }
}

/// "Did you mean" suggestions.
struct SuggestTests {
    @Test func closest() {
        #expect(Suggestion.closest(to: "serch", among: ["search", "count"], within: .proportional) == "search")
        #expect(Suggestion.closest(to: "zzzzzz", among: ["search", "count"], within: .proportional) == nil)
    }
}
