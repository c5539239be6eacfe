import Foundation
import Testing
import GRDB
@testable import SiftStore
@testable import SiftOps

/// No cloud: a cleanup with nothing marked, or in a dry run, never asks for one.
struct NoCloud: Error {}

@Suite struct WorkflowTests {
    func environment(_ temp: TemporaryStore, runner: RecordingRunner, lines: Lines, collects: Counter) -> WorkflowEnvironment {
        WorkflowEnvironment(
            store: temp.store,
            collect: { _ in collects.increment(); return "collected" },
            actions: { _ in throw NoCloud() },
            runLine: runner.runner,
            output: lines.sink)
    }

    @Test func eventsComeInOrderAndRunTheirJobs() async throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        for event in WorkflowEvent.allCases {
            try await jobs.add(id: "at_\(event.rawValue)", line: "line \(event.rawValue)", schedule: nil, waitForEvent: event.rawValue)
        }
        try await jobs.add(id: "unrelated", line: "line never", schedule: "0 0 * * *", waitForEvent: nil)
        let recorder = RecordingRunner()
        recorder.failing = ["line post_collect"]
        let lines = Lines()
        let collects = Counter()
        let runner = WorkflowRunner(environment: environment(temp, runner: recorder, lines: lines, collects: collects))

        let collect = try await runner.run(.collect)
        #expect(collect.events == [.preCollect, .postCollect])
        #expect(recorder.ran == ["line pre_collect", "line post_collect"])
        #expect(collect.jobFailed)
        await #expect(try jobs.job("at_post_collect").lastStatus == .failed)

        let all = try await runner.run(.collectAndCleanup)
        #expect(all.events == [.preCollect, .postCollect, .preCleanupPlan, .postCleanupPlan, .preCleanup, .postCleanup])
        #expect(Array(recorder.ran.dropFirst(2)) == WorkflowEvent.allCases.map { "line \($0.rawValue)" },
                "a failing job does not stop the workflow")
        #expect(collects.value == 2)
        #expect(all.cleanup?.dryRun == true)
        #expect(lines.all.contains { $0.hasPrefix("cleanup (dry run):") })
        #expect(lines.all.contains("job at_post_collect: FAILED: line failed: line post_collect"))

        let cleanup = try await runner.run(.cleanup)
        #expect(cleanup.events == WorkflowName.cleanup.events && cleanup.collectSummary == nil)
    }

    @Test func aFailedCollectStopsTheWorkflow() async throws {
        let temp = try TemporaryStore()
        let recorder = RecordingRunner()
        let env = WorkflowEnvironment(store: temp.store, collect: { _ in throw LineFailure(description: "no credentials") },
                                      actions: { _ in throw NoCloud() }, runLine: recorder.runner, output: { _ in })
        do {
            _ = try await WorkflowRunner(environment: env).run(.collectAndCleanup)
            Issue.record("the workflow went on")
        } catch {
            #expect(error.description == "collect failed: no credentials")
        }
    }

    @Test func twoRealCleanupsNeverOverlap() async throws {
        let temp = try TemporaryStore()
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true", "cleanup_dry_run=false"])
        // Another live process on another host holds the cleanup lease (for an hour: alongside the whole suite
        // this test once took 83 s, and a 60 s lease had run out before the workflow asked for it).
        try await temp.store.writer.write { db in
            try db.execute(sql: "INSERT INTO lease(name, owner, until) VALUES ('cleanup', 'elsewhere:1:z', ?)",
                           arguments: [Int64(Date().timeIntervalSince1970) + 3600])
        }
        let env = WorkflowEnvironment(store: temp.store, collect: { _ in "" }, actions: { _ in throw NoCloud() },
                                      runLine: { _ in }, output: { _ in })
        do {
            _ = try await WorkflowRunner(environment: env).run(.cleanup)
            Issue.record("a second cleanup ran")
        } catch {
            #expect(error.description == "another cleanup is under way (elsewhere:1:z); try again when it ends")
        }
        // A dry run only reads: it runs.
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup_dry_run=true"])
        #expect(try await WorkflowRunner(environment: env).run(.cleanup).cleanup?.dryRun == true)
        // Once the lease is gone, the real cleanup runs and gives the lease back.
        try await temp.store.writer.write { db in try db.execute(sql: "DELETE FROM lease") }
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup_dry_run=false"])
        #expect(try await WorkflowRunner(environment: env).run(.cleanup).cleanup?.dryRun == false)
        #expect(try await temp.store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM lease") } == 0)
    }

    @Test func workflowNamesAreChecked() throws {
        #expect(throws: OpsValueError.self) { try WorkflowName.named("colect") }
        #expect(try WorkflowName.named("collect_and_cleanup") == .collectAndCleanup)
    }

    @Test func theDaemonCollectsRunsDueJobsAndStopsOnSIGTERM() async throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        // Due at once: its next fire is put in the past.
        try await jobs.add(id: "minutely", line: "scheduled line", schedule: "* * * * *", waitForEvent: nil)
        try await temp.store.writer.write { db in try db.execute(sql: "UPDATE job SET next_fire = 0") }
        let recorder = RecordingRunner()
        let lines = Lines()
        let collects = Counter()
        let daemon = Daemon(environment: environment(temp, runner: recorder, lines: lines, collects: collects), maxSleep: 0.1)
        let task = Task { await daemon.runUntilSignalled() }
        for _ in 0..<100 where !(collects.value >= 1 && recorder.ran.contains("scheduled line")) {
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        kill(getpid(), SIGTERM)
        await task.value
        #expect(collects.value == 1, "collect_and_cleanup ran once (interval 1h)")
        #expect(recorder.ran == ["scheduled line"])
        #expect(lines.all.contains("daemon: signal SIGTERM, stopping"))
        #expect(lines.all.last == "daemon: stopped")
    }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
