import GRDB
import SiftQuery

/// Where a path's value lives, as SQL.
enum Operand {
    /// A text column (`n.id`, `n.kind`, `n.name`).
    case text(String)
    /// An INTEGER unix-seconds expression (`n.ctime`).
    case time(String)
    /// `now - time`: the time expression given (`age`, `last_update`, `last_access`).
    case duration(String)
    /// `json_extract(document, ?)` with the JSON path bound; the declared type when known.
    case json(document: String, path: String, type: PropertyType?)
    /// One element of a `json_each` (`j.value`), with the expression of its JSON type.
    case element(value: String, jsonType: String, type: PropertyType?)

    /// The property type used for value conversion and type errors.
    var propertyType: PropertyType? {
        switch self {
        case .text: return .string
        case .time: return .datetime
        case .duration: return .duration
        case .json(_, _, let type), .element(_, _, let type): return type
        }
    }

    /// The SQL reading the value (one value, or NULL when missing).
    var read: SQLFragment {
        switch self {
        case .text(let column), .time(let column): return SQLFragment(column)
        case .duration(let time): return SQLFragment(time)
        case let .json(document, path, _): return "json_extract(\(document), " + SQLFragment.bound(path.databaseValue) + ")"
        case let .element(value, _, _): return SQLFragment(value)
        }
    }
}

/// The rows a multi-valued path ranges over: related nodes (`/ancestors.…`) and array elements (`[*]`).
/// A predicate over a scope holds when some row of the scope satisfies it.
struct Scope {
    /// Common table expressions the sources use (recursive).
    var ctes: [SQLFragment] = []
    /// FROM items, cross-joined.
    var sources: [SQLFragment] = []
    /// Conditions on the sources.
    var conditions: [SQLFragment] = []
    /// How to pick the nearest row for a single value (`r.d`), when the scope is related nodes only.
    var nearest: String?
    /// Whether the scope ranges over array elements (then it has no single value).
    var hasWildcard = false

    var isEmpty: Bool { sources.isEmpty }

    /// `SELECT what FROM sources WHERE conditions AND extra`, with its WITH clause.
    func select(_ what: SQLFragment, where extra: SQLFragment?) -> SQLFragment {
        var sql = SQLFragment()
        if !ctes.isEmpty { sql += "WITH RECURSIVE " + SQLFragment.joined(ctes, ", ") + " " }
        sql += "SELECT " + what + " FROM " + SQLFragment.joined(sources, ", ")
        let all = conditions + (extra.map { [$0] } ?? [])
        if !all.isEmpty { sql += " WHERE " + SQLFragment.joined(all, " AND ") }
        return sql
    }

    /// `EXISTS (…)` over the scope with an extra condition.
    func exists(_ condition: SQLFragment?) -> SQLFragment {
        "EXISTS (" + select(SQLFragment("1"), where: condition) + ")"
    }

    static func + (lhs: Scope, rhs: Scope) -> Scope {
        Scope(ctes: lhs.ctes + rhs.ctes, sources: lhs.sources + rhs.sources, conditions: lhs.conditions + rhs.conditions,
              nearest: rhs.isEmpty ? lhs.nearest : (lhs.isEmpty ? rhs.nearest : nil),
              hasWildcard: lhs.hasWildcard || rhs.hasWildcard)
    }
}

/// A resolved path: the operand, within a scope when multi-valued.
struct Location {
    var scope: Scope
    var operand: Operand
}

/// Where a navigation starts.
enum NavigationStart {
    /// The nodes of a part without a limit: `node alias` rows satisfying the condition.
    case part(alias: String, condition: SQLFragment)
    /// A set of nodes: a SELECT returning one column of nids (a part with sort and limit).
    case set(SQLFragment)
    /// One node of the enclosing query (correlated).
    case node(String)
}

extension CompileContext {
    // MARK: Paths

    /// Resolves a path on the node `alias` to the SQL that reads it.
    func locate(_ path: Path, alias: String) throws -> Location {
        switch path.root {
        case .reported:
            if path.components.count == 1, case .key(let key) = path.components[0], let column = Self.column(key, alias: alias) {
                return Location(scope: Scope(), operand: column)
            }
            return try jsonLocation(document: "\(alias).reported", path.components, typed: true, path: path)
        case .desired:
            return try jsonLocation(document: "\(alias).desired", path.components, typed: false, path: path)
        case .metadata:
            return try jsonLocation(document: "\(alias).metadata", path.components, typed: false, path: path)
        case let .ancestors(kind, section):
            return try related(kind: kind, section: section, components: path.components, upward: true, alias: alias, path: path)
        case let .descendants(kind, section):
            return try related(kind: kind, section: section, components: path.components, upward: false, alias: alias, path: path)
        case .shortcut(let kind):
            return try related(kind: kind, section: .reported, components: path.components, upward: true, alias: alias, path: path)
        }
    }

    /// The columns a one-key reported path maps to.
    static func column(_ key: String, alias: String) -> Operand? {
        switch key {
        case "id", "kind", "name": return .text("\(alias).\(key)")
        case "ctime", "mtime", "atime": return .time("\(alias).\(key)")
        case "age": return .duration("\(alias).ctime")
        case "last_update": return .duration("\(alias).mtime")
        case "last_access": return .duration("coalesce(\(alias).atime, \(alias).ctime)")
        default: return nil
        }
    }

    /// A path inside a JSON section; `[*]` components become `json_each` sources.
    private func jsonLocation(document: String, _ components: [PathComponent], typed: Bool, path: Path) throws -> Location {
        let keys = components.compactMap { component -> String? in
            if case .key(let key) = component { return key }
            return nil
        }
        let type = typed ? kinds.propertyType(keys) : nil
        var scope = Scope()
        var segment: [PathComponent] = []
        var previous: String?
        for component in components {
            guard component == .wildcard else {
                segment.append(component)
                continue
            }
            let each = alias("j")
            let walked = previous.map { "\($0).value" } ?? document
            if let previous { scope.conditions.append(SQLFragment("\(previous).type IN ('object', 'array')")) }
            scope.sources.append("json_each(\(walked), " + SQLFragment.bound(try jsonPath(segment, path).databaseValue) + ") \(each)")
            scope.hasWildcard = true
            previous = each
            segment = []
        }
        guard let previous else {
            return Location(scope: scope, operand: .json(document: document, path: try jsonPath(segment, path), type: type))
        }
        if segment.isEmpty {
            return Location(scope: scope, operand: .element(value: "\(previous).value", jsonType: "\(previous).type", type: type))
        }
        scope.conditions.append(SQLFragment("\(previous).type IN ('object', 'array')"))
        return Location(scope: scope, operand: .json(document: "\(previous).value", path: try jsonPath(segment, path), type: type))
    }

    /// A SQLite JSON path (`$.a."b.c"[0]`) from validated components.
    func jsonPath(_ components: [PathComponent], _ path: Path) throws -> String {
        var text = "$"
        for component in components {
            switch component {
            case .key(let key):
                if key.contains("\"") || key.contains("\\") {
                    throw CompileError.invalidPath(path: path.description, reason: "a key with a double quote or backslash cannot be addressed")
                }
                let plain = !key.isEmpty && key.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
                    && !(key.utf8.first.map { $0 >= 48 && $0 <= 57 } ?? false)
                text += plain ? ".\(key)" : ".\"\(key)\""
            case .index(let index):
                if index < 0 { throw CompileError.invalidPath(path: path.description, reason: "an index must not be negative") }
                text += "[\(index)]"
            case .wildcard:
                throw CompileError.invalidPath(path: path.description, reason: "[*] cannot be used here")
            }
        }
        return text
    }

    /// A path on related nodes of a kind over default edges (ancestors: inbound; descendants: outbound).
    private func related(kind: String, section: Section, components: [PathComponent], upward: Bool, alias node: String, path: Path) throws -> Location {
        let kindNames = try subkinds([kind])
        let walk = alias("r"), edge = alias("e"), other = alias("m")
        let (near, far) = upward ? ("to_nid", "from_nid") : ("from_nid", "to_nid")
        let cte = SQLFragment(
            "\(walk)(nid, d) AS (SELECT \(edge).\(far), 1 FROM edge \(edge) WHERE \(edge).\(near) = \(node).nid AND \(edge).type = 'default'"
            + " UNION SELECT \(edge).\(far), \(walk).d + 1 FROM \(walk) JOIN edge \(edge) ON \(edge).\(near) = \(walk).nid"
            + " AND \(edge).type = 'default' WHERE \(walk).d < 64)")
        var scope = Scope(ctes: [cte], sources: [SQLFragment("\(walk) JOIN node \(other) ON \(other).nid = \(walk).nid")],
                          conditions: [.membership("\(other).kind", kindNames.map(\.databaseValue))], nearest: "\(walk).d")
        let root: PathRoot
        switch section {
        case .reported: root = .reported(explicit: true)
        case .desired: root = .desired
        case .metadata: root = .metadata
        }
        let inner = try locate(Path(root: root, components: components), alias: other)
        scope = scope + inner.scope
        return Location(scope: scope, operand: inner.operand)
    }

    /// The union of the subkinds of the named kinds; unknown kinds are errors with a suggestion.
    func subkinds(_ names: [String]) throws -> [String] {
        var result: [String] = []
        for name in names {
            guard kinds.isKnown(name) else { throw CompileError.unknownKind(name, suggestion: kinds.suggestion(for: name)) }
            for kind in kinds.subkinds(of: name) where !result.contains(kind) { result.append(kind) }
        }
        return result
    }

    /// One value for the path (sort keys, count values): the nearest related node's value.
    func scalar(_ path: Path, alias: String, forCount: Bool) throws -> SQLFragment {
        let location = try locate(path, alias: alias)
        var value: SQLFragment
        switch location.operand {
        case .duration(let time): value = "(" + SQLFragment.bound(now.databaseValue) + " - \(time))"
        case .time(let column) where forCount: value = SQLFragment("strftime('%Y-%m-%dT%H:%M:%SZ', \(column), 'unixepoch')")
        default: value = location.operand.read
        }
        if location.scope.isEmpty { return value }
        guard !location.scope.hasWildcard, let nearest = location.scope.nearest else {
            throw CompileError.invalidPath(path: path.description, reason: "a path with [*] has many values; it cannot be sorted or counted by")
        }
        var scope = location.scope
        scope.conditions.append(value + " IS NOT NULL")
        return "(" + scope.select(value, where: nil) + " ORDER BY \(nearest) LIMIT 1)"
    }

    // MARK: Navigation

    /// A SELECT of the distinct nodes reached from `start` by the navigation.
    func navigate(from start: NavigationStart, _ navigation: Navigation) throws -> SQLFragment {
        guard navigation.minDepth >= 0, navigation.maxDepth.map({ $0 >= navigation.minDepth }) ?? true else {
            throw CompileError.invalidDepth(min: navigation.minDepth, max: navigation.maxDepth)
        }
        let outTypes = try edgeTypes(navigation.outEdgeTypes)
        let inTypes = try edgeTypes(navigation.inEdgeTypes)
        let directions: [(near: String, far: String, types: [DatabaseValue])]
        switch navigation.direction {
        case .out: directions = [("from_nid", "to_nid", outTypes)]
        case .in: directions = [("to_nid", "from_nid", inTypes)]
        case .both: directions = [("from_nid", "to_nid", outTypes), ("to_nid", "from_nid", inTypes)]
        }
        /// The start nodes as rows `nid` (with `, 0` as their depth when `depth`).
        func seed(depth: Bool) -> SQLFragment {
            switch start {
            case let .part(node, condition): return "SELECT \(node).nid" + (depth ? ", 0" : "") + " FROM node \(node) WHERE " + condition
            case .set(let select): return "SELECT nid" + (depth ? ", 0" : "") + " FROM (" + select + ")"
            case .node(let node): return SQLFragment("SELECT \(node).nid" + (depth ? ", 0" : ""))
            }
        }
        /// One step from the start: a join with the part's nodes, `IN (set)`, or from the correlated node.
        func step() -> SQLFragment {
            SQLFragment.joined(directions.map { direction in
                let edge = alias("e")
                let types = SQLFragment.membership("\(edge).type", direction.types)
                switch start {
                case let .part(node, condition):
                    return "SELECT \(edge).\(direction.far) AS nid FROM node \(node) JOIN edge \(edge) ON \(edge).\(direction.near) = \(node).nid AND "
                        + types + " WHERE " + condition
                case .set(let select):
                    return "SELECT \(edge).\(direction.far) AS nid FROM edge \(edge) WHERE \(edge).\(direction.near) IN (" + select + ") AND " + types
                case .node(let node):
                    return "SELECT \(edge).\(direction.far) AS nid FROM edge \(edge) WHERE \(edge).\(direction.near) = \(node).nid AND " + types
                }
            }, " UNION ALL ")
        }
        /// One step from the nodes of the named table (a level of an unrolled walk).
        func step(from level: String) -> SQLFragment {
            SQLFragment.joined(directions.map { direction in
                let edge = alias("e")
                return "SELECT \(edge).\(direction.far) FROM \(level) JOIN edge \(edge) ON \(edge).\(direction.near) = \(level).nid AND "
                    + SQLFragment.membership("\(edge).type", direction.types)
            }, " UNION ALL ")
        }
        /// The recursive members walking one more edge from the CTE `walk`.
        func recursion(_ walk: String, depthBelow limit: Int?) -> SQLFragment {
            SQLFragment.joined(directions.map { direction in
                let edge = alias("e")
                var sql = SQLFragment("SELECT \(edge).\(direction.far)" + (limit == nil ? "" : ", \(walk).d + 1")
                    + " FROM \(walk) JOIN edge \(edge) ON \(edge).\(direction.near) = \(walk).nid AND ")
                sql += SQLFragment.membership("\(edge).type", direction.types)
                if let limit { sql += " WHERE \(walk).d < \(limit)" }
                return sql
            }, " UNION ")
        }
        let minDepth = navigation.minDepth
        switch navigation.maxDepth {
        case 0?:
            return seed(depth: false)
        case 1?:
            return minDepth == 0 ? seed(depth: false) + " UNION " + step() : step()
        case let maxDepth? where maxDepth <= Self.unrolledDepth:
            // Short walks unrolled: one table per depth (walks, not deduplicated until the final UNION).
            var levels: [String] = []
            var tables: [SQLFragment] = []
            for depth in 1...maxDepth {
                let level = alias("d")
                tables.append("\(level)(nid) AS (" + (depth == 1 ? step() : step(from: levels[depth - 2])) + ")")
                levels.append(level)
            }
            let selects = (minDepth == 0 ? [seed(depth: false)] : [])
                + levels[max(minDepth, 1) - 1..<maxDepth].map { SQLFragment("SELECT nid FROM \($0)") }
            return "WITH " + SQLFragment.joined(tables, ", ") + " " + SQLFragment.joined(selects, " UNION ")
        case let maxDepth?:
            let walk = alias("r")
            return "WITH RECURSIVE \(walk)(nid, d) AS (" + seed(depth: true) + " UNION " + recursion(walk, depthBelow: maxDepth)
                + ") SELECT nid FROM \(walk)" + (minDepth > 0 ? " WHERE d >= \(minDepth)" : "")
        case nil:
            let closure = alias("r")
            if minDepth == 0 {
                return "WITH RECURSIVE \(closure)(nid) AS (" + seed(depth: false) + " UNION " + recursion(closure, depthBelow: nil)
                    + ") SELECT nid FROM \(closure)"
            }
            // Nodes at exactly minDepth, then everything reachable from them (the UNION ends cycles).
            let exact = alias("r")
            return "WITH RECURSIVE \(exact)(nid, d) AS (" + seed(depth: true) + " UNION " + recursion(exact, depthBelow: minDepth)
                + "), \(closure)(nid) AS (SELECT nid FROM \(exact) WHERE d = \(minDepth) UNION " + recursion(closure, depthBelow: nil)
                + ") SELECT nid FROM \(closure)"
        }
    }

    /// Walks up to this depth are unrolled into one table per depth (faster than a recursive CTE).
    static let unrolledDepth = 4

    /// Validated edge types as bound values.
    func edgeTypes(_ names: [String]) throws -> [DatabaseValue] {
        let known = EdgeType.allCases.map(\.rawValue)
        return try names.map { name in
            guard known.contains(name) else {
                throw CompileError.unknownEdgeType(name, suggestion: KindModel.closest(to: name, among: known))
            }
            return name.databaseValue
        }
    }
}
