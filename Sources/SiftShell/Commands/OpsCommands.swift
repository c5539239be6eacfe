import Foundation
import SiftAWS
import SiftOps
import SiftStore

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
                options.writeTimeLimit = config.queryTimeout.seconds > 0 ? Double(config.queryTimeout.seconds) : nil
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
    public static let info = CommandInfo(
        name: "config", synopsis: "config show [key] | set key=value ... | edit",
        summary: "show or change the configuration (kept in the database)",
        details: """
        Keys: \(ConfigKey.allCases.map(\.rawValue).joined(separator: ", ")).
        `config set` checks every value first and changes nothing when one is refused.
        `config edit` opens $VISUAL or $EDITOR on the configuration as YAML; a refused line is shown with
        its number and why, and the editor opens again (or the edit is dropped).
        Example: config set cleanup=true cleanup_dry_run=false
        """)

    enum Action { case show(String?), set([Word], force: Bool), edit }
    let action: Action

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        let force = reader.flag("--force")
        let words = try reader.positionals()
        guard let verb = words.first else { return .standalone(ConfigCommand(action: .show(nil))) }
        if force && verb.text != "set" { throw ShellError("config \(verb.text): --force is only for config set", at: verb.position) }
        switch verb.text {
        case "show":
            if words.count > 2 { throw ShellError("config show: takes at most one key", at: words[2].position) }
            if let key = words.dropFirst().first {
                do { _ = try ConfigKey.named(key.text) } catch { throw ShellError("config: \(error.message)", at: key.position) }
            }
            return .standalone(ConfigCommand(action: .show(words.dropFirst().first?.text)))
        case "set":
            if words.count < 2 { throw ShellError("config set: expected key=value ...", at: reader.position) }
            return .standalone(ConfigCommand(action: .set(Array(words.dropFirst()), force: force)))
        case "edit":
            if words.count > 1 { throw ShellError("config edit: takes no arguments", at: words[1].position) }
            return .standalone(ConfigCommand(action: .edit))
        default:
            throw ShellError("config: unknown action '\(verb.text)' (show, set, edit)", at: verb.position)
        }
    }

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
    public static let info = CommandInfo(
        name: "workflow", synopsis: "workflow list | run collect|cleanup|collect_and_cleanup",
        summary: "run a workflow; jobs waiting for its events run at each event",
        details: """
        collect: events pre_collect, post_collect. cleanup: pre_cleanup_plan, post_cleanup_plan,
        pre_cleanup, post_cleanup. collect_and_cleanup: both, in that order.
        Cleanup acts only on nodes marked by `clean`, never protected or already cleaned, and only with
        cleanup=true and cleanup_dry_run=false; otherwise it says what it would do.
        """)

    let name: WorkflowName?

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        let words = try reader.positionals()
        switch words.first?.text {
        case "list", nil:
            if words.count > 1 { throw ShellError("workflow list: takes no arguments", at: words[1].position) }
            return .standalone(WorkflowCommand(name: nil))
        case "run":
            guard words.count == 2 else {
                throw ShellError("workflow run: expected one of \(WorkflowName.allCases.map(\.rawValue).joined(separator: ", "))",
                                 at: words.count > 2 ? words[2].position : reader.position)
            }
            do { return .standalone(WorkflowCommand(name: try WorkflowName.named(words[1].text))) } catch {
                throw ShellError("workflow: \(error.message)", at: words[1].position)
            }
        case let other?:
            throw ShellError("workflow: unknown action '\(other)' (list, run)", at: words[0].position)
        }
    }

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
    public static let info = CommandInfo(
        name: "jobs",
        synopsis: "jobs add|list|show|delete|activate|deactivate|run ...",
        summary: "shell lines run on a schedule (sift daemon) or at a workflow event",
        details: """
        jobs add --id ID [--schedule "CRON"] [--wait-for-event EVENT] 'LINE'
        jobs list | show ID | delete ID | activate ID | deactivate ID | run ID
        CRON has 5 fields (minute hour day-of-month month day-of-week, UTC) with *, lists, ranges,
        steps and names. Events: \(WorkflowEvent.allCases.map(\.rawValue).joined(separator: ", ")).
        Two runs of one job never overlap; a failing job is recorded (jobs show) and never stops a workflow.
        Example: jobs add --id clean_old --wait-for-event post_collect "search is(access_key) and last_access > 90days | clean"
        """)

    enum Action { case add(id: String, schedule: String?, event: String?, line: Word), list, show(String), delete(String),
                      activate(String), deactivate(String), run(String) }
    let action: Action

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        guard let verb = segment.words.first, !verb.quoted else {
            return .standalone(JobsCommand(action: .list))
        }
        if verb.text == "add" {
            let id = try reader.option("--id")
            let schedule = try reader.option("--schedule")
            let event = try reader.option("--wait-for-event")
            let words = try reader.positionals().dropFirst()
            guard let id else { throw ShellError("jobs add: --id ID is required", at: reader.position) }
            guard words.count == 1, let line = words.first else {
                throw ShellError("jobs add: expected the job's line as one quoted argument",
                                 at: words.dropFirst().first?.position ?? reader.position)
            }
            if let schedule {
                do { _ = try CronSchedule(parsing: schedule.text) } catch { throw ShellError("jobs add: \(error.message)", at: schedule.position) }
            }
            if let event {
                do { _ = try WorkflowEvent.named(event.text) } catch { throw ShellError("jobs add: \(error.message)", at: event.position) }
            }
            return .standalone(JobsCommand(action: .add(id: id.text, schedule: schedule?.text, event: event?.text, line: line)))
        }
        let words = try reader.positionals()
        if verb.text == "list" {
            if words.count > 1 { throw ShellError("jobs list: takes no arguments", at: words[1].position) }
            return .standalone(JobsCommand(action: .list))
        }
        guard ["show", "delete", "activate", "deactivate", "run"].contains(verb.text) else {
            throw ShellError("jobs: unknown action '\(verb.text)' (add, list, show, delete, activate, deactivate, run)", at: verb.position)
        }
        guard words.count == 2 else {
            throw ShellError("jobs \(verb.text): expected one job id", at: words.count > 2 ? words[2].position : reader.position)
        }
        let id = words[1].text
        switch verb.text {
        case "show": return .standalone(JobsCommand(action: .show(id)))
        case "delete": return .standalone(JobsCommand(action: .delete(id)))
        case "activate": return .standalone(JobsCommand(action: .activate(id)))
        case "deactivate": return .standalone(JobsCommand(action: .deactivate(id)))
        default: return .standalone(JobsCommand(action: .run(id)))
        }
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
            context.out.line("job \(job.id) added" + (job.nextFire.map { ", next run \(ISOTime.format($0))" } ?? ""))
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
            out.line("next run:       \(job.nextFire.map(ISOTime.format) ?? "-")")
            out.line("last run:       \(job.lastStarted.map(ISOTime.format) ?? "never")" + (job.lastTrigger.map { " (\($0))" } ?? ""))
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
    public static let info = CommandInfo(
        name: "cleanup", synopsis: "cleanup log [--since 7d] [--limit N]",
        summary: "what cleanup did: when, to which key, why, and the result",
        details: "Cleanup itself runs as `workflow run cleanup` (or under `sift daemon`).")

    let since: OpsDuration?
    let limit: Int?

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        let sinceWord = try reader.option("--since")
        let limit = try reader.intOption("--limit")
        let words = try reader.positionals()
        guard words.first?.text == "log" else {
            throw ShellError("cleanup: expected 'log' (cleanup runs as `workflow run cleanup`)", at: words.first?.position ?? reader.position)
        }
        if words.count > 1 { throw ShellError("cleanup log: unexpected argument '\(words[1].text)'", at: words[1].position) }
        var since: OpsDuration?
        if let sinceWord {
            do { since = try OpsDuration(parsing: sinceWord.text) } catch { throw ShellError("cleanup log: \(error.message)", at: sinceWord.position) }
        }
        return .standalone(CleanupCommand(since: since, limit: limit))
    }

    public func run(in context: ShellContext) async throws {
        let journal = try await context.store()
        let entries = try await journal.entries(since: since.map { Date().addingTimeInterval(-$0.timeInterval) }, limit: limit)
        for line in CleanupLog.lines(entries) { context.out.line(line) }
    }
}

// MARK: - daemon

/// `daemon`: collect_and_cleanup every collect_interval and the scheduled jobs, until SIGINT/SIGTERM.
public struct DaemonCommand: ShellCommand, StandaloneCommand {
    public static let info = CommandInfo(
        name: "daemon", synopsis: "daemon",
        summary: "run collect_and_cleanup every collect_interval and the scheduled jobs until stopped",
        details: "Stops cleanly on SIGINT (Ctrl-C) or SIGTERM: the key or job line under way finishes first.")

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        try reader.finish()
        return .standalone(DaemonCommand())
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
