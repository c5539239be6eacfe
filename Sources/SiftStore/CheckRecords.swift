import Foundation
import GRDB
import SiftTime
import SiftQuery

// The store's side of posture checks: running a check's compiled queries with the columns a
// finding needs and the account of each node found, and keeping check runs in the tables of
// `Schema/sql/v003_checks.sql`. SiftChecks decides what a run means; the SQL is here.

/// A node a check's query found: the columns a finding is made of (no JSON section parsed in Swift).
public struct FoundNode: Sendable, Hashable {
    /// The node's id.
    public var id: String
    /// Its kind.
    public var kind: String
    /// Its name.
    public var name: String?
    /// `reported.user_name` (access keys).
    public var reportedUser: String?
    /// `reported.arn`.
    public var arn: String?
    /// `/metadata.protected == true`.
    public var isProtected: Bool
    /// What its owner may do (its own permissions summary, or its user's for an access key), to rank it.
    public var owner = OwnerPrivileges()
}

/// An account, as findings name it.
public struct AccountRef: Sendable, Hashable {
    /// The account's id.
    public var id: String
    /// Its name.
    public var name: String?
}

/// A failing resource as a run stores it.
public struct StoredFailure: Sendable, Hashable {
    /// The resource's id.
    public var resourceID: String
    /// Its kind.
    public var kind: String
    /// Its name.
    public var name: String?
    /// Its account's id.
    public var accountID: String?
    /// Its account's name.
    public var accountName: String?

    /// Creates a stored failure.
    public init(resourceID: String, kind: String, name: String?, accountID: String?, accountName: String?) {
        self.resourceID = resourceID
        self.kind = kind
        self.name = name
        self.accountID = accountID
        self.accountName = accountName
    }
}

/// One check's result as a run stores it.
public struct StoredCheckResult: Sendable, Hashable {
    /// The check's id.
    public var checkID: String
    /// Its severity.
    public var severity: String
    /// The parameter values used, as a JSON object.
    public var parametersJSON: String
    /// `pass` or `fail`.
    public var status: String
    /// The failing resources.
    public var failing: [StoredFailure]

    /// Creates a stored result.
    public init(checkID: String, severity: String, parametersJSON: String, status: String, failing: [StoredFailure]) {
        self.checkID = checkID
        self.severity = severity
        self.parametersJSON = parametersJSON
        self.status = status
        self.failing = failing
    }
}

/// A check run as it is stored.
public struct StoredCheckRun: Sendable, Hashable {
    /// When it started.
    public var startedAt: Date
    /// The sorted, comma-joined ids of its checks.
    public var checkSet: String
    /// Its score.
    public var score: Double
    /// Checks that passed.
    public var passed: Int
    /// Checks that failed.
    public var failed: Int
    /// The results.
    public var results: [StoredCheckResult]

    /// Creates a stored run.
    public init(startedAt: Date, checkSet: String, score: Double, passed: Int, failed: Int, results: [StoredCheckResult]) {
        self.startedAt = startedAt
        self.checkSet = checkSet
        self.score = score
        self.passed = passed
        self.failed = failed
        self.results = results
    }
}

/// A stored run, for listings: id, time, checks, score.
public struct StoredRunSummary: Sendable, Hashable {
    /// The run's id.
    public var runID: Int64
    /// When it ran.
    public var startedAt: Date
    /// The sorted, comma-joined ids of its checks.
    public var checkSet: String
    /// Its score.
    public var score: Double
    /// Checks that passed.
    public var passed: Int
    /// Checks that failed.
    public var failed: Int
}

/// The previous run of one check: its id and the failures it kept.
public struct PreviousCheckRun: Sendable, Hashable {
    /// The run's id.
    public var runID: Int64
    /// Its failing resources, by account, name and id.
    public var failures: [StoredFailure]
}

extension GraphStore: CheckRecording {
    /// Runs each check's queries in one read transaction: per check, the union of the nodes
    /// found (by nid), and the account of every node found (the nearest ancestor over default
    /// edges whose kind is in `accountKinds`), looked up once for all checks.
    public func findNodes(_ checks: [[Query]], kinds: KindModel, now: Date, accountKinds: Set<String>) throws
        -> (found: [[Int64: FoundNode]], accounts: [Int64: AccountRef]) {
        let compiler = SQLiteCompiler(kinds: kinds, now: now)
        let compiledChecks = try checks.map { queries in try queries.map { try compiler.compile($0, output: .nodes()) } }
        return try read { session in
            let db = session.db
            let checks = compiledChecks
            var found: [[Int64: FoundNode]] = []
            for queries in checks {
                var nodes: [Int64: FoundNode] = [:]
                for compiled in queries {
                    let rows = try Row.fetchCursor(db, sql: """
                        SELECT q.nid, q.id, q.kind, q.name, json_extract(q.reported, '$.user_name'), json_extract(q.reported, '$.arn'),
                               json_extract(q.metadata, '$.protected') IS 1, \(OwnerPrivileges.summarySQL("q"))
                        FROM (\(compiled.sql)) AS q
                        """, arguments: compiled.arguments)
                    while let row = try rows.next() {
                        nodes[row[0]] = FoundNode(id: row[1], kind: row[2], name: row[3], reportedUser: row[4], arn: row[5],
                                                  isProtected: row[6], owner: OwnerPrivileges(summary: row[7]))
                    }
                }
                found.append(nodes)
            }
            let allNids = Set(found.flatMap(\.keys))
            return (found, try Self.accounts(of: Array(allNids), accountKinds: accountKinds, in: db))
        }
    }

    /// The account of each of the nodes that has one, by nid.
    static func accounts(of nids: [Int64], accountKinds: Set<String>, in db: Database) throws -> [Int64: AccountRef] {
        guard !nids.isEmpty else { return [:] }
        let nidList = "[" + nids.map(String.init).joined(separator: ",") + "]"
        let kindList = "[" + accountKinds.sorted().map { "\"\($0)\"" }.joined(separator: ",") + "]"
        let rows = try Row.fetchAll(db, sql: """
            WITH RECURSIVE up(start, nid, depth) AS (
                SELECT value, value, 0 FROM json_each(?)
                UNION
                SELECT up.start, edge.from_nid, up.depth + 1
                FROM up JOIN edge ON edge.to_nid = up.nid AND edge.type = 'default'
                WHERE up.depth < 16
            )
            SELECT up.start, node.id, node.name, min(up.depth)
            FROM up JOIN node ON node.nid = up.nid
            WHERE node.kind IN (SELECT value FROM json_each(?))
            GROUP BY up.start
            """, arguments: [nidList, kindList])
        var result: [Int64: AccountRef] = [:]
        for row in rows {
            result[row[0]] = AccountRef(id: row[1], name: row[2])
        }
        return result
    }

    /// Stores a check run in ONE write transaction: the previous run of each of `checkIDs` (the
    /// latest run that included it, with the failures it kept) is read, `build` makes the run from
    /// them, and the run, its results and failures are inserted; failures of runs older than each
    /// check's latest `keptFailureRuns` are dropped. Returns the new run's id, the score history of
    /// runs of the same check set (oldest first, at most `historyLimit`), and what `build` made.
    public func recordCheckRun(
        checkIDs: [String], keptFailureRuns: Int, historyLimit: Int,
        build: ([String: PreviousCheckRun]) throws -> StoredCheckRun
    ) throws -> (runID: Int64, history: [StoredRunSummary], run: StoredCheckRun) {
        try writer.write { db in
            var previous: [String: PreviousCheckRun] = [:]
            for checkID in checkIDs {
                guard let runID = try Int64.fetchOne(db, sql: "SELECT max(run_id) FROM check_result WHERE check_id = ?", arguments: [checkID]) else {
                    continue
                }
                previous[checkID] = PreviousCheckRun(runID: runID, failures: try Self.failures(db, runID: runID, checkID: checkID))
            }
            let run = try build(previous)
            try db.execute(sql: """
                INSERT INTO check_run (started_at, check_set, score, passed, failed) VALUES (?, ?, ?, ?, ?)
                """, arguments: [UnixTime.seconds(of: run.startedAt), run.checkSet, run.score, run.passed, run.failed])
            let runID = db.lastInsertedRowID
            let insertResult = try db.cachedStatement(sql: """
                INSERT INTO check_result (run_id, check_id, severity, parameters, status, failing) VALUES (?, ?, ?, ?, ?, ?)
                """)
            let insertFailure = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO check_failure (run_id, check_id, resource_id, kind, name, account_id, account_name)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for result in run.results {
                try insertResult.execute(arguments: [runID, result.checkID, result.severity, result.parametersJSON, result.status, result.failing.count])
                for failure in result.failing {
                    try insertFailure.execute(arguments: [runID, result.checkID, failure.resourceID, failure.kind, failure.name,
                                                          failure.accountID, failure.accountName])
                }
            }
            for result in run.results {
                try Self.pruneFailures(db, checkID: result.checkID, keep: max(1, keptFailureRuns))
            }
            let history = try Self.runSummaries(db, checkSet: run.checkSet, limit: historyLimit).reversed()
            return (runID, Array(history), run)
        }
    }

    /// The latest stored check runs, newest first.
    public func checkRuns(limit: Int) throws -> [StoredRunSummary] {
        try writer.read { db in try Self.runSummaries(db, checkSet: nil, limit: limit) }
    }

    /// Runs newest first, of one check set or of all.
    private static func runSummaries(_ db: Database, checkSet: String?, limit: Int) throws -> [StoredRunSummary] {
        let filter = checkSet == nil ? "" : "WHERE check_set = ?"
        var arguments: StatementArguments = []
        if let checkSet { arguments += [checkSet] }
        arguments += [limit]
        return try Row.fetchAll(db, sql: """
            SELECT run_id, started_at, check_set, score, passed, failed FROM check_run \(filter) ORDER BY run_id DESC LIMIT ?
            """, arguments: arguments).map { row in
            StoredRunSummary(
                runID: row["run_id"], startedAt: UnixTime.date(row["started_at"] as Int64),
                checkSet: row["check_set"], score: row["score"], passed: row["passed"], failed: row["failed"])
        }
    }

    /// Drops the failing resources of a check's runs older than its latest `keep`.
    private static func pruneFailures(_ db: Database, checkID: String, keep: Int) throws {
        guard let oldestKept = try Int64.fetchOne(db, sql: """
            SELECT run_id FROM check_result WHERE check_id = ? ORDER BY run_id DESC LIMIT 1 OFFSET ?
            """, arguments: [checkID, keep - 1]) else { return }
        try db.execute(sql: "DELETE FROM check_failure WHERE check_id = ? AND run_id < ?", arguments: [checkID, oldestKept])
    }

    private static func failures(_ db: Database, runID: Int64, checkID: String) throws -> [StoredFailure] {
        try Row.fetchAll(db, sql: """
            SELECT resource_id, kind, name, account_id, account_name FROM check_failure
            WHERE run_id = ? AND check_id = ? ORDER BY account_id, name, resource_id
            """, arguments: [runID, checkID]).map { row in
            StoredFailure(resourceID: row["resource_id"], kind: row["kind"], name: row["name"],
                          accountID: row["account_id"], accountName: row["account_name"])
        }
    }
}
