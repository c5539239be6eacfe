import Foundation
import GRDB
import SiftTime

// The cleanup journal and the graph updates that go with each of its results, in the store:
// SiftOps decides what to do to a key; what is written, and in which transaction, is here.

/// An action cleanup takes on an access key.
public enum CleanupActionKind: String, Sendable, Hashable {
    /// `UpdateAccessKey Status=Inactive`.
    case disable
    /// `DeleteAccessKey`.
    case delete
}

/// How a journalled action ended.
public enum CleanupResult: String, Sendable, Hashable {
    /// The call succeeded (or an interrupted call was found to have succeeded).
    case done
    /// The key was gone already (deleted by someone else).
    case gone
    /// Not done on purpose (e.g. the key was used after it was disabled).
    case skipped
    /// The call failed; the next run tries again.
    case failed
}

/// The key a journal row is about.
public struct JournalKey: Sendable, Hashable {
    /// The AccessKeyId (the node's id).
    public var id: String
    /// The node's kind.
    public var kind: String
    /// The account.
    public var account: String?
    /// The owning user's name.
    public var userName: String?
    /// Why it is cleaned (the clean reason).
    public var reason: String?

    /// Creates a journal key.
    public init(id: String, kind: String, account: String?, userName: String?, reason: String?) {
        self.id = id
        self.kind = kind
        self.account = account
        self.userName = userName
        self.reason = reason
    }
}

/// A key's last use as AWS reports it (`GetAccessKeyLastUsed`).
public struct ReportedLastUse: Sendable, Hashable {
    /// When; nil when never used.
    public var date: Date?
    /// The service it was used with.
    public var serviceName: String?
    /// The region it was used in.
    public var region: String?

    /// Creates a reported last use.
    public init(date: Date?, serviceName: String?, region: String?) {
        self.date = date
        self.serviceName = serviceName
        self.region = region
    }
}

/// One row of the journal.
public struct CleanupEntry: Sendable, Hashable {
    /// The row's sequence number.
    public var seq: Int64
    /// The run that wrote it.
    public var runId: String
    /// The AccessKeyId.
    public var nodeId: String
    /// The node's kind.
    public var kind: String
    /// The account.
    public var account: String?
    /// The owning user's name.
    public var userName: String?
    /// The action.
    public var action: CleanupActionKind
    /// Why (the clean reason).
    public var reason: String?
    /// When the intent was written (before the call).
    public var intentAt: Date
    /// How it ended; nil while the call is (or was, when interrupted) under way.
    public var result: CleanupResult?
    /// When the result was written (after the call).
    public var resultAt: Date?
    /// The error or a note.
    public var detail: String?
}

/// The cleanup journal (`cleanup_action`): an intent row before every call, its result after, the
/// result written in the same transaction as the graph's update.
extension GraphStore: CleanupJournaling {
    /// Writes the intent of an action (committed before the call is made) and returns its row.
    public func writeIntent(runId: String, key: JournalKey, action: CleanupActionKind, now: Date) throws -> Int64 {
        try writer.write { db in try Self.insert(db, runId: runId, key: key, action: action, now: now) }
    }

    private static func insert(_ db: Database, runId: String, key: JournalKey, action: CleanupActionKind, now: Date) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO cleanup_action(run_id, node_id, kind, account, user_name, action, reason, intent_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [runId, key.id, key.kind, key.account, key.userName, action.rawValue, key.reason, UnixTime.seconds(of: now)])
        return db.lastInsertedRowID
    }

    /// Writes an action decided without a call (skipped, or failed before any call), intent and result
    /// in ONE transaction: a kill can never leave an intent the next run would carry out.
    public func writeDecision(runId: String, key: JournalKey, action: CleanupActionKind, result: CleanupResult, detail: String, now: Date) throws {
        try writer.write { db in
            let seq = try Self.insert(db, runId: runId, key: key, action: action, now: now)
            try Self.complete(db, seq: seq, result: result, detail: detail, now: now)
        }
    }

    /// Writes that `action` was skipped because AWS (`GetAccessKeyLastUsed`) shows a use the graph did not
    /// know, in ONE transaction: the journal row (intent and result `skipped`, `detail`), the node's `atime`
    /// and `reported.access_key_last_used` (source `GetAccessKeyLastUsed`) brought up to `lastUsed` when
    /// later, and with `withdraw` the mark withdrawn (`desired.clean` false, `metadata.clean_withdrawn`
    /// = `detail`), so that only a new `clean`, made on data that shows the use, marks it again.
    /// With `completing`, the open intent of an interrupted action is completed instead of a new row.
    public func writeUsedSince(runId: String, key: JournalKey, action: CleanupActionKind, lastUsed: ReportedLastUse,
                               detail: String, withdraw: Bool, completing open: Int64?, now: Date) throws {
        try writer.write { db in
            let seq = try open ?? Self.insert(db, runId: runId, key: key, action: action, now: now)
            try Self.complete(db, seq: seq, result: .skipped, detail: detail, now: now)
            guard let row = try Row.fetchOne(db, sql: "SELECT kind, name, subgraph, atime FROM node WHERE id = ?", arguments: [key.id]) else { return }
            var changed: [JSONValue] = []
            if let used = lastUsed.date {
                let seconds = UnixTime.seconds(of: used)
                if (row["atime"] as Int64?).map({ seconds > $0 }) ?? true {
                    var record: JSONObject = ["last_used": .string(ISO8601.format(used)), "source": .string("GetAccessKeyLastUsed")]
                    record["service_name"] = lastUsed.serviceName.map(JSONValue.string)
                    record["region"] = lastUsed.region.map(JSONValue.string)
                    try db.execute(
                        sql: """
                            UPDATE node SET atime = ?, reported = json_set(reported, '$.atime', ?, '$.access_key_last_used', json(?))
                            WHERE id = ?
                            """,
                        arguments: [seconds, ISO8601.format(used), JSONValue.object(record).jsonText, key.id])
                    changed += [.string("atime"), .string("access_key_last_used")]
                }
            }
            if withdraw {
                try db.execute(
                    sql: """
                        UPDATE node SET desired = json_set(desired, '$.clean', json('false')),
                                        metadata = json_set(metadata, '$.clean_withdrawn', ?)
                        WHERE id = ?
                        """,
                    arguments: [detail, key.id])
                changed += [.string("desired.clean")]
            }
            guard !changed.isEmpty else { return }
            let note = JSONValue.object(["cleanup": .string("skip \(action.rawValue)"), "changed": .array(changed)]).jsonText
            try Self.log(db, change: "node_updated", id: key.id, row: row, detail: note, now: now)
        }
    }

    /// Writes the result of the action in row `seq` and applies it to the graph, in one transaction:
    /// a disabled key gets `access_key_status` Inactive and `metadata.disabled_at`; a deleted (or gone)
    /// key's node is removed; both are logged in the change log.
    public func complete(seq: Int64, key: JournalKey, action: CleanupActionKind, result: CleanupResult, detail: String?, now: Date) throws {
        try writer.write { db in
            try Self.complete(db, seq: seq, result: result, detail: detail, now: now)
            switch (action, result) {
            case (.disable, .done):
                try Self.applyDisabled(db, id: key.id, now: now)
            case (.delete, .done), (.delete, .gone), (.disable, .gone):
                try Self.removeNode(db, id: key.id, action: action, result: result, now: now)
            case (_, .skipped), (_, .failed):
                break
            }
        }
    }

    private static func complete(_ db: Database, seq: Int64, result: CleanupResult, detail: String?, now: Date) throws {
        try db.execute(
            sql: "UPDATE cleanup_action SET result = ?, result_at = ?, detail = ? WHERE seq = ? AND result IS NULL",
            arguments: [result.rawValue, UnixTime.seconds(of: now), detail, seq])
    }

    private static func applyDisabled(_ db: Database, id: String, now: Date) throws {
        let iso = ISO8601.format(now)
        guard let row = try Row.fetchOne(db, sql: "SELECT kind, name, subgraph FROM node WHERE id = ?", arguments: [id]) else { return }
        try db.execute(
            sql: """
                UPDATE node SET reported = json_set(reported, '$.access_key_status', 'Inactive'),
                                metadata = json_set(metadata, '$.disabled_at', ?)
                WHERE id = ?
                """,
            arguments: [iso, id])
        try log(db, change: "node_updated", id: id, row: row, detail: #"{"cleanup":"disable","changed":["access_key_status"]}"#, now: now)
    }

    private static func removeNode(_ db: Database, id: String, action: CleanupActionKind, result: CleanupResult, now: Date) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT kind, name, subgraph FROM node WHERE id = ?", arguments: [id]) else { return }
        try db.execute(sql: "DELETE FROM node WHERE id = ?", arguments: [id])
        let detail = JSONValue.object(["cleanup": .string(action.rawValue), "result": .string(result.rawValue)]).jsonText
        try log(db, change: "node_deleted", id: id, row: row, detail: detail, now: now)
    }

    private static func log(_ db: Database, change: String, id: String, row: Row, detail: String, now: Date) throws {
        try db.execute(
            sql: "INSERT INTO change_log(at, change, node_id, kind, name, subgraph, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [UnixTime.seconds(of: now), change, id, row["kind"] as String, row["name"] as String?, row["subgraph"] as String?, detail])
    }

    /// The last use the graph knows of node `id` (its `atime`); nil when never used or not in the graph.
    public func graphLastUsed(_ id: String) throws -> Date? {
        try writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT atime FROM node WHERE id = ?", arguments: [id])
                .map { UnixTime.date($0) }
        }
    }

    /// The node's `atime` when a collect changed it AFTER the node was last marked with `clean` (the
    /// change log's `node_updated` with `atime` among its changed keys, after its latest `node_marked`
    /// setting `desired.clean` true): the graph itself saw a use since the data that marked it. Nil
    /// otherwise (also for a key never used, or marked other than by `clean`).
    public func useSeenSinceMark(_ id: String) throws -> Date? {
        try writer.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT n.atime FROM node n
                 WHERE n.id = :id AND n.atime IS NOT NULL AND EXISTS (
                       SELECT 1 FROM change_log u
                        WHERE u.node_id = :id AND u.change = 'node_updated'
                          AND u.seq > (SELECT coalesce(max(m.seq), 9223372036854775807) FROM change_log m
                                        WHERE m.node_id = :id AND m.change = 'node_marked'
                                          AND json_type(m.detail, '$.desired.clean') = 'true')
                          AND EXISTS (SELECT 1 FROM json_each(u.detail, '$.changed') WHERE value = 'atime'))
                """, arguments: ["id": id]).map { UnixTime.date($0) }
        }
    }

    /// Intents without a result: calls a run started and never recorded the end of.
    public func openIntents() throws -> [CleanupEntry] {
        try entries(where: "result IS NULL", arguments: [], limit: nil)
    }

    /// When the key was last disabled by cleanup (the result time of its last `disable` done), if ever.
    public func disabledAt(_ id: String) throws -> Date? {
        try writer.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT max(result_at) FROM cleanup_action WHERE node_id = ? AND action = 'disable' AND result = 'done'",
                arguments: [id]
            ).map { UnixTime.date($0) }
        }
    }

    /// The journal, newest last; at most the latest `limit` rows.
    public func entries(since: Date?, limit: Int?) throws -> [CleanupEntry] {
        if let since { return try entries(where: "intent_at >= ?", arguments: [UnixTime.seconds(of: since)], limit: limit) }
        return try entries(where: "1", arguments: [], limit: limit)
    }

    /// The journal since `since` (all when nil), newest last, at most the latest `limit` rows.
    private func entries(where condition: String, arguments: StatementArguments, limit: Int?) throws -> [CleanupEntry] {
        try writer.read { db in
            var sql = "SELECT * FROM cleanup_action WHERE \(condition) ORDER BY seq DESC"
            var arguments = arguments
            if let limit {
                sql += " LIMIT ?"
                arguments += [limit]
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).reversed().map { row in
                let name: String = row["action"]
                guard let action = CleanupActionKind(rawValue: name) else {
                    throw CleanupJournalError.unknownAction(seq: row["seq"], action: name)
                }
                return CleanupEntry(
                    seq: row["seq"], runId: row["run_id"], nodeId: row["node_id"], kind: row["kind"],
                    account: row["account"], userName: row["user_name"],
                    action: action, reason: row["reason"],
                    intentAt: UnixTime.date(row["intent_at"] as Int64),
                    result: (row["result"] as String?).flatMap(CleanupResult.init(rawValue:)),
                    resultAt: (row["result_at"] as Int64?).map { UnixTime.date($0) },
                    detail: row["detail"])
            }
        }
    }
}

/// A journal row that cannot be read.
public enum CleanupJournalError: Error, Sendable, CustomStringConvertible {
    /// The row's action is not one this version knows.
    case unknownAction(seq: Int64, action: String)

    /// A message for people.
    public var description: String {
        switch self {
        case .unknownAction(let seq, let action): return "cleanup journal row \(seq): unknown action '\(action)'"
        }
    }
}
