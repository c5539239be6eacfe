import Foundation
import SiftQuery

// The seam between Sift and the database that keeps its graph.
//
// Everything the other modules (SiftAWS, SiftChecks, SiftOps, SiftShell) ask of a store is a
// requirement of one of the small protocols below; `GraphBackend` is all of them. A backend is one
// type that implements them all with its own SQL and its own query compiler: `GraphStore` is the
// SQLite backend (GRDB on the system libsqlite3); a PostgreSQL backend implements the same
// surface, so that no caller changes when a team moves its graph to a server.
//
// Every requirement is `async`: a backend on a network database suspends where it waits; the
// SQLite backend answers synchronously (a synchronous method satisfies an async requirement).
// Closures handed to a backend (`body`, `build`, `isDeadOwner`, `nextFire`, `progress`) are
// synchronous and run inside the backend's transaction: they must not wait on anything.
// Each write operation is one transaction: either all of it is stored or none of it.

/// Queries in the Sift query language, compiled by the backend's own compiler and run on a
/// consistent snapshot of the graph.
public protocol GraphQuerying: Sendable {
    /// Compiles `query` without running it, to refuse a bad query early (`jobs add`).
    /// Throws `CompileError` with the spot it names.
    func validate(_ query: Query, kinds: KindModel) throws

    /// Streams the nodes `query` finds, in its order, each with the related nodes `request`
    /// asks for; `body` returns false to stop early. Throws `CompileError` for a query the
    /// compiler refuses and `ReadFailure` when the database stops or refuses the read.
    func nodes(_ query: Query, _ request: NodeRequest, _ body: (ResultRow) throws -> Bool) async throws

    /// Streams the groups of `count` (by the values of `path`, or one group when nil): the
    /// group's value as text (`null` for no value), its count, and whether the group is of the
    /// matched or the unmatched nodes. Throws as `nodes` does.
    func counts(_ query: Query, by path: Path?, kinds: KindModel, now: Date,
                _ body: (_ label: String, _ count: Int, _ matched: Bool) throws -> Void) async throws

    /// Each check's queries run on one snapshot: per check, the union of the nodes its queries
    /// find (by internal id), and the account of every node found (the nearest ancestor over
    /// default edges whose kind is in `accountKinds`).
    func findNodes(_ checks: [[Query]], kinds: KindModel, now: Date, accountKinds: Set<String>) async throws
        -> (found: [[Int64: FoundNode]], accounts: [Int64: AccountRef])

    /// `explain`: the normalised query, the backend's SQL with its bound values, and the
    /// database's plan for it.
    func explain(_ query: Query, kinds: KindModel, now: Date) async throws -> String

    /// Stops the statements running now (from any thread): Ctrl-C and `query_timeout`. The
    /// interrupted operation throws an error for which `isInterruption` is true.
    func interrupt()

    /// Whether `error` means `interrupt()` stopped the work.
    func isInterruption(_ error: any Error) -> Bool

    /// The one-line message of a database error as a user should see it (never the SQL text),
    /// or nil when `error` is not one of this backend's database errors.
    func databaseMessage(of error: any Error) -> String?
}

/// The graph's nodes and edges written: collect, import, generate, marks; export and the change log read.
public protocol GraphWriting: Sendable {
    /// Replaces everything one subgraph (an account's collect) holds with `subgraph`, in one
    /// transaction; marks (`desired`, `metadata`) survive; every change is logged. Past
    /// `timeLimit` seconds (nil: none) the transaction is rolled back and
    /// `StoreError.writeTimedOut` thrown.
    func replaceSubgraph(_ subgraph: Subgraph, now: Date, timeLimit: Double?) async throws -> SubgraphChanges

    /// Imports NDJSON (SPEC section 3), all or nothing, streaming; `progress` gets the lines read.
    /// Past `timeLimit` seconds (nil: none) nothing is written and `StoreError.writeTimedOut` thrown.
    func importNDJSON(from handle: FileHandle, source: String, now: Date, timeLimit: Double?,
                      progress: ((Int) -> Void)?) async throws -> ImportSummary

    /// Writes every node and edge as NDJSON.
    func exportNDJSON(to handle: FileHandle) async throws -> ExportSummary

    /// Generates a synthetic inventory (benchmarks, demos); `progress` gets the nodes written.
    /// Past `timeLimit` seconds (nil: none) nothing is written and `StoreError.writeTimedOut` thrown.
    func generate(_ options: GeneratorOptions, timeLimit: Double?, progress: ((Int) -> Void)?) async throws -> GenerateSummary

    /// Merges keys into `desired` / `metadata` of the nodes with these ids (a JSON null removes a
    /// key), logging each node that changed. Returns the number of nodes found.
    func mark(ids: [String], desired: JSONObject, metadata: JSONObject, now: Date) async throws -> Int

    /// The nodes marked for cleanup (`desired.clean`), with what the cleanup needs of each.
    func markedNodes() async throws -> [MarkedNode]

    /// The change log, oldest first: records at or after `since`, at most the latest `limit`.
    func history(since: Date?, limit: Int?) async throws -> [ChangeRecord]
}

/// Settings: the configuration kept in the database.
public protocol SettingsStoring: Sendable {
    /// The value of a setting, or nil when it is not set.
    func setting(_ key: String) async throws -> JSONValue?

    /// Sets several settings in one transaction; a nil value removes the key.
    func setSettings(_ changes: [(key: String, value: JSONValue?)]) async throws
}

/// Check runs and their history.
public protocol CheckRecording: Sendable {
    /// Stores a check run in one write transaction: the previous run of each of `checkIDs` is
    /// read, `build` makes the run from them, the run is inserted and old failures pruned.
    /// Returns the run's id, the score history of its check set (oldest first) and the run.
    func recordCheckRun(checkIDs: [String], keptFailureRuns: Int, historyLimit: Int,
                        build: ([String: PreviousCheckRun]) throws -> StoredCheckRun) async throws
        -> (runID: Int64, history: [StoredRunSummary], run: StoredCheckRun)

    /// The latest stored check runs, newest first.
    func checkRuns(limit: Int) async throws -> [StoredRunSummary]
}

extension JobRecord {
    /// The name of job `id`'s run lease, the same for every backend.
    public static func leaseName(of id: String) -> String { "job:\(id)" }
}

/// Jobs, their runs, leases, and cleanup runs.
public protocol JobRecording: Sendable {
    /// Inserts a job; throws `JobRecordError.duplicate` when the id is taken.
    func insertJob(_ job: JobRecord) async throws
    /// Every job, by id.
    func jobRecords() async throws -> [JobRecord]
    /// The job with that id.
    func jobRecord(_ id: String) async throws -> JobRecord?
    /// The active jobs waiting for `event`.
    func jobRecords(waitingFor event: String) async throws -> [JobRecord]
    /// Deletes a job; false when there was none.
    func deleteJob(_ id: String) async throws -> Bool
    /// Activates or deactivates a job and sets its next fire time.
    func setJobActive(_ id: String, _ active: Bool, nextFire: Date?) async throws
    /// The active scheduled jobs due at `now`, their next fire time moved on with `nextFire`, in
    /// one transaction (a due job is taken by one caller only).
    func takeDueJobs(now: Date, nextFire: (JobRecord) -> Date?) async throws -> [JobRecord]
    /// The earliest next fire time of the active scheduled jobs.
    func nextScheduledFire() async throws -> Date?
    /// Takes the job's lease and records the run as started; the lease's result says whether
    /// another owner holds it.
    func startJobRun(_ id: String, owner: String, trigger: String, now: Date, ttl: TimeInterval,
                     isDeadOwner: (String) -> Bool) async throws -> LeaseResult
    /// Records the run's end and releases the lease; false when `owner` no longer held it.
    func finishJobRun(_ id: String, owner: String, error: String?, now: Date) async throws -> Bool

    /// Takes the named lease for `ttl` when it is free, expired, or held by a dead owner.
    func acquireLease(name: String, owner: String, now: Date, ttl: TimeInterval,
                      isDeadOwner: (String) -> Bool) async throws -> LeaseResult
    /// Extends a lease `owner` holds; false when it holds it no longer.
    func renewLease(name: String, owner: String, until: Date) async throws -> Bool
    /// Releases a lease `owner` holds; false when it held it no longer.
    func releaseLease(name: String, owner: String) async throws -> Bool
    /// The owner holding the lease, if any.
    func leaseHolder(name: String) async throws -> String?

    /// Records a cleanup run as started.
    func startCleanupRun(_ runId: String, planned: Int, at: Date) async throws
    /// Records a cleanup run's end and its counts.
    func finishCleanupRun(_ runId: String, at: Date, succeeded: Int, failed: Int, summary: String) async throws
}

/// The cleanup journal: an intent before each cloud action, its result after, and the graph
/// update that goes with each result in the same transaction.
public protocol CleanupJournaling: Sendable {
    /// Writes the intent to act on a key; returns its sequence number.
    func writeIntent(runId: String, key: JournalKey, action: CleanupActionKind, now: Date) async throws -> Int64
    /// Writes a decision taken without a cloud action (skipped, refused).
    func writeDecision(runId: String, key: JournalKey, action: CleanupActionKind, result: CleanupResult,
                       detail: String, now: Date) async throws
    /// Records that AWS reports a use of the key after its mark (skipped), bringing the graph's
    /// last use up to it and, with `withdraw`, withdrawing the mark, in one transaction; with
    /// `completing`, the open intent of an interrupted action is completed instead of a new row.
    func writeUsedSince(runId: String, key: JournalKey, action: CleanupActionKind, lastUsed: ReportedLastUse,
                        detail: String, withdraw: Bool, completing open: Int64?, now: Date) async throws
    /// Completes an intent with its result and updates the graph to match.
    func complete(seq: Int64, key: JournalKey, action: CleanupActionKind, result: CleanupResult,
                  detail: String?, now: Date) async throws
    /// The key's last use as the graph knows it.
    func graphLastUsed(_ id: String) async throws -> Date?
    /// A use of the key seen (by a collect) after it was marked, if any.
    func useSeenSinceMark(_ id: String) async throws -> Date?
    /// Intents without a result (a run that died between the action and its result).
    func openIntents() async throws -> [CleanupEntry]
    /// When the key was disabled by a cleanup, if it was.
    func disabledAt(_ id: String) async throws -> Date?
    /// The journal, oldest first: entries at or after `since`, at most the latest `limit`.
    func entries(since: Date?, limit: Int?) async throws -> [CleanupEntry]
}

extension CleanupJournaling {
    /// Every journal entry, oldest first.
    public func entries() async throws -> [CleanupEntry] { try await entries(since: nil, limit: nil) }
}

/// Everything Sift asks of the database that keeps its graph: one type per backend.
public typealias GraphBackend = GraphQuerying & GraphWriting & SettingsStoring & CheckRecording & JobRecording
    & CleanupJournaling

/// What `GraphQuerying.nodes` returns besides the nodes.
public struct NodeRequest: Sendable {
    /// The kind model the query is compiled against.
    public var kinds: KindModel
    /// The time relative durations (`last_access > 90days`) are measured from.
    public var now: Date
    /// Keep only the first N nodes (`head`), folded into the SQL.
    public var head: Int?
    /// Keep only the last N nodes (`tail`), folded into the SQL.
    public var tail: Int?
    /// The related nodes to look up for each row (`/ancestors.account...`, `account`).
    public var related: Set<RelatedNodes>

    /// Creates a request.
    public init(kinds: KindModel, now: Date, head: Int? = nil, tail: Int? = nil, related: Set<RelatedNodes> = []) {
        self.kinds = kinds
        self.now = now
        self.head = head
        self.tail = tail
        self.related = related
    }
}

/// A related node a row needs: the nearest node of `kind` (or one of its subkinds) above the
/// row's node (`upward`) or below it, over default edges, level by level (ties by internal id).
public struct RelatedNodes: Sendable, Hashable {
    /// The kind looked for (its subkinds count).
    public var kind: String
    /// Ancestors (true) or descendants (false).
    public var upward: Bool

    /// Creates a request for related nodes.
    public init(kind: String, upward: Bool) {
        self.kind = kind
        self.upward = upward
    }
}
