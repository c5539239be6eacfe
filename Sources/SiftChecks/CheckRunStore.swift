import Foundation
import SiftStore

/// What one check found in a run, before it is stored and compared.
public struct CheckOutcome: Sendable, Hashable {
    /// The check as run (texts filled in).
    public var check: CheckDefinition
    /// The parameter values used.
    public var parameters: [String: Int]
    /// The failing resources, in any order.
    public var failing: [FailingResource]
    /// Resources the check finds but that are protected (`/metadata.protected == true`): accepted
    /// exceptions, reported apart, neither failing nor resolved.
    public var exempt: [FailingResource]

    /// Creates an outcome.
    public init(check: CheckDefinition, parameters: [String: Int], failing: [FailingResource], exempt: [FailingResource] = []) {
        self.check = check
        self.parameters = parameters
        self.failing = failing
        self.exempt = exempt
    }
}

/// Stores check runs in the tables of `Schema/sql/v003_checks.sql` and compares each check with its previous run.
///
/// The comparison is per check id: a check is compared with the latest earlier run that included
/// it, whatever other checks that run held and whatever its parameters were (the report shows the
/// parameters used). Resolved resources come from the stored copy, so a key deleted since still shows.
///
/// Every run's scores and per-check counts are kept; the failing resources themselves only for the
/// latest `keptFailureRuns` runs of each check (a full run on a large organisation stores hundreds of
/// thousands of rows, and a scheduled job runs checks every hour).
public struct CheckRunStore: Sendable {
    /// The database holding the graph and the run tables.
    public let store: any CheckRecording
    /// How many runs of each check keep their failing resources.
    public let keptFailureRuns: Int

    /// A store on the given database.
    public init(store: any CheckRecording, keptFailureRuns: Int = 20) {
        self.store = store
        self.keptFailureRuns = max(1, keptFailureRuns)
    }

    /// Stores a run in one transaction and returns its report: results sorted by catalogue order as
    /// given, each with its comparison, and the score history of runs of the same check set.
    public func record(startedAt: Date, outcomes: [CheckOutcome], historyLimit: Int = 20) async throws -> CheckRunReport {
        var results: [CheckResult] = []
        let stored = try await store.recordCheckRun(
            checkIDs: outcomes.map(\.check.id), keptFailureRuns: keptFailureRuns, historyLimit: historyLimit
        ) { previousRuns in
            results = outcomes.map { outcome in
                let previousRun = previousRuns[outcome.check.id]
                let previous = (previousRun?.failures ?? []).map(Self.resource)
                let failing = Self.sortedForReport(outcome.failing)
                let exempt = Self.sortedForReport(outcome.exempt)
                let exemptIDs = Set(exempt.map(\.id))
                return CheckResult(
                    check: outcome.check, parameters: outcome.parameters, failing: failing,
                    changes: CheckChanges(previousRunID: previousRun?.runID, previous: previous.filter { !exemptIDs.contains($0.id) },
                                          current: failing),
                    exempt: exempt)
            }
            let score = PostureScore(results: results)
            let passed = results.filter { $0.status == .pass }.count
            return StoredCheckRun(
                startedAt: startedAt, checkSet: Self.checkSet(outcomes.map(\.check.id)), score: score.value,
                passed: passed, failed: results.count - passed,
                results: results.map { result in
                    StoredCheckResult(
                        checkID: result.check.id, severity: result.check.severity.rawValue,
                        parametersJSON: Self.parametersJSON(result.parameters), status: result.status.rawValue,
                        failing: result.failing.map { StoredFailure(resourceID: $0.id, kind: $0.kind, name: $0.name,
                                                                     accountID: $0.accountID, accountName: $0.accountName) })
                })
        }
        let history = stored.history.map { ScorePoint(runID: $0.runID, at: $0.startedAt, score: $0.score) }
        return CheckRunReport(runID: stored.runID, startedAt: startedAt, results: results, history: history)
    }

    /// The latest runs, newest first.
    public func runs(limit: Int) async throws -> [CheckRunSummary] {
        try await store.checkRuns(limit: limit).map { run in
            CheckRunSummary(
                runID: run.runID, at: run.startedAt, checkIDs: run.checkSet.split(separator: ",").map(String.init),
                score: run.score, passed: run.passed, failed: run.failed)
        }
    }

    /// A stored failure as a finding (the stored name is the key's owner, as in the report).
    static func resource(_ failure: StoredFailure) -> FailingResource {
        FailingResource(id: failure.resourceID, kind: failure.kind, name: failure.name, userName: failure.name,
                        accountID: failure.accountID, accountName: failure.accountName)
    }

    /// The sorted, comma-joined ids that name a set of checks.
    static func checkSet(_ ids: [String]) -> String { Set(ids).sorted().joined(separator: ",") }

    /// Failing resources sort by account, user, kind and id, so reports and diffs are stable.
    static func reportOrder(_ a: FailingResource, _ b: FailingResource) -> Bool {
        if a.accountID != b.accountID { return (a.accountID ?? "") < (b.accountID ?? "") }
        if a.userName != b.userName { return (a.userName ?? "") < (b.userName ?? "") }
        if a.kind != b.kind { return a.kind < b.kind }
        return a.id < b.id
    }

    /// The resources in `reportOrder`; indices are sorted so the large values move once.
    static func sortedForReport(_ resources: [FailingResource]) -> [FailingResource] {
        resources.indices.sorted { reportOrder(resources[$0], resources[$1]) }.map { resources[$0] }
    }

    private static func parametersJSON(_ values: [String: Int]) -> String {
        "{" + values.keys.sorted().map { "\"\($0)\":\(values[$0] ?? 0)" }.joined(separator: ",") + "}"
    }
}

/// A stored run, for listings.
public struct CheckRunSummary: Sendable, Hashable {
    /// The run's id.
    public var runID: Int64
    /// When it ran.
    public var at: Date
    /// The checks it ran.
    public var checkIDs: [String]
    /// Its score.
    public var score: Double
    /// Checks that passed.
    public var passed: Int
    /// Checks that failed.
    public var failed: Int
}
