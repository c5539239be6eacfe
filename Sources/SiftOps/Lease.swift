import Foundation
import Synchronization
import SiftStore

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

/// A lease held by work that acts on the cloud (a cleanup, a job). `confirm` renews it right
/// before each action and says why not when it is no longer ours; the heartbeat confirms it
/// too. Once lost, it stays lost: every later `confirm` gives the same reason, so no action runs
/// after the moment the lease was found gone.
public final class LeaseGuard: Sendable {
    /// The lease's name (`cleanup`, `job:ID`).
    public let name: String
    /// Its owner: this run.
    public let owner: LeaseOwner
    /// How long a renewal lasts.
    public let ttl: TimeInterval
    private let renew: @Sendable (Date) async throws -> Bool
    private let currentHolder: @Sendable () async -> String?
    /// Why the lease was lost, once it was.
    private let lost = Mutex<String?>(nil)

    /// Creates a guard; `renew(until)` extends the lease (false: not ours any more) and
    /// `holder()` says who holds it now (for the message).
    public init(name: String, owner: LeaseOwner, ttl: TimeInterval, renew: @escaping @Sendable (Date) async throws -> Bool,
                holder: @escaping @Sendable () async -> String?) {
        self.name = name
        self.owner = owner
        self.ttl = ttl
        self.renew = renew
        self.currentHolder = holder
    }

    /// A guard on lease `name` of the store's `lease` table.
    public convenience init(store: any JobRecording, name: String, owner: LeaseOwner, ttl: TimeInterval) {
        self.init(
            name: name, owner: owner, ttl: ttl,
            renew: { until in try await store.renewLease(name: name, owner: owner.token, until: until) },
            holder: { try? await store.leaseHolder(name: name) })
    }

    /// Why the lease was lost, once it was.
    public var lostReason: String? {
        lost.withLock { $0 }
    }

    /// Renews the lease until `now + ttl`. Nil when it is still ours; otherwise why not (a
    /// failed renewal counts as lost: the run cannot show the lease is its own).
    @discardableResult
    public func confirm(now: Date) async -> String? {
        if let lost = lostReason { return lost }
        let reason: String?
        do {
            if try await renew(now.addingTimeInterval(ttl)) {
                reason = nil
            } else {
                let holder = await currentHolder().map { "held by \($0) now" } ?? "released by someone else"
                reason = "the \(name) lease was lost (\(holder))"
            }
        } catch {
            reason = "the \(name) lease could not be renewed: \(error)"
        }
        guard let reason else { return nil }
        return lost.withLock { lost in
            if lost == nil { lost = reason }
            return lost ?? reason
        }
    }
}

/// Renews a lease every third of its time-to-live while work runs.
public struct LeaseHeartbeat: Sendable {
    private let task: Task<Void, Never>

    /// Starts renewing: `renew(until)` is called every `ttl / 3` with `now() + ttl`.
    public init(ttl: TimeInterval, now: @escaping @Sendable () -> Date, renew: @escaping @Sendable (Date) async -> Void) {
        task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(ttl / 3 * 1_000_000_000))
                if Task.isCancelled { break }
                await renew(now().addingTimeInterval(ttl))
            }
        }
    }

    /// Stops renewing.
    public func stop() { task.cancel() }
}
