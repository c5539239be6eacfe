import Foundation

/// A length of time in whole seconds, as config values such as `cleanup_grace` hold it (`7d`, `1h30min`).
///
/// The units are those of the query language: y yr year(s) (365 days), mo month(s) (30 days),
/// w week(s), d day(s), h hour(s), min minute(s), s second(s); an ISO-8601 form `P7D`, `PT1H` is accepted too.
public struct OpsDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in seconds.
    public let seconds: Int64

    /// Creates a duration of `seconds` seconds.
    public init(seconds: Int64) { self.seconds = seconds }

    /// The duration as a `TimeInterval`.
    public var timeInterval: TimeInterval { TimeInterval(seconds) }

    /// The shortest normalised text: `7d`, `1h30min`, `0s`.
    public var description: String {
        if seconds == 0 { return "0s" }
        var rest = seconds
        var text = seconds < 0 ? "-" : ""
        rest = abs(rest)
        for (unit, size) in OpsDuration.printUnits where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }

    /// Orders durations by length.
    public static func < (lhs: OpsDuration, rhs: OpsDuration) -> Bool { lhs.seconds < rhs.seconds }

    private static let printUnits: [(String, Int64)] = [("d", 86_400), ("h", 3600), ("min", 60), ("s", 1)]

    private static let unitSeconds: [String: Int64] = [
        "y": 31_536_000, "yr": 31_536_000, "year": 31_536_000, "years": 31_536_000,
        "mo": 2_592_000, "month": 2_592_000, "months": 2_592_000,
        "w": 604_800, "week": 604_800, "weeks": 604_800,
        "d": 86_400, "day": 86_400, "days": 86_400,
        "h": 3600, "hour": 3600, "hours": 3600,
        "min": 60, "minute": 60, "minutes": 60,
        "s": 1, "second": 1, "seconds": 1,
    ]

    /// Parses `7d`, `1h30min`, `90days`, `P7D`; throws a message saying what is wrong.
    public init(parsing text: String) throws(OpsValueError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { throw OpsValueError("empty duration (expected e.g. 7d, 1h, 1h30min)") }
        if trimmed.first == "P" || trimmed.first == "p" {
            self = try OpsDuration.parseISO(trimmed)
            return
        }
        var total: Int64 = 0
        var index = trimmed.startIndex
        while index < trimmed.endIndex {
            let numberStart = index
            while index < trimmed.endIndex, trimmed[index].isASCII, trimmed[index].isNumber { index = trimmed.index(after: index) }
            guard numberStart < index, let number = Int64(trimmed[numberStart..<index]) else {
                throw OpsValueError("'\(trimmed)' is not a duration: a number is expected at '\(trimmed[numberStart...])' (e.g. 7d, 1h30min)")
            }
            let unitStart = index
            while index < trimmed.endIndex, trimmed[index].isLetter { index = trimmed.index(after: index) }
            let unit = trimmed[unitStart..<index].lowercased()
            guard let size = OpsDuration.unitSeconds[unit] else {
                let shown = unit.isEmpty ? "nothing" : "'\(unit)'"
                throw OpsValueError("'\(trimmed)' is not a duration: unit expected after \(number), found \(shown) (units: y, mo, w, d, h, min, s)")
            }
            let (product, overflow) = number.multipliedReportingOverflow(by: size)
            guard !overflow, total <= Int64.max - product else { throw OpsValueError("'\(trimmed)' is too long a duration") }
            total += product
        }
        self.seconds = total
    }

    private static func parseISO(_ text: String) throws(OpsValueError) -> OpsDuration {
        let upper = text.uppercased()
        var total: Int64 = 0
        var number = ""
        var inTime = false
        for char in upper.dropFirst() {
            if char.isNumber { number.append(char); continue }
            if char == "T" { inTime = true; continue }
            guard let value = Int64(number) else { throw OpsValueError("'\(text)' is not an ISO-8601 duration (e.g. P7D, PT1H)") }
            let size: Int64
            switch (char, inTime) {
            case ("Y", false): size = 31_536_000
            case ("M", false): size = 2_592_000
            case ("W", false): size = 604_800
            case ("D", false): size = 86_400
            case ("H", true): size = 3600
            case ("M", true): size = 60
            case ("S", true): size = 1
            default: throw OpsValueError("'\(text)' is not an ISO-8601 duration: unexpected '\(char)'")
            }
            total += value * size
            number = ""
        }
        guard number.isEmpty, upper.count > 1 else { throw OpsValueError("'\(text)' is not an ISO-8601 duration (e.g. P7D, PT1H)") }
        return OpsDuration(seconds: total)
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
