import Foundation
import Testing
import GRDB
import SiftAWS
@testable import SiftStore
@testable import SiftOps

/// Cleanup against the moto emulator: what the server holds and the calls it answered are the truth.
@Suite(.serialized) struct CleanupEmulatorTests {
    static let reason = "unused for 90 days"

    /// Collects, marks the keys of `users`, and returns their AccessKeyIds.
    func prepare(_ emulator: OpsEmulator, _ temp: TemporaryStore, users: Set<String>) async throws -> Set<String> {
        _ = try await emulator.collect(into: temp.store)
        let marked = Set(emulator.scenarioKeys.filter { users.contains($0.value.user) }.map(\.key))
        let found = try temp.store.mark(ids: Array(marked), desired: ["clean": .bool(true), "clean_reason": .string(Self.reason)],
                                        metadata: [:])
        #expect(found == marked.count)
        return marked
    }

    func runner(_ temp: TemporaryStore, _ emulator: OpsEmulator, clock: TestClock, lines: Lines,
                retry: RetryPolicy = RetryPolicy()) -> WorkflowRunner {
        WorkflowRunner(environment: WorkflowEnvironment(
            store: temp.store, collect: { _ in try await emulator.collect(into: temp.store).description },
            actions: emulator.provider(retry: retry), runLine: { _ in }, now: clock.function, output: lines.sink))
    }

    @Test func aDryRunLeavesEveryKeyAsItWas() async throws {
        let emulator = try OpsEmulator()
        let temp = try TemporaryStore()
        let marked = try await prepare(emulator, temp, users: ["bob", "ci", "nancy"])
        let before = try await emulator.serverKeys()
        let checksBefore = emulator.lastUseChecks().count
        let lines = Lines()
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true"])   // cleanup_dry_run stays true
        let report = try await runner(temp, emulator, clock: TestClock(Date()), lines: lines).run(.cleanup)
        #expect(report.cleanup?.dryRun == true)
        #expect(Set(report.cleanup?.outcomes.filter { $0.action == .disable }.map(\.key.id) ?? []) == marked)
        #expect(try await emulator.serverKeys() == before)
        #expect(emulator.calls().isEmpty)
        #expect(emulator.lastUseChecks().count == checksBefore, "a dry run makes no call, not even GetAccessKeyLastUsed")
        #expect(lines.all.filter { $0.hasPrefix("would disable") }.count == marked.count)
        #expect(lines.all.filter { $0.hasSuffix("[only if GetAccessKeyLastUsed shows no use since it was marked]") }.count == marked.count)
        #expect(lines.all.contains { $0.contains("a real run first checks the last use of each of these \(marked.count) keys") })
    }

    @Test func aRealRunDisablesExactlyTheMarkedKeysAndDeletesThemAfterTheGrace() async throws {
        let emulator = try OpsEmulator()
        let temp = try TemporaryStore()
        let marked = try await prepare(emulator, temp, users: ["bob", "ci", "nancy", "erin"])
        let before = try await emulator.serverKeys()
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true", "cleanup_dry_run=false", "cleanup_pool_size=3"])
        let clock = TestClock(Date())
        let lines = Lines()
        let workflows = runner(temp, emulator, clock: clock, lines: lines)

        let first = try #require(try await workflows.run(.cleanup).cleanup)
        #expect(!first.dryRun && first.count(.disable, .done) == marked.count)
        let calls = emulator.calls()
        #expect(calls.count == marked.count && Set(calls.map(\.key)) == marked)
        #expect(calls.allSatisfy { $0.action == "UpdateAccessKey" && $0.status == "Inactive" && $0.http == 200 })
        #expect(calls.allSatisfy { emulator.scenarioKeys[$0.key]?.user == $0.user }, "the exact UserName of each key")
        var after = try await emulator.serverKeys()
        for (key, status) in before {
            #expect(after[key] == (marked.contains(key) ? "Inactive" : status), "\(key)")
        }
        // The graph reflects it at once.
        let statuses = try await temp.store.writer.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: """
                SELECT id, json_extract(reported, '$.access_key_status') AS s FROM node WHERE kind = 'aws_iam_access_key'
                """).map { ($0["id"] as String, $0["s"] as String) })
        }
        for key in marked { #expect(statuses[key] == "Inactive") }

        // Within the grace period: nothing is called.
        clock.advance(6 * 86_400)
        let waiting = try #require(try await workflows.run(.cleanup).cleanup)
        #expect(waiting.outcomes.allSatisfy { $0.action == nil } && waiting.outcomes.count == marked.count)
        #expect(emulator.calls().count == marked.count)

        // A re-collect keeps the marks; after the grace the marked keys are deleted, each once.
        _ = try await emulator.collect(into: temp.store)
        clock.advance(86_400 + 1)
        let second = try #require(try await workflows.run(.cleanup).cleanup)
        #expect(second.count(.delete, .done) == marked.count)
        let deletes = emulator.calls().filter { $0.action == "DeleteAccessKey" }
        #expect(deletes.count == marked.count && Set(deletes.map(\.key)) == marked)
        after = try await emulator.serverKeys()
        #expect(Set(after.keys) == Set(before.keys).subtracting(marked))
        for (key, status) in after { #expect(before[key] == status, "untouched \(key)") }
        let remaining = try await temp.store.writer.read { db in
            try Set(String.fetchAll(db, sql: "SELECT id FROM node WHERE kind = 'aws_iam_access_key'"))
        }
        #expect(remaining == Set(after.keys))

        // Nothing is left to do, and the log says what was done, when and why.
        let third = try #require(try await workflows.run(.cleanup).cleanup)
        #expect(third.outcomes.isEmpty)
        let log = await CleanupLog.lines(try temp.store.entries())
        #expect(log.count == 2 * marked.count)
        #expect(log.allSatisfy { $0.contains("done  reason=\"\(Self.reason)\"") })
    }

    @Test func withoutDisableFirstKeysAreDeletedAtOnce() async throws {
        let emulator = try OpsEmulator()
        let temp = try TemporaryStore()
        let marked = try await prepare(emulator, temp, users: ["bob", "ci"])
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true", "cleanup_dry_run=false", "cleanup_disable_first=false"])
        let report = try #require(try await runner(temp, emulator, clock: TestClock(Date()), lines: Lines()).run(.cleanup).cleanup)
        #expect(report.count(.delete, .done) == marked.count)
        #expect(emulator.calls().map(\.action) == Array(repeating: "DeleteAccessKey", count: marked.count))
        #expect(Set(try await emulator.serverKeys().keys).isDisjoint(with: marked))
    }

    @Test func faultsAreRetriedOrReportedPerKeyAndNeverStopTheOthers() async throws {
        let emulator = try OpsEmulator()
        let byUser = Dictionary(grouping: emulator.scenarioKeys, by: { $0.value.user }).mapValues { $0.map(\.key) }
        let throttled = try #require(byUser["bob"]?.first)
        let broken = try #require(byUser["ci"]?.first)
        let vanishing = try #require(byUser["nancy"]?.first)
        try emulator.setFaults(["throttle": [throttled: 3], "error5xx": [broken: -1], "vanish": [vanishing]])
        let temp = try TemporaryStore()
        let marked = try await prepare(emulator, temp, users: ["bob", "ci", "nancy", "alice", "ccm-sa"])
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true", "cleanup_dry_run=false"])
        let lines = Lines()
        let retry = RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.05)
        let report = try #require(try await runner(temp, emulator, clock: TestClock(Date()), lines: lines, retry: retry).run(.cleanup).cleanup)
        let byKey = Dictionary(uniqueKeysWithValues: report.outcomes.map { ($0.key.id, $0) })
        #expect(byKey[throttled]?.result == .done, "throttling was retried")
        #expect(byKey[broken]?.result == .failed)
        #expect(byKey[broken]?.detail?.contains("InternalFailure") == true)
        #expect(byKey[vanishing]?.result == .gone)
        for key in marked.subtracting([throttled, broken, vanishing]) { #expect(byKey[key]?.result == .done) }
        #expect(lines.all.contains { $0.hasPrefix("FAILED disable aws_iam_access_key \(broken)") })
        #expect(lines.all.contains { $0.hasPrefix("gone aws_iam_access_key \(vanishing)") })
        let server = try await emulator.serverKeys()
        #expect(server[vanishing] == nil && server[throttled] == "Inactive" && server[broken] == "Active")
        // The failed key stays marked and is tried again by the next run; the vanished key left the graph.
        let plan = try await CleanupPlanner(store: temp.store).plan(config: try ConfigStore(store: temp.store).load(), now: Date())
        #expect(plan.first { $0.key.id == broken }?.decision == .disable)
        #expect(!plan.contains { $0.key.id == vanishing })
    }

    @Test func aKeyUsedAfterItWasDisabledIsNotDeleted() async throws {
        let emulator = try OpsEmulator()
        let temp = try TemporaryStore()
        let marked = try await prepare(emulator, temp, users: ["bob", "nancy"])
        let bobKey = try #require(emulator.scenarioKeys.first { $0.value.user == "bob" }?.key)
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true", "cleanup_dry_run=false"])
        let clock = TestClock(Date().addingTimeInterval(-1))
        let lines = Lines()
        let workflows = runner(temp, emulator, clock: clock, lines: lines)
        _ = try await workflows.run(.cleanup)
        try emulator.setFaults(["use": [bobKey]])      // someone still uses bob's key, Inactive or not
        _ = try await emulator.serverKeys()            // the emulator reads the faults file at its next request
        clock.advance(8 * 86_400)
        let checksBefore = emulator.lastUseChecks().count
        let report = try #require(try await workflows.run(.cleanup).cleanup)
        let bob = try #require(report.outcomes.first { $0.key.id == bobKey })
        #expect(bob.action == .delete && bob.result == .skipped)
        #expect(bob.detail?.contains("after it was disabled") == true)
        let deletes = emulator.calls().filter { $0.action == "DeleteAccessKey" }
        #expect(Set(deletes.map(\.key)) == marked.subtracting([bobKey]))
        #expect(try await emulator.serverKeys()[bobKey] == "Inactive")
        // One GetAccessKeyLastUsed per key, just before its DeleteAccessKey (or instead of it).
        let checks = emulator.lastUseChecks().dropFirst(checksBefore)
        #expect(checks.count == marked.count && Set(checks.map(\.key)) == marked)
        #expect(report.lastUseChecks == marked.count && report.summary.contains("\(marked.count) GetAccessKeyLastUsed calls"))
        // Reported per key, in the run's output and in `cleanup log`; the graph learnt the use.
        #expect(lines.all.contains { $0.hasPrefix("skipped delete aws_iam_access_key \(bobKey)") && $0.contains("after it was disabled") })
        let log = await CleanupLog.lines(try temp.store.entries())
        #expect(log.contains { $0.contains("delete  \(bobKey)") && $0.contains("skipped") && $0.contains("after it was disabled") })
        let atime = try await temp.store.writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT atime FROM node WHERE id = ?", arguments: [bobKey])
        }
        #expect((atime ?? 0) >= Int64(Date().timeIntervalSince1970) - 600, "bob's key was used minutes ago")
    }

    /// Collects and marks, then has `used` used "now" (moto marks a key used when told to), before the run.
    func useAfterMarking(_ emulator: OpsEmulator, _ used: [String]) async throws {
        try emulator.setFaults(["use": used])
        _ = try await emulator.serverKeys()            // the emulator reads the faults file at its next request
    }

    @Test func aKeyUsedAfterItWasMarkedIsNotDisabledAndTheOthersAre() async throws {
        let emulator = try OpsEmulator()
        let temp = try TemporaryStore()
        let marked = try await prepare(emulator, temp, users: ["bob", "ci", "nancy", "alice"])
        let keyOf = { (user: String) in emulator.scenarioKeys.first { $0.value.user == user }?.key }
        let bobKey = try #require(keyOf("bob"))        // never used when collected
        let nancyKey = try #require(keyOf("nancy"))    // last used 95 days before the collect
        let used: Set = [bobKey, nancyKey]
        try await useAfterMarking(emulator, Array(used))
        let checksBefore = emulator.lastUseChecks().count
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true", "cleanup_dry_run=false", "cleanup_pool_size=3"])
        let lines = Lines()
        let clock = TestClock(Date())
        let workflows = runner(temp, emulator, clock: clock, lines: lines)
        let report = try #require(try await workflows.run(.cleanup).cleanup)

        // The used keys are left as they are, and said so per key; the other marked keys are disabled.
        let byKey = Dictionary(uniqueKeysWithValues: report.outcomes.map { ($0.key.id, $0) })
        for key in used {
            #expect(byKey[key]?.action == .disable && byKey[key]?.result == .skipped, "\(key)")
            #expect(byKey[key]?.detail?.contains("since it was marked") == true)
            #expect(lines.all.contains { $0.hasPrefix("skipped disable aws_iam_access_key \(key)") && $0.contains("used at ") })
        }
        #expect(byKey[bobKey]?.detail?.contains("known as never used") == true)
        for key in marked.subtracting(used) { #expect(byKey[key]?.result == .done, "\(key)") }
        let updates = emulator.calls()
        #expect(updates.allSatisfy { $0.action == "UpdateAccessKey" } && Set(updates.map(\.key)) == marked.subtracting(used))
        let server = try await emulator.serverKeys()
        for key in used { #expect(server[key] == "Active") }
        for key in marked.subtracting(used) { #expect(server[key] == "Inactive") }

        // Exactly one GetAccessKeyLastUsed per marked key, counted in the summary.
        let checks = emulator.lastUseChecks().dropFirst(checksBefore)
        #expect(checks.count == marked.count && Set(checks.map(\.key)) == marked && checks.allSatisfy { $0.http == 200 })
        #expect(report.summary.contains("\(marked.count - used.count) disabled") && report.summary.contains("\(used.count) skipped"))
        #expect(report.summary.contains("\(marked.count) GetAccessKeyLastUsed calls"))

        // `cleanup log` says why; the graph knows the use now, and the mark is withdrawn.
        let log = await CleanupLog.lines(try temp.store.entries())
        for key in used {
            #expect(log.contains { $0.contains("disable \(key)") && $0.contains("skipped") && $0.contains("since it was marked") })
        }
        let rows = try temp.store.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, atime, json_extract(reported, '$.access_key_last_used.source') AS source,
                       json_extract(reported, '$.access_key_last_used.last_used') AS last_used,
                       json_type(desired, '$.clean') AS clean, json_extract(metadata, '$.clean_withdrawn') AS why
                  FROM node WHERE id IN (?, ?)
                """, arguments: [bobKey, nancyKey])
        }
        #expect(rows.count == 2)
        let recent = Int64(Date().timeIntervalSince1970) - 600
        for row in rows {
            #expect((row["atime"] as Int64?).map { $0 >= recent } == true)
            #expect(row["source"] as String? == "GetAccessKeyLastUsed")
            #expect((row["last_used"] as String?).map { $0.hasSuffix("Z") } == true)
            #expect(row["clean"] as String? == "false")
            #expect((row["why"] as String?)?.contains("since it was marked") == true)
        }

        // The next run leaves them alone without a call: only a new `clean` marks them again.
        let checksAfter = emulator.lastUseChecks().count
        let next = try #require(try await workflows.run(.cleanup).cleanup)
        #expect(!next.outcomes.contains { used.contains($0.key.id) })
        #expect(emulator.lastUseChecks().count == checksAfter && emulator.calls().count == updates.count)
    }

    @Test func aUseThatACollectAfterTheMarkSawStopsTheKeyWithoutACall() async throws {
        // `collect_and_cleanup` collects just before the cleanup: the graph's atime is then fresh, and
        // it is the change since the mark that tells the key was used since the data that marked it.
        let emulator = try OpsEmulator()
        let temp = try TemporaryStore()
        let marked = try await prepare(emulator, temp, users: ["bob", "ci"])
        let bobKey = try #require(emulator.scenarioKeys.first { $0.value.user == "bob" }?.key)
        try await useAfterMarking(emulator, [bobKey])
        _ = try await emulator.collect(into: temp.store)
        let atime = try await temp.store.writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT atime FROM node WHERE id = ?", arguments: [bobKey])
        }
        #expect((atime ?? 0) >= Int64(Date().timeIntervalSince1970) - 600, "the re-collect saw the use")

        // A dry run says so, and calls nothing.
        let checksBefore = emulator.lastUseChecks().count
        let dryLines = Lines()
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true"])
        _ = try await runner(temp, emulator, clock: TestClock(Date()), lines: dryLines).run(.cleanup)
        #expect(dryLines.all.contains { $0.hasPrefix("left alone aws_iam_access_key \(bobKey)") && $0.contains("seen by a collect after the mark") })
        #expect(emulator.lastUseChecks().count == checksBefore)

        try await ConfigStore(store: temp.store).set(assignments: ["cleanup_dry_run=false"])
        let lines = Lines()
        let report = try #require(try await runner(temp, emulator, clock: TestClock(Date()), lines: lines).run(.cleanup).cleanup)
        let bob = try #require(report.outcomes.first { $0.key.id == bobKey })
        #expect(bob.action == .disable && bob.result == .skipped && bob.detail?.contains("seen by a collect after the mark") == true)
        #expect(lines.all.contains { $0.hasPrefix("skipped disable aws_iam_access_key \(bobKey)") })
        #expect(report.count(.disable, .done) == marked.count - 1)
        #expect(Set(emulator.calls().map(\.key)) == marked.subtracting([bobKey]))
        #expect(Set(emulator.lastUseChecks().dropFirst(checksBefore).map(\.key)) == marked.subtracting([bobKey]))
        #expect(try await emulator.serverKeys()[bobKey] == "Active")

        // A new `clean` on the data that shows the use marks it again, and only then is it acted on.
        try temp.store.mark(ids: [bobKey], desired: ["clean": .bool(true)], metadata: [:])
        let again = try #require(try await runner(temp, emulator, clock: TestClock(Date()), lines: Lines()).run(.cleanup).cleanup)
        #expect(again.outcomes.first { $0.key.id == bobKey }?.result == .done)
        #expect(try await emulator.serverKeys()[bobKey] == "Inactive")
    }

    @Test func anInterruptedDisableOfAKeyUsedSinceIsNotRepeated() async throws {
        let emulator = try OpsEmulator()
        let temp = try TemporaryStore()
        let marked = try await prepare(emulator, temp, users: ["bob", "ci"])
        let bobKey = try #require(emulator.scenarioKeys.first { $0.value.user == "bob" }?.key)
        // A run wrote bob's intent and was killed before its UpdateAccessKey; then the key was used.
        let bob = try await #require(try CleanupPlanner(store: temp.store).candidates().first { $0.id == bobKey })
        let journal = temp.store
        _ = try await journal.writeIntent(runId: "killed", key: bob, action: .disable, now: Date())
        try await useAfterMarking(emulator, [bobKey])
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true", "cleanup_dry_run=false"])
        let lines = Lines()
        let report = try #require(try await runner(temp, emulator, clock: TestClock(Date()), lines: lines).run(.cleanup).cleanup)
        let settled = try #require(report.outcomes.first { $0.key.id == bobKey && $0.recovered })
        #expect(settled.result == .skipped && settled.detail?.contains("was not repeated") == true)
        #expect(Set(emulator.calls().map(\.key)) == marked.subtracting([bobKey]))
        #expect(try await emulator.serverKeys()[bobKey] == "Active")
        #expect(try journal.openIntents().isEmpty)
        #expect(!report.outcomes.contains { $0.key.id == bobKey && !$0.recovered }, "the withdrawn mark is not planned again")
    }

    @Test func withoutDisableFirstAKeyUsedAfterItWasMarkedIsNotDeleted() async throws {
        let emulator = try OpsEmulator()
        let temp = try TemporaryStore()
        let marked = try await prepare(emulator, temp, users: ["bob", "ci"])
        let ciKey = try #require(emulator.scenarioKeys.first { $0.value.user == "ci" }?.key)
        try await useAfterMarking(emulator, [ciKey])
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true", "cleanup_dry_run=false", "cleanup_disable_first=false"])
        let report = try #require(try await runner(temp, emulator, clock: TestClock(Date()), lines: Lines()).run(.cleanup).cleanup)
        let ci = try #require(report.outcomes.first { $0.key.id == ciKey })
        #expect(ci.action == .delete && ci.result == .skipped && ci.detail?.contains("not deleted") == true)
        #expect(report.count(.delete, .done) == marked.count - 1)
        #expect(Set(emulator.calls().map(\.key)) == marked.subtracting([ciKey]))
        let server = try await emulator.serverKeys()
        #expect(server[ciKey] == "Active")
        #expect(Set(server.keys).isDisjoint(with: marked.subtracting([ciKey])))
    }

    @Test func keysOfAnotherAccountAreCleanedThroughTheRole() async throws {
        let emulator = try OpsEmulator()
        let temp = try TemporaryStore()
        _ = try await emulator.collect(into: temp.store, role: "sift-reader", accounts: ["111111111111"])
        let secondKeys = try await temp.store.writer.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM node WHERE kind = 'aws_iam_access_key' AND subgraph = '111111111111'")
        }
        let mainKey = try #require(emulator.scenarioKeys.first { $0.value.user == "bob" }?.key)
        try temp.store.mark(ids: secondKeys + [mainKey], desired: ["clean": .bool(true)], metadata: [:])
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true", "cleanup_dry_run=false", "collect_role=sift-reader"])
        let env = WorkflowEnvironment(store: temp.store, collect: { _ in "" }, actions: emulator.provider(role: "sift-reader"),
                                      runLine: { _ in }, output: { _ in })
        let report = try #require(try await WorkflowRunner(environment: env).run(.cleanup).cleanup)
        #expect(!secondKeys.isEmpty)
        #expect(report.count(.disable, .done) == secondKeys.count + 1, "\(report.outcomes.map { $0.line(dryRun: false) })")
        #expect(report.outcomes.first { secondKeys.contains($0.key.id) }?.key.account == "111111111111")
        // Each key was found in its own account (a call in the wrong account answers NoSuchEntity).
        #expect(Set(emulator.calls().filter { $0.http == 200 }.map(\.key)) == Set(secondKeys + [mainKey]))
        // Without a role, a key of another account is reported, and the others still done.
        let noRole = WorkflowEnvironment(store: temp.store, collect: { _ in "" }, actions: emulator.provider(),
                                         runLine: { _ in }, output: { _ in })
        try await temp.store.writer.write { db in try db.execute(sql: "DELETE FROM cleanup_action") }
        let failing = try #require(try await WorkflowRunner(environment: noRole).run(.cleanup).cleanup)
        #expect(failing.outcomes.filter { secondKeys.contains($0.key.id) }.allSatisfy {
            $0.result == .failed && $0.detail?.contains("collect_role is not set") == true })
        #expect(failing.outcomes.first { $0.key.id == mainKey }?.result == .done)
    }
}
