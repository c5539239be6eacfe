import Foundation
import SiftQuery
import Testing
@testable import SiftShell

/// Every command's declaration drives its parsing, help, man page and completion: an option
/// declared without help, left out of the help or the man page, not offered by Tab or not
/// accepted by the parser fails here, for every registered command and subcommand.
struct CommandSpecTests {
    let registry = CommandRegistry.standard
    let completion = CompletionProvider(
        commands: CommandRegistry.standard.specs, kinds: ["access_key", "user"], properties: ["name"],
        propertiesOfKind: { _ in ["name"] }, configKeys: ["cleanup"], checkIds: ["iam.root_keys"],
        jobIds: { ["nightly"] }, paths: { _ in [] })

    /// Every runnable (sub)command of the registry, with its words.
    var leaves: [(path: [String], spec: CommandSpec, top: CommandSpec)] {
        registry.specs.flatMap { top in top.leaves.map { ($0.path, $0.spec, top) } }
    }

    /// The words a (sub)command needs besides the option under test: its required options and arguments.
    func requiredWords(_ spec: CommandSpec, except option: OptionSpec? = nil) -> [String] {
        var words: [String] = []
        for required in spec.options where required.isRequired && required.name != option?.name {
            words += [required.name, "v1"]
        }
        for argument in spec.arguments where argument.arity == .required || argument.arity == .oneOrMore {
            words.append("'x'")
        }
        return words
    }

    func segment(_ line: String) throws -> CommandSegment {
        let commands = try LineGrammar.parse(line)[0].commands
        return try #require(commands.first)
    }

    @Test func theRegistryIsNotEmptyAndEveryCommandSaysWhatItDoes() {
        #expect(leaves.count >= 40)
        for (path, spec, _) in leaves {
            #expect(!spec.summary.isEmpty, "\(path)")
            #expect(spec.make != nil, "\(path)")
            for option in spec.options {
                #expect(!option.help.isEmpty, "\(path) \(option.name)")
                #expect(option.names.allSatisfy { $0.hasPrefix("-") }, "\(path) \(option.names)")
                #expect(option.kind == .flag ? option.valueName.isEmpty : !option.valueName.isEmpty, "\(path) \(option.name)")
            }
            let spellings = spec.options.flatMap(\.names)
            #expect(Set(spellings).count == spellings.count, "\(path): a spelling declared twice")
        }
    }

    @Test func everyOptionIsInTheHelpAndTheManPage() {
        let man = Manual.manPage(commands: registry.specs, version: "0", date: "2026-01-01")
        for (path, spec, top) in leaves {
            let help = top.helpText()
            let subHelp = spec.helpText(parents: Array(path.dropLast()))
            #expect(help.contains(top.summary), "\(path)")
            #expect(man.contains(".B " + Manual.roff(top.synopsis)), "\(path)")
            if path.count > 1 {
                #expect(help.contains(path.joined(separator: " ")), "\(path)")
                #expect(man.contains(Manual.roff(path.joined(separator: " "))), "\(path)")
            }
            for option in spec.options {
                for name in option.names {
                    #expect(help.contains(name), "help \(path.joined(separator: " ")) lacks \(name)")
                    #expect(subHelp.contains(name), "help \(path.joined(separator: " ")) lacks \(name)")
                    #expect(man.contains(Manual.roff(name)), "man page lacks \(path) \(name)")
                }
                #expect(help.contains(option.help), "\(path) \(option.name)")
                #expect(man.contains(Manual.roff(option.help)), "\(path) \(option.name)")
                #expect(subHelp.hasPrefix("usage: " + path.joined(separator: " ")), "\(subHelp)")
                #expect(subHelp.contains(option.synopsis), "\(path) \(option.name)")
            }
        }
    }

    @Test func tabOffersEverySubcommandAndOption() {
        for top in registry.specs where !top.subcommands.isEmpty {
            let offered = completion.complete(line: top.name + " ", cursor: top.name.count + 1).candidates
            #expect(offered == top.subcommands.map(\.name).sorted(), "\(top.name)")
        }
        for (path, spec, _) in leaves where !spec.options.isEmpty {
            let line = path.joined(separator: " ") + " -"
            let offered = completion.complete(line: line, cursor: line.count).candidates
            #expect(Set(offered) == Set(spec.options.flatMap(\.names)), "\(line)")
        }
    }

    @Test func theParserAcceptsEveryOptionInEverySpelling() throws {
        for (path, spec, top) in leaves where !spec.argumentsAreText {
            for option in spec.options {
                for name in option.names {
                    var forms = [[name] + (option.takesValue ? ["v2"] : [])]
                    if option.takesValue { forms.append([name + "=v2"]) }
                    for form in forms {
                        let line = (path + form + requiredWords(spec, except: option)).joined(separator: " ")
                        let (parsedSpec, parsed) = try top.parse(segment(line))
                        #expect(parsedSpec.name == spec.name, "\(line)")
                        if option.takesValue {
                            #expect(parsed.value(option.name)?.text == "v2", "\(line)")
                        } else {
                            #expect(parsed.flag(option.name), "\(line)")
                        }
                    }
                }
            }
            // And an option it does not declare is refused, at its word.
            let line = (path + requiredWords(spec) + ["--no-such-option"]).joined(separator: " ")
            #expect(throws: ShellError.self, "\(line)") { try top.parse(segment(line)) }
        }
    }

    // MARK: Errors at the exact word

    func error(_ line: String) throws -> ShellError {
        let segment = try segment(line)
        let command = try #require(registry.command(named: segment.name))
        do {
            _ = try command.spec.step(for: segment)
        } catch {
            return error
        }
        Issue.record("no error for \(line)")
        return ShellError("none")
    }

    @Test func anUnknownOptionIsShownAtItsWordWithASuggestion() throws {
        let typo = try error("check run --sevrity HIGH")
        #expect(typo.position == SourcePosition(line: 1, column: 11))
        #expect(typo.message == "check run: unknown flag '--sevrity' (did you mean '--severity'? see 'help check run')")
        let foreign = try error("check list --include-protected")
        #expect(foreign.position == SourcePosition(line: 1, column: 12))
        #expect(foreign.message.hasPrefix("check list: unknown flag '--include-protected'"))
        let far = try error("jobs add --id a --zzz 'search all'")
        #expect(far.position == SourcePosition(line: 1, column: 17))
        #expect(!far.message.contains("did you mean"))
    }

    @Test func aMissingValueIsShownAtItsOption() throws {
        let missing = try error("check run --severity")
        #expect(missing.position == SourcePosition(line: 1, column: 11))
        #expect(missing.message == "check run: --severity needs a value (S)")
        let history = try error("history --limit")
        #expect(history.position == SourcePosition(line: 1, column: 9))
        let twice = try error("check run --format json --format text")
        #expect(twice.position == SourcePosition(line: 1, column: 25))
        #expect(twice.message == "check run: --format given twice")
    }

    @Test func anUnknownSubcommandIsShownAtItsWord() throws {
        let typo = try error("check runn")
        #expect(typo.position == SourcePosition(line: 1, column: 7))
        #expect(typo.message == "check: unknown subcommand 'runn', did you mean 'run'? (list, show, run or history)")
        let unknown = try error("jobs   frobnicate 1")
        #expect(unknown.position == SourcePosition(line: 1, column: 8))
        #expect(!unknown.message.contains("did you mean"))
        let none = try error("check")
        #expect(none.position == SourcePosition(line: 1, column: 6))
        #expect(none.message == "check: list, show, run or history expected (see 'help check')")
    }

    @Test func valuesKeepTheirPositionsForTheCommandsOwnErrors() throws {
        // `--format=pdf`: the value's caret is under `pdf`, not under the option.
        let joined = try error("check run --format=pdf")
        #expect(joined.position == SourcePosition(line: 1, column: 20))
        #expect(joined.message.hasPrefix("check run: unknown format 'pdf'"))
        let separate = try error("check run --format pdf")
        #expect(separate.position == SourcePosition(line: 1, column: 20))
        let badNumber = try error("cleanup log --limit ten")
        #expect(badNumber.position == SourcePosition(line: 1, column: 21))
    }

    @Test func requiredOptionsAndArgumentsAndExtraWords() throws {
        let noID = try error("jobs add 'search all'")
        #expect(noID.message == "jobs add: --id ID is required")
        let noLine = try error("jobs add --id x")
        #expect(noLine.message == "jobs add: 'LINE' expected (see 'help jobs add')")
        let extra = try error("jobs run a b")
        #expect(extra.position == SourcePosition(line: 1, column: 12))
        #expect(extra.message == "jobs run: unexpected argument 'b' (see 'help jobs run')")
        let noFile = try error("import")
        #expect(noFile.position == SourcePosition(line: 1, column: 7))
    }

    @Test func negativeNumbersAreCountsWhereDeclared() throws {
        let step = try HeadCommand.spec.step(for: segment("head -5"))
        guard case .head(5) = step else { Issue.record("\(step)"); return }
        let history = try segment("check history -3")
        #expect(try CheckCommand.spec.parse(history).arguments.positionals.map(\.text) == ["-3"])
        #expect(throws: ShellError.self) { try CheckCommand.spec.parse(try segment("check run -3")) }
    }

    @Test func defaultSubcommands() throws {
        #expect(try JobsCommand.spec.parse(segment("jobs")).spec.name == "list")
        #expect(try ConfigCommand.spec.parse(segment("config")).spec.name == "show")
        #expect(try WorkflowCommand.spec.parse(segment("workflow")).spec.name == "list")
    }

    @Test func usageLinesAreMadeFromTheDeclarations() {
        #expect(CountCommand.spec.usageLines == ["count [path]"])
        #expect(CheckCommand.spec.usageLines == [
            "check list",
            "check show [--param k=v ...] ID",
            "check run [--severity S] [--param k=v ...] [--format F] [--output FILE] [--include-protected] [ID ...]",
            "check history [-N]",
        ])
        #expect(CheckCommand.spec.synopsis == "check list|show|run|history ...")
        #expect(JobsCommand.spec.usageLines.first == "jobs add --id ID [--schedule CRON] [--wait-for-event EVENT] 'LINE'")
    }

    /// `help`, `help CMD` and `help CMD SUB` run through the shell print the generated text.
    @Test func helpThroughTheShellIsTheGeneratedText() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sift-help-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func run(_ line: String) async throws -> (ok: Bool, out: String, err: String) {
            let outPath = directory.appendingPathComponent("out-\(UUID().uuidString)").path
            let errPath = directory.appendingPathComponent("err-\(UUID().uuidString)").path
            #expect(FileManager.default.createFile(atPath: outPath, contents: nil))
            #expect(FileManager.default.createFile(atPath: errPath, contents: nil))
            let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            let context = ShellContext(
                options: ShellOptions(databasePath: directory.appendingPathComponent("never.db").path),
                out: OutputWriter(descriptor: outHandle.fileDescriptor), err: OutputWriter(descriptor: errHandle.fileDescriptor),
                environment: ["NO_COLOR": "1"])
            let ok = await Shell(context: context).run(line: line)
            context.out.flush()
            context.err.flush()
            try outHandle.close()
            try errHandle.close()
            return (ok, try String(contentsOfFile: outPath, encoding: .utf8), try String(contentsOfFile: errPath, encoding: .utf8))
        }
        let check = try await run("help check")
        #expect(check.out == CheckCommand.spec.helpText() + "\n" || check.out == CheckCommand.spec.helpText(), "\(check.out)")
        let runHelp = try await run("help check run")
        let sub = try #require(CheckCommand.spec.subcommand("run"))
        #expect(runHelp.out == sub.helpText(parents: ["check"]))
        #expect(runHelp.out.hasPrefix("usage: check run [--severity S]"))
        let all = try await run("help")
        for spec in registry.specs {
            #expect(all.out.contains("  " + spec.synopsis), "\(spec.name)")
        }
        let wrong = try await run("help check frob")
        #expect(!wrong.ok)
        #expect(wrong.err.hasPrefix("error at 1:12: help: 'check' has no subcommand 'frob'"), "\(wrong.err)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("never.db").path))
    }
}
