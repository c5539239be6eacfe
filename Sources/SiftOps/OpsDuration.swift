import Foundation
import SiftTime

/// A length of time in whole seconds, as config values such as `cleanup_grace` hold it (`7d`, `1h30min`).
///
/// Read by SiftTime's `DurationText`, the query language's reader: units y yr year(s) (365 days),
/// mo month(s) (30 days), w week(s), d day(s), h hr hour(s), m min minute(s), s sec second(s),
/// case-insensitive (but `M` alone is refused: minutes or months?), fractions (`1.5h`), and the
/// ISO-8601 form `P7D`, `PT1H` (here also in lowercase, `p7d`). Negative lengths are refused.
public struct OpsDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in seconds.
    public let seconds: Int64

    /// Creates a duration of `seconds` seconds.
    public init(seconds: Int64) { self.seconds = seconds }

    /// The duration as a `TimeInterval`.
    public var timeInterval: TimeInterval { TimeInterval(seconds) }

    /// The duration as a time limit in seconds: nil for `0s`, which means no limit (`query_timeout`).
    public var limit: Double? { seconds > 0 ? Double(seconds) : nil }

    /// The shortest normalised text: `7d`, `1h30min`, `0s` (the query language's form).
    public var description: String {
        DurationText.format(seconds: seconds)
    }

    /// Orders durations by length.
    public static func < (lhs: OpsDuration, rhs: OpsDuration) -> Bool { lhs.seconds < rhs.seconds }

    /// Parses `7d`, `1h30min`, `90days`, `P7D`; throws a message saying what is wrong and at which character.
    public init(parsing text: String) throws(OpsValueError) {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { throw OpsValueError("empty duration (expected e.g. 7d, 1h, 1h30min)") }
        // Config files have always taken `p7d`; the ISO form is uppercase in DurationText.
        if trimmed.first == "p" { trimmed = trimmed.uppercased() }
        let seconds: Int64
        do {
            seconds = try DurationText.parse(trimmed)
        } catch {
            switch error.kind {
            case .tooLarge:
                throw OpsValueError("'\(trimmed)' is too long a duration (at most 2^50 seconds)")
            case .unknownUnit, .unitExpected, .ambiguousUnit:
                throw OpsValueError("'\(trimmed)' is not a duration: \(error.message) at character \(error.column) (units: y, mo, w, d, h, min, s)")
            case .empty, .numberExpected, .isoSyntax, .isoOrder:
                throw OpsValueError("'\(trimmed)' is not a duration: \(error.message) at character \(error.column) (e.g. 7d, 1h30min, P7D)")
            }
        }
        guard seconds >= 0 else {
            throw OpsValueError("'\(trimmed)' is not a duration here: a length of time cannot be negative")
        }
        self.seconds = seconds
    }
}

/// Why a value was refused: a message for people.
public struct OpsValueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, e.g. `'7x' is not a duration: ...`.
    public let message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
