import Foundation
import SiftStore

/// The jobs, kept in the database's `job` table (v004_ops.sql) through the store's job records:
/// this type checks ids, schedules and events and turns rows into `Job`s.
public struct JobStore: Sendable {
    /// The database.
    public let store: any JobRecording

    /// Creates a job store on `store`.
    public init(store: any JobRecording) { self.store = store }

    /// Adds a job; the id must be new, the schedule a valid 5-field cron.
    @discardableResult
    public func add(id: String, line: String, schedule: String?, waitForEvent: String?, now: Date = Date()) async throws(JobError) -> Job {
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
        try await storing { try await store.insertJob(record) }
        return Self.job(record)
    }

    /// Every job, by id.
    public func list() async throws(JobError) -> [Job] {
        try await storing { try await store.jobRecords() }.map(Self.job)
    }

    /// The job `id`.
    public func job(_ id: String) async throws(JobError) -> Job {
        guard let record = try await storing({ try await store.jobRecord(id) }) else { throw JobError.unknownJob(id) }
        return Self.job(record)
    }

    /// Removes the job `id`.
    public func delete(_ id: String) async throws(JobError) {
        guard try await storing({ try await store.deleteJob(id) }) else { throw JobError.unknownJob(id) }
    }

    /// Activates or deactivates the job `id`; activating recomputes its next scheduled run.
    public func setActive(_ id: String, _ active: Bool, now: Date = Date()) async throws(JobError) {
        let current = try await job(id)
        let next = active ? current.schedule?.nextFire(after: now) : nil
        try await storing { try await store.setJobActive(id, active, nextFire: next) }
    }

    /// The active jobs waiting for `event`, by id.
    public func jobs(waitingFor event: WorkflowEvent) async throws(JobError) -> [Job] {
        try await storing { try await store.jobRecords(waitingFor: event.rawValue) }.map(Self.job)
    }

    /// The active scheduled jobs whose next run is at or before `now`; each one's next run moves to the
    /// first fire after `now` (missed fires are not run twice).
    public func takeDueJobs(now: Date) async throws(JobError) -> [Job] {
        let due = try await storing {
            try await store.takeDueJobs(now: now) { record in
                (try? record.schedule.map { text throws(OpsValueError) in try CronSchedule(parsing: text) })??.nextFire(after: now)
            }
        }
        return due.map(Self.job)
    }

    /// The earliest next run of any active scheduled job.
    public func nextScheduledFire() async throws(JobError) -> Date? {
        try await storing { try await store.nextScheduledFire() }
    }

    // MARK: - The run lease

    /// Takes the run lease of job `id` for `owner` until `now + ttl` (a lapsed lease, or one whose
    /// owner's process on this host is gone, is taken over); on success the job is marked
    /// `running`. Returns the owner holding it when refused.
    public func acquireLease(_ id: String, owner: LeaseOwner, trigger: JobTrigger, now: Date, ttl: TimeInterval) async throws(JobError) -> LeaseResult {
        try await storing {
            try await store.startJobRun(id, owner: owner.token, trigger: trigger.description, now: now, ttl: ttl,
                                  isDeadOwner: { LeaseOwner(token: $0)?.isDeadProcessOnThisHost ?? false })
        }
    }

    /// Extends `owner`'s lease of job `id`; false when the lease is no longer `owner`'s.
    public func renewLease(_ id: String, owner: LeaseOwner, until: Date) async throws(JobError) -> Bool {
        try await storing { try await store.renewLease(name: JobRecord.leaseName(of: id), owner: owner.token, until: until) }
    }

    /// Records how `owner`'s run of job `id` ended and releases the lease (nothing when the lease
    /// is no longer `owner`'s).
    public func finish(_ id: String, owner: LeaseOwner, error: String?, now: Date) async throws(JobError) {
        _ = try await storing { try await store.finishJobRun(id, owner: owner.token, error: error, now: now) }
    }

    // MARK: - Rows

    /// A job from its row. A schedule or event this version refuses (stored by an earlier one) is
    /// dropped and described in `problem`, so that one such job does not hide the others from
    /// `jobs list` or stop the daemon; its next run is cleared when it is next due (`takeDueJobs`).
    static func job(_ record: JobRecord) -> Job {
        var problems: [String] = []
        var schedule: CronSchedule?
        if let text = record.schedule {
            do { schedule = try CronSchedule(parsing: text) } catch {
                problems.append("its schedule \"\(text)\" is refused now (\(error.message)); it runs only by hand: "
                                + "jobs delete \(record.id), then jobs add it again with a schedule that fires")
            }
        }
        var event: WorkflowEvent?
        if let name = record.waitForEvent {
            do { event = try WorkflowEvent.named(name) } catch {
                problems.append("its event '\(name)' is unknown now (\(error.message)); it runs only by hand")
            }
        }
        return Job(
            id: record.id, line: record.line, schedule: schedule, waitForEvent: event,
            active: record.active, createdAt: record.createdAt,
            lastStarted: record.lastStarted, lastFinished: record.lastFinished,
            lastStatus: record.lastStatus.flatMap(JobStatus.init(rawValue:)), lastError: record.lastError,
            lastTrigger: record.lastTrigger, runs: record.runs, failures: record.failures,
            nextFire: record.nextFire, leaseOwner: record.leaseOwner,
            problem: problems.isEmpty ? nil : problems.joined(separator: "; "))
    }

    /// Runs a store operation, its errors as `JobError`.
    private func storing<T>(_ body: () async throws -> T) async throws(JobError) -> T {
        do { return try await body() } catch let error as JobRecordError {
            switch error {
            case .unknown(let id): throw JobError.unknownJob(id)
            case .duplicate(let id): throw JobError.duplicate(id)
            }
        } catch {
            throw JobError.storage(String(describing: error))
        }
    }
}
