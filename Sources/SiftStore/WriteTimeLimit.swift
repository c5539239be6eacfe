import Dispatch
import GRDB
import GRDBSQLite

/// A time limit on one write transaction, on its own connection only: SQLite's progress handler
/// (called every few thousand virtual-machine steps) aborts the running statement once the limit
/// has passed, and every statement after it, so the transaction rolls back. Unlike
/// `sqlite3_interrupt` it touches no other work on the store and is not lost between statements.
enum WriteTimeLimit {
    /// How many SQLite virtual-machine instructions pass between two looks at the clock.
    static let instructionsBetweenChecks: Int32 = 10_000

    /// Runs `body` on `db` under `seconds` (nil or not positive: no limit); past it, throws
    /// `StoreError.writeTimedOut` (`what` names the write).
    static func apply<T>(_ seconds: Double?, to db: Database, what: String, _ body: () throws -> T) throws -> T {
        guard let seconds, seconds > 0, let connection = db.sqliteConnection else { return try body() }
        let deadline = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        defer { deadline.deallocate() }
        deadline.pointee = DispatchTime.now().uptimeNanoseconds &+ UInt64(seconds * 1_000_000_000)
        sqlite3_progress_handler(connection, instructionsBetweenChecks, { context in
            guard let context else { return 0 }
            return DispatchTime.now().uptimeNanoseconds > context.assumingMemoryBound(to: UInt64.self).pointee ? 1 : 0
        }, deadline)
        defer { sqlite3_progress_handler(connection, 0, nil, nil) }
        do {
            return try body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT
            && DispatchTime.now().uptimeNanoseconds > deadline.pointee {
            throw StoreError.writeTimedOut(what: what, seconds: seconds)
        }
    }
}
