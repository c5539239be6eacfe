import Foundation
import GRDB
import SiftQuery
import SiftTime

/// What a compiled query returns.
public enum QueryOutput: Sendable, Hashable {
    /// The matching nodes: columns `nid, id, kind, name, ctime, mtime, atime, reported, desired,
    /// metadata` (so `Node(row:)` maps them), in the order of the last part's `sort` (ties by nid).
    /// Without a sort the order is SQLite's, except that `head`/`tail`/`limit` order by nid.
    /// `head` keeps the first N of that result (after the part's own limit), `tail` the last N.
    case nodes(head: Int? = nil, tail: Int? = nil)
    /// Columns `value, count, matched`: one row per distinct value of the path among the
    /// matching nodes (`matched` = 1), ascending by count then value, and last, when there are
    /// any, one row with `value` NULL and `matched` = 0 counting the nodes where the path is
    /// missing or null. Time columns count as ISO-8601 text. With no path: one row
    /// (`NULL`, number of matches, 1).
    case count(path: Path?)
    /// One row, one column `count`: the number of matching nodes.
    case total
}

/// One parameterised SQL statement and the values bound to its `?` placeholders, in order.
public struct CompiledQuery: Sendable, Hashable {
    /// The SQL text. Nothing from the query is spliced into it: values and property paths are bound.
    public let sql: String
    /// The bound values, in placeholder order.
    public let values: [DatabaseValue]
    /// The bound values as GRDB statement arguments.
    public var arguments: StatementArguments { StatementArguments(values) }

    /// Creates a compiled query.
    public init(sql: String, values: [DatabaseValue]) {
        self.sql = sql
        self.values = values
    }
}

/// Compiles a query AST to one SQLite statement over the schema of `Schema/sql`.
///
/// Semantics (SPEC section 4):
/// - `is(k)` matches `k` and its subkinds; unknown kinds are errors with a suggestion.
/// - `id`, `kind`, `name`, `ctime`, `mtime`, `atime` are columns (times are unix seconds);
///   `age`, `last_update`, `last_access` are `now -` ctime / mtime / coalesce(atime, ctime):
///   a key never used counts from its creation. Other paths read the JSON sections with
///   `json_extract(section, ?)`, the JSON path built from validated components and bound.
/// - A datetime compared with a duration D means `now + D`; datetime properties inside
///   `reported` are ISO-8601 strings and are compared with a bound ISO string.
/// - Nulls: a missing (or JSON null) value never matches `==` (with a non-null value), `<`,
///   `<=`, `>`, `>=`, `=~`, `in`; `x == null` matches missing values. `!=`, `!~` and `not in`
///   are the exact negations of `==`, `=~` and `in`, as in Fix Inventory: a missing value
///   matches `x != 5`, `x !~ "re"`, `x not in [a]`; `x != null` matches present values.
///   `not` is the boolean complement of its term.
/// - `/ancestors.K.S.p` and `/descendants.K.S.p` (and `account`, `cloud`) compare the value on
///   any related node of kind K over default edges: `==` etc. match when one such node
///   matches; `== null` when none has a value. `sort` and `count` use the nearest one.
/// - A navigation's result is the distinct set of nodes reached at a depth within the range
///   (over any walk; depth 0 is the start set); a part's sort and limit apply before it.
public struct SQLiteCompiler: Sendable {
    /// The kind model used for `is()`, related paths and property types.
    public let kinds: KindModel
    /// The time `@now@`, durations and `age`/`last_access`/`last_update` are measured from.
    public let now: Date

    /// Creates a compiler.
    public init(kinds: KindModel = .builtin, now: Date = Date()) {
        self.kinds = kinds
        self.now = now
    }

    /// Compiles a query to one statement producing `output`.
    public func compile(_ query: Query, output: QueryOutput = .nodes()) throws -> CompiledQuery {
        let context = CompileContext(kinds: kinds, now: UnixTime.seconds(of: now))
        let fragment = try context.statement(query, output: output)
        return CompiledQuery(sql: fragment.text, values: fragment.values)
    }
}

/// A piece of SQL and the values of its placeholders, in text order.
struct SQLFragment {
    var text: String
    var values: [DatabaseValue]

    init(_ text: String = "", _ values: [DatabaseValue] = []) {
        self.text = text
        self.values = values
    }

    /// A single placeholder bound to a value.
    static func bound(_ value: DatabaseValue) -> SQLFragment {
        SQLFragment("?", [value])
    }

    /// A list of placeholders `?, ?, ?` for the values.
    static func list(_ values: [DatabaseValue]) -> SQLFragment {
        SQLFragment(Array(repeating: "?", count: values.count).joined(separator: ", "), values)
    }

    /// `column = ?` for one value, `column IN (?, ...)` for several, `0` for none.
    static func membership(_ column: String, _ values: [DatabaseValue]) -> SQLFragment {
        switch values.count {
        case 0: return SQLFragment("0")
        case 1: return SQLFragment("\(column) = ?", values)
        default: return SQLFragment("\(column) IN (") + list(values) + ")"
        }
    }

    /// Joins fragments with a separator.
    static func joined(_ parts: [SQLFragment], _ separator: String) -> SQLFragment {
        var result = SQLFragment()
        for (index, part) in parts.enumerated() {
            if index > 0 { result.text += separator }
            result += part
        }
        return result
    }

    static func + (lhs: SQLFragment, rhs: SQLFragment) -> SQLFragment {
        SQLFragment(lhs.text + rhs.text, lhs.values + rhs.values)
    }

    static func + (lhs: SQLFragment, rhs: String) -> SQLFragment {
        SQLFragment(lhs.text + rhs, lhs.values)
    }

    static func + (lhs: String, rhs: SQLFragment) -> SQLFragment {
        SQLFragment(lhs + rhs.text, rhs.values)
    }

    static func += (lhs: inout SQLFragment, rhs: SQLFragment) {
        lhs.text += rhs.text
        lhs.values += rhs.values
    }

    static func += (lhs: inout SQLFragment, rhs: String) {
        lhs.text += rhs
    }
}

/// The state of one compilation: the model, the time, and fresh alias names.
final class CompileContext {
    let kinds: KindModel
    let now: Int64
    private var counter = 0

    /// The node columns `Node(row:)` maps, in order.
    static let nodeColumns = ["nid", "id", "kind", "name", "ctime", "mtime", "atime", "reported", "desired", "metadata"]

    init(kinds: KindModel, now: Int64) {
        self.kinds = kinds
        self.now = now
    }

    /// A fresh SQL alias with a readable prefix (`n1`, `r2`, `j3`).
    func alias(_ prefix: String) -> String {
        counter += 1
        return prefix + String(counter)
    }

    // MARK: Statement

    func statement(_ query: Query, output: QueryOutput) throws -> SQLFragment {
        var parts = query.parts.isEmpty ? [Part(term: .all)] : query.parts
        if parts[parts.count - 1].navigation != nil { parts.append(Part(term: .all)) }
        var reached: SQLFragment?
        for (index, part) in parts.enumerated() {
            let alias = self.alias("n")
            let condition = try partCondition(part, alias: alias, reached: reached)
            let order = try sortKeys(part.sort, alias: alias)
            if index < parts.count - 1, let navigation = part.navigation {
                if let limit = part.limit {
                    let select = "SELECT \(alias).nid FROM node \(alias) WHERE " + condition
                        + (try orderAndLimit(order, tiebreak: "\(alias).nid", offset: limit.offset, count: limit.count))
                    reached = try navigate(from: .set(select), navigation)
                } else {
                    reached = try navigate(from: .part(alias: alias, condition: condition), navigation)
                }
            } else {
                return try finalStatement(part, alias: alias, condition: condition, order: order, output: output)
            }
        }
        preconditionFailure("the last part always returns")
    }

    /// The WHERE condition of one part on `alias`: reached by the previous navigation, term, with-clause.
    private func partCondition(_ part: Part, alias: String, reached: SQLFragment?) throws -> SQLFragment {
        var conditions: [SQLFragment] = []
        if let reached { conditions.append("\(alias).nid IN (" + reached + ")") }
        if part.term != .all || conditions.isEmpty { conditions.append(try term(part.term, alias: alias, negated: false)) }
        if let with = part.with { conditions.append(try withClause(with, alias: alias)) }
        return SQLFragment.joined(conditions, " AND ")
    }

    /// The statement of the last part for the requested output.
    private func finalStatement(
        _ part: Part, alias: String, condition: SQLFragment, order: [SortKey], output: QueryOutput
    ) throws -> SQLFragment {
        let from = " FROM node \(alias) WHERE " + condition
        func limited(_ select: SQLFragment) throws -> SQLFragment {
            guard let limit = part.limit else { return select }
            return select + (try orderAndLimit(order, tiebreak: "\(alias).nid", offset: limit.offset, count: limit.count))
        }
        switch output {
        case .total:
            if part.limit == nil { return "SELECT count(*) AS count" + from }
            return "SELECT count(*) AS count FROM (" + (try limited("SELECT \(alias).nid" + from)) + ")"
        case .count(let path):
            guard let path else {
                if part.limit == nil { return "SELECT NULL AS value, count(*) AS count, 1 AS matched" + from }
                return "SELECT NULL AS value, count(*) AS count, 1 AS matched FROM (" + (try limited("SELECT \(alias).nid" + from)) + ")"
            }
            let value = try scalar(path, alias: alias, forCount: true)
            let inner = try limited("SELECT " + value + " AS value" + from)
            return "SELECT value, count(*) AS count, value IS NOT NULL AS matched FROM (" + inner
                + ") GROUP BY value ORDER BY value IS NULL, count(*), value"
        case let .nodes(head, tail):
            if let head, head < 0 { throw CompileError.invalidCount(what: "head", value: head) }
            if let tail, tail < 0 { throw CompileError.invalidCount(what: "tail", value: tail) }
            let columns = Self.nodeColumns.map { "\(alias).\($0)" }.joined(separator: ", ")
            var offset = part.limit?.offset ?? 0
            var count = part.limit?.count
            if let head { count = min(count ?? head, head) }
            if part.limit != nil, head == nil, tail == nil {
                return try limited("SELECT " + columns + from)
            }
            guard let tail else {
                var select = "SELECT " + columns + from
                if let count {
                    select += try orderAndLimit(order, tiebreak: "\(alias).nid", offset: offset, count: count)
                } else if !order.isEmpty {
                    select += " ORDER BY " + SQLFragment.joined(order.map(\.term), ", ") + ", \(alias).nid"
                }
                return select
            }
            // The last `tail` rows: the ordered (and limited) rows, reversed, cut, and put back in order.
            var inner = "SELECT " + columns + ", " + SQLFragment.joined(
                order.enumerated().map { $0.element.expression + " AS _s\($0.offset)" }, ", ")
            if !order.isEmpty { inner += ", " }
            inner += "\(alias).nid AS _t" + from
            if count == nil { offset = 0 }
            if let count {
                inner += try orderAndLimit(order, tiebreak: "\(alias).nid", offset: offset, count: count)
            }
            let forward = order.indices.map { "_s\($0)" + direction(order[$0].order, reversed: false) } + ["_t"]
            let backward = order.indices.map { "_s\($0)" + direction(order[$0].order, reversed: true) } + ["_t DESC"]
            let plain = Self.nodeColumns.joined(separator: ", ")
            return "SELECT " + plain + " FROM (SELECT * FROM (" + inner + ") ORDER BY " + backward.joined(separator: ", ")
                + " LIMIT " + SQLFragment.bound(DatabaseValue(value: Int64(tail)) ?? .null) + ") ORDER BY "
                + forward.joined(separator: ", ")
        }
    }

    /// ` ORDER BY keys, tiebreak LIMIT ? OFFSET ?`.
    private func orderAndLimit(_ order: [SortKey], tiebreak: String, offset: Int, count: Int) throws -> SQLFragment {
        if offset < 0 { throw CompileError.invalidCount(what: "offset", value: offset) }
        if count < 0 { throw CompileError.invalidCount(what: "limit", value: count) }
        var text = " ORDER BY " + SQLFragment.joined(order.map(\.term) + [SQLFragment(tiebreak)], ", ") + " LIMIT ?"
        text.values.append(Int64(count).databaseValue)
        if offset > 0 {
            text += " OFFSET ?"
            text.values.append(Int64(offset).databaseValue)
        }
        return text
    }

    /// One sort key: the value sorted by and the order.
    struct SortKey {
        let expression: SQLFragment
        let order: SiftQuery.SortOrder
        /// The ORDER BY term.
        var term: SQLFragment { expression + (order == .asc ? " ASC" : " DESC") }
    }

    /// A part's sort keys.
    private func sortKeys(_ sort: [Sort], alias: String) throws -> [SortKey] {
        try sort.map { SortKey(expression: try scalar($0.path, alias: alias, forCount: false), order: $0.order) }
    }

    private func direction(_ order: SiftQuery.SortOrder, reversed: Bool) -> String {
        switch (order, reversed) {
        case (.asc, false), (.desc, true): return " ASC"
        case (.desc, false), (.asc, true): return " DESC"
        }
    }
}
