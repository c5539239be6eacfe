import Foundation
import Testing
import GRDB
import SiftStore
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
    @Test func jobsPersistAndList() throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        let now = utc("2026-03-10T10:07:00Z")
        try jobs.add(id: "clean_outdated_access_keys", line: "search is(access_key) | clean", schedule: nil,
                     waitForEvent: "post_collect", now: now)
        try jobs.add(id: "nightly", line: "workflow run cleanup", schedule: "0 3 * * *", waitForEvent: nil, now: now)
        // A second store on the same file sees them: they live in the database.
        let reopened = JobStore(store: try GraphStore(path: temp.store.path))
        let listed = try reopened.list()
        #expect(listed.map(\.id) == ["clean_outdated_access_keys", "nightly"])
        #expect(listed[0].waitForEvent == .postCollect && listed[0].schedule == nil && listed[0].active)
        #expect(listed[1].schedule?.text == "0 3 * * *")
        #expect(listed[1].nextFire == utc("2026-03-11T03:00:00Z"))
        #expect(try reopened.jobs(waitingFor: .postCollect).map(\.id) == ["clean_outdated_access_keys"])

        try jobs.setActive("clean_outdated_access_keys", false, now: now)
        #expect(try jobs.jobs(waitingFor: .postCollect).isEmpty)
        #expect(try jobs.job("clean_outdated_access_keys").active == false)
        try jobs.setActive("clean_outdated_access_keys", true, now: now)
        #expect(try jobs.jobs(waitingFor: .postCollect).count == 1)

        try jobs.delete("nightly")
        #expect(try jobs.list().map(\.id) == ["clean_outdated_access_keys"])
        #expect(throws: JobError.unknownJob("nightly")) { try jobs.delete("nightly") }
        #expect(throws: JobError.unknownJob("nope")) { try jobs.job("nope") }
    }

    @Test func badJobsAreRefused() throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        try jobs.add(id: "a", line: "count", schedule: nil, waitForEvent: nil)
        #expect(throws: JobError.duplicate("a")) { try jobs.add(id: "a", line: "count", schedule: nil, waitForEvent: nil) }
        #expect(throws: JobError.self) { try jobs.add(id: "bad id", line: "count", schedule: nil, waitForEvent: nil) }
        #expect(throws: JobError.self) { try jobs.add(id: "b", line: "  ", schedule: nil, waitForEvent: nil) }
        do {
            try jobs.add(id: "c", line: "count", schedule: "* * *", waitForEvent: nil)
            Issue.record("accepted a 3-field schedule")
        } catch {
            #expect(error.description.contains("job c: cron schedule '* * *' has 3 field(s)"))
        }
        do {
            try jobs.add(id: "d", line: "count", schedule: nil, waitForEvent: "post_colect")
            Issue.record("accepted an unknown event")
        } catch {
            #expect(error.description.contains("unknown event 'post_colect'"))
        }
        #expect(try jobs.list().map(\.id) == ["a"])
    }

    @Test func aFailureIsRecordedAndShown() async throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        try jobs.add(id: "broken", line: "search is(nothing)", schedule: nil, waitForEvent: nil)
        let recorder = RecordingRunner()
        recorder.failing = ["search is(nothing)"]
        let runner = JobRunner(jobs: jobs, runLine: recorder.runner)
        #expect(try await runner.run("broken", trigger: .manual) == .failed("line failed: search is(nothing)"))
        var job = try jobs.job("broken")
        #expect(job.lastStatus == .failed && job.lastError == "line failed: search is(nothing)")
        #expect(job.runs == 1 && job.failures == 1 && job.lastTrigger == "manual" && job.leaseOwner == nil)
        recorder.failing = []
        #expect(try await runner.run("broken", trigger: .schedule) == .ok)
        job = try jobs.job("broken")
        #expect(job.lastStatus == .ok && job.lastError == nil && job.runs == 2 && job.failures == 1)
    }

    @Test func twoRunsOfOneJobNeverOverlap() async throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        try jobs.add(id: "slow", line: "sleep", schedule: nil, waitForEvent: nil)
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

    @Test func aLeaseOfADeadProcessOrALapsedLeaseIsTakenOver() throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        try jobs.add(id: "j", line: "count", schedule: nil, waitForEvent: nil)
        let now = Date()
        // A process that no longer exists held it (pid from a finished child).
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let deadToken = "\(ProcessInfo.processInfo.hostName):\(child.processIdentifier):x"
        try temp.store.writer.write { db in
            try db.execute(sql: "INSERT INTO lease(name, owner, until) VALUES ('job:j', ?, ?)",
                           arguments: [deadToken, UnixTime.seconds(of: now) + 3600])
        }
        #expect(try jobs.acquireLease("j", owner: LeaseOwner(), trigger: .manual, now: now, ttl: 60) == .acquired)
        // A live holder on another host keeps it until it lapses.
        try temp.store.writer.write { db in
            try db.execute(sql: "UPDATE lease SET owner = 'elsewhere:1:y', until = ? WHERE name = 'job:j'",
                           arguments: [UnixTime.seconds(of: now) + 60])
        }
        #expect(try jobs.acquireLease("j", owner: LeaseOwner(), trigger: .manual, now: now, ttl: 60) == .heldBy("elsewhere:1:y"))
        #expect(try jobs.acquireLease("j", owner: LeaseOwner(), trigger: .manual, now: now.addingTimeInterval(61), ttl: 60) == .acquired)
    }

    @Test func dueJobsAreTakenOnceAndRescheduled() throws {
        let temp = try TemporaryStore()
        let jobs = JobStore(store: temp.store)
        let start = utc("2026-03-10T10:07:00Z")
        try jobs.add(id: "quarter", line: "count", schedule: "*/15 * * * *", waitForEvent: nil, now: start)
        try jobs.add(id: "event_only", line: "count", schedule: nil, waitForEvent: "post_cleanup", now: start)
        #expect(try jobs.nextScheduledFire() == utc("2026-03-10T10:15:00Z"))
        #expect(try jobs.takeDueJobs(now: utc("2026-03-10T10:14:59Z")).isEmpty)
        // Two fires missed: the job is due once, and the next fire is after now.
        #expect(try jobs.takeDueJobs(now: utc("2026-03-10T10:31:00Z")).map(\.id) == ["quarter"])
        #expect(try jobs.takeDueJobs(now: utc("2026-03-10T10:31:00Z")).isEmpty)
        #expect(try jobs.job("quarter").nextFire == utc("2026-03-10T10:45:00Z"))
        try jobs.setActive("quarter", false, now: start)
        #expect(try jobs.takeDueJobs(now: utc("2026-03-11T00:00:00Z")).isEmpty)
    }
}
