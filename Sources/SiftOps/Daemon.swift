import Dispatch
import Foundation
import SiftStore
import SiftTime

/// `sift daemon`: runs `collect_and_cleanup` every `collect_interval` (first at start) and the
/// scheduled jobs when due, until cancelled; `runUntilSignalled` cancels it on SIGINT or SIGTERM.
public struct Daemon: Sendable {
    /// What the workflows need.
    public let environment: WorkflowEnvironment
    /// The longest sleep, so that a changed `collect_interval` or a new job is noticed.
    public let maxSleep: TimeInterval

    /// Creates a daemon.
    public init(environment: WorkflowEnvironment, maxSleep: TimeInterval = 60) {
        self.environment = environment
        self.maxSleep = maxSleep
    }

    /// Runs until the task is cancelled. A failing workflow or job is reported and the loop goes on.
    public func run() async {
        let output = environment.output
        let jobs = JobStore(store: environment.store)
        let runner = WorkflowRunner(environment: environment)
        var nextCollect = environment.now()
        output("daemon: started")
        while !Task.isCancelled {
            let now = environment.now()
            if now >= nextCollect {
                do { _ = try await runner.run(.collectAndCleanup) } catch { output("daemon: \(error)") }
                let interval = (try? await ConfigStore(store: environment.store).load().collectInterval.timeInterval) ?? 3600
                nextCollect = environment.now().addingTimeInterval(interval)
                output("daemon: next collect_and_cleanup at \(ISO8601.format(nextCollect))")
            }
            if Task.isCancelled { break }
            do {
                for job in try await jobs.takeDueJobs(now: environment.now()) {
                    if Task.isCancelled { break }
                    let outcome = try await JobRunner(jobs: jobs, runLine: environment.runLine, now: environment.now)
                        .run(job.id, trigger: .schedule)
                    output(JobOutcomeText.line(job: job.id, outcome))
                }
            } catch {
                output("daemon: jobs: \(error)")
            }
            let nextJob = (try? await jobs.nextScheduledFire()) ?? nil
            let wake = min(nextCollect, nextJob ?? nextCollect)
            let pause = min(maxSleep, max(0.05, wake.timeIntervalSince(environment.now())))
            try? await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
        }
        output("daemon: stopped")
    }

    /// Runs the daemon and stops it cleanly on SIGINT or SIGTERM (DispatchSource signal sources):
    /// the work under way finishes its current key or job line, nothing is left half-written.
    public func runUntilSignalled() async {
        let task = Task { await run() }
        let queue = DispatchQueue(label: "sift.daemon.signals")
        // Save the handlers as they are (with their flags, e.g. the shell's Ctrl-C handler) to put back.
        let previous = [SIGINT, SIGTERM].map { number -> (Int32, sigaction) in
            var saved = sigaction()
            sigaction(number, nil, &saved)
            signal(number, SIG_IGN)
            return (number, saved)
        }
        let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [environment] in
                environment.output("daemon: signal \(number == SIGINT ? "SIGINT" : "SIGTERM"), stopping")
                task.cancel()
            }
            source.resume()
            return source
        }
        await task.value
        for source in sources { source.cancel() }
        for (number, saved) in previous {
            var handler = saved
            sigaction(number, &handler, nil)
        }
    }
}
