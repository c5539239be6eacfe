import Foundation
import SiftAWS
import SiftStore
import SiftTime

/// What happened to one key in a cleanup run.
public struct CleanupOutcome: Sendable, Hashable {
    /// The key.
    public var key: CleanupCandidate
    /// The action taken or considered; nil when none applies (waiting, nothing to do).
    public var action: CleanupActionKind?
    /// How it ended; nil for a dry run or a key that needed nothing now.
    public var result: CleanupResult?
    /// What a person should know (error, note, when it will be deleted).
    public var detail: String?
    /// True when the outcome settles an earlier interrupted action.
    public var recovered: Bool = false
    /// When a disabled key waits for its grace period to end: the end.
    public var waitingUntil: Date?
    /// How many `GetAccessKeyLastUsed` calls the safety check made for this key (0 or 1).
    public var lastUseChecks: Int = 0

    /// One line for people.
    public func line(dryRun: Bool) -> String {
        var who = "\(key.kind) \(key.id)"
        var facts: [String] = []
        if let user = key.userName { facts.append("user \(user)") }
        if let account = key.account { facts.append("account \(account)") }
        if !facts.isEmpty { who += " (" + facts.joined(separator: ", ") + ")" }
        let why = key.reason.map { ": \($0)" } ?? ""
        let note = detail.map { " [\($0)]" } ?? ""
        switch (action, result) {
        case (let action?, nil) where dryRun: return "would \(action.rawValue) \(who)\(why)\(note)"
        case (.disable?, .done?): return "disabled \(who)\(why)\(recovered ? " [settled after an interruption]" : "")"
        case (.delete?, .done?): return "deleted \(who)\(why)\(recovered ? " [settled after an interruption]" : "")"
        case (_, .gone?): return "gone \(who): already deleted by someone else"
        case (let action?, .skipped?): return "skipped \(action.rawValue) \(who)\(note)"
        case (let action?, .failed?): return "FAILED \(action.rawValue) \(who)\(note)"
        case (nil, _) where waitingUntil != nil: return "waiting \(who)\(note)"
        default: return "left alone \(who)\(note)"
        }
    }
}

/// The end of a cleanup run.
public struct CleanupReport: Sendable {
    /// The run's id (nil for a dry run, which writes nothing).
    public var runId: String?
    /// Whether it was a dry run.
    public var dryRun: Bool
    /// One outcome per key, by id; settled interruptions first.
    public var outcomes: [CleanupOutcome]
    /// How long it took.
    public var seconds: Double

    /// How many outcomes have this action and result.
    public func count(_ action: CleanupActionKind?, _ result: CleanupResult?) -> Int {
        outcomes.filter { $0.action == action && $0.result == result }.count
    }

    /// The `GetAccessKeyLastUsed` calls the safety check made (one per key acted on or skipped).
    public var lastUseChecks: Int { outcomes.reduce(0) { $0 + $1.lastUseChecks } }

    /// The one-line summary.
    public var summary: String {
        let time = String(format: "%.1fs", seconds)
        if dryRun {
            let waiting = outcomes.filter { $0.action == nil }.count
            let checks = count(.disable, nil) + count(.delete, nil)
            return "cleanup (dry run): would disable \(count(.disable, nil)), would delete \(count(.delete, nil)), "
                + "\(waiting) with nothing to do now; nothing changed; a real run first checks the last use of each of "
                + "these \(checks) keys (\(checks) GetAccessKeyLastUsed calls) (\(time))"
        }
        let gone = outcomes.filter { $0.result == .gone }.count
        let failed = outcomes.filter { $0.result == .failed }.count
        let skipped = outcomes.filter { $0.result == .skipped }.count
        let idle = outcomes.filter { $0.action == nil }.count
        return "cleanup: \(count(.disable, .done)) disabled, \(count(.delete, .done)) deleted, \(gone) already gone, "
            + "\(skipped) skipped, \(idle) waiting or left alone, \(failed) failed; "
            + "\(lastUseChecks) GetAccessKeyLastUsed calls (\(time))"
    }
}

/// Carries out a cleanup plan: a pool of `cleanup_pool_size` workers, every call journalled before and
/// after, per-key errors reported without stopping the others, interrupted actions settled first.
public struct CleanupRunner: Sendable {
    /// The database.
    public let store: any GraphBackend
    /// The configuration (pool size, disable-first, grace, dry run).
    public let config: OpsConfig
    /// The cloud calls, per account.
    public let actions: AccessKeyActionsProvider
    /// The clock.
    public let now: @Sendable () -> Date
    /// Where each outcome's line goes, as it happens.
    public let output: @Sendable (String) -> Void
    /// The cleanup lease, confirmed right before each disable or delete: once it is lost, no
    /// further cloud action is made and each key left is journalled with the reason.
    public let lease: LeaseGuard?

    /// Creates a runner.
    public init(store: any GraphBackend, config: OpsConfig, actions: @escaping AccessKeyActionsProvider,
                now: @escaping @Sendable () -> Date = { Date() }, output: @escaping @Sendable (String) -> Void,
                lease: LeaseGuard? = nil) {
        self.store = store
        self.config = config
        self.actions = actions
        self.now = now
        self.output = output
        self.lease = lease
    }

    /// A new run id: time and a random part.
    public static func newRunId(now: Date) -> String {
        "\(UnixTime.seconds(of: now))-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    /// Settles the actions an earlier run started and never recorded the end of: a disable is issued
    /// again (idempotent); a delete is checked with `ListAccessKeys` first, so that no key ever gets
    /// a second `DeleteAccessKey`. Does nothing in a dry run.
    public func recover() async -> [CleanupOutcome] {
        let journal = store
        let open: [CleanupEntry]
        do { open = try await journal.openIntents() } catch {
            output("cleanup: cannot read the journal: \(error)")
            return []
        }
        let cache = ActionsCache(provider: actions)
        return await pooled(open) { entry in
            let key = CleanupCandidate(id: entry.nodeId, kind: entry.kind, name: entry.userName, userName: entry.userName,
                                       account: entry.account, status: nil, reason: entry.reason)
            var outcome = await settle(entry, key: key, journal: journal, cache: cache)
            outcome.recovered = true
            return outcome
        }
    }

    private func settle(_ entry: CleanupEntry, key: CleanupCandidate, journal: any CleanupJournaling, cache: ActionsCache) async -> CleanupOutcome {
        let user = entry.userName ?? ""
        var result: CleanupResult
        var detail: String?
        var checks = 0
        var leaveOpen = false
        do {
            let client = try await cache.actions(for: entry.account)
            switch entry.action {
            case .disable:
                // Issued again only when neither the graph since the mark nor AWS shows a use (the safety rule).
                if let seen = try await journal.useSeenSinceMark(entry.nodeId) {
                    let note = LastUseGuard.seenNote(action: .disable, used: seen) + Self.notRepeated
                    try await journal.writeUsedSince(runId: entry.runId, key: key, action: .disable,
                                               lastUsed: AccessKeyLastUsed(lastUsedDate: seen, serviceName: nil, region: nil),
                                               detail: note, withdraw: true, completing: entry.seq, now: now())
                    let outcome = CleanupOutcome(key: key, action: .disable, result: .skipped, detail: note, recovered: true)
                    output(outcome.line(dryRun: false))
                    return outcome
                }
                if let reader = client as? any AccessKeyStatusReading,
                   let found = try await foundSettled(reader, user: user, id: entry.nodeId) {
                    (result, detail) = found
                    break
                }
                checks = 1
                if let skipped = try await skipIfUsed(entry, key: key, baseline: .graph(try await journal.graphLastUsed(entry.nodeId)),
                                                      client: client, journal: journal) { return skipped }
                (result, detail, leaveOpen) = await call { () async throws(KeyActionError) in
                    try await client.setInactive(userName: user, accessKeyId: entry.nodeId)
                }
            case .delete:
                if try await client.exists(userName: user, accessKeyId: entry.nodeId) {
                    if let disabledAt = try await journal.disabledAt(entry.nodeId) {
                        checks = 1
                        if let skipped = try await skipIfUsed(entry, key: key, baseline: .disabled(disabledAt),
                                                              client: client, journal: journal) { return skipped }
                    }
                    (result, detail, leaveOpen) = await call { () async throws(KeyActionError) in
                        try await client.delete(userName: user, accessKeyId: entry.nodeId)
                    }
                    if result == .gone { result = .done }
                } else {
                    (result, detail) = (.done, "found deleted after an interrupted run")
                }
            }
        } catch {
            // AWS could not be asked (no answer to the checks, no credentials): what the interrupted call did
            // is still unknown, so the intent stays open for the next run rather than being closed as failed
            // (which would let a later run send the call again blind).
            (result, detail, leaveOpen) = (.failed, String(describing: error) + "; left open: the next run checks the key again", true)
        }
        do {
            if !leaveOpen {
                try await journal.complete(seq: entry.seq, key: key, action: entry.action, result: result, detail: detail, now: now())
            }
        } catch {
            (result, detail) = (.failed, "journal: \(error)")
        }
        let outcome = CleanupOutcome(key: key, action: entry.action, result: result, detail: detail, recovered: true, lastUseChecks: checks)
        output(outcome.line(dryRun: false))
        return outcome
    }

    /// An interrupted disable whose key AWS shows Inactive already (the first call acted) or gone: settled
    /// without a second `UpdateAccessKey`. Nil when the key is still Active.
    private func foundSettled(_ reader: any AccessKeyStatusReading, user: String, id: String) async throws -> (CleanupResult, String?)? {
        switch try await reader.status(userName: user, accessKeyId: id) {
        case .inactive?: return (.done, "found Inactive after an interrupted run; UpdateAccessKey not repeated")
        case nil: return (.gone, "found deleted after an interrupted run")
        case .active?: return nil
        }
    }

    /// Added to the note of an interrupted disable that is not repeated.
    static let notRepeated = "; the interrupted UpdateAccessKey was not repeated (if it reached AWS, the next collect shows the key Inactive)"

    /// For an interrupted action: when AWS shows a use later than `baseline`, the open intent is completed
    /// as skipped (the call is not repeated; a disable's mark is withdrawn) and the outcome returned.
    private func skipIfUsed(_ entry: CleanupEntry, key: CleanupCandidate, baseline: LastUseGuard.Baseline,
                            client: any AccessKeyActions, journal: any CleanupJournaling) async throws -> CleanupOutcome? {
        let reported = try await client.lastUsed(accessKeyId: entry.nodeId)
        guard let used = LastUseGuard.useSince(reported, baseline: baseline) else { return nil }
        var note = LastUseGuard.note(action: entry.action, used: used, baseline: baseline)
        if entry.action == .disable { note += Self.notRepeated }
        try await journal.writeUsedSince(runId: entry.runId, key: key, action: entry.action, lastUsed: reported, detail: note,
                                   withdraw: entry.action == .disable, completing: entry.seq, now: now())
        let outcome = CleanupOutcome(key: key, action: entry.action, result: .skipped, detail: note, recovered: true, lastUseChecks: 1)
        output(outcome.line(dryRun: false))
        return outcome
    }

    /// Runs `steps` (or, in a dry run, says what each would do). Keys whose step was interrupted are
    /// left to `recover`.
    public func execute(_ steps: [CleanupStep], runId: String) async -> [CleanupOutcome] {
        let dryRun = config.isDryRun
        let journal = store
        let cache = ActionsCache(provider: actions)
        return await pooled(steps) { step in
            if dryRun { return report(dryRunOutcome(step)) }
            return report(await act(step, runId: runId, journal: journal, cache: cache))
        }
    }

    private func report(_ outcome: CleanupOutcome) -> CleanupOutcome {
        output(outcome.line(dryRun: config.isDryRun))
        return outcome
    }

    /// What a dry run says a real run checks first (a dry run makes no call at all).
    static func dryRunCheck(since event: String) -> String { "only if GetAccessKeyLastUsed shows no use since it was \(event)" }

    private func dryRunOutcome(_ step: CleanupStep) -> CleanupOutcome {
        switch step.decision {
        case .disable where step.key.useSeenSinceMark != nil, .delete(nil) where step.key.useSeenSinceMark != nil:
            let note = LastUseGuard.seenNote(action: step.decision == .disable ? .disable : .delete, used: step.key.useSeenSinceMark ?? Date())
            return CleanupOutcome(key: step.key, detail: note.replacingOccurrences(of: ", mark withdrawn", with: "; a real run withdraws the mark"))
        case .disable: return CleanupOutcome(key: step.key, action: .disable, detail: Self.dryRunCheck(since: "marked"))
        case .delete(let disabledAt):
            return CleanupOutcome(key: step.key, action: .delete, detail: Self.dryRunCheck(since: disabledAt == nil ? "marked" : "disabled"))
        case .wait(let disabledAt, let until):
            return CleanupOutcome(key: step.key, detail: "disabled \(ISO8601.format(disabledAt)), deleted after \(ISO8601.format(until))",
                                  waitingUntil: until)
        case .interrupted(let action):
            return CleanupOutcome(key: step.key, action: action, detail: "an earlier run was interrupted; the next run checks it first")
        case .noAction(let why): return CleanupOutcome(key: step.key, detail: why)
        }
    }

    private func act(_ step: CleanupStep, runId: String, journal: any CleanupJournaling, cache: ActionsCache) async -> CleanupOutcome {
        let key = step.key
        let user = key.userName ?? ""
        let action: CleanupActionKind
        let baseline: LastUseGuard.Baseline
        switch step.decision {
        case .disable: action = .disable; baseline = .graph(key.lastUsed)
        case .delete(let since?): action = .delete; baseline = .disabled(since)
        case .delete(nil): action = .delete; baseline = .graph(key.lastUsed)
        case .wait, .interrupted, .noAction: return dryRunOutcome(step)
        }
        if Task.isCancelled { return CleanupOutcome(key: key, action: action, detail: "not started: stopped") }
        do {
            if let lost = lease?.lostReason { return try await stopped(key: key, action: action, reason: lost, runId: runId, journal: journal, checks: 0) }
            if case .graph = baseline, let seen = key.useSeenSinceMark {
                // The graph itself saw a use since the mark: no call is needed to know.
                let note = LastUseGuard.seenNote(action: action, used: seen)
                try await journal.writeUsedSince(runId: runId, key: key, action: action, lastUsed: AccessKeyLastUsed(lastUsedDate: seen, serviceName: nil, region: nil),
                                           detail: note, withdraw: true, now: now())
                return CleanupOutcome(key: key, action: action, result: .skipped, detail: note)
            }
            let client = try await cache.actions(for: key.account)
            // The safety check: AWS's last use of this exact key, just before the call (read-only, so no intent).
            let reported: AccessKeyLastUsed
            do { reported = try await client.lastUsed(accessKeyId: key.id) } catch {
                let note = "cannot check last use: \(error)"
                try await journal.writeDecision(runId: runId, key: key, action: action, result: .failed, detail: note, now: now())
                return CleanupOutcome(key: key, action: action, result: .failed, detail: note, lastUseChecks: 1)
            }
            if let used = LastUseGuard.useSince(reported, baseline: baseline) {
                let note = LastUseGuard.note(action: action, used: used, baseline: baseline)
                let withdraw: Bool
                switch baseline {
                case .graph: withdraw = true
                case .disabled: withdraw = false
                }
                try await journal.writeUsedSince(runId: runId, key: key, action: action, lastUsed: reported, detail: note,
                                           withdraw: withdraw, now: now())
                return CleanupOutcome(key: key, action: action, result: .skipped, detail: note, lastUseChecks: 1)
            }
            // The last moment before the cloud action: the lease must still be ours.
            if let lease, let lost = await lease.confirm(now: now()) {
                return try await stopped(key: key, action: action, reason: lost, runId: runId, journal: journal, checks: 1)
            }
            let seq = try await journal.writeIntent(runId: runId, key: key, action: action, now: now())
            let (result, detail, leaveOpen) = await call { () async throws(KeyActionError) in
                switch action {
                case .disable: try await client.setInactive(userName: user, accessKeyId: key.id)
                case .delete: try await client.delete(userName: user, accessKeyId: key.id)
                }
            }
            // Without an answer the intent stays open: the next run settles it from what AWS shows,
            // never by sending the call again blind.
            if !leaveOpen {
                try await journal.complete(seq: seq, key: key, action: action, result: result, detail: detail, now: now())
            }
            return CleanupOutcome(key: key, action: action, result: result, detail: detail, lastUseChecks: 1)
        } catch {
            return CleanupOutcome(key: key, action: action, result: .failed, detail: String(describing: error))
        }
    }

    /// A key not acted on because the lease was lost: journalled (skipped, with the reason) and
    /// left marked, so the run that holds the lease next acts on it.
    private func stopped(key: CleanupCandidate, action: CleanupActionKind, reason: String, runId: String,
                         journal: any CleanupJournaling, checks: Int) async throws -> CleanupOutcome {
        let note = "not done, cleanup stopped: \(reason)"
        try await journal.writeDecision(runId: runId, key: key, action: action, result: .skipped, detail: note, now: now())
        return CleanupOutcome(key: key, action: action, result: .skipped, detail: note, lastUseChecks: checks)
    }

    /// Makes one call and maps its end to a journal result; `leaveOpen` when no answer came (the call may
    /// have acted), so the intent is left for the next run to settle.
    private func call(_ body: () async throws(KeyActionError) -> Void) async -> (CleanupResult, String?, leaveOpen: Bool) {
        do {
            try await body()
            return (.done, nil, false)
        } catch {
            switch error {
            case .noSuchEntity(let message): return (.gone, message, false)
            case .failed(let message): return (.failed, message, false)
            case .noAnswer(let message): return (.failed, message + Self.settledNext, true)
            }
        }
    }

    /// Added to a call that got no answer.
    static let settledNext = "; no answer, so it may have acted: the next run checks the key before any new call"

    /// Runs `work` on every item with at most `cleanup_pool_size` at once; results in item order.
    private func pooled<Item: Sendable>(_ items: [Item], _ work: @escaping @Sendable (Item) async -> CleanupOutcome) async -> [CleanupOutcome] {
        let width = max(1, config.cleanupPoolSize)
        return await withTaskGroup(of: (Int, CleanupOutcome).self) { group in
            var results = [CleanupOutcome?](repeating: nil, count: items.count)
            var next = 0
            while next < items.count && next < width {
                let index = next, item = items[index]
                group.addTask { (index, await work(item)) }
                next += 1
            }
            while let (index, outcome) = await group.next() {
                results[index] = outcome
                if next < items.count {
                    let index = next, item = items[index]
                    group.addTask { (index, await work(item)) }
                    next += 1
                }
            }
            return results.compactMap { $0 }
        }
    }
}

/// The `AccessKeyActions` of each account, asked for once.
actor ActionsCache {
    private let provider: AccessKeyActionsProvider
    private var clients: [String: any AccessKeyActions] = [:]

    init(provider: @escaping AccessKeyActionsProvider) { self.provider = provider }

    func actions(for account: String?) async throws -> any AccessKeyActions {
        let name = account ?? ""
        if let client = clients[name] { return client }
        let client = try await provider(account)
        clients[name] = client
        return client
    }
}
