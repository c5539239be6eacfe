import Foundation
import SiftAWS
import SiftStore

/// The journal in the words of the cleanup: candidates and AWS's last-use answers.
extension CleanupJournaling {
    /// Writes the intent of an action (committed before the call is made) and returns its row.
    public func writeIntent(runId: String, key: CleanupCandidate, action: CleanupActionKind, now: Date) async throws -> Int64 {
        try await writeIntent(runId: runId, key: key.journalKey, action: action, now: now)
    }

    /// Writes an action decided without a call, intent and result in one transaction.
    public func writeDecision(runId: String, key: CleanupCandidate, action: CleanupActionKind, result: CleanupResult, detail: String, now: Date) async throws {
        try await writeDecision(runId: runId, key: key.journalKey, action: action, result: result, detail: detail, now: now)
    }

    /// Writes that `action` was skipped because AWS shows a use the graph did not know (see the store's overload).
    public func writeUsedSince(runId: String, key: CleanupCandidate, action: CleanupActionKind, lastUsed: AccessKeyLastUsed,
                               detail: String, withdraw: Bool, completing open: Int64? = nil, now: Date) async throws {
        try await writeUsedSince(
            runId: runId, key: key.journalKey, action: action,
            lastUsed: ReportedLastUse(date: lastUsed.lastUsedDate, serviceName: lastUsed.serviceName, region: lastUsed.region),
            detail: detail, withdraw: withdraw, completing: open, now: now)
    }

    /// Writes the result of the action in row `seq` and applies it to the graph, in one transaction.
    public func complete(seq: Int64, key: CleanupCandidate, action: CleanupActionKind, result: CleanupResult, detail: String?, now: Date) async throws {
        try await complete(seq: seq, key: key.journalKey, action: action, result: result, detail: detail, now: now)
    }
}

extension CleanupCandidate {
    /// What the journal records of the key.
    var journalKey: JournalKey {
        JournalKey(id: id, kind: kind, account: account, userName: userName, reason: reason)
    }
}
