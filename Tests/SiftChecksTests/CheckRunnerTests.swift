import Foundation
import SiftStore
import Testing
@testable import SiftChecks

@Suite struct CheckRunnerTests {
    let directory: TemporaryDirectory
    let store: GraphStore

    init() throws {
        directory = try TemporaryDirectory()
        store = try GraphStore(path: directory.path("graph.sqlite"))
        try ScenarioGraph().write(to: store)
    }

    func failing(_ id: String, _ parameters: [String] = [], now: Date = ScenarioGraph.now) async throws -> [String] {
        let outcomes = try await CheckRunner(store: store).evaluate(
            CheckRunRequest(ids: [id], parameters: ParameterOverrides(arguments: parameters)), now: now)
        return outcomes[0].failing.map(\.id).sorted()
    }

    @Test func exactFailingResourcesOfEachCheck() async throws {
        // Active keys unused > 90 days: 91 days (used) and never used 91 days from creation fail; 89 days pass.
        #expect(try await failing("iam.unused_access_keys") == ["AKIABOB1", "AKIACAROL1", "AKIAHENRY1"])
        #expect(try await failing("iam.unused_access_keys", ["days=45"]) == ["AKIAALICE1", "AKIAALICE2", "AKIABOB1", "AKIACAROL1", "AKIAHENRY1"])
        #expect(try await failing("iam.access_key_rotation") == ["AKIAALICE1", "AKIABOB1", "AKIACAROL1", "AKIAHENRY1"])
        #expect(try await failing("iam.user_multiple_active_keys") == ["AIDAALICE"])
        #expect(try await failing("iam.root_access_key") == ["111111111111-root"])
        // Inactive > 7 days: changed 8 days ago fails, 6 days passes; unknown change time falls back to last use (never: creation).
        #expect(try await failing("iam.inactive_keys_not_deleted") == ["AKIACAROL2", "AKIAERIN2"])
        #expect(try await failing("iam.inactive_keys_not_deleted", ["grace_days=5"]) == ["AKIACAROL2", "AKIAERIN1", "AKIAERIN2"])
        // Console unused > 45 days: used 46 days ago, never used and created 50 days ago; 44 days, created 40 days
        // ago and a password set 10 days ago pass.
        #expect(try await failing("iam.unused_console_password") == ["AIDABOB", "AIDADAVE"])
        #expect(try await failing("iam.user_without_mfa") == ["AIDABOB"])
        // No groups, roles or policies here: the IAM graph's checks pass (they fail on the emulator's scenario,
        // EndToEndTests/CollectTests).
        for id in ["iam.admin_keys_unused", "iam.user_attached_policies", "iam.policy_full_access",
                   "iam.user_privilege_escalation"] {
            #expect(try await failing(id) == [], "\(id)")
        }
    }

    @Test func rootWithAnAccessKeyNodeFails() async throws {
        var scenario = ScenarioGraph()
        scenario.devRootKeyNode = true
        try scenario.write(to: store)
        #expect(try await failing("iam.root_access_key") == ["111111111111-root", "222222222222-root"])
        #expect(try await failing("iam.user_multiple_active_keys") == ["AIDAALICE"])
    }

    @Test func failingResourcesNameUserAndAccount() async throws {
        let outcomes = try await CheckRunner(store: store).evaluate(CheckRunRequest(ids: ["iam.unused_access_keys"]), now: ScenarioGraph.now)
        let henry = try #require(outcomes[0].failing.first { $0.id == "AKIAHENRY1" })
        #expect(henry == FailingResource(id: "AKIAHENRY1", kind: "aws_iam_access_key", name: "henry", userName: "henry",
                                         accountID: ScenarioGraph.dev, accountName: "dev"))
        let mfa = try await CheckRunner(store: store).evaluate(CheckRunRequest(ids: ["iam.user_without_mfa"]), now: ScenarioGraph.now)
        #expect(mfa[0].failing.first?.arn == "arn:aws:iam::111111111111:user/bob")
        #expect(mfa[0].failing.first?.accountName == "prod")
        #expect(outcomes[0].check.title == "Active access keys unused for 90 days")
        #expect(outcomes[0].check.queries == ["is(access_key) and access_key_status == Active and last_access > 90d"])
    }

    @Test func comparisonAcrossACleanup() async throws {
        let runner = CheckRunner(store: store)
        let request = CheckRunRequest(ids: ["iam.unused_access_keys", "iam.root_access_key"])
        let first = try await runner.run(request, now: ScenarioGraph.now)
        #expect(first.results[0].status == .fail && first.results[1].status == .fail)
        #expect(first.score.value == 0)

        // The cleanup: bob's key disabled, carol's deleted, root's key removed; two days pass, so alice's
        // keys (89 days) cross the threshold.
        var scenario = ScenarioGraph()
        scenario.prodUsers[1].keys[0].status = "Inactive"
        scenario.prodUsers[1].keys[0].changed = -2
        scenario.prodUsers[2].keys.removeFirst()
        scenario.prodRootKeyActive = false
        let later = ScenarioGraph.now.addingTimeInterval(2 * 86_400)
        try scenario.write(to: store, at: later)

        let second = try await runner.run(request, now: later)
        let unused = second.results[0].changes
        #expect(unused.previousRunID == first.runID)
        #expect(unused.new.map(\.id) == ["AKIAALICE1", "AKIAALICE2"])
        #expect(unused.resolved.map(\.id).sorted() == ["AKIABOB1", "AKIACAROL1"])
        #expect(unused.stillFailing.map(\.id) == ["AKIAHENRY1"])
        #expect(second.results[1].status == .pass)
        #expect(second.results[1].changes.resolved.map(\.id) == ["111111111111-root"])
        #expect(second.score.passedWeight == 10 && second.score.totalWeight == 13)
        #expect(second.history.map(\.runID) == [first.runID, second.runID])
        #expect(second.failingNodeIDs == ["AKIAALICE1", "AKIAALICE2", "AKIAHENRY1"])
    }

    @Test func protectedResourcesAreExempt() async throws {
        let runner = CheckRunner(store: store)
        let request = CheckRunRequest(ids: ["iam.unused_access_keys"])
        let first = try await runner.run(request, now: ScenarioGraph.now)
        #expect(first.results[0].failing.map(\.id).sorted() == ["AKIABOB1", "AKIACAROL1", "AKIAHENRY1"])
        try store.mark(ids: ["AKIAHENRY1"], desired: [:], metadata: ["protected": .bool(true)])
        let second = try await runner.run(request, now: ScenarioGraph.now)
        #expect(second.results[0].failing.map(\.id).sorted() == ["AKIABOB1", "AKIACAROL1"])
        #expect(second.results[0].exempt.map(\.id) == ["AKIAHENRY1"])
        #expect(second.results[0].changes.resolved.isEmpty)  // exempt is not resolved
        #expect(ReportFormat.text.render(second).contains("    exempt (protected): AKIAHENRY1  aws_iam_access_key  user henry, account dev (222222222222)\n"))
        let counted = try await runner.evaluate(CheckRunRequest(ids: ["iam.unused_access_keys"], includeProtected: true), now: ScenarioGraph.now)
        #expect(counted[0].failing.map(\.id).sorted() == ["AKIABOB1", "AKIACAROL1", "AKIAHENRY1"])
        #expect(counted[0].exempt.isEmpty)
    }

    @Test func everyCatalogueQueryCompiles() async throws {
        let outcomes = try await CheckRunner(store: store).evaluate(CheckRunRequest(), now: ScenarioGraph.now)
        #expect(outcomes.count == CheckCatalogue.builtin.checks.count)
    }

    @Test func badRequestsAreErrors() async throws {
        let runner = CheckRunner(store: store)
        await #expect(throws: CheckError.unknownCheck(id: "iam.unused_key", suggestions: ["iam.admin_keys_unused", "iam.unused_access_keys"])) {
            try await runner.run(CheckRunRequest(ids: ["iam.unused_key"]))
        }
        await #expect(throws: CheckError.self) {
            try await runner.run(CheckRunRequest(ids: ["iam.user_without_mfa"], parameters: ParameterOverrides(arguments: ["days=3"])))
        }
        #expect(try await CheckRunStore(store: store).runs(limit: 5).isEmpty)  // nothing stored
    }
}
