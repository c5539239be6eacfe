import SiftQuery
import SiftStore

/// Where a sink writes its text: standard output, or a text stage (`uniq`, `head`, `tail` after
/// `format`).
public protocol LineOutput: AnyObject {
    /// Takes one line (without its newline).
    func emit(_ line: String) throws
    /// No more lines.
    func close() throws
}

/// A command that consumes the rows of a query as they stream (list, format, dump, clean, ...).
public protocol NodeSink: AnyObject {
    /// Whether the sink prints each row on its own (list, format, dump), so that a `head` or
    /// `tail` after it means the first or last rows and is folded into the SQL.
    var printsRows: Bool { get }
    /// The paths it evaluates on each row, so that the related nodes they reach
    /// (`/ancestors.account...`, `account`) are looked up with the rows.
    var paths: [Path] { get }
    /// Takes one row.
    func consume(_ row: ResultRow, in run: RowContext) throws
    /// No more rows: print what is buffered, act on what was collected.
    func finish(in run: RowContext) async throws
}
