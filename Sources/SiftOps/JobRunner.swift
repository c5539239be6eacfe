import Foundation

/// Runs one shell line; throws when the line fails. The shell provides it (SiftOps does not know the
/// shell): it parses and runs the line as if typed, printing its results.
public typealias LineRunner = @Sendable (String) async throws -> Void

/// How one run of a job went.
public enum JobOutcome: Sendable, Hashable {
    /// The line succeeded.
    case ok
    /// The line failed (recorded on the job).
    case failed(String)
    /// Another run of the job was under way (its lease owner): nothing ran.
    case alreadyRunning(String)
}

/// Runs jobs so that two runs of one job never overlap (a lease row in the database, renewed while
/// the line runs) and every run's end is recorded on the job. A failing job is recorded and
/// reported; it never throws into its caller's workflow.
public struct JobRunner: Sendable {
    /// The jobs.
    public let jobs: JobStore
    /// Runs a job's line.
    public let runLine: LineRunner
    /// The clock.
    public let now: @Sendable () -> Date
    /// How long a lease lasts without renewal (renewed every third of it while the line runs).
    public let leaseTTL: TimeInterval

    /// Creates a runner.
    public init(jobs: JobStore, runLine: @escaping LineRunner, now: @escaping @Sendable () -> Date = { Date() }, leaseTTL: TimeInterval = 120) {
        self.jobs = jobs
        self.runLine = runLine
        self.now = now
        self.leaseTTL = leaseTTL
    }

    /// Runs the job `id` once, unless a run of it is under way.
    public func run(_ id: String, trigger: JobTrigger) async throws(JobError) -> JobOutcome {
        let job = try await jobs.job(id)
        let owner = LeaseOwner()
        switch try await jobs.acquireLease(id, owner: owner, trigger: trigger, now: now(), ttl: leaseTTL) {
        case .heldBy(let holder): return .alreadyRunning(holder)
        case .acquired: break
        }
        let guarding = LeaseGuard(
            name: "job \(id)", owner: owner, ttl: leaseTTL,
            renew: { [jobs] until in try await jobs.renewLease(id, owner: owner, until: until) }, holder: { nil })
        let heartbeat = LeaseHeartbeat(ttl: leaseTTL, now: now) { [now] _ in await guarding.confirm(now: now()) }
        var failure: String?
        do {
            try await runLine(job.line)
        } catch {
            failure = String(describing: error)
        }
        heartbeat.stop()
        // A run that lost its lease says so (another run may have started meanwhile); cloud actions
        // inside it are guarded by the cleanup lease, which is confirmed before each one.
        if let lost = guarding.lostReason { failure = (failure.map { $0 + "; " } ?? "") + lost }
        try await jobs.finish(id, owner: owner, error: failure, now: now())
        return failure.map(JobOutcome.failed) ?? .ok
    }
}
