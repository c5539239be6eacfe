import Foundation
import Testing
import GRDB
@testable import SiftStore
@testable import SiftOps
import SiftTime

/// Errors a test line runner throws.
struct LineFailure: Error, CustomStringConvertible {
    let description: String
}

/// Records the lines run, and can block a line until released.
final class RecordingRunner: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var failing: Set<String> = []
    var delay: UInt64 = 0

    var ran: [String] { lock.withLock { lines } }

    var runner: LineRunner {
        { [self] line in
            lock.withLock { lines.append(line) }
            if delay > 0 { try await Task.sleep(nanoseconds: delay) }
            if lock.withLock({ failing.contains(line) }) { throw LineFailure(description: "line failed: \(line)") }
        }
    }
}

@Suite struct JobTests {
    @Test func jobsPersistAndList() async throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        let now = utc("2026-03-10T10:07:00Z")
        try await jobs.add(id: "clean_outdated_access_keys", line: "search is(access_key) | clean", schedule: nil,
                     waitForEvent: "post_collect", now: now)
        try await jobs.add(id: "nightly", line: "workflow run cleanup", schedule: "0 3 * * *", waitForEvent: nil, now: now)
        // A second store on the same file sees them: they live in the database.
        let reopened = JobStore(store: try GraphStore(path: temp.store.path))
        let listed = try await reopened.list()
        #expect(listed.map(\.id) == ["clean_outdated_access_keys", "nightly"])
        #expect(listed[0].waitForEvent == .postCollect && listed[0].schedule == nil && listed[0].active)
        #expect(listed[1].schedule?.text == "0 3 * * *")
        #expect(listed[1].nextFire == utc("2026-03-11T03:00:00Z"))
        await #expect(try reopened.jobs(waitingFor: .postCollect).map(\.id) == ["clean_outdated_access_keys"])

        try await jobs.setActive("clean_outdated_access_keys", false, now: now)
        await #expect(try jobs.jobs(waitingFor: .postCollect).isEmpty)
        await #expect(try jobs.job("clean_outdated_access_keys").active == false)
        try await jobs.setActive("clean_outdated_access_keys", true, now: now)
        await #expect(try jobs.jobs(waitingFor: .postCollect).count == 1)

        try await jobs.delete("nightly")
        await #expect(try jobs.list().map(\.id) == ["clean_outdated_access_keys"])
        await #expect(throws: JobError.unknownJob("nightly")) { try await jobs.delete("nightly") }
        await #expect(throws: JobError.unknownJob("nope")) { try await jobs.job("nope") }
    }

    @Test func badJobsAreRefused() async throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        try await jobs.add(id: "a", line: "count", schedule: nil, waitForEvent: nil)
        await #expect(throws: JobError.duplicate("a")) { try await jobs.add(id: "a", line: "count", schedule: nil, waitForEvent: nil) }
        await #expect(throws: JobError.self) { try await jobs.add(id: "bad id", line: "count", schedule: nil, waitForEvent: nil) }
        await #expect(throws: JobError.self) { try await jobs.add(id: "b", line: "  ", schedule: nil, waitForEvent: nil) }
        do {
            try await jobs.add(id: "c", line: "count", schedule: "* * *", waitForEvent: nil)
            Issue.record("accepted a 3-field schedule")
        } catch {
            #expect(error.description.contains("job c: cron schedule '* * *' has 3 field(s)"))
        }
        do {
            try await jobs.add(id: "d", line: "count", schedule: nil, waitForEvent: "post_colect")
            Issue.record("accepted an unknown event")
        } catch {
            #expect(error.description.contains("unknown event 'post_colect'"))
        }
        await #expect(try jobs.list().map(\.id) == ["a"])
    }

    @Test func aStoredScheduleRefusedNowDoesNotHideTheOtherJobs() async throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        // Stored by an earlier version that accepted a schedule that never fires.
        try temp.store.insertJob(JobRecord(id: "feb31", line: "search all | count", schedule: "0 0 31 2 *", waitForEvent: nil,
                                           active: true, createdAt: now, nextFire: now.addingTimeInterval(-60)))
        _ = try await jobs.add(id: "nightly", line: "search all | count", schedule: "0 3 * * *", waitForEvent: nil, now: now)
        let listed = try await jobs.list()
        #expect(listed.map(\.id) == ["feb31", "nightly"])
        let bad = try #require(listed.first)
        #expect(bad.schedule == nil)
        #expect(bad.problem?.contains("its schedule \"0 0 31 2 *\" is refused now") == true, "\(bad.problem ?? "-")")
        #expect(listed[1].problem == nil && listed[1].schedule?.text == "0 3 * * *")
        // Due once (it was due when stored), then never again: its next run is cleared.
        #expect(try await jobs.takeDueJobs(now: now).map(\.id) == ["feb31"])
        #expect(try await jobs.job("feb31").nextFire == nil)
        #expect(try await jobs.takeDueJobs(now: now.addingTimeInterval(366 * 86400)).map(\.id) == ["nightly"])
        // Still runs by hand.
        let runner = RecordingRunner()
        _ = try await JobRunner(jobs: jobs, runLine: runner.runner).run("feb31", trigger: .manual)
        #expect(runner.ran == ["search all | count"])
    }

    @Test func aFailureIsRecordedAndShown() async throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        try await jobs.add(id: "broken", line: "search is(nothing)", schedule: nil, waitForEvent: nil)
        let recorder = RecordingRunner()
        recorder.failing = ["search is(nothing)"]
        let runner = JobRunner(jobs: jobs, runLine: recorder.runner)
        #expect(try await runner.run("broken", trigger: .manual) == .failed("line failed: search is(nothing)"))
        var job = try await jobs.job("broken")
        #expect(job.lastStatus == .failed && job.lastError == "line failed: search is(nothing)")
        #expect(job.runs == 1 && job.failures == 1 && job.lastTrigger == "manual" && job.leaseOwner == nil)
        recorder.failing = []
        #expect(try await runner.run("broken", trigger: .schedule) == .ok)
        job = try await jobs.job("broken")
        #expect(job.lastStatus == .ok && job.lastError == nil && job.runs == 2 && job.failures == 1)
    }

    @Test func twoRunsOfOneJobNeverOverlap() async throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        try await jobs.add(id: "slow", line: "sleep", schedule: nil, waitForEvent: nil)
        let recorder = RecordingRunner()
        recorder.delay = 300_000_000
        // Two runners as two processes would have: separate stores on the same file.
        let other = JobStore(store: try GraphStore(path: temp.store.path))
        async let first = JobRunner(jobs: jobs, runLine: recorder.runner).run("slow", trigger: .manual)
        try await Task.sleep(nanoseconds: 50_000_000)
        let second = try await JobRunner(jobs: other, runLine: recorder.runner).run("slow", trigger: .manual)
        let firstOutcome = try await first
        #expect(firstOutcome == .ok)
        guard case .alreadyRunning = second else {
            Issue.record("the second run was not refused: \(second)")
            return
        }
        #expect(recorder.ran.count == 1)
        // Once the first run ended, the job runs again.
        #expect(try await JobRunner(jobs: other, runLine: recorder.runner).run("slow", trigger: .manual) == .ok)
    }

    @Test func aLeaseOfADeadProcessOrALapsedLeaseIsTakenOver() async throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        try await jobs.add(id: "j", line: "count", schedule: nil, waitForEvent: nil)
        let now = Date()
        // A process that no longer exists held it (pid from a finished child).
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let deadToken = "\(ProcessInfo.processInfo.hostName):\(child.processIdentifier):x"
        try await temp.store.writer.write { db in
            try db.execute(sql: "INSERT INTO lease(name, owner, until) VALUES ('job:j', ?, ?)",
                           arguments: [deadToken, UnixTime.seconds(of: now) + 3600])
        }
        await #expect(try jobs.acquireLease("j", owner: LeaseOwner(), trigger: .manual, now: now, ttl: 60) == .acquired)
        // A live holder on another host keeps it until it lapses.
        try await temp.store.writer.write { db in
            try db.execute(sql: "UPDATE lease SET owner = 'elsewhere:1:y', until = ? WHERE name = 'job:j'",
                           arguments: [UnixTime.seconds(of: now) + 60])
        }
        await #expect(try jobs.acquireLease("j", owner: LeaseOwner(), trigger: .manual, now: now, ttl: 60) == .heldBy("elsewhere:1:y"))
        await #expect(try jobs.acquireLease("j", owner: LeaseOwner(), trigger: .manual, now: now.addingTimeInterval(61), ttl: 60) == .acquired)
    }

    @Test func dueJobsAreTakenOnceAndRescheduled() async throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        let start = utc("2026-03-10T10:07:00Z")
        try await jobs.add(id: "quarter", line: "count", schedule: "*/15 * * * *", waitForEvent: nil, now: start)
        try await jobs.add(id: "event_only", line: "count", schedule: nil, waitForEvent: "post_cleanup", now: start)
        await #expect(try jobs.nextScheduledFire() == utc("2026-03-10T10:15:00Z"))
        await #expect(try jobs.takeDueJobs(now: utc("2026-03-10T10:14:59Z")).isEmpty)
        // Two fires missed: the job is due once, and the next fire is after now.
        await #expect(try jobs.takeDueJobs(now: utc("2026-03-10T10:31:00Z")).map(\.id) == ["quarter"])
        await #expect(try jobs.takeDueJobs(now: utc("2026-03-10T10:31:00Z")).isEmpty)
        await #expect(try jobs.job("quarter").nextFire == utc("2026-03-10T10:45:00Z"))
        try await jobs.setActive("quarter", false, now: start)
        await #expect(try jobs.takeDueJobs(now: utc("2026-03-11T00:00:00Z")).isEmpty)
    }
}
