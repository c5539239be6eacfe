import Foundation
import GRDB

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

    /// Gives `owner`'s lease `name` up; false when it was no longer `owner`'s.
    public static func release(_ db: Database, name: String, owner: LeaseOwner) throws -> Bool {
        try db.execute(sql: "DELETE FROM lease WHERE name = ? AND owner = ?", arguments: [name, owner.token])
        return db.changesCount == 1
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
