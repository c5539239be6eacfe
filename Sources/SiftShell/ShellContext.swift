import Foundation
import SiftOps
import SiftStore
import Synchronization

/// What commands use: the options, the outputs, the command list, the database (opened on
/// first use, so `help` and `parse` never touch it), and Ctrl-C.
public final class ShellContext: Sendable {
    /// The options of the command line.
    public let options: ShellOptions
    /// Results.
    public let out: OutputWriter
    /// Errors, progress and summaries.
    public let err: OutputWriter
    /// The commands, for `help` and completion.
    public let registry: CommandRegistry
    /// The environment (for NO_COLOR, AWS settings).
    public let environment: [String: String]

    /// Creates a context.
    public init(
        options: ShellOptions, out: OutputWriter = .standardOutput, err: OutputWriter = .standardError,
        registry: CommandRegistry = .standard, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.options = options
        self.out = out
        self.err = err
        self.registry = registry
        self.environment = environment
    }

    /// What changes as lines run: the database once opened, the exit status asked for.
    private struct State {
        var openedStore: (any GraphBackend)?
        var requestedExitStatus: Int32 = 0
    }
    private let state = Mutex(State())

    /// The exit status a line that succeeded asks for (3: a check failed); 0 by default. The
    /// one-shot and script modes exit with it when every line succeeded.
    public var requestedExitStatus: Int32 { state.withLock { $0.requestedExitStatus } }

    /// Asks for a non-zero exit status when every line succeeds (the highest request wins).
    public func requestExitStatus(_ status: Int32) {
        state.withLock { $0.requestedExitStatus = max($0.requestedExitStatus, status) }
    }

    /// The kind model the queries are compiled with.
    public var kinds: KindModel { KindModel.builtin }

    /// The database, opened (and created, its directory 0700) on first use.
    public func store() async throws -> any GraphBackend {
        if let opened = state.withLock({ $0.openedStore }) { return opened }
        do {
            try Locations.createParentDirectory(of: options.databasePath)
        } catch {
            let directory = (options.databasePath as NSString).deletingLastPathComponent
            var reason = error.localizedDescription
            if let inner = (error as NSError).userInfo[NSUnderlyingErrorKey] as? any Error, case let underlying = inner as NSError,
               underlying.domain == NSPOSIXErrorDomain {
                reason = String(cString: strerror(Int32(underlying.code)))
            }
            throw ShellError("cannot open database \(options.databasePath): cannot create directory \(directory): \(reason)")
        }
        let store: any GraphBackend = try GraphStore(path: options.databasePath)
        return state.withLock { state in
            // Two threads may open it at once: the first one kept wins.
            if let opened = state.openedStore { return opened }
            state.openedStore = store
            return store
        }
    }

    /// The `query_timeout` config value in seconds (0: no limit), read from the database.
    public func queryTimeout() async throws -> Int64 {
        try await ConfigStore(store: store()).load().queryTimeout.seconds
    }

    /// Runs store work that is not a query (import, export, generate, check run) so that Ctrl-C
    /// and the `query_timeout` limit stop it (the store's transaction rolls back). `work` gets the
    /// limit in seconds (nil: none) for the writes that apply it themselves. Stopped, the error
    /// names `what` and says which of the two stopped it, then `outcome` (what is left).
    func limited<T>(_ what: String, outcome: String? = nil,
                    _ work: (_ store: any GraphBackend, _ timeLimit: Double?) async throws -> T) async throws -> T {
        let store = try await store()
        let seconds = try await queryTimeout()
        let deadline = Deadline(seconds: seconds) { store.interrupt() }
        defer { deadline.stop() }
        let stopped = { (why: String) in ShellError("\(what): \(why)" + (outcome.map { "; " + $0 } ?? "")) }
        do {
            return try await Interruption.shared.cancellable({ store.interrupt() }) {
                try await work(store, OpsDuration(seconds: seconds).limit)
            }
        } catch StoreError.writeTimedOut {
            throw stopped("timed out after \(seconds) s (config query_timeout)")
        } catch where store.isInterruption(error) {
            throw stopped(deadline.fired ? "timed out after \(seconds) s (config query_timeout)" : "interrupted")
        }
    }

    /// Throws when Ctrl-C was pressed.
    public func checkNotInterrupted() throws(ShellError) {
        if Interruption.shared.isRequested {
            throw ShellError("interrupted")
        }
    }

    /// A one-line description of any error.
    public func describe(_ error: Error) -> String {
        if let shellError = error as? ShellError { return shellError.description }
        if let message = state.withLock({ $0.openedStore })?.databaseMessage(of: error) { return message }
        return String(describing: error).replacingOccurrences(of: "\n", with: " ")
    }
}
