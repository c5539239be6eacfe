import Foundation
import GRDB
import SiftTime

// The store's side of jobs, leases and cleanup runs: the rows of the `job`, `lease` and
// `cleanup_run` tables (Schema/sql/v004_ops.sql) as values, and each change one transaction.
// SiftOps decides schedules, events and who may run; the SQL is here.

/// A job's row.
public struct JobRecord: Sendable, Hashable {
    /// The job's id.
    public var id: String
    /// The shell line it runs.
    public var line: String
    /// Its cron schedule's text, if any.
    public var schedule: String?
    /// The event it waits for, if any.
    public var waitForEvent: String?
    /// Whether it runs.
    public var active: Bool
    /// When it was added.
    public var createdAt: Date
    /// When its last run started.
    public var lastStarted: Date?
    /// When its last run finished.
    public var lastFinished: Date?
    /// `running`, `ok` or `failed`.
    public var lastStatus: String?
    /// The last failure's message.
    public var lastError: String?
    /// What started the last run.
    public var lastTrigger: String?
    /// Runs finished.
    public var runs: Int
    /// Runs failed.
    public var failures: Int
    /// When the schedule fires next.
    public var nextFire: Date?
    /// Who holds the job's run lease, if anyone.
    public var leaseOwner: String?

    /// Creates a record of a new job (no runs yet).
    public init(id: String, line: String, schedule: String?, waitForEvent: String?, active: Bool, createdAt: Date, nextFire: Date?) {
        self.init(id: id, line: line, schedule: schedule, waitForEvent: waitForEvent, active: active, createdAt: createdAt,
                  lastStarted: nil, lastFinished: nil, lastStatus: nil, lastError: nil, lastTrigger: nil,
                  runs: 0, failures: 0, nextFire: nextFire, leaseOwner: nil)
    }

    /// Creates a record with every column.
    public init(id: String, line: String, schedule: String?, waitForEvent: String?, active: Bool, createdAt: Date,
                lastStarted: Date?, lastFinished: Date?, lastStatus: String?, lastError: String?, lastTrigger: String?,
                runs: Int, failures: Int, nextFire: Date?, leaseOwner: String?) {
        self.id = id
        self.line = line
        self.schedule = schedule
        self.waitForEvent = waitForEvent
        self.active = active
        self.createdAt = createdAt
        self.lastStarted = lastStarted
        self.lastFinished = lastFinished
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.lastTrigger = lastTrigger
        self.runs = runs
        self.failures = failures
        self.nextFire = nextFire
        self.leaseOwner = leaseOwner
    }
}

/// The outcome of asking for a lease.
public enum LeaseResult: Sendable, Hashable {
    /// The lease is ours: run.
    case acquired
    /// Another run holds it (its owner token): do not run.
    case heldBy(String)
}

/// Why a job change was refused by the store.
public enum JobRecordError: Error, Sendable, Hashable {
    /// No job has that id.
    case unknown(String)
    /// A job with that id exists already.
    case duplicate(String)
}

extension GraphStore {
    // MARK: Jobs

    /// Adds a job; `JobRecordError.duplicate` when its id is taken.
    public func insertJob(_ job: JobRecord) throws {
        try writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM job WHERE id = ?", arguments: [job.id]) == true { throw JobRecordError.duplicate(job.id) }
            try db.execute(
                sql: """
                    INSERT INTO job(id, line, schedule, wait_for_event, active, created_at, next_fire)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [job.id, job.line, job.schedule, job.waitForEvent, job.active, UnixTime.seconds(of: job.createdAt), job.nextFire.map(UnixTime.seconds(of:))])
        }
    }

    /// Every job, by id.
    public func jobRecords() throws -> [JobRecord] {
        try writer.read { db in try Row.fetchAll(db, sql: "\(Self.jobSelect) ORDER BY job.id").map(Self.jobRecord) }
    }

    /// The job `id`, if there is one.
    public func jobRecord(_ id: String) throws -> JobRecord? {
        try writer.read { db in try Row.fetchOne(db, sql: "\(Self.jobSelect) WHERE job.id = ?", arguments: [id]).map(Self.jobRecord) }
    }

    /// The active jobs waiting for an event, by id.
    public func jobRecords(waitingFor event: String) throws -> [JobRecord] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "\(Self.jobSelect) WHERE wait_for_event = ? AND active = 1 ORDER BY job.id", arguments: [event])
                .map(Self.jobRecord)
        }
    }

    /// Removes the job `id`; false when there was none.
    public func deleteJob(_ id: String) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM job WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Turns the job on or off and sets when it fires next.
    public func setJobActive(_ id: String, _ active: Bool, nextFire: Date?) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE job SET active = ?, next_fire = ? WHERE id = ?", arguments: [active, nextFire.map(UnixTime.seconds(of:)), id])
        }
    }

    /// In one transaction: the active scheduled jobs due at `now` (by fire time, then id), each
    /// moved on to the fire time `nextFire` gives it.
    public func takeDueJobs(now: Date, nextFire: (JobRecord) -> Date?) throws -> [JobRecord] {
        try writer.write { db in
            let due = try Row.fetchAll(
                db, sql: "\(Self.jobSelect) WHERE active = 1 AND schedule IS NOT NULL AND next_fire <= ? ORDER BY next_fire, job.id",
                arguments: [UnixTime.seconds(of: now)]
            ).map(Self.jobRecord)
            for job in due {
                try db.execute(sql: "UPDATE job SET next_fire = ? WHERE id = ?", arguments: [nextFire(job).map(UnixTime.seconds(of:)), job.id])
            }
            return due
        }
    }

    /// The earliest fire time of the active scheduled jobs.
    public func nextScheduledFire() throws -> Date? {
        try writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT min(next_fire) FROM job WHERE active = 1 AND schedule IS NOT NULL")
                .map { UnixTime.date($0) }
        }
    }

    /// Takes the run lease of job `id` (lease `job:ID`) and, when taken, records the run's start:
    /// one transaction. `JobRecordError.unknown` when there is no such job.
    public func startJobRun(_ id: String, owner: String, trigger: String, now: Date, ttl: TimeInterval,
                            isDeadOwner: (String) -> Bool) throws -> LeaseResult {
        try writer.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM job WHERE id = ?", arguments: [id]) == true else { throw JobRecordError.unknown(id) }
            let result = try Self.acquireLease(db, name: JobRecord.leaseName(of: id), owner: owner, now: now, ttl: ttl, isDeadOwner: isDeadOwner)
            if result == .acquired {
                try db.execute(sql: "UPDATE job SET last_started = ?, last_status = 'running', last_trigger = ? WHERE id = ?",
                               arguments: [UnixTime.seconds(of: now), trigger, id])
            }
            return result
        }
    }

    /// Records how `owner`'s run of job `id` ended (`ok`, or `failed` with `error`) and releases
    /// its lease, in one transaction; nothing when the lease is no longer `owner`'s (another run
    /// took over). Returns whether it was recorded.
    @discardableResult
    public func finishJobRun(_ id: String, owner: String, error: String?, now: Date) throws -> Bool {
        try writer.write { db in
            guard try Self.releaseLease(db, name: JobRecord.leaseName(of: id), owner: owner) else { return false }
            try db.execute(
                sql: """
                    UPDATE job SET last_finished = ?, last_status = ?, last_error = ?, runs = runs + 1, failures = failures + ?
                    WHERE id = ?
                    """,
                arguments: [UnixTime.seconds(of: now), error == nil ? "ok" : "failed", error, error == nil ? 0 : 1, id])
            return true
        }
    }


    // MARK: Leases

    /// Takes lease `name` for `owner` until `now + ttl`, unless another owner holds one that has
    /// not lapsed and that `isDeadOwner` does not call dead.
    public func acquireLease(name: String, owner: String, now: Date, ttl: TimeInterval, isDeadOwner: (String) -> Bool) throws -> LeaseResult {
        try writer.write { db in try Self.acquireLease(db, name: name, owner: owner, now: now, ttl: ttl, isDeadOwner: isDeadOwner) }
    }

    /// Extends `owner`'s lease `name`; false when it is no longer `owner`'s.
    public func renewLease(name: String, owner: String, until: Date) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "UPDATE lease SET until = ? WHERE name = ? AND owner = ?", arguments: [UnixTime.seconds(of: until), name, owner])
            return db.changesCount == 1
        }
    }

    /// Gives `owner`'s lease `name` up; false when it was no longer `owner`'s.
    public func releaseLease(name: String, owner: String) throws -> Bool {
        try writer.write { db in try Self.releaseLease(db, name: name, owner: owner) }
    }

    /// Who holds lease `name` now (its owner token), if anyone.
    public func leaseHolder(name: String) throws -> String? {
        try writer.read { db in try String.fetchOne(db, sql: "SELECT owner FROM lease WHERE name = ?", arguments: [name]) }
    }

    private static func acquireLease(_ db: Database, name: String, owner: String, now: Date, ttl: TimeInterval,
                                     isDeadOwner: (String) -> Bool) throws -> LeaseResult {
        if let row = try Row.fetchOne(db, sql: "SELECT owner, until FROM lease WHERE name = ?", arguments: [name]) {
            let holder: String = row["owner"]
            let until: Int64 = row["until"]
            let lapsed = until < UnixTime.seconds(of: now)
            if !lapsed && holder != owner && !isDeadOwner(holder) { return .heldBy(holder) }
        }
        try db.execute(
            sql: "INSERT INTO lease(name, owner, until) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, until = excluded.until",
            arguments: [name, owner, UnixTime.seconds(of: now.addingTimeInterval(ttl))])
        return .acquired
    }

    private static func releaseLease(_ db: Database, name: String, owner: String) throws -> Bool {
        try db.execute(sql: "DELETE FROM lease WHERE name = ? AND owner = ?", arguments: [name, owner])
        return db.changesCount == 1
    }

    // MARK: Cleanup runs

    /// Records the start of a cleanup run.
    public func startCleanupRun(_ runId: String, planned: Int, at: Date) throws {
        try writer.write { db in
            try db.execute(sql: "INSERT INTO cleanup_run(run_id, started_at, planned) VALUES (?, ?, ?)",
                           arguments: [runId, UnixTime.seconds(of: at), planned])
        }
    }

    /// Records the end of a cleanup run.
    public func finishCleanupRun(_ runId: String, at: Date, succeeded: Int, failed: Int, summary: String) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE cleanup_run SET finished_at = ?, succeeded = ?, failed = ?, summary = ? WHERE run_id = ?",
                           arguments: [UnixTime.seconds(of: at), succeeded, failed, summary, runId])
        }
    }

    // MARK: Rows

    static let jobSelect = "SELECT job.*, lease.owner AS lease_owner FROM job LEFT JOIN lease ON lease.name = 'job:' || job.id"

    private static func jobRecord(_ row: Row) -> JobRecord {
        func date(_ column: String) -> Date? { (row[column] as Int64?).map { UnixTime.date($0) } }
        return JobRecord(
            id: row["id"], line: row["line"], schedule: row["schedule"], waitForEvent: row["wait_for_event"],
            active: row["active"], createdAt: date("created_at") ?? Date(timeIntervalSince1970: 0),
            lastStarted: date("last_started"), lastFinished: date("last_finished"), lastStatus: row["last_status"],
            lastError: row["last_error"], lastTrigger: row["last_trigger"], runs: row["runs"], failures: row["failures"],
            nextFire: date("next_fire"), leaseOwner: row["lease_owner"])
    }
}

/// A node marked for cleanup, with what the plan needs to decide about it.
public struct MarkedNode: Sendable, Hashable {
    /// The node's id (an AccessKeyId for keys).
    public var id: String
    /// Its kind.
    public var kind: String
    /// Its name.
    public var name: String?
    /// `reported.user_name`.
    public var userName: String?
    /// The account: the `aws_account` two default edges up, else the node's subgraph.
    public var account: String?
    /// `reported.access_key_status`.
    public var status: String?
    /// `desired.clean_reason`.
    public var reason: String?
    /// Its last use (`atime`).
    public var lastUsed: Date?
    /// What its owner may do (an access key's user's permissions summary), to rank it.
    public var owner = OwnerPrivileges()
}

extension GraphStore {
    /// The nodes marked for cleanup, by id: `/desired.clean == true` (the boolean), not
    /// `/metadata.protected`, not `/metadata.cleaned`.
    public func markedNodes() throws -> [MarkedNode] {
        try writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT n.id, n.kind, n.name, n.subgraph, n.atime,
                       json_extract(n.reported, '$.user_name') AS user_name,
                       json_extract(n.reported, '$.access_key_status') AS status,
                       json_extract(n.desired, '$.clean_reason') AS reason,
                       \(OwnerPrivileges.summarySQL("n")) AS owner_permissions,
                       (SELECT a.id FROM edge e1
                          JOIN edge e2 ON e2.to_nid = e1.from_nid AND e2.type = 'default'
                          JOIN node a ON a.nid = e2.from_nid AND a.kind = 'aws_account'
                         WHERE e1.to_nid = n.nid AND e1.type = 'default' LIMIT 1) AS account
                  FROM node n
                 WHERE json_extract(n.desired, '$.clean') = 1 AND json_type(n.desired, '$.clean') = 'true'
                   AND coalesce(json_type(n.metadata, '$.protected'), '') != 'true'
                   AND coalesce(json_type(n.metadata, '$.cleaned'), '') != 'true'
                 ORDER BY n.id
                """).map { row in
                let subgraph: String? = row["subgraph"]
                let account: String? = row["account"]
                return MarkedNode(
                    id: row["id"], kind: row["kind"], name: row["name"], userName: row["user_name"],
                    account: account ?? subgraph, status: row["status"], reason: row["reason"],
                    lastUsed: (row["atime"] as Int64?).map { UnixTime.date($0) },
                    owner: OwnerPrivileges(summary: row["owner_permissions"]))
            }
        }
    }
}
