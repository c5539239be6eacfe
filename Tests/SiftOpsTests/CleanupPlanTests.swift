import Foundation
import Testing
import GRDB
@testable import SiftStore
@testable import SiftOps
import SiftPolicy

@Suite struct CleanupPlanTests {
    let marked: JSONObject = ["clean": .bool(true), "clean_reason": .string("unused for 90 days")]

    func fixture() throws -> (TemporaryStore, GraphFixture) {
        let temp = try TemporaryStore()
        let graph = GraphFixture(store: temp.store)
        try graph.addAccount()
        try graph.addKey("AKIAMARKED1", user: "alice", desired: marked)
        try graph.addKey("AKIAMARKED2", user: "bob", status: "Inactive", desired: marked)
        try graph.addKey("AKIANOTMARKED", user: "alice")
        try graph.addKey("AKIAPROTECTED", user: "carol", desired: marked, metadata: ["protected": .bool(true)])
        try graph.addKey("AKIACLEANED", user: "dave", desired: marked, metadata: ["cleaned": .bool(true)])
        try graph.addKey("AKIAFALSE", user: "erin", desired: ["clean": .bool(false)])
        try graph.addKey("AKIASTRING", user: "erin", desired: ["clean": .string("true")])
        try graph.addKey("AKIANOUSER", user: "frank", desired: marked, userName: "")
        try graph.insert(id: "AIDAMARKEDUSER", kind: "aws_iam_user", name: "gina", reported: [:], desired: marked, metadata: [:])
        return (temp, graph)
    }

    @Test func onlyMarkedUnprotectedUncleanedNodesAreCandidates() async throws {
        let (temp, _) = try fixture()
        let candidates = try await CleanupPlanner(store: temp.store).candidates()
        #expect(candidates.map(\.id) == ["AIDAMARKEDUSER", "AKIAMARKED1", "AKIAMARKED2", "AKIANOUSER"])
        let first = try #require(candidates.first { $0.id == "AKIAMARKED1" })
        #expect(first.userName == "alice" && first.account == "123456789012" && first.reason == "unused for 90 days")
        #expect(first.status == "Active")
    }

    /// SPEC 11: the plan takes the keys of admins first, then of users who can escalate, who can write IAM,
    /// whose permissions are unknown (no summary collected), the rest; by id within each.
    @Test func planOrdersKeysByTheirOwnersRisk() async throws {
        let temp = try TemporaryStore()
        let graph = GraphFixture(store: temp.store)
        try graph.addAccount()
        func user(_ name: String, admin: Bool, escalation: Bool, iamWrite: Bool) throws {
            try graph.insert(id: "AIDA" + name.uppercased(), kind: "aws_iam_user", name: name,
                             reported: ["permissions": .object(["admin": .bool(admin), "privilege_escalation": .bool(escalation),
                                                                "iam_write": .bool(iamWrite)])],
                             desired: [:], metadata: [:])
            try graph.edge(from: graph.account, to: "AIDA" + name.uppercased())
        }
        try user("reader", admin: false, escalation: false, iamWrite: false)
        try user("root", admin: true, escalation: true, iamWrite: true)
        try user("escalator", admin: false, escalation: true, iamWrite: true)
        try user("writer", admin: false, escalation: false, iamWrite: true)
        // A policy above a user carries a summary too: it must not stand in for the user's.
        try graph.insert(id: "POLICY", kind: "aws_iam_policy", name: "p", reported: ["permissions": .object(["admin": .bool(true)])],
                         desired: [:], metadata: [:])
        try graph.edge(from: "POLICY", to: "AIDAREADER")
        try graph.addKey("AKIA1READER", user: "reader", desired: marked)
        try graph.addKey("AKIA2ROOT", user: "root", desired: marked)
        try graph.addKey("AKIA3UNKNOWN", user: "unknown", desired: marked)
        try graph.addKey("AKIA4WRITER", user: "writer", desired: marked)
        try graph.addKey("AKIA5ESCALATOR", user: "escalator", desired: marked)
        try graph.addKey("AKIA6ROOT", user: "root", desired: marked)
        let plan = try await CleanupPlanner(store: temp.store).plan(config: OpsConfig(), now: Date())
        #expect(plan.map(\.key.id) == ["AKIA2ROOT", "AKIA6ROOT", "AKIA5ESCALATOR", "AKIA4WRITER", "AKIA3UNKNOWN", "AKIA1READER"])
        #expect(plan.map(\.key.privilege) == [.admin, .admin, .privilegeEscalation, .iamWrite, .unknown, .limited])
    }

    @Test func disableFirstThenWaitThenDelete() async throws {
        let (temp, _) = try fixture()
        let planner = CleanupPlanner(store: temp.store)
        var config = OpsConfig()
        config.set(.cleanupGrace, .duration(OpsDuration(seconds: 7 * 86_400)))
        let start = utc("2026-03-01T00:00:00Z")
        var plan = Dictionary(uniqueKeysWithValues: try await planner.plan(config: config, now: start).map { ($0.key.id, $0.decision) })
        #expect(plan["AKIAMARKED1"] == .disable)
        #expect(plan["AKIAMARKED2"] == .disable, "a key found Inactive is disabled again to start its grace")
        guard case .noAction(let why) = plan["AIDAMARKEDUSER"] else { Issue.record("user not unsupported"); return }
        #expect(why == "cleanup of aws_iam_user is not supported")
        guard case .noAction = plan["AKIANOUSER"] else { Issue.record("key without user planned"); return }

        // Journal a finished disable of AKIAMARKED1 at `start`.
        let journal = temp.store
        let key = try #require(try await planner.candidates().first { $0.id == "AKIAMARKED1" })
        let seq = try await journal.writeIntent(runId: "r1", key: key, action: .disable, now: start)
        plan = Dictionary(uniqueKeysWithValues: try await planner.plan(config: config, now: start).map { ($0.key.id, $0.decision) })
        #expect(plan["AKIAMARKED1"] == .interrupted(.disable), "an intent without result is settled first")
        try await journal.complete(seq: seq, key: key, action: .disable, result: .done, detail: nil, now: start)

        let inGrace = start.addingTimeInterval(7 * 86_400 - 1)
        plan = Dictionary(uniqueKeysWithValues: try await planner.plan(config: config, now: inGrace).map { ($0.key.id, $0.decision) })
        #expect(plan["AKIAMARKED1"] == .wait(disabledAt: start, until: start.addingTimeInterval(7 * 86_400)))
        let afterGrace = start.addingTimeInterval(7 * 86_400)
        plan = Dictionary(uniqueKeysWithValues: try await planner.plan(config: config, now: afterGrace).map { ($0.key.id, $0.decision) })
        #expect(plan["AKIAMARKED1"] == .delete(disabledAt: start))
        // Someone set it Active again (a later collect says so): it is not deleted.
        try await temp.store.writer.write { db in
            try db.execute(sql: "UPDATE node SET reported = json_set(reported, '$.access_key_status', 'Active') WHERE id = 'AKIAMARKED1'")
        }
        plan = Dictionary(uniqueKeysWithValues: try await planner.plan(config: config, now: afterGrace).map { ($0.key.id, $0.decision) })
        #expect(plan["AKIAMARKED1"] == .noAction("set Active again after cleanup disabled it 2026-03-01T00:00:00Z; not deleted"))

        config.set(.cleanupDisableFirst, .bool(false))
        plan = Dictionary(uniqueKeysWithValues: try await planner.plan(config: config, now: start).map { ($0.key.id, $0.decision) })
        #expect(plan["AKIAMARKED2"] == .delete(disabledAt: nil))
    }

    @Test func theDisableResultUpdatesTheGraphInTheSameTransaction() async throws {
        let (temp, _) = try fixture()
        let planner = CleanupPlanner(store: temp.store)
        let journal = temp.store
        let key = try #require(try await planner.candidates().first { $0.id == "AKIAMARKED1" })
        let at = utc("2026-03-01T00:00:00Z")
        let seq = try await journal.writeIntent(runId: "r1", key: key, action: .disable, now: at)
        try await journal.complete(seq: seq, key: key, action: .disable, result: .done, detail: nil, now: at)
        let row = try #require(try temp.store.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT reported, metadata FROM node WHERE id = 'AKIAMARKED1'")
        })
        #expect((row["reported"] as String).contains(#""access_key_status":"Inactive""#))
        #expect((row["metadata"] as String).contains(#""disabled_at":"2026-03-01T00:00:00Z""#))
        let deleteSeq = try await journal.writeIntent(runId: "r2", key: key, action: .delete, now: at)
        try await journal.complete(seq: deleteSeq, key: key, action: .delete, result: .done, detail: nil, now: at)
        await #expect(try temp.store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM node WHERE id = 'AKIAMARKED1'") } == 0)
        let history = try temp.store.history(since: nil, limit: nil)
        #expect(history.map(\.change.rawValue) == ["node_updated", "node_deleted"])
        #expect(history.allSatisfy { $0.nodeId == "AKIAMARKED1" })
        let log = await CleanupLog.lines(try journal.entries())
        #expect(log.count == 2)
        #expect(log[0].contains("disable AKIAMARKED1  user=alice  account=123456789012  done  reason=\"unused for 90 days\""))
    }

    @Test func aDryRunSaysWhatItWouldDoAndChangesNothing() async throws {
        let (temp, graph) = try fixture()
        let before = try graph.snapshot()
        let lines = Lines()
        let env = WorkflowEnvironment(store: temp.store, collect: { _ in "" }, actions: { _ in throw NoCloud() },
                                      runLine: { _ in }, output: lines.sink)
        // The default config is a dry run; so is cleanup=true with cleanup_dry_run left true.
        for assignments in [[], ["cleanup=true"], ["cleanup=false", "cleanup_dry_run=false"]] {
            if !assignments.isEmpty { try await ConfigStore(store: temp.store).set(assignments: assignments) }
            let report = try await WorkflowRunner(environment: env).run(.cleanup)
            let cleanup = try #require(report.cleanup)
            #expect(cleanup.dryRun && cleanup.runId == nil)
            #expect(cleanup.count(.disable, nil) == 2)
        }
        #expect(try graph.snapshot() == before)
        #expect(try graph.journalCount() == 0)
        #expect(lines.all.contains("would disable aws_iam_access_key AKIAMARKED1 (user alice, account 123456789012): unused for 90 days"
                                   + " [only if GetAccessKeyLastUsed shows no use since it was marked]"))
        #expect(lines.all.contains { $0.hasPrefix("cleanup (dry run): would disable 2, would delete 0, 2 with nothing to do now; nothing changed") })
    }
}
