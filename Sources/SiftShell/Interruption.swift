import Foundation
import Synchronization
import LineEditing

/// The write end of the self-pipe the SIGINT handler writes to (a signal handler may only
/// touch plain globals and call async-signal-safe functions such as `write`).
nonisolated(unsafe) private var interruptPipeWriteEnd: Int32 = -1
/// Set by the SIGINT handler itself, so the input thread sees the request the moment its read
/// returns (the pipe's reader thread may not have run yet).
nonisolated(unsafe) private var interruptSignalled: Int32 = 0
/// The thread that reads input: SIGINT must reach it so that its blocking read returns.
nonisolated(unsafe) private var interruptMainThread = pthread_self()

/// The SIGINT handler: on the input thread, note the signal; on any other thread, pass the
/// signal on to the input thread (the kernel may deliver it to any thread).
private func handleInterrupt(_ signal: Int32) {
    if pthread_equal(pthread_self(), interruptMainThread) != 0 {
        interruptSignalled = 1
        var byte: UInt8 = 1
        _ = write(interruptPipeWriteEnd, &byte, 1)
    } else {
        pthread_kill(interruptMainThread, signal)
    }
}

/// Ctrl-C in the interactive shell: a SIGINT handler that never kills the process, a thread that
/// turns the signal into a request to cancel (flag + the running query's interrupt), and a way
/// for long work to check it.
///
/// `@unchecked Sendable` because of the C boundary: it reads and resets the signal handler's
/// globals above (plain `Int32`s that the handler may only touch without locks); its own state
/// (`canceller`, `installed`) is guarded by `lock`.
public final class Interruption: @unchecked Sendable {
    /// The one instance (signals are per process).
    public static let shared = Interruption()

    private let lock = NSLock()
    private var canceller: (@Sendable () -> Void)?
    private var installed = false

    private init() {}

    /// Installs the SIGINT handler (without SA_RESTART, so a blocking read at the prompt
    /// returns) and starts the thread that handles it. Call it from the thread that reads
    /// input. Idempotent.
    public func install() {
        lock.lock()
        defer { lock.unlock() }
        guard !installed else { return }
        installed = true
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        interruptPipeWriteEnd = fds[1]
        interruptMainThread = pthread_self()
        let readEnd = fds[0]
        Signals.setAction(SIGINT, handleInterrupt, restart: false)
        // A parent may have started us with SIGINT blocked (the mask is inherited): unblock it.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        let thread = Thread { [weak self] in
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count > 0 {
                    self?.fire()
                } else if count < 0 && errno == EINTR {
                    continue  // a signal landed on this thread: the handler passed it on
                } else {
                    break
                }
            }
        }
        thread.name = "sift-interrupt"
        thread.start()
    }

    /// Cancels the running work (the handler has already set the flag).
    func fire() {
        lock.lock()
        let cancel = canceller
        lock.unlock()
        cancel?()
    }

    /// Whether Ctrl-C was pressed since the last `reset()`.
    public var isRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return interruptSignalled != 0
    }

    /// Forgets an earlier Ctrl-C (before reading the next line).
    public func reset() {
        lock.lock()
        interruptSignalled = 0
        lock.unlock()
    }

    /// Runs work that `cancel` can stop from another thread (e.g. `sqlite3_interrupt`).
    public func cancellable<T>(_ cancel: @escaping @Sendable () -> Void, _ work: () async throws -> T) async rethrows -> T {
        lock.withLock { canceller = cancel }
        defer { lock.withLock { canceller = nil } }
        return try await work()
    }
}

/// A time limit on one piece of work: after `seconds` it calls `cancel` (e.g. `sqlite3_interrupt`)
/// from another thread, and again every 50 ms until `stop()`, and remembers that it did, so the
/// caller can say "timed out" rather than "interrupted". The repeats matter: SQLite forgets an
/// interrupt that lands between two statements (a bulk write runs many), so one call may be lost.
/// Zero seconds: no limit.
public final class Deadline: Sendable {
    /// The limit in seconds.
    public let seconds: Int64
    private struct State {
        var fired = false
        var stopped = false
    }
    private let state = Mutex(State())
    private let cancel: @Sendable () -> Void

    /// Starts the clock.
    public init(seconds: Int64, cancel: @escaping @Sendable () -> Void) {
        self.seconds = seconds
        self.cancel = cancel
        guard seconds > 0 else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(clamping: seconds))) { [weak self] in self?.tick() }
    }

    /// Cancels the work, and again in 50 ms unless stopped by then.
    private func tick() {
        let go = state.withLock { state in
            if !state.stopped { state.fired = true }
            return !state.stopped
        }
        guard go else { return }
        cancel()
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) { [weak self] in self?.tick() }
    }

    /// Whether the limit was reached and the work cancelled.
    public var fired: Bool { state.withLock { $0.fired } }

    /// Stops the clock (the work is over).
    public func stop() {
        state.withLock { $0.stopped = true }
    }
}
