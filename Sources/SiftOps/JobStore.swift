import Foundation
import GRDB
import SiftStore

/// The jobs, kept in the database's `job` table (v004_ops.sql).
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
        let job = Job(
            id: id, line: line, schedule: cron, waitForEvent: event, active: true, createdAt: now,
            lastStarted: nil, lastFinished: nil, lastStatus: nil, lastError: nil, lastTrigger: nil,
            runs: 0, failures: 0, nextFire: cron?.nextFire(after: now), leaseOwner: nil)
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM job WHERE id = ?", arguments: [id]) == true { throw JobError.duplicate(id) }
            try db.execute(
                sql: """
                    INSERT INTO job(id, line, schedule, wait_for_event, active, created_at, next_fire)
                    VALUES (?, ?, ?, ?, 1, ?, ?)
                    """,
                arguments: [id, line, cron?.text, event?.rawValue, Self.seconds(now), job.nextFire.map(Self.seconds)])
        }
        return job
    }

    /// Every job, by id.
    public func list() throws(JobError) -> [Job] {
        try read { db in try Row.fetchAll(db, sql: "\(Self.select) ORDER BY job.id").map(Self.job(row:)) }
    }

    /// The job `id`.
    public func job(_ id: String) throws(JobError) -> Job {
        let found = try read { db in try Row.fetchOne(db, sql: "\(Self.select) WHERE job.id = ?", arguments: [id]).map(Self.job(row:)) }
        guard let found else { throw JobError.unknownJob(id) }
        return found
    }

    /// Removes the job `id`.
    public func delete(_ id: String) throws(JobError) {
        try write { db in
            try db.execute(sql: "DELETE FROM job WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw JobError.unknownJob(id) }
        }
    }

    /// Activates or deactivates the job `id`; activating recomputes its next scheduled run.
    public func setActive(_ id: String, _ active: Bool, now: Date = Date()) throws(JobError) {
        let current = try job(id)
        let next = active ? current.schedule?.nextFire(after: now) : nil
        try write { db in
            try db.execute(
                sql: "UPDATE job SET active = ?, next_fire = ? WHERE id = ?",
                arguments: [active, next.map(Self.seconds), id])
        }
    }

    /// The active jobs waiting for `event`, by id.
    public func jobs(waitingFor event: WorkflowEvent) throws(JobError) -> [Job] {
        try read { db in
            try Row.fetchAll(db, sql: "\(Self.select) WHERE wait_for_event = ? AND active = 1 ORDER BY job.id", arguments: [event.rawValue])
                .map(Self.job(row:))
        }
    }

    /// The active scheduled jobs whose next run is at or before `now`; each one's next run moves to the
    /// first fire after `now` (missed fires are not run twice).
    public func takeDueJobs(now: Date) throws(JobError) -> [Job] {
        try write { db in
            let due = try Row.fetchAll(
                db, sql: "\(Self.select) WHERE active = 1 AND schedule IS NOT NULL AND next_fire <= ? ORDER BY next_fire, job.id",
                arguments: [Self.seconds(now)]
            ).map(Self.job(row:))
            for job in due {
                try db.execute(
                    sql: "UPDATE job SET next_fire = ? WHERE id = ?",
                    arguments: [job.schedule?.nextFire(after: now).map(Self.seconds), job.id])
            }
            return due
        }
    }

    /// The earliest next run of any active scheduled job.
    public func nextScheduledFire() throws(JobError) -> Date? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT min(next_fire) FROM job WHERE active = 1 AND schedule IS NOT NULL")
                .map { Date(timeIntervalSince1970: TimeInterval($0)) }
        }
    }

    // MARK: - The run lease

    /// Takes the run lease of job `id` for `owner` until `now + ttl` (see `Leases.acquire`); on success
    /// the job is marked `running`. Returns the owner holding it when refused.
    public func acquireLease(_ id: String, owner: LeaseOwner, trigger: JobTrigger, now: Date, ttl: TimeInterval) throws(JobError) -> LeaseResult {
        try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM job WHERE id = ?", arguments: [id]) == true else { throw JobError.unknownJob(id) }
            let result = try Leases.acquire(db, name: Self.leaseName(id), owner: owner, now: now, ttl: ttl)
            if result == .acquired {
                try db.execute(
                    sql: "UPDATE job SET last_started = ?, last_status = 'running', last_trigger = ? WHERE id = ?",
                    arguments: [Self.seconds(now), trigger.description, id])
            }
            return result
        }
    }

    /// Extends `owner`'s lease of job `id`; false when the lease is no longer `owner`'s.
    public func renewLease(_ id: String, owner: LeaseOwner, until: Date) throws(JobError) -> Bool {
        try write { db in try Leases.renew(db, name: Self.leaseName(id), owner: owner, until: until) }
    }

    /// Records how `owner`'s run of job `id` ended and releases the lease.
    public func finish(_ id: String, owner: LeaseOwner, error: String?, now: Date) throws(JobError) {
        try write { db in
            guard try Leases.release(db, name: Self.leaseName(id), owner: owner) else { return }
            try db.execute(
                sql: """
                    UPDATE job SET last_finished = ?, last_status = ?, last_error = ?, runs = runs + 1, failures = failures + ?
                    WHERE id = ?
                    """,
                arguments: [Self.seconds(now), error == nil ? JobStatus.ok.rawValue : JobStatus.failed.rawValue,
                            error, error == nil ? 0 : 1, id])
        }
    }

    static func leaseName(_ id: String) -> String { "job:\(id)" }

    // MARK: - Rows

    /// A job's columns and the owner of its lease, if any.
    static let select = "SELECT job.*, lease.owner AS lease_owner FROM job LEFT JOIN lease ON lease.name = 'job:' || job.id"

    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    private static func date(_ row: Row, _ column: String) -> Date? {
        (row[column] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    private static func job(row: Row) throws -> Job {
        let id: String = row["id"]
        let schedule: String? = row["schedule"]
        let event: String? = row["wait_for_event"]
        let status: String? = row["last_status"]
        do {
            return Job(
                id: id, line: row["line"],
                schedule: try schedule.map { text throws(OpsValueError) in try CronSchedule(parsing: text) },
                waitForEvent: try event.map { name throws(OpsValueError) in try WorkflowEvent.named(name) },
                active: row["active"], createdAt: date(row, "created_at") ?? Date(timeIntervalSince1970: 0),
                lastStarted: date(row, "last_started"), lastFinished: date(row, "last_finished"),
                lastStatus: status.flatMap(JobStatus.init(rawValue:)), lastError: row["last_error"],
                lastTrigger: row["last_trigger"], runs: row["runs"], failures: row["failures"],
                nextFire: date(row, "next_fire"), leaseOwner: row["lease_owner"])
        } catch {
            throw JobError.storage("job \(id) in the database: \(error.message)")
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(JobError) -> T {
        do { return try store.writer.read(body) } catch let error as JobError { throw error } catch {
            throw JobError.storage(String(describing: error))
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws(JobError) -> T {
        do { return try store.writer.write(body) } catch let error as JobError { throw error } catch {
            throw JobError.storage(String(describing: error))
        }
    }
}

