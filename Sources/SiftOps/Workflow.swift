import Foundation
import SiftStore

/// The workflows of SPEC section 6.
public enum WorkflowName: String, Sendable, Hashable, CaseIterable {
    /// Collect (events pre_collect, post_collect).
    case collect
    /// Clean up what `clean` marked (pre_cleanup_plan, post_cleanup_plan, pre_cleanup, post_cleanup).
    case cleanup
    /// Both, in that order.
    case collectAndCleanup = "collect_and_cleanup"

    /// The events the workflow emits, in order.
    public var events: [WorkflowEvent] {
        switch self {
        case .collect: return [.preCollect, .postCollect]
        case .cleanup: return [.preCleanupPlan, .postCleanupPlan, .preCleanup, .postCleanup]
        case .collectAndCleanup: return WorkflowName.collect.events + WorkflowName.cleanup.events
        }
    }

    /// The workflow named `name`, or an error listing them.
    public static func named(_ name: String) throws(OpsValueError) -> WorkflowName {
        if let workflow = WorkflowName(rawValue: name) { return workflow }
        throw OpsValueError("unknown workflow '\(name)'; workflows: \(allCases.map(\.rawValue).joined(separator: ", "))")
    }
}

/// What workflows need from the rest of Sift.
public struct WorkflowEnvironment: Sendable {
    /// The database.
    public var store: any GraphBackend
    /// Runs a collect with the configured accounts and role; returns its summary line.
    public var collect: @Sendable (OpsConfig) async throws -> String
    /// The cloud calls of cleanup, per account.
    public var actions: AccessKeyActionsProvider
    /// Runs a job's shell line.
    public var runLine: LineRunner
    /// The clock.
    public var now: @Sendable () -> Date
    /// Where progress lines go.
    public var output: @Sendable (String) -> Void

    /// Creates an environment.
    public init(store: any GraphBackend, collect: @escaping @Sendable (OpsConfig) async throws -> String,
                actions: @escaping AccessKeyActionsProvider, runLine: @escaping LineRunner,
                now: @escaping @Sendable () -> Date = { Date() }, output: @escaping @Sendable (String) -> Void) {
        self.store = store
        self.collect = collect
        self.actions = actions
        self.runLine = runLine
        self.now = now
        self.output = output
    }
}

/// What a workflow did.
public struct WorkflowReport: Sendable {
    /// The events emitted, in order.
    public var events: [WorkflowEvent] = []
    /// Each job run at an event: (event, job id, outcome).
    public var jobRuns: [(event: WorkflowEvent, job: String, outcome: JobOutcome)] = []
    /// The collect's summary, when the workflow collected.
    public var collectSummary: String?
    /// The cleanup's report, when the workflow cleaned up.
    public var cleanup: CleanupReport?
    /// Whether any job failed (the workflow still ran to its end).
    public var jobFailed: Bool { jobRuns.contains { if case .failed = $0.outcome { return true } else { return false } } }
}

/// Why a workflow stopped.
public enum WorkflowError: Error, Sendable, CustomStringConvertible {
    /// The collect failed; the workflow stopped before its later steps.
    case collectFailed(String)
    /// The configuration or the database could not be read.
    case storage(String)
    /// Another cleanup is under way (its lease owner).
    case cleanupRunning(String)

    /// A message for people.
    public var description: String {
        switch self {
        case .collectFailed(let message): return "collect failed: \(message)"
        case .storage(let message): return "workflow: \(message)"
        case .cleanupRunning(let owner): return "another cleanup is under way (\(owner)); try again when it ends"
        }
    }
}

/// Runs workflows: their steps, and at each event the active jobs waiting for it (a failing job is
/// recorded and reported; the workflow goes on).
public struct WorkflowRunner: Sendable {
    /// What the workflows need.
    public let environment: WorkflowEnvironment

    /// Creates a runner.
    public init(environment: WorkflowEnvironment) { self.environment = environment }

    /// Runs the workflow `name`.
    public func run(_ name: WorkflowName) async throws(WorkflowError) -> WorkflowReport {
        var report = WorkflowReport()
        switch name {
        case .collect:
            try await collect(into: &report)
        case .cleanup:
            try await cleanup(into: &report)
        case .collectAndCleanup:
            try await collect(into: &report)
            try await cleanup(into: &report)
        }
        return report
    }

    private func config() async throws(WorkflowError) -> OpsConfig {
        do { return try await ConfigStore(store: environment.store).load() } catch { throw WorkflowError.storage(String(describing: error)) }
    }

    private func collect(into report: inout WorkflowReport) async throws(WorkflowError) {
        await emit(.preCollect, into: &report)
        do {
            report.collectSummary = try await environment.collect(try config())
        } catch {
            throw WorkflowError.collectFailed(String(describing: error))
        }
        if let summary = report.collectSummary { environment.output(summary) }
        await emit(.postCollect, into: &report)
    }

    private func cleanup(into report: inout WorkflowReport) async throws(WorkflowError) {
        let started = environment.now()
        let clock = ContinuousClock.now
        await emit(.preCleanupPlan, into: &report)
        let config = try await config()
        if config.isDryRun {
            environment.output("cleanup is a dry run (cleanup=\(config.cleanup), cleanup_dry_run=\(config.cleanupDryRun)): nothing will change")
        }
        // One real cleanup at a time (daemon, workflow runs, jobs): the lease is held until it ends.
        let lease = config.isDryRun ? nil : try await CleanupLease.acquire(store: environment.store)
        do {
            try await cleanup(config: config, lease: lease, started: started, clock: clock, into: &report)
        } catch {
            await lease?.release()
            throw error
        }
        await lease?.release()
    }

    private func cleanup(config: OpsConfig, lease: CleanupLease?, started: Date, clock: ContinuousClock.Instant,
                         into report: inout WorkflowReport) async throws(WorkflowError) {
        let runner = CleanupRunner(store: environment.store, config: config, actions: environment.actions,
                                   now: environment.now, output: environment.output, lease: lease?.guarding)
        let recovered = config.isDryRun ? [] : await runner.recover()
        let steps: [CleanupStep]
        do { steps = try await CleanupPlanner(store: environment.store).plan(config: config, now: environment.now()) } catch {
            throw WorkflowError.storage("cannot plan the cleanup: \(error)")
        }
        await emit(.postCleanupPlan, into: &report)
        await emit(.preCleanup, into: &report)
        let runId = config.isDryRun ? nil : CleanupRunner.newRunId(now: started)
        if let runId { try await startRun(runId, planned: steps.count + recovered.count, at: started) }
        let outcomes = await runner.execute(steps, runId: runId ?? "")
        let elapsed = ContinuousClock.now - clock
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let cleanupReport = CleanupReport(runId: runId, dryRun: config.isDryRun, outcomes: recovered + outcomes, seconds: seconds)
        if let runId { try await finishRun(runId, cleanupReport) }
        if let lost = lease?.guarding.lostReason {
            environment.output("cleanup stopped: \(lost); the keys not acted on stay marked for the next run")
        }
        environment.output(cleanupReport.summary)
        report.cleanup = cleanupReport
        await emit(.postCleanup, into: &report)
    }

    private func startRun(_ runId: String, planned: Int, at: Date) async throws(WorkflowError) {
        do { try await environment.store.startCleanupRun(runId, planned: planned, at: at) } catch {
            throw WorkflowError.storage(String(describing: error))
        }
    }

    private func finishRun(_ runId: String, _ report: CleanupReport) async throws(WorkflowError) {
        let succeeded = report.outcomes.filter { $0.result == .done || $0.result == .gone }.count
        let failed = report.outcomes.filter { $0.result == .failed }.count
        do {
            try await environment.store.finishCleanupRun(runId, at: environment.now(), succeeded: succeeded, failed: failed, summary: report.summary)
        } catch { throw WorkflowError.storage(String(describing: error)) }
    }

    /// Emits `event`: runs each active job waiting for it, one after another, by id.
    private func emit(_ event: WorkflowEvent, into report: inout WorkflowReport) async {
        report.events.append(event)
        let jobs = JobStore(store: environment.store)
        let waiting: [Job]
        do { waiting = try await jobs.jobs(waitingFor: event) } catch {
            environment.output("event \(event): cannot read the jobs: \(error)")
            return
        }
        if waiting.isEmpty { return }
        environment.output("event \(event): \(waiting.count) job(s)")
        let runner = JobRunner(jobs: jobs, runLine: environment.runLine, now: environment.now)
        for job in waiting {
            let outcome: JobOutcome
            do { outcome = try await runner.run(job.id, trigger: .event(event)) } catch { outcome = .failed(String(describing: error)) }
            environment.output(JobOutcomeText.line(job: job.id, outcome))
            report.jobRuns.append((event, job.id, outcome))
        }
    }
}

/// How job outcomes read.
public enum JobOutcomeText {
    /// `job ID: ok`, `job ID: FAILED: why`, `job ID: already running (owner)`.
    public static func line(job: String, _ outcome: JobOutcome) -> String {
        switch outcome {
        case .ok: return "job \(job): ok"
        case .failed(let why): return "job \(job): FAILED: \(why)"
        case .alreadyRunning(let owner): return "job \(job): not run, a run is under way (\(owner))"
        }
    }
}

/// The `cleanup` lease, held (and renewed) while a real cleanup runs.
final class CleanupLease: Sendable {
    static let name = "cleanup"
    static let ttl: TimeInterval = 120
    let store: any JobRecording
    let owner: LeaseOwner
    let heartbeat: LeaseHeartbeat

    /// Takes the lease, or says who holds it.
    static func acquire(store: any JobRecording) async throws(WorkflowError) -> CleanupLease {
        let owner = LeaseOwner()
        let result: LeaseResult
        do {
            result = try await store.acquireLease(name: Self.name, owner: owner.token, now: Date(), ttl: Self.ttl,
                                                  isDeadOwner: { LeaseOwner(token: $0)?.isDeadProcessOnThisHost ?? false })
        } catch {
            throw WorkflowError.storage(String(describing: error))
        }
        if case .heldBy(let holder) = result { throw WorkflowError.cleanupRunning(holder) }
        return CleanupLease(store: store, owner: owner)
    }

    private init(store: any JobRecording, owner: LeaseOwner) {
        self.store = store
        self.owner = owner
        let guarding = LeaseGuard(store: store, name: Self.name, owner: owner, ttl: Self.ttl)
        self.guarding = guarding
        heartbeat = LeaseHeartbeat(ttl: Self.ttl, now: { Date() }) { _ in await guarding.confirm(now: Date()) }
    }

    /// Renews the lease before each cloud action and says when it is lost.
    let guarding: LeaseGuard

    /// Stops renewing and gives the lease up (if it is still ours: a lost lease is another run's now).
    func release() async {
        heartbeat.stop()
        do {
            _ = try await store.releaseLease(name: Self.name, owner: owner.token)
        } catch {
            // The lease lapses by itself after its time-to-live; the next run takes it over then.
        }
    }
}
