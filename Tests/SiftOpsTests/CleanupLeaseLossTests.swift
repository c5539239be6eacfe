import Foundation
import Testing
import GRDB
import SiftAWS
@testable import SiftStore
@testable import SiftOps

/// Cloud calls recorded, with a hook that runs after each disable or delete.
final class RecordingActions: AccessKeyActions, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var calls: [String] = []
    let afterAction: @Sendable (String) -> Void

    init(afterAction: @escaping @Sendable (String) -> Void = { _ in }) { self.afterAction = afterAction }

    private func record(_ call: String) { lock.withLock { calls.append(call) } }
    var recorded: [String] { lock.withLock { calls } }

    func setInactive(userName: String, accessKeyId: String) async throws(KeyActionError) {
        record("UpdateAccessKey \(accessKeyId)")
        afterAction(accessKeyId)
    }
    func delete(userName: String, accessKeyId: String) async throws(KeyActionError) {
        record("DeleteAccessKey \(accessKeyId)")
        afterAction(accessKeyId)
    }
    func exists(userName: String, accessKeyId: String) async throws(KeyActionError) -> Bool {
        record("ListAccessKeys \(accessKeyId)")
        return true
    }
    func lastUsed(accessKeyId: String) async throws(KeyActionError) -> AccessKeyLastUsed {
        record("GetAccessKeyLastUsed \(accessKeyId)")
        return AccessKeyLastUsed(lastUsedDate: nil, serviceName: nil, region: nil)
    }
}

/// A cleanup whose lease is taken away between two keys makes no cloud action after that moment,
/// says why it stopped, and a later run finishes the work exactly once.
@Suite struct CleanupLeaseLossTests {
    let marked: JSONObject = ["clean": .bool(true), "clean_reason": .string("unused for 90 days")]

    @Test func losingTheLeaseStopsBeforeTheNextCloudAction() async throws {
        let temp = try TemporaryStore()
        let graph = GraphFixture(store: temp.store)
        try graph.addAccount()
        for (key, user) in [("AKIALEASE1", "alice"), ("AKIALEASE2", "bob"), ("AKIALEASE3", "carol")] {
            try graph.addKey(key, user: user, desired: marked)
        }
        // One key at a time, straight to delete (no grace), so the order is the plan's order.
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true", "cleanup_dry_run=false", "cleanup_pool_size=1", "cleanup_disable_first=false"])
        let store = temp.store
        // After the first delete, another process takes the cleanup lease over.
        let stealing = RecordingActions { key in
            guard key == "AKIALEASE1" else { return }
            _ = try? store.writer.write { db in
                try db.execute(sql: "UPDATE lease SET owner = 'elsewhere:1:thief', until = ? WHERE name = 'cleanup'",
                               arguments: [Int64(Date().timeIntervalSince1970) + 600])
            }
        }
        let lines = Lines()
        let env = WorkflowEnvironment(store: store, collect: { _ in "" }, actions: { _ in stealing }, runLine: { _ in }, output: lines.sink)
        let first = try await WorkflowRunner(environment: env).run(.cleanup)

        // Exactly one cloud action: the first key's delete; the second key had its read-only
        // last-use check and then stopped; the third was never touched.
        #expect(stealing.recorded.filter { !$0.hasPrefix("GetAccessKeyLastUsed") } == ["DeleteAccessKey AKIALEASE1"])
        #expect(!stealing.recorded.contains("GetAccessKeyLastUsed AKIALEASE3"))
        let outcomes = try #require(first.cleanup?.outcomes)
        #expect(outcomes.filter { $0.result == .done }.map(\.key.id) == ["AKIALEASE1"])
        #expect(outcomes.filter { $0.result == .skipped }.map(\.key.id) == ["AKIALEASE2", "AKIALEASE3"])
        #expect(lines.all.contains { $0.hasPrefix("cleanup stopped: the cleanup lease was lost (held by elsewhere:1:thief now)") }, "\(lines.all)")
        // The journal says why, for each key left.
        let details = try await store.writer.read { db in
            try String.fetchAll(db, sql: "SELECT detail FROM cleanup_action WHERE node_id IN ('AKIALEASE2', 'AKIALEASE3') ORDER BY node_id")
        }
        #expect(details.count == 2)
        #expect(details.allSatisfy { $0.contains("cleanup stopped: the cleanup lease was lost") })
        // The thief's lease is not given up by the run that lost it.
        #expect(try await store.writer.read { db in try String.fetchOne(db, sql: "SELECT owner FROM lease WHERE name = 'cleanup'") } == "elsewhere:1:thief")

        // The thief goes; a later run acts on the two keys left, once each, and not on the first again.
        try await store.writer.write { db in try db.execute(sql: "DELETE FROM lease") }
        let later = RecordingActions()
        let env2 = WorkflowEnvironment(store: store, collect: { _ in "" }, actions: { _ in later }, runLine: { _ in }, output: { _ in })
        let second = try await WorkflowRunner(environment: env2).run(.cleanup)
        #expect(later.recorded.filter { !$0.hasPrefix("GetAccessKeyLastUsed") } == ["DeleteAccessKey AKIALEASE2", "DeleteAccessKey AKIALEASE3"])
        #expect(second.cleanup?.outcomes.filter { $0.result == .done }.map(\.key.id) == ["AKIALEASE2", "AKIALEASE3"])
        // A third run has nothing left to do.
        let third = RecordingActions()
        let env3 = WorkflowEnvironment(store: store, collect: { _ in "" }, actions: { _ in third }, runLine: { _ in }, output: { _ in })
        _ = try await WorkflowRunner(environment: env3).run(.cleanup)
        #expect(third.recorded.filter { !$0.hasPrefix("GetAccessKeyLastUsed") } == [])
    }

    @Test func aLeaseGuardThatCannotRenewStaysLost() async {
        let renewals = Counter()
        let guarding = LeaseGuard(name: "cleanup", owner: LeaseOwner(), ttl: 60,
                                  renew: { _ in renewals.increment(); return renewals.value < 2 }, holder: { "other:2:x" })
        #expect(await guarding.confirm(now: Date()) == nil)
        #expect(await guarding.confirm(now: Date()) == "the cleanup lease was lost (held by other:2:x now)")
        #expect(await guarding.confirm(now: Date()) == "the cleanup lease was lost (held by other:2:x now)")
        #expect(renewals.value == 2, "once lost, it is not renewed again")
        struct Broken: Error, CustomStringConvertible { var description: String { "disk I/O error" } }
        let failing = LeaseGuard(name: "job j", owner: LeaseOwner(), ttl: 60, renew: { _ in throw Broken() }, holder: { nil })
        #expect(await failing.confirm(now: Date()) == "the job j lease could not be renewed: disk I/O error")
    }
}
