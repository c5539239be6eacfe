// Strict ISO-8601 / RFC 3339 times: one parser (with the column of the first wrong character) and
// one writer, for the query language, the store, AWS, ops and checks.

/// Which ISO-8601 forms a reader accepts beyond RFC 3339's `2026-01-31T12:00:00Z`.
///
/// Always: four-digit years 0000-9999, months 01-12, days that exist in their month (leap years
/// included), hours 00-23, minutes 00-59, a fraction of any length after the seconds (kept to the
/// nanosecond, the rest dropped), `T` or `t`, and a zone `Z`, `z` or `±hh:mm` (hours 00-23, minutes
/// 00-59; `-00:00` is UTC). A time without a zone is always refused: it names no instant.
public struct ISO8601Form: Sendable, Hashable {
    /// A date alone, `2026-01-31`, read as midnight UTC.
    public var allowsDateOnly: Bool
    /// A space between date and time, `2026-01-31 12:00:00Z` (RFC 3339 section 5.6 allows it).
    public var allowsSpaceSeparator: Bool
    /// Seconds may be left out, `2026-01-31T12:00Z` (ISO 8601's reduced precision; RFC 3339 needs them).
    public var allowsMissingSeconds: Bool
    /// The offset may be written without its colon, `+0200`.
    public var allowsBasicOffset: Bool
    /// `:60` (a leap second) is accepted and read as `:59`, as unix time has no leap seconds.
    public var allowsLeapSecond: Bool

    /// A form from its options.
    public init(allowsDateOnly: Bool, allowsSpaceSeparator: Bool, allowsMissingSeconds: Bool,
                allowsBasicOffset: Bool, allowsLeapSecond: Bool) {
        self.allowsDateOnly = allowsDateOnly
        self.allowsSpaceSeparator = allowsSpaceSeparator
        self.allowsMissingSeconds = allowsMissingSeconds
        self.allowsBasicOffset = allowsBasicOffset
        self.allowsLeapSecond = allowsLeapSecond
    }

    /// RFC 3339 date-times: `2026-01-31T12:00:00Z`, `2026-01-31 12:00:00.5+02:00`, `23:59:60` read as
    /// `23:59:59`. What AWS sends, what imports and the graph hold.
    public static let rfc3339 = ISO8601Form(allowsDateOnly: false, allowsSpaceSeparator: true, allowsMissingSeconds: false,
                                            allowsBasicOffset: false, allowsLeapSecond: true)

    /// ``rfc3339`` or a date alone (midnight UTC): strings compared with times in queries.
    public static let rfc3339OrDate = ISO8601Form(allowsDateOnly: true, allowsSpaceSeparator: true, allowsMissingSeconds: false,
                                                  allowsBasicOffset: false, allowsLeapSecond: true)

    /// Dates in queries (unquoted words): `2026-01-31`, `2026-01-31T12:00:00Z`, `2026-01-31T12:00Z`,
    /// `2026-01-31T14:00:00.5+02:00`, `2026-01-31T07:00:00-0500`; no space (a word has none), no leap second.
    public static let queryValue = ISO8601Form(allowsDateOnly: true, allowsSpaceSeparator: false, allowsMissingSeconds: true,
                                               allowsBasicOffset: true, allowsLeapSecond: false)
}

/// An instant read from ISO-8601 text.
public struct ISO8601Time: Sendable, Hashable {
    /// Whole seconds since 1970-01-01T00:00:00Z (rounded down: the fraction is in ``nanoseconds``).
    public var secondsSince1970: Int64
    /// The fraction of the second, 0 to 999,999,999 nanoseconds (digits past the ninth are dropped).
    public var nanoseconds: Int32
    /// The offset from UTC the text was written in, in seconds (0 for `Z` and for a date alone).
    public var utcOffsetSeconds: Int32
    /// Whether the text was a date alone (`2026-01-31`), without a time.
    public var isDateOnly: Bool

    /// An instant from its parts.
    public init(secondsSince1970: Int64, nanoseconds: Int32 = 0, utcOffsetSeconds: Int32 = 0, isDateOnly: Bool = false) {
        self.secondsSince1970 = secondsSince1970
        self.nanoseconds = nanoseconds
        self.utcOffsetSeconds = utcOffsetSeconds
        self.isDateOnly = isDateOnly
    }
}

/// Why a text is not a time, and where: the column (1-based, in characters) of the first wrong character.
public struct ISO8601Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, for people: `month 13 is not 01-12`, `a zone is expected (Z or +hh:mm)`.
    public let message: String
    /// The column of the offending character, from 1; one past the last character when the text ends too early.
    public let column: Int
    /// The same place as a UTF-8 byte offset from 0.
    public let byteOffset: Int

    /// An error from its parts.
    public init(message: String, column: Int, byteOffset: Int) {
        self.message = message
        self.column = column
        self.byteOffset = byteOffset
    }

    /// `column 6: month 13 is not 01-12`.
    public var description: String { "column \(column): \(message)" }
}

/// ISO-8601 / RFC 3339 times: ``parse(_:form:)`` and ``format(seconds:)``.
public enum ISO8601 {
    /// Reads a time in one of the forms of `form`; throws with the column of the first wrong character.
    public static func parse(_ text: String, form: ISO8601Form = .rfc3339) throws(ISO8601Error) -> ISO8601Time {
        var copy = text
        let result: Result<ISO8601Time, ISO8601Error> = copy.withUTF8 { bytes in
            do throws(ISO8601Error) {
                return .success(try parse(utf8: bytes, form: form))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Reads a time from UTF-8 bytes (no copy, no allocation unless it fails); see ``parse(_:form:)``.
    public static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>, form: ISO8601Form) throws(ISO8601Error) -> ISO8601Time {
        if let seconds = canonicalSeconds(bytes) { return ISO8601Time(secondsSince1970: seconds) }
        var scanner = Scanner(bytes: bytes)
        return try scanner.time(form)
    }

    /// The seconds of exactly `YYYY-MM-DDTHH:MM:SSZ` (what the graph holds, so what imports and
    /// exports read most), valid in every form; `nil` for anything else, which the scanner then reads.
    @inline(__always)
    static func canonicalSeconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count == 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A,
              bytes[16] == 0x3A, bytes[19] == 0x5A else { return nil }
        @inline(__always) func pair(_ at: Int) -> Int64? {
            let high = bytes[at] &- 0x30, low = bytes[at + 1] &- 0x30
            guard high < 10, low < 10 else { return nil }
            return Int64(high) * 10 + Int64(low)
        }
        guard let century = pair(0), let yy = pair(2), let month = pair(5), let day = pair(8),
              let hour = pair(11), let minute = pair(14), let second = pair(17),
              (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return nil }
        let year = century * 100 + yy
        guard day >= 1, day <= CivilDate.daysInMonth(month, year: year) else { return nil }
        return CivilDate.daysSince1970(year: year, month: month, day: day) * UnixTime.secondsPerDay
            + hour * 3_600 + minute * 60 + second
    }

    /// The unix seconds of a time in one of the forms of `form`, or `nil`: for callers that only
    /// need to know whether it is one (``parse(_:form:)`` says why not).
    public static func seconds(_ text: String, form: ISO8601Form = .rfc3339) -> Int64? {
        try? parse(text, form: form).secondsSince1970
    }
}

/// The reader: a position in the bytes and the fields read so far.
private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }

    func peek(_ ascii: Unicode.Scalar) -> Bool {
        index < bytes.count && bytes[index] == UInt8(ascii: ascii)
    }

    mutating func take(_ ascii: Unicode.Scalar) -> Bool {
        guard peek(ascii) else { return false }
        index += 1
        return true
    }

    /// An error at a byte offset, its column counted in characters (Unicode scalars).
    func failure(_ message: String, at offset: Int) -> ISO8601Error {
        let end = min(offset, bytes.count)
        var column = 1
        for position in 0..<end where bytes[position] & 0xC0 != 0x80 { column += 1 }
        return ISO8601Error(message: message, column: column, byteOffset: offset)
    }

    /// The character at the position, quoted, or `the end` of the text.
    func found() -> String {
        guard index < bytes.count else { return "the end" }
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let character = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
        return character == "'" ? "\"'\"" : "'\(character)'"
    }

    /// An error for what was expected at the position, saying what is there instead.
    func expected(_ what: String) -> ISO8601Error {
        failure("\(what) expected, found \(found())", at: index)
    }

    /// A number of exactly `count` digits.
    mutating func digits(_ count: Int, _ what: String) throws(ISO8601Error) -> Int64 {
        var value: Int64 = 0
        for _ in 0..<count {
            guard index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else {
                throw expected("\(what) (\(count) digits)")
            }
            value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        return value
    }

    mutating func expect(_ ascii: Unicode.Scalar, _ what: String) throws(ISO8601Error) {
        guard take(ascii) else { throw expected(what) }
    }

    mutating func time(_ form: ISO8601Form) throws(ISO8601Error) -> ISO8601Time {
        guard !bytes.isEmpty else {
            throw failure(form.allowsDateOnly ? "a date like 2026-01-31 expected, found nothing"
                                              : "a time like 2026-01-31T12:00:00Z expected, found nothing", at: 0)
        }
        let year = try digits(4, "year")
        try expect("-", "'-' after the year")
        let monthStart = index
        let month = try digits(2, "month")
        guard (1...12).contains(month) else {
            throw failure("month \(pad(month)) is not 01-12", at: monthStart)
        }
        try expect("-", "'-' after the month")
        let dayStart = index
        let day = try digits(2, "day")
        guard day >= 1, day <= CivilDate.daysInMonth(month, year: year) else {
            throw failure("day \(pad(day)) does not exist in \(pad(year, 4))-\(pad(month)) (\(CivilDate.daysInMonth(month, year: year)) days)",
                          at: dayStart)
        }
        let days = CivilDate.daysSince1970(year: year, month: month, day: day)
        if atEnd {
            guard form.allowsDateOnly else { throw failure("'T' and a time expected after the date, found the end", at: index) }
            return ISO8601Time(secondsSince1970: days * UnixTime.secondsPerDay, isDateOnly: true)
        }
        guard take("T") || take("t") || (form.allowsSpaceSeparator && take(" ")) else {
            throw expected(form.allowsDateOnly ? "the end or 'T' and a time" : "'T' between date and time")
        }
        let hourStart = index
        let hour = try digits(2, "hour")
        guard hour < 24 else { throw failure("hour \(pad(hour)) is not 00-23", at: hourStart) }
        try expect(":", "':' after the hour")
        let minuteStart = index
        let minute = try digits(2, "minute")
        guard minute < 60 else { throw failure("minute \(pad(minute)) is not 00-59", at: minuteStart) }
        var second: Int64 = 0
        var nanoseconds: Int32 = 0
        if take(":") {
            let secondStart = index
            second = try digits(2, "second")
            if second == 60, form.allowsLeapSecond {
                second = 59
            } else if second >= 60 {
                throw failure("second \(pad(second)) is not 00-59", at: secondStart)
            }
            if take(".") {
                let fractionStart = index
                var scale: Int32 = 100_000_000
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                    nanoseconds += Int32(bytes[index] - UInt8(ascii: "0")) * scale
                    scale /= 10
                    index += 1
                }
                guard index > fractionStart else { throw expected("a digit of the fraction after '.'") }
            }
        } else if !form.allowsMissingSeconds {
            throw expected("':' and the seconds")
        }
        let offset = try zone(form)
        guard atEnd else { throw failure("unexpected \(found()) after the time", at: index) }
        let seconds = days * UnixTime.secondsPerDay + hour * 3_600 + minute * 60 + second - Int64(offset)
        return ISO8601Time(secondsSince1970: seconds, nanoseconds: nanoseconds, utcOffsetSeconds: offset)
    }

    /// `Z`, `z` or `±hh:mm` (`±hhmm` when the form allows it): the offset in seconds.
    mutating func zone(_ form: ISO8601Form) throws(ISO8601Error) -> Int32 {
        if take("Z") || take("z") { return 0 }
        let what = "a zone (Z or an offset like +02:00)"
        guard index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else {
            if atEnd { throw failure("\(what) expected after the time, found the end (a time without a zone names no instant)", at: index) }
            throw expected(what)
        }
        let sign: Int32 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
        index += 1
        let hourStart = index
        let hours = try digits(2, "hours of the offset")
        guard hours < 24 else { throw failure("offset hours \(pad(hours)) are not 00-23", at: hourStart) }
        if !(form.allowsBasicOffset && !peek(":")) {
            try expect(":", "':' in the offset")
        }
        let minuteStart = index
        let minutes = try digits(2, "minutes of the offset")
        guard minutes < 60 else { throw failure("offset minutes \(pad(minutes)) are not 00-59", at: minuteStart) }
        return sign * Int32(hours * 3_600 + minutes * 60)
    }

    func pad(_ value: Int64, _ width: Int = 2) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
