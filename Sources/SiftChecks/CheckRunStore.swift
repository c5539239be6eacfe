import Foundation
import GRDB

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
    public let writer: any DatabaseWriter
    /// How many runs of each check keep their failing resources.
    public let keptFailureRuns: Int

    /// A store on the given database (migrated by `GraphStore`).
    public init(writer: any DatabaseWriter, keptFailureRuns: Int = 20) {
        self.writer = writer
        self.keptFailureRuns = max(1, keptFailureRuns)
    }

    /// Stores a run in one transaction and returns its report: results sorted by catalogue order as
    /// given, each with its comparison, and the score history of runs of the same check set.
    public func record(startedAt: Date, outcomes: [CheckOutcome], historyLimit: Int = 20) throws -> CheckRunReport {
        try writer.write { db in
            var results: [CheckResult] = []
            for outcome in outcomes {
                let previousRun = try Int64.fetchOne(db, sql: """
                    SELECT max(run_id) FROM check_result WHERE check_id = ?
                    """, arguments: [outcome.check.id])
                let previous = try previousRun.map { try failures(db, runID: $0, checkID: outcome.check.id) } ?? []
                let failing = Self.sortedForReport(outcome.failing)
                let exempt = Self.sortedForReport(outcome.exempt)
                let exemptIDs = Set(exempt.map(\.id))
                results.append(CheckResult(
                    check: outcome.check, parameters: outcome.parameters, failing: failing,
                    changes: CheckChanges(previousRunID: previousRun, previous: previous.filter { !exemptIDs.contains($0.id) },
                                          current: failing),
                    exempt: exempt))
            }
            let score = PostureScore(results: results)
            let checkSet = Self.checkSet(outcomes.map(\.check.id))
            let passed = results.filter { $0.status == .pass }.count
            try db.execute(sql: """
                INSERT INTO check_run (started_at, check_set, score, passed, failed) VALUES (?, ?, ?, ?, ?)
                """, arguments: [Int64(startedAt.timeIntervalSince1970), checkSet, score.value, passed, results.count - passed])
            let runID = db.lastInsertedRowID
            let insertResult = try db.cachedStatement(sql: """
                INSERT INTO check_result (run_id, check_id, severity, parameters, status, failing) VALUES (?, ?, ?, ?, ?, ?)
                """)
            let insertFailure = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO check_failure (run_id, check_id, resource_id, kind, name, account_id, account_name)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for result in results {
                try insertResult.execute(arguments: [runID, result.check.id, result.check.severity.rawValue,
                                                     Self.parametersJSON(result.parameters), result.status.rawValue, result.failing.count])
                for resource in result.failing {
                    try insertFailure.execute(arguments: [runID, result.check.id, resource.id, resource.kind, resource.name,
                                                          resource.accountID, resource.accountName])
                }
            }
            for result in results {
                try pruneFailures(db, checkID: result.check.id)
            }
            let history = try scoreHistory(db, checkSet: checkSet, limit: historyLimit)
            return CheckRunReport(runID: runID, startedAt: startedAt, results: results, history: history)
        }
    }

    /// The latest runs, newest first.
    public func runs(limit: Int) throws -> [CheckRunSummary] {
        try writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT run_id, started_at, check_set, score, passed, failed FROM check_run ORDER BY run_id DESC LIMIT ?
                """, arguments: [limit]).map { row in
                CheckRunSummary(
                    runID: row["run_id"], at: Date(timeIntervalSince1970: TimeInterval(row["started_at"] as Int64)),
                    checkIDs: (row["check_set"] as String).split(separator: ",").map(String.init),
                    score: row["score"], passed: row["passed"], failed: row["failed"])
            }
        }
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

    /// Drops the failing resources of a check's runs older than its latest `keptFailureRuns`.
    private func pruneFailures(_ db: Database, checkID: String) throws {
        guard let oldestKept = try Int64.fetchOne(db, sql: """
            SELECT run_id FROM check_result WHERE check_id = ? ORDER BY run_id DESC LIMIT 1 OFFSET ?
            """, arguments: [checkID, keptFailureRuns - 1]) else { return }
        try db.execute(sql: "DELETE FROM check_failure WHERE check_id = ? AND run_id < ?", arguments: [checkID, oldestKept])
    }

    private func failures(_ db: Database, runID: Int64, checkID: String) throws -> [FailingResource] {
        try Row.fetchAll(db, sql: """
            SELECT resource_id, kind, name, account_id, account_name FROM check_failure
            WHERE run_id = ? AND check_id = ? ORDER BY account_id, name, resource_id
            """, arguments: [runID, checkID]).map { row in
            let kind: String = row["kind"]
            let name: String? = row["name"]
            return FailingResource(id: row["resource_id"], kind: kind, name: name, userName: name,
                                   accountID: row["account_id"], accountName: row["account_name"])
        }
    }

    private func scoreHistory(_ db: Database, checkSet: String, limit: Int) throws -> [ScorePoint] {
        try Row.fetchAll(db, sql: """
            SELECT run_id, started_at, score FROM check_run WHERE check_set = ? ORDER BY run_id DESC LIMIT ?
            """, arguments: [checkSet, limit]).reversed().map { row in
            ScorePoint(runID: row["run_id"], at: Date(timeIntervalSince1970: TimeInterval(row["started_at"] as Int64)),
                       score: row["score"])
        }
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
