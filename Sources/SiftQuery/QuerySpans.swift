// Where the pieces of a parsed query stand in its text, so that errors found after parsing
// (an unknown kind, a string compared with a duration) can point at their spot.

/// A value and the UTF-8 range of the text it was read from.
public struct Located<T: Sendable & Hashable>: Sendable, Hashable {
    /// The value.
    public var value: T
    /// Its UTF-8 range in the source.
    public var range: Range<Int>

    /// Creates a located value.
    public init(_ value: T, _ range: Range<Int>) {
        self.value = value
        self.range = range
    }
}

/// The source ranges of a query's kinds, paths, predicates, values and navigations, in text order.
public struct QuerySpans: Sendable, Hashable {
    /// The query text.
    public let source: String
    /// Kind names in `is(...)`.
    public internal(set) var kinds: [Located<String>] = []
    /// Property paths (predicates, `has_key`, `sort`).
    public internal(set) var paths: [Located<Path>] = []
    /// Whole predicates, from path to value.
    public internal(set) var predicates: [Located<Predicate>] = []
    /// Right-hand values of predicates.
    public internal(set) var values: [Located<Value>] = []
    /// Navigation arrows (between parts and in `with`).
    public internal(set) var navigations: [Located<Navigation>] = []

    /// Creates empty spans for a text.
    public init(source: String) {
        self.source = source
    }

    /// The position of the first `is(...)` argument naming this kind.
    public func position(ofKind kind: String) -> SourcePosition? {
        kinds.first { $0.value == kind }.map { position($0.range.lowerBound) }
    }

    /// The position of the first occurrence of a path, matched by value or by its text as written
    /// or printed (`tags.owner`, `/ancestors.account.reported.name`).
    public func position(ofPath path: Path) -> SourcePosition? {
        paths.first { $0.value == path }.map { position($0.range.lowerBound) }
    }

    /// The position of the first path written or printed as this text.
    public func position(ofPathText text: String) -> SourcePosition? {
        paths.first { $0.value.description == text || slice($0.range) == text }.map { position($0.range.lowerBound) }
    }

    /// The position of the first occurrence of a predicate.
    public func position(ofPredicate predicate: Predicate) -> SourcePosition? {
        predicates.first { $0.value == predicate }.map { position($0.range.lowerBound) }
    }

    /// The position of the first value of a predicate equal to this one.
    public func position(ofValue value: Value) -> SourcePosition? {
        values.first { $0.value == value }.map { position($0.range.lowerBound) }
    }

    /// The position of the first navigation equal to this one.
    public func position(ofNavigation navigation: Navigation) -> SourcePosition? {
        navigations.first { $0.value == navigation }.map { position($0.range.lowerBound) }
    }

    /// The source text of a range.
    public func slice(_ range: Range<Int>) -> String {
        let utf8 = Array(source.utf8)
        let clamped = min(range.lowerBound, utf8.count)..<min(range.upperBound, utf8.count)
        return String(decoding: utf8[clamped], as: UTF8.self)
    }

    /// The line and column of an offset.
    public func position(_ offset: Int) -> SourcePosition {
        SourcePosition(offset: offset, in: source)
    }
}
