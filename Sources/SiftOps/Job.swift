import Foundation
import SiftStore

/// A job: a shell line run on a cron schedule, when a workflow event fires, or by hand.
public struct Job: Sendable, Hashable {
    /// The job's name (letters, digits, `_`, `-`, `.`).
    public var id: String
    /// The shell line it runs.
    public var line: String
    /// When it runs by itself (under `sift daemon`).
    public var schedule: CronSchedule?
    /// The event that runs it.
    public var waitForEvent: WorkflowEvent?
    /// Inactive jobs run only by hand (`jobs run ID`).
    public var active: Bool
    /// When it was added.
    public var createdAt: Date
    /// When its last run started.
    public var lastStarted: Date?
    /// When its last run finished.
    public var lastFinished: Date?
    /// How the last run ended (`running` while one runs).
    public var lastStatus: JobStatus?
    /// The last run's error, when it failed.
    public var lastError: String?
    /// What started the last run: `manual`, `schedule` or an event name.
    public var lastTrigger: String?
    /// How many runs finished.
    public var runs: Int
    /// How many of them failed.
    public var failures: Int
    /// The next scheduled run.
    public var nextFire: Date?
    /// Who holds the run lease now, if anyone.
    public var leaseOwner: String?
    /// What this version cannot use of the stored job, for people: a schedule or an event stored by
    /// an earlier version that is refused now (e.g. `0 0 31 2 *`, which never fires). Such a
    /// schedule or event is dropped (`schedule` / `waitForEvent` nil) and the job still runs by hand.
    public var problem: String? = nil
}

/// How a job's run ended.
public enum JobStatus: String, Sendable, Hashable {
    /// A run is under way.
    case running
    /// The line succeeded.
    case ok
    /// The line failed; `lastError` says why.
    case failed
}

/// What started a job's run.
public enum JobTrigger: Sendable, Hashable, CustomStringConvertible {
    /// `jobs run ID`.
    case manual
    /// Its cron schedule, under the daemon.
    case schedule
    /// A workflow event.
    case event(WorkflowEvent)

    /// `manual`, `schedule` or the event's name.
    public var description: String {
        switch self {
        case .manual: return "manual"
        case .schedule: return "schedule"
        case .event(let event): return event.rawValue
        }
    }
}

/// Why a jobs command failed.
public enum JobError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No job has that id.
    case unknownJob(String)
    /// A job with that id exists already.
    case duplicate(String)
    /// A value was refused.
    case invalid(String)
    /// The database could not be read or written.
    case storage(String)

    /// A message for people.
    public var description: String {
        switch self {
        case .unknownJob(let id): return "no job '\(id)' (jobs list shows them)"
        case .duplicate(let id): return "a job '\(id)' exists already (jobs delete \(id) first)"
        case .invalid(let message): return message
        case .storage(let message): return "jobs: \(message)"
        }
    }
}
