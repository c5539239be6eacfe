import Foundation
import GRDB
import SiftQuery

extension CompileContext {
    // MARK: Terms

    /// The SQL condition of a term on the node `alias`.
    ///
    /// `negated` is true under an odd number of `not`: there every comparison must be two-valued
    /// (never NULL), so that `not` is the exact complement. Elsewhere a NULL comparison already
    /// acts as false in WHERE (AND/OR are monotone), and the plain form keeps indexes usable.
    func term(_ term: Term, alias: String, negated: Bool) throws -> SQLFragment {
        switch term {
        case .all:
            return SQLFragment("1")
        case .isKind(let names):
            return .membership("\(alias).kind", try subkinds(names).map(\.databaseValue))
        case .id(let ids):
            return .membership("\(alias).id", ids.map(\.databaseValue))
        case .fullText(let text):
            return fullText(text, alias: alias)
        case .predicate(let predicate):
            return try self.predicate(predicate, alias: alias, negated: negated)
        case let .hasKey(path, keys):
            return try hasKey(path, keys: keys, alias: alias)
        case .not(let inner):
            if case .not(let twice) = inner {
                // `not not x` is `x` (both are two-valued in WHERE): one SQL nesting level fewer.
                return try self.term(twice, alias: alias, negated: negated)
            }
            return "NOT (" + (try self.term(inner, alias: alias, negated: !negated)) + ")"
        case .and, .or:
            // A chain is walked in a loop and joined as a balanced tree, so that neither this
            // compiler nor SQLite's parser (expression depth 1000) goes deeper than log2 of its length.
            var keyword = " OR "
            if case .and = term { keyword = " AND " }
            let operands = try term.chain.map { try self.term($0, alias: alias, negated: negated) }
            return Self.balanced(operands[...], keyword)
        }
    }

    /// `(a AND b)`, `((a AND b) AND (c AND d))`: the operands joined pairwise, depth log2(count).
    static func balanced(_ operands: ArraySlice<SQLFragment>, _ keyword: String) -> SQLFragment {
        guard operands.count > 1, let first = operands.first else { return operands.first ?? SQLFragment("1") }
        if operands.count == 2, let last = operands.last { return "(" + first + keyword + last + ")" }
        let middle = operands.startIndex + (operands.count + 1) / 2
        return "(" + balanced(operands[..<middle], keyword) + keyword + balanced(operands[middle...], keyword) + ")"
    }

    /// Any value in `reported` contains the text, case-insensitively (ASCII case folding).
    /// A cheap `instr` over the whole JSON text comes first when the text has no character that
    /// JSON escapes; `json_tree` then checks that the match is in a value, not in a key.
    private func fullText(_ text: String, alias: String) -> SQLFragment {
        let atoms = "EXISTS (SELECT 1 FROM json_tree(\(alias).reported) t WHERE t.atom IS NOT NULL AND instr(lower(t.atom), lower(?)) > 0)"
        let plain = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" && $0 != "/" }
        if !plain { return SQLFragment(atoms, [text.databaseValue]) }
        return SQLFragment("(instr(lower(\(alias).reported), lower(?)) > 0 AND " + atoms + ")", [text.databaseValue, text.databaseValue])
    }

    /// `has_key(path, k, ...)`: the object at the path has every key (a key with a JSON null counts).
    private func hasKey(_ path: Path, keys: [String], alias: String) throws -> SQLFragment {
        let location = try locate(path, alias: alias)
        let checks: [SQLFragment] = try keys.map { key in
            let keyPath = try jsonPath([.key(key)], path)
            switch location.operand {
            case let .json(document, base, _):
                return "json_type(\(document), " + SQLFragment.bound((base + keyPath.dropFirst()).databaseValue) + ") IS NOT NULL"
            case let .element(value, jsonType, _):
                return "(\(jsonType) = 'object' AND json_type(\(value), " + SQLFragment.bound(keyPath.databaseValue) + ") IS NOT NULL)"
            case .text, .time, .duration:
                throw CompileError.invalidPath(path: path.description, reason: "has_key needs an object property")
            }
        }
        let all = keys.isEmpty ? SQLFragment("1") : SQLFragment.joined(checks, " AND ")
        return location.scope.isEmpty ? all : location.scope.exists(all)
    }

    // MARK: Predicates

    /// `path [any|all|none] OP value`.
    private func predicate(_ predicate: SiftQuery.Predicate, alias: String, negated: Bool) throws -> SQLFragment {
        let location = try locate(predicate.path, alias: alias)
        let path = predicate.path.description
        if let modifier = predicate.modifier {
            return try quantified(modifier, location: location, op: predicate.op, value: predicate.value, path: path)
        }
        let (positive, isNegation) = Self.positive(predicate.op)
        if location.scope.isEmpty {
            if isNegation, positive == .in, case .array(let values) = predicate.value, values.contains(where: { $0 != .null }) {
                // `x not in [..]`: missing values match, as the complement of `in`.
                let read = location.operand.read
                return "(" + read + " IS NULL OR " + read + " NOT IN (" + (try list(values, for: location.operand, path: path)) + "))"
            }
            if isNegation {
                return "NOT (" + (try test(location.operand, positive, predicate.value, path: path, twoValued: true)) + ")"
            }
            return try test(location.operand, positive, predicate.value, path: path, twoValued: negated)
        }
        // Several values (related nodes, array elements): some value matches; `== null`: none is present.
        let some: SQLFragment
        if positive == .equal, predicate.value == .null {
            some = "NOT " + location.scope.exists(location.operand.read + " IS NOT NULL")
        } else {
            some = location.scope.exists(try test(location.operand, positive, predicate.value, path: path, twoValued: false))
        }
        return isNegation ? "NOT (" + some + ")" : some
    }

    /// `path any|all|none OP value` over the elements of the array at the path.
    private func quantified(_ modifier: ArrayModifier, location: Location, op: Operator, value: Value, path: String) throws -> SQLFragment {
        let each = alias("j")
        var elements = Scope()
        switch location.operand {
        case let .json(document, jsonPath, _):
            elements.sources.append("json_each(\(document), " + SQLFragment.bound(jsonPath.databaseValue) + ") \(each)")
        case let .element(value, jsonType, _):
            elements.conditions.append(SQLFragment("\(jsonType) = 'array'"))
            elements.sources.append(SQLFragment("json_each(\(value)) \(each)"))
        case .text, .time, .duration:
            throw CompileError.invalidValue(path: path, op: "\(modifier.rawValue) \(op.rawValue)", reason: "any/all/none need an array property")
        }
        let element = Operand.element(value: "\(each).value", jsonType: "\(each).type", type: nil)
        let (positive, isNegation) = Self.positive(op)
        var matches = try test(element, positive, value, path: path, twoValued: true)
        if isNegation { matches = "NOT (" + matches + ")" }
        let condition: SQLFragment
        switch modifier {
        case .any: condition = elements.exists(matches)
        case .none: condition = "NOT " + elements.exists(matches)
        case .all: condition = "(" + elements.exists(nil) + " AND NOT " + elements.exists("NOT (" + matches + ")") + ")"
        }
        if location.scope.isEmpty { return condition }
        // Over related nodes or outer array elements: some of them satisfies the quantified condition.
        return location.scope.exists(condition)
    }

    /// The operator a negation negates: `!=` -> `==`, `!~` -> `=~`, `not in` -> `in`.
    static func positive(_ op: Operator) -> (Operator, negation: Bool) {
        switch op {
        case .notEqual: return (.equal, true)
        case .notMatches: return (.matches, true)
        case .notIn: return (.in, true)
        case .equal, .less, .lessOrEqual, .greater, .greaterOrEqual, .matches, .in: return (op, false)
        }
    }

    /// A positive comparison (`==`, `<`, `<=`, `>`, `>=`, `=~`, `in`) of one value.
    /// Missing values never match; `== null` matches them. With `twoValued` the result is never NULL.
    private func test(_ operand: Operand, _ op: Operator, _ value: Value, path: String, twoValued: Bool) throws -> SQLFragment {
        let read = operand.read
        switch op {
        case .equal:
            if value == .null { return read + " IS NULL" }
            let (bound, _) = try self.bound(value, for: operand, op: op, path: path)
            return read + (twoValued ? " IS " : " = ") + bound
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            if value == .null { return SQLFragment("0") }
            let (bound, flipped) = try self.bound(value, for: operand, op: op, path: path)
            let comparison = read + " \((flipped ?? op).rawValue) " + bound
            return twoValued ? "coalesce(" + comparison + ", 0)" : comparison
        case .matches:
            guard case .string(let pattern) = value else {
                throw CompileError.invalidValue(path: path, op: op.rawValue, reason: "a regular expression must be a string, not \(value.description)")
            }
            switch operand {
            case .text, .json, .element: break
            case .time, .duration:
                throw CompileError.typeMismatch(path: path, type: operand.propertyType?.rawValue ?? "", value: "a regular expression", expected: "a date or a duration")
            }
            if case .failure(let error) = SQLiteFunctions.regex(pattern) {
                throw CompileError.invalidRegex(path: path, pattern: pattern, column: error.column, reason: error.message)
            }
            // The function answers 0 for NULL, so this is two-valued already.
            return read + " REGEXP " + SQLFragment.bound(pattern.databaseValue)
        case .in:
            guard case .array(let values) = value else {
                throw CompileError.invalidValue(path: path, op: op.rawValue, reason: "expects an array like [a, b], not \(value.description)")
            }
            if !values.contains(where: { $0 != .null }) { return SQLFragment("0") }
            let membership = read + " IN (" + (try list(values, for: operand, path: path)) + ")"
            return twoValued ? "coalesce(" + membership + ", 0)" : membership
        case .notEqual, .notMatches, .notIn:
            preconditionFailure("negations are compiled as NOT of their positive operator")
        }
    }

    // MARK: Values

    /// The bound values of an `in` list (nulls left out: a missing value is never in a list).
    private func list(_ values: [Value], for operand: Operand, path: String) throws -> SQLFragment {
        SQLFragment.joined(try values.filter { $0 != .null }.map { try bound($0, for: operand, op: .equal, path: path).0 }, ", ")
    }

    /// The bound value for comparing `operand` with `value`, and the operator to use instead when
    /// the comparison turns around (`last_access > 90d` is `coalesce(atime, ctime) < now - 90d`).
    private func bound(_ value: Value, for operand: Operand, op: Operator, path: String) throws -> (SQLFragment, Operator?) {
        func mismatch(_ type: String, _ expected: String) -> CompileError {
            .typeMismatch(path: path, type: type, value: value.description, expected: expected)
        }
        switch operand {
        case .duration:
            guard case .duration(let duration) = value else {
                throw mismatch("duration", "a duration like 90d")
            }
            return (.bound((now - duration.seconds).databaseValue), Self.reversed(op))
        case .time:
            switch value {
            case .duration(let duration): return (.bound((now + duration.seconds).databaseValue), nil)
            case .datetime(let date): return (.bound(date.secondsSince1970.databaseValue), nil)
            case .placeholder(let placeholder): return (.bound(QueryTime.resolve(placeholder, now: now).databaseValue), nil)
            case .string(let text):
                guard let seconds = QueryTime.parse(text) else { throw mismatch("datetime", "a date, a datetime or a duration") }
                return (.bound(seconds.databaseValue), nil)
            case .null, .bool, .int, .double, .array, .object:
                throw mismatch("datetime", "a date, a datetime or a duration")
            }
        case .text:
            switch value {
            case .string(let text): return (.bound(text.databaseValue), nil)
            case .int(let int): return (.bound(String(int).databaseValue), nil)
            case .double(let double): return (.bound(String(double).databaseValue), nil)
            case .bool(let bool): return (.bound((bool ? "true" : "false").databaseValue), nil)
            case .duration, .datetime, .placeholder: throw mismatch("string", "a string")
            case .null, .array, .object: throw CompileError.invalidValue(path: path, op: op.rawValue, reason: "cannot compare with \(value.description)")
            }
        case .json(_, _, let type), .element(_, _, let type):
            return (try jsonBound(value, type: type, mismatch: mismatch), nil)
        }
    }

    /// A value compared with a JSON property of a declared (or unknown) type.
    private func jsonBound(_ value: Value, type: PropertyType?, mismatch: (String, String) -> CompileError) throws -> SQLFragment {
        switch (value, type) {
        case (.duration(let duration), .duration?):
            return .bound(duration.seconds.databaseValue)
        case (.duration(let duration), .datetime?), (.duration(let duration), nil):
            return .bound(QueryTime.iso(now + duration.seconds).databaseValue)
        case (.datetime(let date), .datetime?), (.datetime(let date), nil):
            return .bound(QueryTime.iso(date.secondsSince1970).databaseValue)
        case (.placeholder(let placeholder), .datetime?), (.placeholder(let placeholder), nil):
            return .bound(QueryTime.iso(QueryTime.resolve(placeholder, now: now)).databaseValue)
        case (.duration, let type?), (.datetime, let type?), (.placeholder, let type?):
            throw mismatch(type.rawValue, type == .datetime || type == .duration ? "a date or a duration" : "a \(type.rawValue) value")
        case (.string(let text), .datetime?):
            guard let seconds = QueryTime.parse(text) else { return .bound(text.databaseValue) }
            return .bound(QueryTime.iso(seconds).databaseValue)
        case (.string(let text), .int?), (.string(let text), .float?):
            if let int = Int64(text) { return .bound(int.databaseValue) }
            if let double = Double(text) { return .bound(double.databaseValue) }
            throw mismatch(type?.rawValue ?? "", "a number")
        case (.string(let text), .boolean?):
            switch text.lowercased() {
            case "true": return .bound(1.databaseValue)
            case "false": return .bound(0.databaseValue)
            default: throw mismatch("boolean", "true or false")
            }
        case (.int(let int), .string?): return .bound(String(int).databaseValue)
        case (.double(let double), .string?): return .bound(String(double).databaseValue)
        case (.string(let text), _): return .bound(text.databaseValue)
        case (.int(let int), _): return .bound(int.databaseValue)
        case (.double(let double), _): return .bound(double.databaseValue)
        case (.bool(let bool), _): return .bound((bool ? 1 : 0).databaseValue)
        case (.null, _): return .bound(.null)
        case (.array, _), (.object, _):
            return "json(" + SQLFragment.bound(LiteralJSON.text(value).databaseValue) + ")"
        }
    }

    /// The operator after swapping the sides of a comparison of `now - t` with a duration.
    private static func reversed(_ op: Operator) -> Operator {
        switch op {
        case .less: return .greater
        case .lessOrEqual: return .greaterOrEqual
        case .greater: return .less
        case .greaterOrEqual: return .lessOrEqual
        case .equal, .notEqual, .matches, .notMatches, .in, .notIn: return op
        }
    }

    // MARK: With

    /// `with(any|empty|count OP N, NAVIGATION [FILTER] [with(...)])` on the node `alias`.
    func withClause(_ clause: WithClause, alias node: String) throws -> SQLFragment {
        let neighbour = alias("w")
        var conditions: [SQLFragment] = []
        let navigation = clause.navigation
        let from: SQLFragment
        if navigation.minDepth == 1, navigation.maxDepth == 1, navigation.direction != .both {
            // One step one way: join the edges straight (no per-node temporary set).
            let edge = alias("e")
            let (near, far, types) = navigation.direction == .out
                ? ("from_nid", "to_nid", navigation.outEdgeTypes) : ("to_nid", "from_nid", navigation.inEdgeTypes)
            from = "edge \(edge) JOIN node \(neighbour) ON \(neighbour).nid = \(edge).\(far) AND \(edge).\(near) = \(node).nid AND "
                + SQLFragment.membership("\(edge).type", try edgeTypes(types))
        } else {
            from = SQLFragment("node \(neighbour)")
            conditions.append("\(neighbour).nid IN (" + (try navigate(from: .node(node), navigation)) + ")")
        }
        if let filter = clause.filter, filter != .all { conditions.append(try term(filter, alias: neighbour, negated: false)) }
        if let nested = clause.nested?.value { conditions.append(try withClause(nested, alias: neighbour)) }
        let body = " FROM " + from + (conditions.isEmpty ? SQLFragment() : " WHERE " + SQLFragment.joined(conditions, " AND "))
        switch clause.quantifier {
        case .any:
            return "EXISTS (SELECT 1" + body + ")"
        case .empty:
            return "NOT EXISTS (SELECT 1" + body + ")"
        case let .count(op, count):
            if count < 0 { throw CompileError.invalidCount(what: "count in with()", value: count) }
            switch op {
            case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
                return "(SELECT count(DISTINCT \(neighbour).nid)" + body + ") \(op == .equal ? "=" : op.rawValue) "
                    + SQLFragment.bound(Int64(count).databaseValue)
            case .matches, .notMatches, .in, .notIn:
                throw CompileError.invalidValue(path: "count", op: op.rawValue, reason: "with(count OP N) takes ==, !=, <, <=, > or >=")
            }
        }
    }
}

/// JSON text of a literal value, written as the store writes sections (compact, sorted keys), so
/// that comparing it with `json_extract` of a stored object or array is exact.
enum LiteralJSON {
    static func text(_ value: Value) -> String {
        var writer = JSONWriter()
        writer.write(json(value))
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private static func json(_ value: Value) -> JSONValue {
        switch value {
        case .null: return .null
        case .bool(let bool): return .bool(bool)
        case .int(let int): return .int(int)
        case .double(let double): return .double(double)
        case .string(let text): return .string(text)
        case .duration(let duration): return .int(duration.seconds)
        case .datetime(let date): return .string(QueryTime.iso(date.secondsSince1970))
        case .placeholder(let placeholder): return .string("@\(placeholder.rawValue)@")
        case .array(let values): return .array(values.map(json))
        case .object(let entries):
            var object: JSONObject = [:]
            for entry in entries { object[entry.key] = json(entry.value) }
            return .object(object)
        }
    }
}
