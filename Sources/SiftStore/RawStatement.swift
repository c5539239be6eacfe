import Foundation
import GRDB
import GRDBSQLite

/// `SQLITE_TRANSIENT`: SQLite copies the bound bytes before the bind call returns.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A GRDB statement driven through the sqlite3 C API, for the hot loops of bulk writes.
///
/// Binding goes straight to `sqlite3_bind_*` on the statement handle GRDB prepared, so no
/// `StatementArguments` or `DatabaseValue` is built per row. Indexes are 1-based, as in SQLite.
struct RawStatement {
    /// The GRDB statement; kept so that GRDB owns and finalizes the handle.
    let statement: Statement
    /// The connection, for error messages.
    let connection: SQLiteConnection

    /// Prepares `sql` on `db`.
    init(_ db: Database, _ sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        guard let connection = db.sqliteConnection else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the database connection is closed", sql: sql)
        }
        self.connection = connection
    }

    var handle: SQLiteStatement { statement.sqliteStatement }

    func bind(_ index: Int32, _ text: String) {
        var copy = text
        copy.withUTF8 { buffer in
            _ = sqlite3_bind_text(handle, index, buffer.baseAddress, Int32(buffer.count), sqliteTransient)
        }
    }

    func bind(_ index: Int32, _ text: String?) {
        if let text { bind(index, text) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, utf8 bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            _ = sqlite3_bind_text(handle, index, buffer.baseAddress, Int32(buffer.count), sqliteTransient)
        }
    }

    func bind(_ index: Int32, utf8 bytes: UnsafeBufferPointer<UInt8>) {
        _ = sqlite3_bind_text(handle, index, bytes.baseAddress, Int32(bytes.count), sqliteTransient)
    }

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    /// Runs a statement that returns no row, then resets it for the next use.
    func execute() throws {
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw failure(code) }
        sqlite3_reset(handle)
    }

    /// Steps once: true when a row is available (read it with the `column` functions).
    /// Call `reset()` when done with the rows.
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw failure(code)
        }
    }

    /// The rowid of the connection's last successful INSERT.
    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    /// The rows changed by the connection's last INSERT, UPDATE or DELETE.
    var changedRows: Int { Int(sqlite3_changes(connection)) }

    func reset() {
        sqlite3_reset(handle)
    }

    func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    func optionalInt64(_ column: Int32) -> Int64? {
        isNull(column) ? nil : sqlite3_column_int64(handle, column)
    }

    /// The column's UTF-8 bytes, valid until the next step or reset.
    func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let pointer = sqlite3_column_text(handle, column) else {
            return UnsafeBufferPointer(start: nil, count: 0)
        }
        return UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, column)))
    }

    func text(_ column: Int32) -> String {
        String(decoding: bytes(column), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? {
        isNull(column) ? nil : text(column)
    }

    /// The error of a failed step, with SQLite's message; resets the statement.
    func failure(_ code: Int32) -> DatabaseError {
        let message = String(cString: sqlite3_errmsg(connection))
        let extended = sqlite3_extended_errcode(connection)
        sqlite3_reset(handle)
        return DatabaseError(resultCode: ResultCode(rawValue: extended), message: message, sql: statement.sql)
    }
}

/// The SQLite library the store runs on.
public enum SQLiteLibrary {
    /// Its version, e.g. `3.40.1`.
    public static var version: String { String(cString: sqlite3_libversion()) }
}
