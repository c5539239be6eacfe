import Foundation
import SiftPolicy
import SiftStore
import SiftTime

/// A node marked for cleanup: `/desired.clean == true`, not protected, not already cleaned.
public struct CleanupCandidate: Sendable, Hashable {
    /// The node's id (for access keys: the AccessKeyId).
    public var id: String
    /// The node's kind.
    public var kind: String
    /// The node's name.
    public var name: String?
    /// The owning user's name as the cloud reported it (`reported.user_name`).
    public var userName: String?
    /// The account id (the owning `aws_account`, else the node's subgraph).
    public var account: String?
    /// `reported.access_key_status`.
    public var status: String?
    /// Why it was marked (`desired.clean_reason`).
    public var reason: String?
    /// The last use the graph knows (the node's `atime`); nil when never used (or not known).
    public var lastUsed: Date? = nil
    /// Set when a collect after the `clean` mark changed the node's `atime`: the use it saw.
    public var useSeenSinceMark: Date? = nil
    /// What the key's owner may do: the plan takes the most dangerous keys first (admin first).
    public var privilege: PrivilegeLevel = .unknown
}

/// What cleanup will do with one candidate.
public enum CleanupDecision: Sendable, Hashable {
    /// Set the key Inactive.
    case disable
    /// Delete the key; `disabledAt` when cleanup disabled it first (its last use is checked against it).
    case delete(disabledAt: Date?)
    /// Disabled at `disabledAt`; deleted once the grace period ends at `until`.
    case wait(disabledAt: Date, until: Date)
    /// An earlier run was interrupted during this key's action; the next real run settles it first.
    case interrupted(CleanupActionKind)
    /// Nothing is done for this node (why: a kind cleanup does not handle, no owning user, a key set
    /// Active again by someone after cleanup disabled it).
    case noAction(String)
}

/// One candidate and its decision.
public struct CleanupStep: Sendable, Hashable {
    /// The marked node.
    public var key: CleanupCandidate
    /// What will be done.
    public var decision: CleanupDecision
}

/// Decides what cleanup does with each marked node, from the graph, the journal and the config.
public struct CleanupPlanner: Sendable {
    /// The database.
    public let store: any GraphBackend

    /// Creates a planner on `store`.
    public init(store: any GraphBackend) { self.store = store }

    /// The marked nodes, by id: `/desired.clean == true`, not `/metadata.protected`, not `/metadata.cleaned`.
    public func candidates() async throws -> [CleanupCandidate] {
        try await store.markedNodes().map { node in
            CleanupCandidate(
                id: node.id, kind: node.kind, name: node.name, userName: node.userName, account: node.account,
                status: node.status, reason: node.reason, lastUsed: node.lastUsed,
                privilege: PrivilegeLevel(admin: node.owner.admin, privilegeEscalation: node.owner.privilegeEscalation,
                                          iamWrite: node.owner.iamWrite))
        }
    }

    /// The plan at `now` under `config`, the most dangerous keys first: those of admins, then of users who
    /// can escalate, who can write IAM, whose permissions are unknown, the rest; by id within each.
    public func plan(config: OpsConfig, now: Date) async throws -> [CleanupStep] {
        let journal = store
        let open = Dictionary(try await journal.openIntents().map { ($0.nodeId, $0.action) }, uniquingKeysWith: { _, last in last })
        var steps: [CleanupStep] = []
        let ranked = try await candidates().sorted { ($0.privilege, $0.id) < ($1.privilege, $1.id) }
        for var key in ranked {
            if key.kind == "aws_iam_access_key" { key.useSeenSinceMark = try await journal.useSeenSinceMark(key.id) }
            steps.append(CleanupStep(key: key, decision: try await decide(key, config: config, now: now, journal: journal, open: open)))
        }
        return steps
    }

    private func decide(_ key: CleanupCandidate, config: OpsConfig, now: Date, journal: any CleanupJournaling,
                        open: [String: CleanupActionKind]) async throws -> CleanupDecision {
        guard key.kind == "aws_iam_access_key" else { return .noAction("cleanup of \(key.kind) is not supported") }
        guard let user = key.userName, !user.isEmpty else { return .noAction("no reported user_name: the owning user is unknown") }
        if let action = open[key.id] { return .interrupted(action) }
        guard config.cleanupDisableFirst else { return .delete(disabledAt: nil) }
        guard let disabledAt = try await journal.disabledAt(key.id) else { return .disable }
        if key.status == "Active" {
            return .noAction("set Active again after cleanup disabled it \(ISO8601.format(disabledAt)); not deleted")
        }
        let until = disabledAt.addingTimeInterval(config.cleanupGrace.timeInterval)
        return now >= until ? .delete(disabledAt: disabledAt) : .wait(disabledAt: disabledAt, until: until)
    }
}
