import Foundation
import SiftAWS
import SiftOps
import SiftStore
import SiftTime

/// The shell side of SiftOps: the database, the AWS settings and the way to run a job's line.
struct OpsShellEnvironment {
    let context: ShellContext

    /// The database of the shell.
    func store() async throws -> any GraphBackend { try await context.store() }

    /// The AWS settings of the command line and the environment.
    var awsConfiguration: AWSConfiguration {
        AWSConfiguration(environment: context.environment, profile: context.options.profile, endpoint: context.options.endpoint)
    }

    /// What workflows need, wired to this shell: collect with the configured accounts and role,
    /// cleanup calls through IAM, job lines run as if typed.
    func workflowEnvironment(now: @escaping @Sendable () -> Date = { Date() }) async throws -> WorkflowEnvironment {
        let store = try await store()
        let context = context
        let configuration = awsConfiguration
        let err = context.err
        let out = context.out
        let profile = context.options.profile
        let endpoint = context.options.endpoint
        let environment = context.environment
        let configStore = ConfigStore(store: store)
        // One set of credential providers for every collect and cleanup of this environment (the daemon's
        // lifetime): temporary credentials are renewed before expiry, once for all. No terminal: no MFA prompt.
        let credentials = CredentialProviderCache(options: CredentialOptions(mfaPrompt: .unavailable))
        let actions: AccessKeyActionsProvider = { account in
            let config = try await configStore.load()
            let transport = AWSTransport(maxInFlight: config.cleanupPoolSize)
            return try await IAMKeyActionsProvider(configuration: configuration, role: config.collectRole, transport: transport,
                                                   credentials: credentials)
                .provider(account)
        }
        return WorkflowEnvironment(
            store: store,
            collect: { config in
                var options = CollectOptions(profile: profile, endpoint: endpoint, assumeRole: config.collectRole,
                                             accounts: config.collectAccounts, environment: environment,
                                             credentialCache: credentials)
                options.writeTimeLimit = config.queryTimeout.limit
                let summary = try await Collector.run(options: options, store: store)
                for failure in summary.failures { err.line("collect: \(failure)") }
                guard summary.credentialRefreshes > 0 else { return summary.description }
                return summary.description + "; credentials renewed \(summary.credentialRefreshes) times so far"
            },
            actions: actions,
            runLine: { line in try await OpsLineRunner.run(line, context: context) },
            now: now,
            output: { line in out.line(line); out.flush() })
    }
}

/// Runs a job's line with a shell of the same context.
enum OpsLineRunner {
    static func run(_ line: String, context: ShellContext) async throws {
        let ok = await Shell(context: context, registry: context.registry).run(line: line)
        if !ok { throw ShellError("the line failed: \(line)") }
    }
}

/// Async work of a command that Ctrl-C cancels: a cleanup finishes the keys under way and starts no other.
enum OpsWait {
    static func result<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await work() }
        return try await Interruption.shared.cancellable({ task.cancel() }) { try await task.value }
    }
}

// MARK: - config

/// `config show [key]`, `config set key=value ...`, `config edit`.
public struct ConfigCommand: ShellCommand, StandaloneCommand {
    public static let spec = CommandSpec(
        name: "config", summary: "show or change the configuration (kept in the database)",
        discussion: """
        Keys: \(ConfigKey.allCases.map(\.rawValue).joined(separator: ", ")).
        `config set` checks every value first and changes nothing when one is refused.
        `config edit` opens $VISUAL or $EDITOR on the configuration as YAML; a refused line is shown with
        its number and why, and the editor opens again (or the edit is dropped).
        Example: config set cleanup=true cleanup_dry_run=false
        """,
        subcommands: [
            CommandSpec(
                name: "show", summary: "every key and its value (or one key's)",
                arguments: [ArgumentSpec("key", .optional, help: "only this key", candidates: .configKeys)]
            ) { arguments throws(ShellError) in
                if let key = arguments.positionals.first {
                    do throws(OpsValueError) { _ = try ConfigKey.named(key.text) } catch { throw ShellError("config: \(error.message)", at: key.position) }
                }
                return .standalone(ConfigCommand(action: .show(arguments.positionals.first?.text)))
            },
            CommandSpec(
                name: "set", summary: "change keys (all or nothing)",
                options: [.flag("--force", help: "accept a value the checks would refuse as unsafe (cleanup_grace=0s)")],
                arguments: [ArgumentSpec("key=value", .oneOrMore, help: "the new values", candidates: .configAssignments)]
            ) { arguments throws(ShellError) in
                .standalone(ConfigCommand(action: .set(arguments.positionals, force: arguments.flag("--force"))))
            },
            CommandSpec(name: "edit", summary: "edit the configuration as YAML in $VISUAL or $EDITOR") { _ throws(ShellError) in
                .standalone(ConfigCommand(action: .edit))
            },
        ],
        defaultSubcommand: "show")

    enum Action { case show(String?), set([Word], force: Bool), edit }
    let action: Action

    public func run(in context: ShellContext) async throws {
        let configs = ConfigStore(store: try await context.store())
        switch action {
        case .show(let name):
            let config = try await configs.load()
            let keys = try name.map { [try ConfigKey.named($0)] } ?? ConfigKey.allCases
            let width = keys.map(\.rawValue.count).max() ?? 0
            for key in keys {
                let marker = config.explicitlySet.contains(key) ? "" : "  (default)"
                context.out.line(key.rawValue.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + config[key].display + marker)
            }
        case .set(let words, let force):
            let assigned: [(ConfigKey, ConfigValue)]
            do {
                assigned = try await configs.set(assignments: words.map(\.text), force: force)
            } catch let error {
                // Placed at the refused assignment: at its value when the key is known, else at the key.
                guard case .invalid(let assignment, _) = error, let word = words.first(where: { $0.text == assignment }) else { throw error }
                var column = word.position.column + (word.quoted ? 1 : 0)
                if let equals = assignment.firstIndex(of: "="),
                   ConfigKey(rawValue: assignment[..<equals].trimmingCharacters(in: .whitespaces)) != nil {
                    column += assignment.distance(from: assignment.startIndex, to: equals) + 1
                }
                throw ShellError(error.description, at: SourcePosition(line: word.position.line, column: column))
            }
            for (key, value) in assigned {
                context.out.line("\(key.rawValue) = \(value.display)")
            }
        case .edit:
            let err = context.err
            let editor = ConfigEditor(editor: ConfigEditor.editorFromEnvironment(context.environment)) { errors in
                err.line(errors.description)
                err.write("re-open the editor? [Y/n] ")
                err.flush()
                let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? "n"
                return answer.isEmpty || answer == "y" || answer == "yes"
            }
            let changed = try await editor.edit(configs)
            context.out.line(changed.isEmpty ? "config: no change" : "config: changed \(changed.map(\.rawValue).joined(separator: ", "))")
        }
    }
}

// MARK: - workflow

/// `workflow list`, `workflow run NAME`.
public struct WorkflowCommand: ShellCommand, StandaloneCommand {
    public static let spec = CommandSpec(
        name: "workflow", summary: "run a workflow; jobs waiting for its events run at each event",
        discussion: """
        collect: events pre_collect, post_collect. cleanup: pre_cleanup_plan, post_cleanup_plan,
        pre_cleanup, post_cleanup. collect_and_cleanup: both, in that order.
        Cleanup acts only on nodes marked by `clean`, never protected or already cleaned, and only with
        cleanup=true and cleanup_dry_run=false; otherwise it says what it would do.
        """,
        subcommands: [
            CommandSpec(name: "list", summary: "the workflows and their events") { _ throws(ShellError) in
                .standalone(WorkflowCommand(name: nil))
            },
            CommandSpec(
                name: "run", summary: "run a workflow now",
                arguments: [ArgumentSpec("NAME", help: WorkflowName.allCases.map(\.rawValue).joined(separator: ", "),
                                         candidates: .fixed(WorkflowName.allCases.map(\.rawValue)))]
            ) { arguments throws(ShellError) in
                let word = arguments.positionals[0]
                do throws(OpsValueError) { return .standalone(WorkflowCommand(name: try WorkflowName.named(word.text))) } catch {
                    throw ShellError("workflow: \(error.message)", at: word.position)
                }
            },
        ],
        defaultSubcommand: "list")

    let name: WorkflowName?

    public func run(in context: ShellContext) async throws {
        guard let name else {
            for workflow in WorkflowName.allCases {
                context.out.line("\(workflow.rawValue): events \(workflow.events.map(\.rawValue).joined(separator: ", "))")
            }
            return
        }
        let environment = try await OpsShellEnvironment(context: context).workflowEnvironment()
        let report = try await OpsWait.result { try await WorkflowRunner(environment: environment).run(name) }
        if report.cleanup?.outcomes.contains(where: { $0.result == .failed }) == true {
            throw ShellError("workflow \(name.rawValue): some cleanup actions failed (see above; `cleanup log`)")
        }
    }
}

// MARK: - jobs

/// `jobs add|list|show|delete|activate|deactivate|run`.
public struct JobsCommand: ShellCommand, StandaloneCommand {
    /// The one argument of `jobs show|delete|activate|deactivate|run`.
    static let jobArgument = ArgumentSpec("ID", help: "the job's id", candidates: .jobIds)

    /// A subcommand acting on one job.
    static func onJob(_ name: String, _ summary: String, _ action: @escaping @Sendable (String) -> Action) -> CommandSpec {
        CommandSpec(name: name, summary: summary, arguments: [jobArgument]) { arguments throws(ShellError) in
            .standalone(JobsCommand(action: action(arguments.positionals[0].text)))
        }
    }

    public static let spec = CommandSpec(
        name: "jobs", summary: "shell lines run on a schedule (sift daemon) or at a workflow event",
        discussion: """
        CRON has 5 fields (minute hour day-of-month month day-of-week, UTC) with *, lists, ranges,
        steps and names. Events: \(WorkflowEvent.allCases.map(\.rawValue).joined(separator: ", ")).
        Two runs of one job never overlap; a failing job is recorded (jobs show) and never stops a workflow.
        Example: jobs add --id clean_old --wait-for-event post_collect "search is(access_key) and last_access > 90days | clean"
        """,
        subcommands: [
            CommandSpec(
                name: "add", summary: "add a job (its line is checked first)",
                options: [
                    .single("--id", value: "ID", help: "the job's id", required: true),
                    .single("--schedule", value: "CRON", help: "when it runs under sift daemon (5 fields, UTC)"),
                    .single("--wait-for-event", value: "EVENT", help: "the workflow event it runs at",
                            candidates: .fixed(WorkflowEvent.allCases.map(\.rawValue))),
                ],
                arguments: [ArgumentSpec("'LINE'", help: "the shell line to run, quoted as one argument")],
                make: makeAdd),
            CommandSpec(name: "list", summary: "every job, when it runs and its last status") { _ throws(ShellError) in
                .standalone(JobsCommand(action: .list))
            },
            onJob("show", "everything about a job, its last run included") { .show($0) },
            onJob("delete", "delete a job") { .delete($0) },
            onJob("activate", "let a job run again") { .activate($0) },
            onJob("deactivate", "keep a job from running (it stays stored)") { .deactivate($0) },
            onJob("run", "run a job now") { .run($0) },
        ],
        defaultSubcommand: "list")

    enum Action { case add(id: String, schedule: String?, event: String?, line: Word), list, show(String), delete(String),
                      activate(String), deactivate(String), run(String) }
    let action: Action

    static func makeAdd(_ arguments: ParsedArguments) throws(ShellError) -> PipelineStep {
        let line = arguments.positionals[0]
        guard let id = arguments.value("--id") else { throw ShellError("jobs add: --id ID is required", at: arguments.end) }
        let schedule = arguments.value("--schedule")
        let event = arguments.value("--wait-for-event")
        if let schedule {
            do { _ = try CronSchedule(parsing: schedule.text) } catch { throw ShellError("jobs add: \(error.message)", at: schedule.position) }
        }
        if let event {
            do { _ = try WorkflowEvent.named(event.text) } catch { throw ShellError("jobs add: \(error.message)", at: event.position) }
        }
        return .standalone(JobsCommand(action: .add(id: id.text, schedule: schedule?.text, event: event?.text, line: line)))
    }

    /// Refuses a job line that would fail before it runs (grammar, commands, query syntax and
    /// compilation), with the spot in the `jobs add` line (exact when the line has no escapes).
    static func check(_ line: Word, in context: ShellContext) async throws {
        do {
            try await Shell(context: context, registry: context.registry).check(line: line.text)
        } catch {
            let inner = error as? ShellError ?? ShellError(context.describe(error))
            let message = "jobs add: the job's line does not run: " + inner.message
            guard let position = inner.position, position.line == 1 else { throw ShellError(message, at: line.position) }
            let column = line.position.column + (line.quoted ? 1 : 0) + position.column - 1
            throw ShellError(message, at: SourcePosition(line: line.position.line, column: column))
        }
    }

    public func run(in context: ShellContext) async throws {
        let store = try await context.store()
        let jobs = JobStore(store: store)
        switch action {
        case .add(let id, let schedule, let event, let line):
            try await Self.check(line, in: context)
            let job = try await jobs.add(id: id, line: line.text, schedule: schedule, waitForEvent: event)
            context.out.line("job \(job.id) added" + (job.nextFire.map { ", next run \(ISO8601.format($0))" } ?? ""))
        case .list:
            let all = try await jobs.list()
            if all.isEmpty { context.out.line("no jobs (jobs add --id ID ... 'LINE')") }
            for job in all {
                context.out.line(Self.summary(job))
                if let problem = job.problem { context.err.line("warning: job \(job.id): \(problem)") }
            }
        case .show(let id):
            let job = try await jobs.job(id)
            let out = context.out
            out.line("id:             \(job.id)")
            out.line("line:           \(job.line)")
            out.line("schedule:       \(job.schedule?.text ?? "-")")
            out.line("wait_for_event: \(job.waitForEvent?.rawValue ?? "-")")
            out.line("active:         \(job.active)")
            out.line("next run:       \(job.nextFire.map(ISO8601.format) ?? "-")")
            out.line("last run:       \(job.lastStarted.map(ISO8601.format) ?? "never")" + (job.lastTrigger.map { " (\($0))" } ?? ""))
            out.line("last status:    \(job.lastStatus?.rawValue ?? "-")")
            if let error = job.lastError { out.line("last error:     \(error)") }
            out.line("runs:           \(job.runs) (\(job.failures) failed)")
            if let problem = job.problem { out.line("problem:        \(problem)") }
        case .delete(let id):
            try await jobs.delete(id)
            context.out.line("job \(id) deleted")
        case .activate(let id):
            try await jobs.setActive(id, true)
            context.out.line("job \(id) active")
        case .deactivate(let id):
            try await jobs.setActive(id, false)
            context.out.line("job \(id) inactive")
        case .run(let id):
            let environment = try await OpsShellEnvironment(context: context).workflowEnvironment()
            let outcome = try await OpsWait.result {
                try await JobRunner(jobs: jobs, runLine: environment.runLine).run(id, trigger: .manual)
            }
            let text = JobOutcomeText.line(job: id, outcome)
            if case .ok = outcome { context.out.line(text) } else { throw ShellError(text) }
        }
    }

    static func summary(_ job: Job) -> String {
        var when: [String] = []
        if let schedule = job.schedule { when.append("schedule \"\(schedule.text)\"") }
        if let event = job.waitForEvent { when.append("at \(event.rawValue)") }
        if when.isEmpty { when.append("by hand") }
        let status = job.lastStatus.map { " last: \($0.rawValue)" + (job.lastError.map { " (\($0))" } ?? "") } ?? ""
        return "\(job.id)\(job.active ? "" : " [inactive]"): \(when.joined(separator: ", ")): \(job.line)\(status)"
    }
}

// MARK: - cleanup log

/// `cleanup log [--since DURATION] [--limit N]`.
public struct CleanupCommand: ShellCommand, StandaloneCommand {
    public static let spec = CommandSpec(
        name: "cleanup", summary: "what cleanup did: when, to which key, why, and the result",
        discussion: "Cleanup itself runs as `workflow run cleanup` (or under `sift daemon`).",
        subcommands: [
            CommandSpec(
                name: "log", summary: "the cleanup journal, newest last",
                options: [
                    .single("--since", value: "DURATION", help: "only entries this recent, e.g. 7d"),
                    .single("--limit", value: "N", help: "at most N entries"),
                ]
            ) { arguments throws(ShellError) in
                var since: OpsDuration?
                if let word = arguments.value("--since") {
                    do throws(OpsValueError) { since = try OpsDuration(parsing: word.text) } catch { throw ShellError("cleanup log: \(error.message)", at: word.position) }
                }
                return .standalone(CleanupCommand(since: since, limit: try arguments.int("--limit")))
            },
        ])

    let since: OpsDuration?
    let limit: Int?

    public func run(in context: ShellContext) async throws {
        let journal = try await context.store()
        let entries = try await journal.entries(since: since.map { Date().addingTimeInterval(-$0.timeInterval) }, limit: limit)
        for line in CleanupLog.lines(entries) { context.out.line(line) }
    }
}

// MARK: - daemon

/// `daemon`: collect_and_cleanup every collect_interval and the scheduled jobs, until SIGINT/SIGTERM.
public struct DaemonCommand: ShellCommand, StandaloneCommand {
    public static let spec = CommandSpec(
        name: "daemon", summary: "run collect_and_cleanup every collect_interval and the scheduled jobs until stopped",
        discussion: "Stops cleanly on SIGINT (Ctrl-C) or SIGTERM: the key or job line under way finishes first."
    ) { _ throws(ShellError) in
        .standalone(DaemonCommand())
    }

    public func run(in context: ShellContext) async throws {
        let environment = try await OpsShellEnvironment(context: context).workflowEnvironment()
        try await OpsWait.result { await Daemon(environment: environment).runUntilSignalled() }
    }
}

extension CommandRegistry {
    /// The commands of SiftOps: config, workflow, jobs, cleanup, daemon.
    public static var opsCommands: [any ShellCommand.Type] {
        [ConfigCommand.self, WorkflowCommand.self, JobsCommand.self, CleanupCommand.self, DaemonCommand.self]
    }
}
