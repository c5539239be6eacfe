import Foundation
import GRDB
import SiftStore

/// The outcome of asking for a job's run lease.
public enum LeaseResult: Sendable, Hashable {
    /// The lease is ours: run.
    case acquired
    /// Another run holds it (its owner token): do not run.
    case heldBy(String)
}

/// Who holds a lease: host, process id and a random token, as `host:pid:token`.
public struct LeaseOwner: Sendable, Hashable {
    /// The host name.
    public let host: String
    /// The process id.
    public let pid: Int32
    /// A random token telling runs of one process apart.
    public let nonce: String

    /// A new owner for this process.
    public init() {
        host = ProcessInfo.processInfo.hostName
        pid = getpid()
        nonce = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    /// Reads `host:pid:token`.
    public init?(token: String) {
        let parts = token.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { return nil }
        host = parts.dropLast(2).joined(separator: ":")
        self.pid = pid
        nonce = String(parts[parts.count - 1])
    }

    /// `host:pid:token`.
    public var token: String { "\(host):\(pid):\(nonce)" }

    /// Whether the owner is a process of this host that no longer runs (its lease can be taken over).
    public var isDeadProcessOnThisHost: Bool {
        guard host == ProcessInfo.processInfo.hostName else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}

/// Leases in the `lease` table: a named right to run, held by one owner until it lapses. Each function
/// runs inside the caller's write transaction.
public enum Leases {
    /// Takes lease `name` for `owner` until `now + ttl`, unless another owner holds one that has not
    /// lapsed and whose process (when on this host) is alive.
    public static func acquire(_ db: Database, name: String, owner: LeaseOwner, now: Date, ttl: TimeInterval) throws -> LeaseResult {
        if let row = try Row.fetchOne(db, sql: "SELECT owner, until FROM lease WHERE name = ?", arguments: [name]) {
            let holder: String = row["owner"]
            let until: Int64 = row["until"]
            let lapsed = until < Int64(now.timeIntervalSince1970.rounded(.down))
            let dead = LeaseOwner(token: holder)?.isDeadProcessOnThisHost ?? false
            if !lapsed && !dead && holder != owner.token { return .heldBy(holder) }
        }
        try db.execute(
            sql: "INSERT INTO lease(name, owner, until) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, until = excluded.until",
            arguments: [name, owner.token, Int64(now.addingTimeInterval(ttl).timeIntervalSince1970.rounded(.down))])
        return .acquired
    }

    /// Extends `owner`'s lease `name`; false when it is no longer `owner`'s.
    public static func renew(_ db: Database, name: String, owner: LeaseOwner, until: Date) throws -> Bool {
        try db.execute(sql: "UPDATE lease SET until = ? WHERE name = ? AND owner = ?",
                       arguments: [Int64(until.timeIntervalSince1970.rounded(.down)), name, owner.token])
        return db.changesCount == 1
    }

    /// Who holds lease `name` now (its owner token), if anyone.
    public static func holder(_ db: Database, name: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT owner FROM lease WHERE name = ?", arguments: [name])
    }

    /// Gives `owner`'s lease `name` up; false when it was no longer `owner`'s.
    public static func release(_ db: Database, name: String, owner: LeaseOwner) throws -> Bool {
        try db.execute(sql: "DELETE FROM lease WHERE name = ? AND owner = ?", arguments: [name, owner.token])
        return db.changesCount == 1
    }
}

/// A lease held by work that acts on the cloud (a cleanup, a job). `confirm` renews it right
/// before each action and says why not when it is no longer ours; the heartbeat confirms it
/// too. Once lost, it stays lost: every later `confirm` gives the same reason, so no action runs
/// after the moment the lease was found gone.
public final class LeaseGuard: @unchecked Sendable {
    /// The lease's name (`cleanup`, `job:ID`).
    public let name: String
    /// Its owner: this run.
    public let owner: LeaseOwner
    /// How long a renewal lasts.
    public let ttl: TimeInterval
    private let renew: @Sendable (Date) throws -> Bool
    private let currentHolder: @Sendable () -> String?
    private let lock = NSLock()
    private var lost: String?

    /// Creates a guard; `renew(until)` extends the lease (false: not ours any more) and
    /// `holder()` says who holds it now (for the message).
    public init(name: String, owner: LeaseOwner, ttl: TimeInterval, renew: @escaping @Sendable (Date) throws -> Bool,
                holder: @escaping @Sendable () -> String?) {
        self.name = name
        self.owner = owner
        self.ttl = ttl
        self.renew = renew
        self.currentHolder = holder
    }

    /// A guard on lease `name` of the store's `lease` table.
    public convenience init(store: GraphStore, name: String, owner: LeaseOwner, ttl: TimeInterval) {
        self.init(
            name: name, owner: owner, ttl: ttl,
            renew: { until in try store.writer.write { db in try Leases.renew(db, name: name, owner: owner, until: until) } },
            holder: { try? store.writer.read { db in try Leases.holder(db, name: name) } })
    }

    /// Why the lease was lost, once it was.
    public var lostReason: String? {
        lock.lock()
        defer { lock.unlock() }
        return lost
    }

    /// Renews the lease until `now + ttl`. Nil when it is still ours; otherwise why not (a
    /// failed renewal counts as lost: the run cannot show the lease is its own).
    @discardableResult
    public func confirm(now: Date) -> String? {
        if let lost = lostReason { return lost }
        let reason: String?
        do {
            if try renew(now.addingTimeInterval(ttl)) {
                reason = nil
            } else {
                let holder = currentHolder().map { "held by \($0) now" } ?? "released by someone else"
                reason = "the \(name) lease was lost (\(holder))"
            }
        } catch {
            reason = "the \(name) lease could not be renewed: \(error)"
        }
        guard let reason else { return nil }
        lock.lock()
        if lost == nil { lost = reason }
        let first = lost ?? reason
        lock.unlock()
        return first
    }
}

/// Renews a lease every third of its time-to-live while work runs.
public struct LeaseHeartbeat: Sendable {
    private let task: Task<Void, Never>

    /// Starts renewing: `renew(until)` is called every `ttl / 3` with `now() + ttl`.
    public init(ttl: TimeInterval, now: @escaping @Sendable () -> Date, renew: @escaping @Sendable (Date) -> Void) {
        task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(ttl / 3 * 1_000_000_000))
                if Task.isCancelled { break }
                renew(now().addingTimeInterval(ttl))
            }
        }
    }

    /// Stops renewing.
    public func stop() { task.cancel() }
}
