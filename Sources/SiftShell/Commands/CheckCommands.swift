import Foundation
import SiftChecks
import SiftStore
import SiftTime

/// `check list | show ID | run [ID...] | history [-N]`: the posture checks (SPEC section 7).
///
/// `check run` prints its report (text, JSON, SARIF or HTML, to stdout or `--output FILE`) and
/// makes the line exit with status 3 when any check fails. Piped (`check run ID | clean`), its
/// failing resources are the results the next command gets, and only a one-line summary goes to
/// stderr (the full report to `--output FILE` when given).
public struct CheckCommand: ShellCommand {
    /// `--param k=v`, for `check show` and `check run`.
    static let parameterOption = OptionSpec.repeatable(
        "--param", "-p", value: "k=v", help: "a parameter, e.g. days=45 (repeatable; validated)")

    public static let spec = CommandSpec(
        name: "check", summary: "posture checks: list them, show one, run them and report",
        discussion: """
        Every run is stored and compared with the previous run of each check: new, resolved, still
        failing. The score is 100 x the weight of the passed checks / the weight of all checks run
        (CRITICAL 10, HIGH 5, MEDIUM 3, LOW 1, INFO 0). Exit status 3 when any check fails.
        Protected resources (`protect`, /metadata.protected) are accepted exceptions: reported as
        exempt, not failing, unless --include-protected.
        Piped, the failing resources feed the next command:
          check run iam.unused_access_keys | clean "unused for 90 days"
        """,
        subcommands: [
            CommandSpec(name: "list", summary: "every check: id, severity, category, title") { _ throws(ShellError) in
                .standalone(CheckListCommand())
            },
            CommandSpec(
                name: "show", summary: "everything about a check, remediation included",
                options: [parameterOption],
                arguments: [ArgumentSpec("ID", help: "the check's id", candidates: .checkIds)]
            ) { arguments throws(ShellError) in
                .standalone(CheckShowCommand(id: arguments.positionals[0], parameters: try parameters(arguments)))
            },
            CommandSpec(
                name: "run", summary: "run checks (all when no id is given) and report",
                options: [
                    .single("--severity", "-s", value: "S", help: "only checks of severity S or higher",
                            candidates: .fixed(Severity.allCases.map(\.rawValue))),
                    parameterOption,
                    .single("--format", value: "F", help: "the report's format (default text)",
                            candidates: .fixed(ReportFormat.allCases.map(\.rawValue))),
                    .single("--output", "-o", value: "FILE", help: "write the report to FILE instead of stdout",
                            candidates: .files),
                    .flag("--include-protected", help: "count protected resources as failing (default: exempt)"),
                ],
                arguments: [ArgumentSpec("ID", .zeroOrMore, help: "the checks to run", candidates: .checkIds)],
                make: makeRun),
            CommandSpec(
                name: "history", summary: "the last N runs (default 10) with their scores",
                arguments: [ArgumentSpec("-N", .optional, help: "how many runs")], acceptsNegativeNumbers: true
            ) { arguments throws(ShellError) in
                var limit = 10
                if let word = arguments.positionals.first {
                    guard let value = Int(word.text.hasPrefix("-") ? String(word.text.dropFirst()) : word.text), value > 0 else {
                        throw ShellError("check history: a number of runs expected, e.g. -20", at: word.position)
                    }
                    limit = value
                }
                return .standalone(CheckHistoryCommand(limit: limit))
            },
        ])

    /// The `--param` overrides, validated.
    static func parameters(_ arguments: ParsedArguments) throws(ShellError) -> ParameterOverrides {
        let words = arguments.values("--param")
        do {
            return try ParameterOverrides(arguments: words.map(\.text))
        } catch {
            throw ShellError("check: \(error)", at: words.first?.position)
        }
    }

    static func makeRun(_ arguments: ParsedArguments) throws(ShellError) -> PipelineStep {
        let parameters = try parameters(arguments)
        var severity: Severity?
        if let word = arguments.value("--severity") {
            guard let parsed = Severity(parsing: word.text) else {
                throw ShellError("check run: \(CheckError.invalidSeverity(word.text))", at: word.position)
            }
            severity = parsed
        }
        var format = ReportFormat.text
        if let word = arguments.value("--format") {
            guard let parsed = ReportFormat(rawValue: word.text.lowercased()) else {
                throw ShellError("check run: unknown format '\(word.text)' (text, json, sarif or html)", at: word.position)
            }
            format = parsed
        }
        let ids = arguments.positionals
        return .standalone(CheckRunCommand(
            ids: ids,
            request: CheckRunRequest(ids: ids.map(\.text), minimumSeverity: severity, parameters: parameters,
                                     includeProtected: arguments.flag("--include-protected")),
            format: format, output: arguments.value("--output")?.text))
    }
}

/// `check list`.
struct CheckListCommand: StandaloneCommand {
    func run(in context: ShellContext) async throws {
        context.out.write(CatalogueText.list(CheckCatalogue.builtin.checks))
    }
}

/// `check show ID`.
struct CheckShowCommand: StandaloneCommand {
    let id: Word
    let parameters: ParameterOverrides

    func run(in context: ShellContext) async throws {
        let catalogue = CheckCatalogue.builtin
        do {
            let check = try catalogue.check(id: id.text)
            let values = try parameters.resolve(for: [check])
            context.out.write(CatalogueText.show(check, values: values[check.id]))
        } catch {
            throw ShellError("check show: \(error)", at: id.position)
        }
    }
}

/// `check history [-N]`.
struct CheckHistoryCommand: StandaloneCommand {
    let limit: Int

    func run(in context: ShellContext) async throws {
        let runs = try await CheckRunStore(store: context.store()).runs(limit: limit)
        if runs.isEmpty {
            context.out.line("no check runs yet (check run)")
            return
        }
        for run in runs {
            let score = String(format: "%5.1f", run.score)
            context.out.line("#\(run.runID)  \(ISO8601.format(run.at))  score \(score)  \(run.passed) passed, \(run.failed) failed  \(run.checkIDs.joined(separator: ","))")
        }
    }
}

/// `check run ...`: alone it prints the report; piped, its failing resources are the results.
struct CheckRunCommand: ResultProducingCommand {
    let ids: [Word]
    let request: CheckRunRequest
    let format: ReportFormat
    let output: String?

    func run(in context: ShellContext) async throws {
        let report = try await execute(in: context)
        let rendered = format.render(report)
        if let output {
            try write(rendered, to: output)
            context.out.line(summary(report))
        } else {
            context.out.write(rendered)
        }
        if report.anyFailed { context.requestExitStatus(3) }
    }

    func produce(in context: ShellContext) async throws -> String {
        let report = try await execute(in: context)
        if let output { try write(format.render(report), to: output) }
        context.err.line(summary(report))
        context.err.flush()
        if report.anyFailed { context.requestExitStatus(3) }
        return Self.query(selecting: report.failingNodeIDs)
    }

    /// A query for exactly these node ids (`not all` for none): what a pipeline after `check run` gets.
    static func query(selecting ids: [String]) -> String {
        guard !ids.isEmpty else { return "not all" }
        let quoted = ids.map { id in
            "\"" + id.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "id(\(quoted.joined(separator: ", ")))"
    }

    /// Runs the checks under Ctrl-C and the `query_timeout` limit (the whole run counts as one query).
    private func execute(in context: ShellContext) async throws -> CheckRunReport {
        do {
            return try await context.limited("check run") { store, _ in
                try await CheckRunner(store: store, kinds: context.kinds).run(request)
            }
        } catch let error as CheckError {
            var position = ids.first?.position
            if case .unknownCheck(let id, _) = error { position = ids.first { $0.text == id }?.position }
            throw ShellError("check run: \(error)", at: position)
        }
    }

    private func summary(_ report: CheckRunReport) -> String {
        let failed = report.results.filter { $0.status == .fail }.count
        let totals = report.changeTotals
        var text = "check run #\(report.runID): \(failed) of \(report.results.count) checks failed, "
            + "\(report.failingNodeIDs.count) failing resources, score \(String(format: "%.1f", report.score.value)); "
            + "\(totals.new) new, \(totals.resolved) resolved, \(totals.stillFailing) still failing"
        if let output { text += " (report: \(output))" }
        return text
    }

    /// Writes the report readable by its owner only (0600, like `export`): it names users and keys.
    private func write(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ShellError("check run: cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        // An existing file keeps its mode through O_TRUNC: make it private too.
        guard fchmod(descriptor, 0o600) == 0 else {
            throw ShellError("check run: cannot make \(path) private: \(String(cString: strerror(errno)))")
        }
        do {
            try FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).write(contentsOf: Data(text.utf8))
        } catch {
            throw ShellError("check run: cannot write \(path): \(error.localizedDescription)")
        }
    }
}

/// A standalone command whose results can also be piped like search results
/// (`check run ID | clean`): piped, the shell calls `produce` instead of `run` and feeds the
/// query it returns (which selects exactly the command's results) to the rest of the pipeline.
public protocol ResultProducingCommand: StandaloneCommand {
    /// Does the command's work and returns a query text selecting its results.
    func produce(in context: ShellContext) async throws -> String
}
