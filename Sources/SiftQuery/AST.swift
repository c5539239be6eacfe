// The query language's abstract syntax tree: immutable values, one file.
//
// A query is one or more parts. Each part is a filter term, optionally followed by
// `with(...)`, `sort`, `limit`, and a navigation that leads to the next part:
//
//     is(access_key) and last_access > 90days <-- is(user)
//     ^ part 1 term                           ^nav  ^ part 2 term
//
// Printing (`description`) gives the normalised form, which parses back to the same AST.

/// A whole query: one or more parts joined by navigations.
public struct Query: Sendable, Hashable {
    /// The parts in order; the last part has no navigation.
    public var parts: [Part]

    /// Creates a query.
    public init(parts: [Part]) {
        self.parts = parts
    }
}

/// One part of a query: a filter, then optional with-clause, sort, limit, and navigation.
public struct Part: Sendable, Hashable {
    /// The filter.
    public var term: Term
    /// Filters nodes by what their neighbourhood holds.
    public var with: WithClause?
    /// Sort keys, applied in order.
    public var sort: [Sort]
    /// Offset and count.
    public var limit: Limit?
    /// The navigation from this part's result to the next part; `nil` on the last part.
    public var navigation: Navigation?

    /// Creates a part.
    public init(term: Term, with: WithClause? = nil, sort: [Sort] = [], limit: Limit? = nil, navigation: Navigation? = nil) {
        self.term = term
        self.with = with
        self.sort = sort
        self.limit = limit
        self.navigation = navigation
    }
}

/// A filter term.
public indirect enum Term: Sendable, Hashable {
    /// Every node.
    case all
    /// Nodes whose kind is, or descends from, one of these kinds.
    case isKind([String])
    /// Nodes with one of these ids.
    case id([String])
    /// Nodes where any property value contains the text (case-insensitive).
    case fullText(String)
    /// `path OP value`, optionally over an array (`any`/`all`/`none`).
    case predicate(Predicate)
    /// `has_key(path, key, ...)`: the object at path has every one of the keys.
    case hasKey(path: Path, keys: [String])
    /// `not term`.
    case not(Term)
    /// `left and right`.
    case and(Term, Term)
    /// `left or right`.
    case or(Term, Term)
}

/// `path [any|all|none] OP value`.
public struct Predicate: Sendable, Hashable {
    /// The property compared.
    public var path: Path
    /// For array properties: which elements must satisfy the comparison.
    public var modifier: ArrayModifier?
    /// The comparison.
    public var op: Operator
    /// The right-hand side.
    public var value: Value

    /// Creates a predicate.
    public init(path: Path, modifier: ArrayModifier? = nil, op: Operator, value: Value) {
        self.path = path
        self.modifier = modifier
        self.op = op
        self.value = value
    }
}

/// Array modifiers of a predicate.
public enum ArrayModifier: String, Sendable, Hashable, CaseIterable {
    /// At least one element matches.
    case any
    /// Every element matches (and there is at least one).
    case all
    /// No element matches.
    case none
}

/// Comparison operators.
public enum Operator: String, Sendable, Hashable, CaseIterable {
    /// `==` (also written `=`).
    case equal = "=="
    /// `!=`.
    case notEqual = "!="
    /// `<`.
    case less = "<"
    /// `<=`.
    case lessOrEqual = "<="
    /// `>`.
    case greater = ">"
    /// `>=`.
    case greaterOrEqual = ">="
    /// `=~` (also written `~`): regular expression, case-insensitive.
    case matches = "=~"
    /// `!~`: does not match the regular expression.
    case notMatches = "!~"
    /// `in [..]`.
    case `in` = "in"
    /// `not in [..]`.
    case notIn = "not in"
}

/// A literal value.
public indirect enum Value: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// An integer.
    case int(Int64)
    /// A floating-point number.
    case double(Double)
    /// A quoted string or an unquoted word.
    case string(String)
    /// A duration such as `90days`, `2d12h`, `-3d`, `P90D`.
    case duration(Duration)
    /// A date or datetime such as `2026-01-31` or `2026-01-31T12:00:00Z`.
    case datetime(DateTime)
    /// `@now@`, `@today@`, `@yesterday@`, `@tomorrow@`: evaluated when the query runs.
    case placeholder(TimePlaceholder)
    /// `[a, "b", 3]`.
    case array([Value])
    /// A JSON object `{"a": 1}`; keys kept in source order.
    case object([ObjectEntry])
}

/// One key/value entry of an object value.
public struct ObjectEntry: Sendable, Hashable {
    /// The key.
    public var key: String
    /// The value.
    public var value: Value

    /// Creates an entry.
    public init(key: String, value: Value) {
        self.key = key
        self.value = value
    }
}

/// A signed length of time, in whole seconds. Months count 30 days, years 365 days.
public struct Duration: Sendable, Hashable {
    /// The length in seconds; negative for the past (`-3d`).
    public var seconds: Int64

    /// Creates a duration.
    public init(seconds: Int64) {
        self.seconds = seconds
    }
}

/// A point in time in UTC, in whole seconds since 1970.
public struct DateTime: Sendable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Int64

    /// Creates a datetime.
    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
    }
}

/// Time placeholders, evaluated (UTC) when a query runs.
public enum TimePlaceholder: String, Sendable, Hashable, CaseIterable {
    /// The current time.
    case now
    /// Midnight today.
    case today
    /// Midnight yesterday.
    case yesterday
    /// Midnight tomorrow.
    case tomorrow
}

/// A property path such as `name`, `tags.owner`, `/desired.clean`, `/ancestors.account.reported.name`.
public struct Path: Sendable, Hashable {
    /// Which section (or related node's section) the path starts in.
    public var root: PathRoot
    /// The components after the section; never empty.
    public var components: [PathComponent]

    /// Creates a path.
    public init(root: PathRoot = .reported(explicit: false), components: [PathComponent]) {
        self.root = root
        self.components = components
    }
}

/// Where a path starts.
public enum PathRoot: Sendable, Hashable {
    /// The node's `reported` section; `explicit` when written `/reported.`.
    case reported(explicit: Bool)
    /// `/desired.`
    case desired
    /// `/metadata.`
    case metadata
    /// `/ancestors.KIND.SECTION.`: a section of an ancestor (over default edges) of that kind.
    case ancestors(kind: String, section: Section)
    /// `/descendants.KIND.SECTION.`: a section of a descendant (over default edges) of that kind.
    case descendants(kind: String, section: Section)
    /// The shortcuts `account` and `cloud`: `/ancestors.<kind>.reported.name`.
    case shortcut(String)
}

/// A node's sections.
public enum Section: String, Sendable, Hashable, CaseIterable {
    /// What the cloud said.
    case reported
    /// What a user wants.
    case desired
    /// What Sift knows.
    case metadata
}

/// One step of a path.
public enum PathComponent: Sendable, Hashable {
    /// An object key (printed with backticks when it holds dots, slashes or other special characters).
    case key(String)
    /// `[N]`: the element at an index.
    case index(Int)
    /// `[*]`: every element.
    case wildcard
}

/// A step through the graph from one part's nodes to the next.
public struct Navigation: Sendable, Hashable {
    /// Which way edges are followed.
    public var direction: Direction
    /// The smallest depth (0 includes the start nodes).
    public var minDepth: Int
    /// The largest depth; `nil` for unbounded (`[1:]`).
    public var maxDepth: Int?
    /// Edge types followed outbound (for `.out` and `.both`); default `[.default]`.
    public var outEdgeTypes: [String]
    /// Edge types followed inbound (for `.in` and `.both`); default `[.default]`.
    public var inEdgeTypes: [String]

    /// Creates a navigation. Default: one step over default edges.
    public init(direction: Direction, minDepth: Int = 1, maxDepth: Int? = 1, outEdgeTypes: [String] = ["default"], inEdgeTypes: [String] = ["default"]) {
        self.direction = direction
        self.minDepth = minDepth
        self.maxDepth = maxDepth
        self.outEdgeTypes = outEdgeTypes
        self.inEdgeTypes = inEdgeTypes
    }
}

/// Directions of a navigation.
public enum Direction: String, Sendable, Hashable, CaseIterable {
    /// `-->`: follow edges from the node outward (to successors).
    case out
    /// `<--`: follow edges into the node (to predecessors).
    case `in`
    /// `<-->`: both ways.
    case both
}

/// `with(any|empty|count OP N, NAVIGATION [FILTER] [with(...)])`.
public struct WithClause: Sendable, Hashable {
    /// What the neighbourhood must hold.
    public var quantifier: WithQuantifier
    /// The navigation into the neighbourhood.
    public var navigation: Navigation
    /// The filter on neighbours; `nil` means every neighbour.
    public var filter: Term?
    /// A nested with-clause on the neighbours.
    public var nested: Box<WithClause>?

    /// Creates a with-clause.
    public init(quantifier: WithQuantifier, navigation: Navigation, filter: Term? = nil, nested: WithClause? = nil) {
        self.quantifier = quantifier
        self.navigation = navigation
        self.filter = filter
        self.nested = nested.map(Box.init)
    }
}

/// The quantifier of a with-clause.
public enum WithQuantifier: Sendable, Hashable {
    /// At least one neighbour matches.
    case any
    /// No neighbour matches.
    case empty
    /// The number of matching neighbours compares with N (`count > 1`).
    case count(Operator, Int)
}

/// A box that gives a recursive struct value semantics.
public final class Box<T: Sendable & Hashable>: Sendable, Hashable {
    /// The boxed value.
    public let value: T

    /// Boxes a value.
    public init(_ value: T) {
        self.value = value
    }

    /// Equal when the boxed values are.
    public static func == (lhs: Box<T>, rhs: Box<T>) -> Bool { lhs.value == rhs.value }
    /// Hashes the boxed value.
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// A sort key.
public struct Sort: Sendable, Hashable {
    /// The property sorted by.
    public var path: Path
    /// The order.
    public var order: SortOrder

    /// Creates a sort key.
    public init(path: Path, order: SortOrder = .asc) {
        self.path = path
        self.order = order
    }
}

/// Sort orders.
public enum SortOrder: String, Sendable, Hashable, CaseIterable {
    /// Ascending.
    case asc
    /// Descending.
    case desc
}

/// `limit N` or `limit OFFSET, N`.
public struct Limit: Sendable, Hashable {
    /// Rows skipped.
    public var offset: Int
    /// Rows kept.
    public var count: Int

    /// Creates a limit.
    public init(offset: Int = 0, count: Int) {
        self.offset = offset
        self.count = count
    }
}
