import Foundation
import GRDB
import SiftQuery

/// `explain QUERY`: the normalised query, the SQL with its bound values, and SQLite's query plan.
///
/// The plan comes from `EXPLAIN QUERY PLAN` on `db` (which must have `SQLiteFunctions` registered
/// when the query uses regular expressions), printed as an indented tree.
public func explain(_ query: Query, in db: Database, kinds: KindModel, now: Date) throws -> String {
    let compiled = try SQLiteCompiler(kinds: kinds, now: now).compile(query, output: .nodes())
    var lines = ["query: \(String(describing: query))", "sql: \(compiled.sql)"]
    let values = compiled.values
    lines.append("bindings:" + (values.isEmpty ? " none" : ""))
    for (index, value) in values.enumerated() {
        lines.append("  ?\(index + 1) = \(value.description)")
    }
    lines.append("plan:")
    let rows = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + compiled.sql, arguments: compiled.arguments)
    var depth: [Int: Int] = [0: 0]
    for row in rows {
        let id: Int = row["id"]
        let parent: Int = row["parent"]
        let detail: String = row["detail"]
        let level = (depth[parent] ?? 0) + 1
        depth[id] = level
        lines.append(String(repeating: "  ", count: level) + detail)
    }
    return lines.joined(separator: "\n")
}
