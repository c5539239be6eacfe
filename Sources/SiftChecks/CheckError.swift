/// What can go wrong when loading the catalogue, selecting checks, validating parameters or running checks.
public enum CheckError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The catalogue data is malformed: which file, which check (if known), what is wrong.
    case invalidCatalogue(file: String, check: String?, message: String)
    /// No check has this id; `suggestions` are the close ones.
    case unknownCheck(id: String, suggestions: [String])
    /// `--severity` got something that is not a severity.
    case invalidSeverity(String)
    /// A `--param` argument is not `name=value`.
    case malformedParameter(String)
    /// No selected check takes this parameter; `known` are the parameters they do take.
    case unknownParameter(name: String, known: [String])
    /// A parameter value is not a whole number in the allowed range.
    case invalidParameterValue(name: String, value: String, reason: String)
    /// A check's query failed to parse or compile (a catalogue bug or a kind model mismatch).
    case queryFailed(check: String, query: String, message: String)
    /// The selection (ids and severity filter) left no check to run.
    case nothingSelected(String)

    /// A one-line message for people.
    public var description: String {
        switch self {
        case let .invalidCatalogue(file, check, message):
            return "\(file)\(check.map { ": check \($0)" } ?? ""): \(message)"
        case let .unknownCheck(id, suggestions):
            let hint = suggestions.isEmpty ? " (see `check list`)" : " (did you mean \(suggestions.joined(separator: ", "))?)"
            return "unknown check '\(id)'\(hint)"
        case let .invalidSeverity(text):
            return "unknown severity '\(text)' (one of \(Severity.allCases.map(\.rawValue).joined(separator: ", ")))"
        case let .malformedParameter(text):
            return "parameter '\(text)' is not name=value (e.g. days=45)"
        case let .unknownParameter(name, known):
            let hint = known.isEmpty ? "the selected checks take no parameters" : "the selected checks take: \(known.joined(separator: ", "))"
            return "unknown parameter '\(name)' (\(hint))"
        case let .invalidParameterValue(name, value, reason):
            return "parameter \(name)=\(value): \(reason)"
        case let .queryFailed(check, query, message):
            return "check \(check): query `\(query)`: \(message)"
        case let .nothingSelected(what):
            return "no check matches \(what)"
        }
    }
}
