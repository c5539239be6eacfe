import Foundation
import SiftStore

/// The jobs, kept in the database's `job` table (v004_ops.sql) through the store's job records:
/// this type checks ids, schedules and events and turns rows into `Job`s.
public struct JobStore: Sendable {
    /// The database.
    public let store: GraphStore

    /// Creates a job store on `store`.
    public init(store: GraphStore) { self.store = store }

    /// Adds a job; the id must be new, the schedule a valid 5-field cron.
    @discardableResult
    public func add(id: String, line: String, schedule: String?, waitForEvent: String?, now: Date = Date()) throws(JobError) -> Job {
        guard !id.isEmpty, id.count <= 64, id.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || "_-.".contains($0) }) else {
            throw JobError.invalid("job id '\(id)' must be 1-64 letters, digits, '_', '-' or '.'")
        }
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { throw JobError.invalid("job \(id): the line to run is empty") }
        let cron: CronSchedule?
        let event: WorkflowEvent?
        do {
            cron = try schedule.map { text throws(OpsValueError) in try CronSchedule(parsing: text) }
            event = try waitForEvent.map { name throws(OpsValueError) in try WorkflowEvent.named(name) }
        } catch {
            throw JobError.invalid("job \(id): \(error.message)")
        }
        let record = JobRecord(id: id, line: line, schedule: cron?.text, waitForEvent: event?.rawValue, active: true,
                               createdAt: now, nextFire: cron?.nextFire(after: now))
        try storing { try store.insertJob(record) }
        return try Self.job(record)
    }

    /// Every job, by id.
    public func list() throws(JobError) -> [Job] {
        try storing { try store.jobRecords() }.map { record throws(JobError) in try Self.job(record) }
    }

    /// The job `id`.
    public func job(_ id: String) throws(JobError) -> Job {
        guard let record = try storing({ try store.jobRecord(id) }) else { throw JobError.unknownJob(id) }
        return try Self.job(record)
    }

    /// Removes the job `id`.
    public func delete(_ id: String) throws(JobError) {
        guard try storing({ try store.deleteJob(id) }) else { throw JobError.unknownJob(id) }
    }

    /// Activates or deactivates the job `id`; activating recomputes its next scheduled run.
    public func setActive(_ id: String, _ active: Bool, now: Date = Date()) throws(JobError) {
        let current = try job(id)
        let next = active ? current.schedule?.nextFire(after: now) : nil
        try storing { try store.setJobActive(id, active, nextFire: next) }
    }

    /// The active jobs waiting for `event`, by id.
    public func jobs(waitingFor event: WorkflowEvent) throws(JobError) -> [Job] {
        try storing { try store.jobRecords(waitingFor: event.rawValue) }.map { record throws(JobError) in try Self.job(record) }
    }

    /// The active scheduled jobs whose next run is at or before `now`; each one's next run moves to the
    /// first fire after `now` (missed fires are not run twice).
    public func takeDueJobs(now: Date) throws(JobError) -> [Job] {
        let due = try storing {
            try store.takeDueJobs(now: now) { record in
                (try? record.schedule.map { text throws(OpsValueError) in try CronSchedule(parsing: text) })??.nextFire(after: now)
            }
        }
        return try due.map { record throws(JobError) in try Self.job(record) }
    }

    /// The earliest next run of any active scheduled job.
    public func nextScheduledFire() throws(JobError) -> Date? {
        try storing { try store.nextScheduledFire() }
    }

    // MARK: - The run lease

    /// Takes the run lease of job `id` for `owner` until `now + ttl` (a lapsed lease, or one whose
    /// owner's process on this host is gone, is taken over); on success the job is marked
    /// `running`. Returns the owner holding it when refused.
    public func acquireLease(_ id: String, owner: LeaseOwner, trigger: JobTrigger, now: Date, ttl: TimeInterval) throws(JobError) -> LeaseResult {
        try storing {
            try store.startJobRun(id, owner: owner.token, trigger: trigger.description, now: now, ttl: ttl,
                                  isDeadOwner: { LeaseOwner(token: $0)?.isDeadProcessOnThisHost ?? false })
        }
    }

    /// Extends `owner`'s lease of job `id`; false when the lease is no longer `owner`'s.
    public func renewLease(_ id: String, owner: LeaseOwner, until: Date) throws(JobError) -> Bool {
        try storing { try store.renewLease(name: GraphStore.jobLeaseName(id), owner: owner.token, until: until) }
    }

    /// Records how `owner`'s run of job `id` ended and releases the lease (nothing when the lease
    /// is no longer `owner`'s).
    public func finish(_ id: String, owner: LeaseOwner, error: String?, now: Date) throws(JobError) {
        _ = try storing { try store.finishJobRun(id, owner: owner.token, error: error, now: now) }
    }

    // MARK: - Rows

    /// A job from its row; a schedule or event this version cannot read is a storage error.
    static func job(_ record: JobRecord) throws(JobError) -> Job {
        do {
            return Job(
                id: record.id, line: record.line,
                schedule: try record.schedule.map { text throws(OpsValueError) in try CronSchedule(parsing: text) },
                waitForEvent: try record.waitForEvent.map { name throws(OpsValueError) in try WorkflowEvent.named(name) },
                active: record.active, createdAt: record.createdAt,
                lastStarted: record.lastStarted, lastFinished: record.lastFinished,
                lastStatus: record.lastStatus.flatMap(JobStatus.init(rawValue:)), lastError: record.lastError,
                lastTrigger: record.lastTrigger, runs: record.runs, failures: record.failures,
                nextFire: record.nextFire, leaseOwner: record.leaseOwner)
        } catch {
            throw JobError.storage("job \(record.id) in the database: \(error.message)")
        }
    }

    /// Runs a store operation, its errors as `JobError`.
    private func storing<T>(_ body: () throws -> T) throws(JobError) -> T {
        do { return try body() } catch let error as JobRecordError {
            switch error {
            case .unknown(let id): throw JobError.unknownJob(id)
            case .duplicate(let id): throw JobError.duplicate(id)
            }
        } catch {
            throw JobError.storage(String(describing: error))
        }
    }
}
