/// Fills `{{name}}` placeholders in a check's texts with parameter values.
///
/// Values are whole numbers that `CheckParameter.validate` accepted, so the query text that
/// results holds nothing a user typed verbatim. A placeholder with no value is an error.
public enum CheckTemplate {
    /// The placeholder names in `text`, in order of appearance (repeats included).
    public static func placeholders(in text: String) throws(CheckTemplateError) -> [String] {
        var names: [String] = []
        try scan(text) { name in names.append(name); return "" }
        return names
    }

    /// `text` with every `{{name}}` replaced by `values[name]`.
    public static func render(_ text: String, values: [String: Int]) throws(CheckTemplateError) -> String {
        try scan(text) { name throws(CheckTemplateError) in
            guard let value = values[name] else { throw .unknownPlaceholder(name) }
            return String(value)
        }
    }

    @discardableResult
    private static func scan(_ text: String, _ replace: (String) throws(CheckTemplateError) -> String) throws(CheckTemplateError) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else { throw .unterminated }
            let name = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw .badName(String(after[..<close.lowerBound]))
            }
            out += try replace(name)
            rest = after[close.upperBound...]
        }
        out += rest
        return out
    }
}

/// A malformed or unfillable `{{...}}` placeholder.
public enum CheckTemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `{{` without a closing `}}`.
    case unterminated
    /// The text between the braces is not a parameter name.
    case badName(String)
    /// No value for this parameter.
    case unknownPlaceholder(String)

    /// A one-line message.
    public var description: String {
        switch self {
        case .unterminated: return "'{{' without '}}'"
        case let .badName(name): return "'{{\(name)}}' is not a parameter name"
        case let .unknownPlaceholder(name): return "'{{\(name)}}' names no parameter of the check"
        }
    }
}

import Foundation
