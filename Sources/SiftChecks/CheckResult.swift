import Foundation

/// A resource a check found failing, with what people need to act on it.
public struct FailingResource: Sendable, Hashable, Codable {
    /// The node id: the AccessKeyId for keys, the UserId for users, `<account>-root` for root.
    public var id: String
    /// The node's kind (`aws_iam_access_key`).
    public var kind: String
    /// The node's name (for keys: the owning user's name).
    public var name: String?
    /// The user the resource belongs to (the user itself for users).
    public var userName: String?
    /// The id of the account the resource is in (from its ancestors), when known.
    public var accountID: String?
    /// The account's name (alias or id), when known.
    public var accountName: String?
    /// The resource's ARN, when the cloud reported one.
    public var arn: String?
    /// What its owner may do (`PrivilegeLevel.label`: `admin`, `can escalate`, `iam write`, `limited`): a key's
    /// user's, or the resource's own; nil when unknown (no permissions summary collected).
    public var privilege: String?

    /// Creates a failing resource.
    public init(id: String, kind: String, name: String? = nil, userName: String? = nil,
                accountID: String? = nil, accountName: String? = nil, arn: String? = nil, privilege: String? = nil) {
        self.id = id
        self.kind = kind
        self.name = name
        self.userName = userName
        self.accountID = accountID
        self.accountName = accountName
        self.arn = arn
        self.privilege = privilege
    }

    /// A stable name for reports: the ARN when known, else `account/user/id`.
    public var qualifiedName: String {
        if let arn { return arn }
        return [accountID, userName, id].compactMap { $0 }.joined(separator: "/")
    }
}

/// Whether a check passed.
public enum CheckStatus: String, Sendable, Hashable, Codable {
    /// Nothing failing.
    case pass = "PASS"
    /// At least one failing resource.
    case fail = "FAIL"
}

/// What changed for one check since its previous run.
public struct CheckChanges: Sendable, Hashable {
    /// The run this one is compared with; nil when the check never ran before.
    public var previousRunID: Int64?
    /// Failing now, not failing in the previous run.
    public var new: [FailingResource]
    /// Failing in the previous run, not failing now.
    public var resolved: [FailingResource]
    /// Failing in both.
    public var stillFailing: [FailingResource]

    /// Creates a comparison.
    public init(previousRunID: Int64?, new: [FailingResource], resolved: [FailingResource], stillFailing: [FailingResource]) {
        self.previousRunID = previousRunID
        self.new = new
        self.resolved = resolved
        self.stillFailing = stillFailing
    }

    /// Compares the failing resources of now with those of a previous run (by resource id).
    public init(previousRunID: Int64?, previous: [FailingResource], current: [FailingResource]) {
        let before = Set(previous.map(\.id))
        let now = Set(current.map(\.id))
        self.init(
            previousRunID: previousRunID,
            new: current.filter { !before.contains($0.id) },
            resolved: previous.filter { !now.contains($0.id) },
            stillFailing: current.filter { before.contains($0.id) })
    }
}

/// The outcome of one check in a run.
public struct CheckResult: Sendable, Hashable {
    /// The check as run: title and texts with the parameter values filled in.
    public var check: CheckDefinition
    /// The parameter values used.
    public var parameters: [String: Int]
    /// The failing resources, sorted by account, user and id.
    public var failing: [FailingResource]
    /// What changed since the check's previous run.
    public var changes: CheckChanges
    /// Protected resources the check finds: accepted exceptions, not failing (see `CheckOutcome.exempt`).
    public var exempt: [FailingResource]

    /// Creates a result.
    public init(check: CheckDefinition, parameters: [String: Int], failing: [FailingResource], changes: CheckChanges,
                exempt: [FailingResource] = []) {
        self.check = check
        self.parameters = parameters
        self.failing = failing
        self.changes = changes
        self.exempt = exempt
    }

    /// PASS when nothing fails.
    public var status: CheckStatus { failing.isEmpty ? .pass : .fail }
}

/// The posture score of a run, weighted by severity.
///
/// `score = 100 * (sum of the weights of the checks that passed) / (sum of the weights of all checks run)`,
/// with the weights of `Severity.weight` (CRITICAL 10, HIGH 5, MEDIUM 3, LOW 1, INFO 0). A check
/// counts as a whole: one failing resource fails it. With no weight at all (only INFO checks)
/// the score is 100.
public struct PostureScore: Sendable, Hashable {
    /// The weight of the checks that passed.
    public var passedWeight: Int
    /// The weight of all checks run.
    public var totalWeight: Int

    /// Computes the score of the results.
    public init(results: [CheckResult]) {
        passedWeight = results.filter { $0.status == .pass }.reduce(0) { $0 + $1.check.severity.weight }
        totalWeight = results.reduce(0) { $0 + $1.check.severity.weight }
    }

    /// The score from 0 to 100.
    public var value: Double {
        totalWeight == 0 ? 100 : 100 * Double(passedWeight) / Double(totalWeight)
    }
}

/// One earlier run's score, for the trend in reports.
public struct ScorePoint: Sendable, Hashable {
    /// The run.
    public var runID: Int64
    /// When it ran.
    public var at: Date
    /// Its score.
    public var score: Double

    /// Creates a point.
    public init(runID: Int64, at: Date, score: Double) {
        self.runID = runID
        self.at = at
        self.score = score
    }
}

/// Everything a `check run` produced: per-check results, the score, the comparison, the trend.
public struct CheckRunReport: Sendable, Hashable {
    /// The stored run's id.
    public var runID: Int64
    /// The time the queries ran with.
    public var startedAt: Date
    /// One result per check, in catalogue order.
    public var results: [CheckResult]
    /// The scores of this and earlier runs of the same checks, oldest first (this run last).
    public var history: [ScorePoint]

    /// Creates a report.
    public init(runID: Int64, startedAt: Date, results: [CheckResult], history: [ScorePoint]) {
        self.runID = runID
        self.startedAt = startedAt
        self.results = results
        self.history = history
    }

    /// The posture score.
    public var score: PostureScore { PostureScore(results: results) }

    /// True when any check failed (the shell exits with status 3).
    public var anyFailed: Bool { results.contains { $0.status == .fail } }

    /// The ids of every failing resource, each once, in report order: what a pipeline feeds to `clean`.
    public var failingNodeIDs: [String] {
        var seen = Set<String>()
        return results.flatMap { $0.failing.map(\.id) }.filter { seen.insert($0).inserted }
    }

    /// Failing (check, resource) pairs: a resource failing two checks counts twice, like the comparison totals.
    public var findingCount: Int { results.reduce(0) { $0 + $1.failing.count } }

    /// Totals of the comparison with the previous runs.
    public var changeTotals: (new: Int, resolved: Int, stillFailing: Int) {
        results.reduce((0, 0, 0)) { total, result in
            (total.0 + result.changes.new.count, total.1 + result.changes.resolved.count,
             total.2 + result.changes.stillFailing.count)
        }
    }
}
