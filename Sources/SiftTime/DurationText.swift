// Lengths of time as people write them: the query language's `90days`, `2d12h`, `1h30min`,
// `-3d`, ISO 8601's `P90D`, `PT1H30M`; config values such as `cleanup_grace=7d` use the same reader.

/// Why a text is not a duration, and where (the column of the first wrong character).
public struct DurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// The text is empty (or only a sign).
        case empty
        /// A number was expected.
        case numberExpected
        /// A number has no unit after it (`90`).
        case unitExpected
        /// A unit that does not exist (`dayz`).
        case unknownUnit(String)
        /// `M` alone, which could mean minutes or months.
        case ambiguousUnit
        /// An ISO 8601 duration out of its grammar (`P1H`, `PT`, `P1d`).
        case isoSyntax
        /// An ISO 8601 duration whose parts are out of order or repeated (`P1D1Y`, `PT1H1H`), or
        /// with a `T` and no time part after it (`P1DT`).
        case isoOrder
        /// Longer than ``DurationText/limit``.
        case tooLarge
    }

    /// What went wrong.
    public let kind: Kind
    /// The reason for people: `unknown unit 'dayz'`.
    public let message: String
    /// The column of the offending character, from 1 (one past the end when the text ends too early).
    public let column: Int

    /// An error from its parts.
    public init(kind: Kind, message: String, column: Int) {
        self.kind = kind
        self.message = message
        self.column = column
    }

    /// `column 3: unknown unit 'dayz'`.
    public var description: String { "column \(column): \(message)" }
}

/// Durations: ``parse(_:)`` and ``format(seconds:)``.
///
/// Compact form: an optional sign, then numbers (`12`, `1.5`) each followed by a unit, in any
/// order: `y yr yrs year years` (365 days), `mo month months` (30 days), `w week weeks`,
/// `d day days`, `h hr hrs hour hours`, `m min mins minute minutes`, `s sec secs second seconds`;
/// units are case-insensitive except `M` alone (minutes or months?), which is refused.
///
/// ISO 8601 form: an optional sign, then `P[nY][nM][nW][nD][T[nH][nM][nS]]`, the parts in this
/// order, each at most once, at least one, all letters uppercase (as ISO 8601 writes them: the
/// query language reads `P3m` as a word).
public enum DurationText {
    /// The longest duration accepted, 2^50 seconds (about 35 million years).
    public static let limit: Int64 = 1 << 50

    /// The units as listed in messages.
    public static let unitList = "y, mo, w, d, h, min, s (or yr, year(s), month(s), week(s), day(s), hour(s), minute(s), second(s))"

    private static let day: Int64 = 86_400

    /// The seconds of a unit of the compact form (lowercase), or `nil`.
    public static func unitSeconds(_ unit: String) -> Int64? {
        switch unit.lowercased() {
        case "y", "yr", "yrs", "year", "years": return 365 * day
        case "mo", "month", "months": return 30 * day
        case "w", "week", "weeks": return 7 * day
        case "d", "day", "days": return day
        case "h", "hr", "hrs", "hour", "hours": return 3_600
        case "m", "min", "mins", "minute", "minutes": return 60
        case "s", "sec", "secs", "second", "seconds": return 1
        default: return nil
        }
    }

    /// Reads a duration in the compact or the ISO 8601 form: its length in seconds (negative
    /// with a leading `-`), fractions rounded to the nearest second.
    public static func parse(_ text: String) throws(DurationError) -> Int64 {
        var reader = Reader(bytes: Array(text.utf8))
        return try reader.duration()
    }

    /// The canonical text: days, hours, minutes, seconds (`90d`, `2d12h`, `1h30min`, `-3d`, `0s`).
    public static func format(seconds: Int64) -> String {
        if seconds == 0 { return "0s" }
        var rest = seconds.magnitude
        var text = seconds < 0 ? "-" : ""
        for (name, size) in [("d", UInt64(86_400)), ("h", 3_600), ("min", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(name)"
            rest %= size
        }
        return text
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        var total: Int64 = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        static func isLetter(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        }

        func column(_ offset: Int) -> Int {
            var column = 1
            for position in 0..<min(offset, bytes.count) where bytes[position] & 0xC0 != 0x80 { column += 1 }
            return column
        }

        func found() -> String {
            guard index < bytes.count else { return "the end" }
            var end = index + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "'\(String(decoding: bytes[index..<end], as: UTF8.self))'"
        }

        func failure(_ kind: DurationError.Kind, _ message: String, at offset: Int) -> DurationError {
            DurationError(kind: kind, message: message, column: column(offset))
        }

        mutating func duration() throws(DurationError) -> Int64 {
            var negative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                negative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < bytes.count else {
                throw failure(.empty, "a duration expected (e.g. 7d, 1h30min, P7D), found nothing", at: index)
            }
            if bytes[index] == UInt8(ascii: "P") {
                index += 1
                try iso()
            } else {
                try compact()
            }
            return negative ? -total : total
        }

        /// `12` or `1.5`: digits, then optionally `.` and digits.
        mutating func number() throws(DurationError) -> Double {
            let start = index
            while index < bytes.count, Reader.isDigit(bytes[index]) { index += 1 }
            guard index > start else { throw failure(.numberExpected, "a number expected, found \(found())", at: index) }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let fractionStart = index
                while index < bytes.count, Reader.isDigit(bytes[index]) { index += 1 }
                guard index > fractionStart else {
                    throw failure(.numberExpected, "a digit expected after '.', found \(found())", at: index)
                }
            }
            return Double(String(decoding: bytes[start..<index], as: UTF8.self)) ?? .infinity
        }

        mutating func add(_ amount: Double, _ unit: Int64, at offset: Int) throws(DurationError) {
            let value = (amount * Double(unit)).rounded()
            guard value.isFinite, value <= Double(limit), total + Int64(value) <= limit else {
                throw failure(.tooLarge, "too large: durations are at most 2^50 seconds (about 35 million years)", at: offset)
            }
            total += Int64(value)
        }

        mutating func compact() throws(DurationError) {
            while index < bytes.count {
                let numberStart = index
                let amount = try number()
                let unitStart = index
                while index < bytes.count, Reader.isLetter(bytes[index]) { index += 1 }
                let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
                guard !unit.isEmpty else {
                    throw failure(.unitExpected, "a unit expected after \(String(decoding: bytes[numberStart..<unitStart], as: UTF8.self)), found \(found())",
                                  at: index)
                }
                guard unit != "M" else {
                    throw failure(.ambiguousUnit, "unit 'M' is ambiguous: write min for minutes or mo for months", at: unitStart)
                }
                guard let seconds = unitSeconds(unit) else {
                    throw failure(.unknownUnit(unit), "unknown unit '\(unit)'", at: unitStart)
                }
                try add(amount, seconds, at: numberStart)
            }
        }

        /// After the `P`: `[nY][nM][nW][nD][T[nH][nM][nS]]`.
        mutating func iso() throws(DurationError) {
            let grammar = "ISO durations look like P90D, P1Y2M, PT1H30M (P[nY][nM][nW][nD][T[nH][nM][nS]], in this order)"
            // The designators in their order; `rank` is the position of the last one read.
            let dateDesignators: [(UInt8, Int64)] = [(UInt8(ascii: "Y"), 365 * day), (UInt8(ascii: "M"), 30 * day),
                                                     (UInt8(ascii: "W"), 7 * day), (UInt8(ascii: "D"), day)]
            let timeDesignators: [(UInt8, Int64)] = [(UInt8(ascii: "H"), 3_600), (UInt8(ascii: "M"), 60), (UInt8(ascii: "S"), 1)]
            var inTime = false
            var rank = -1
            var partsInSection = 0
            var any = false
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "T") {
                    guard !inTime else { throw failure(.isoOrder, "a second 'T'; \(grammar)", at: index) }
                    inTime = true
                    rank = -1
                    partsInSection = 0
                    index += 1
                    continue
                }
                let numberStart = index
                let amount: Double
                do throws(DurationError) {
                    amount = try number()
                } catch {
                    throw failure(.isoSyntax, "\(error.message); \(grammar)", at: index)
                }
                guard index < bytes.count else {
                    throw failure(.isoSyntax, "a designator expected after the number, found the end; \(grammar)", at: index)
                }
                let designators = inTime ? timeDesignators : dateDesignators
                guard let position = designators.firstIndex(where: { $0.0 == bytes[index] }) else {
                    throw failure(.isoSyntax, "\(found()) is not a designator \(inTime ? "after 'T' (H, M, S)" : "before 'T' (Y, M, W, D)"); \(grammar)",
                                  at: index)
                }
                guard position > rank else {
                    throw failure(.isoOrder, "\(found()) out of order or repeated; \(grammar)", at: index)
                }
                rank = position
                index += 1
                try add(amount, designators[position].1, at: numberStart)
                partsInSection += 1
                any = true
            }
            guard any else { throw failure(.isoSyntax, "at least one part expected, found the end; \(grammar)", at: index) }
            guard !inTime || partsInSection > 0 else {
                throw failure(.isoOrder, "a part expected after 'T', found the end; \(grammar)", at: index)
            }
        }
    }
}
