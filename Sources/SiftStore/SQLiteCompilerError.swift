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
    /// A regular expression that does not compile.
    case invalidRegex(path: String, pattern: String)
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
        case let .invalidRegex(path, pattern):
            return "invalid regular expression \"\(pattern)\" for '\(path)'"
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

/// Renders a path the way users write it (for error messages).
func pathText(_ path: Path) -> String {
    var text: String
    switch path.root {
    case .reported(let explicit): text = explicit ? "/reported." : ""
    case .desired: text = "/desired."
    case .metadata: text = "/metadata."
    case let .ancestors(kind, section): text = "/ancestors.\(kind).\(section.rawValue)."
    case let .descendants(kind, section): text = "/descendants.\(kind).\(section.rawValue)."
    case .shortcut(let name):
        if path.components == [.key(name)] { return name }
        text = "\(name)."
    }
    var first = true
    for component in path.components {
        switch component {
        case .key(let key):
            let plain = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            text += (first ? "" : ".") + (plain ? key : "`\(key)`")
        case .index(let index): text += "[\(index)]"
        case .wildcard: text += "[*]"
        }
        first = false
    }
    return text
}

/// Renders a value the way users write it (for error messages).
func valueText(_ value: Value) -> String {
    switch value {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .double(let d): return String(d)
    case .string(let s): return "\"\(s)\""
    case .duration(let d): return durationText(d.seconds)
    case .datetime(let d): return "the date \(QueryTime.iso(d.secondsSince1970))"
    case .placeholder(let p): return "@\(p.rawValue)@"
    case .array(let values): return "[" + values.map(valueText).joined(separator: ", ") + "]"
    case .object: return "an object"
    }
}

/// A duration the way users write it: `3d`, `-12h`, `90min`, `45s`.
func durationText(_ seconds: Int64) -> String {
    for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("min", 60)] where seconds != 0 && seconds % size == 0 {
        return "\(seconds / size)\(unit)"
    }
    return "\(seconds)s"
}
