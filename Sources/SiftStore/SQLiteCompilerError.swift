import SiftQuery

/// Why a query could not be compiled to SQL. Each case names the spot (kind, path, value).
public enum CompileError: Error, Hashable, CustomStringConvertible {
    /// `is(acces_key)`, `/ancestors.acount.…`: a kind the model does not know.
    case unknownKind(String, suggestion: String?)
    /// A navigation over an edge type that does not exist.
    case unknownEdgeType(String, suggestion: String?)
    /// A property of one type compared with a value of an incompatible type
    /// (`name > 3d`: a string with a duration).
    case typeMismatch(path: String, type: String, value: String, expected: String)
    /// A regular expression that does not compile: where in the pattern (characters from 1) and why.
    case invalidRegex(path: String, pattern: String, column: Int, reason: String)
    /// An operator used with a value it cannot take (`in` without an array, `<` with an array).
    case invalidValue(path: String, op: String, reason: String)
    /// A path that cannot be used where it stands (a key with a double quote, `[*]` in `sort`).
    case invalidPath(path: String, reason: String)
    /// A navigation depth range that is empty or negative.
    case invalidDepth(min: Int, max: Int?)
    /// A negative limit, offset, head or tail, or a negative `count` in `with`.
    case invalidCount(what: String, value: Int)

    /// The message shown to the user.
    public var description: String {
        switch self {
        case let .unknownKind(kind, suggestion):
            return "unknown kind '\(kind)'" + (suggestion.map { " (did you mean \($0)?)" } ?? "")
        case let .unknownEdgeType(type, suggestion):
            return "unknown edge type '\(type)'" + (suggestion.map { " (did you mean \($0)?)" } ?? " (known: default, delete)")
        case let .typeMismatch(path, type, value, expected):
            return "'\(path)' is a \(type) property and cannot be compared with \(value); expected \(expected)"
        case let .invalidRegex(path, pattern, column, reason):
            return "invalid regular expression \"\(pattern)\" for '\(path)' at character \(column): \(reason)"
        case let .invalidValue(path, op, reason):
            return "'\(path) \(op)': \(reason)"
        case let .invalidPath(path, reason):
            return "path '\(path)': \(reason)"
        case let .invalidDepth(min, max):
            return "invalid depth [\(min):\(max.map(String.init) ?? "")]: the range must be non-negative and not empty"
        case let .invalidCount(what, value):
            return "invalid \(what) \(value): must not be negative"
        }
    }
}
