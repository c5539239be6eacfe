// The one writer of ISO-8601 times: `YYYY-MM-DDTHH:MM:SSZ` in UTC, with a fraction when asked,
// and the query language's short form (a date alone at midnight).

extension ISO8601 {
    /// `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds) for unix seconds: the form the graph keeps
    /// times in. Years outside 0000-9999 are written with as many digits as they need (and a
    /// leading `-` below year 0), which no reader here accepts back.
    public static func format(seconds: Int64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        append(seconds: seconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `YYYY-MM-DDTHH:MM:SS.fffZ` with `fractionDigits` digits of the fraction (0 to 9; 0 writes
    /// no `.`), the nanoseconds rounded down to that precision.
    public static func format(seconds: Int64, nanoseconds: Int32, fractionDigits: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(30)
        appendDateTime(seconds: seconds, to: &bytes)
        let digits = min(max(fractionDigits, 0), 9)
        if digits > 0 {
            bytes.append(UInt8(ascii: "."))
            var scaled = Int64(min(max(nanoseconds, 0), 999_999_999))
            for _ in digits..<9 { scaled /= 10 }
            appendDigits(scaled, count: digits, to: &bytes)
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A parsed time written back in UTC: `YYYY-MM-DDTHH:MM:SS[.fff...]Z` with `fractionDigits`
    /// digits of its fraction (see ``format(seconds:nanoseconds:fractionDigits:)``).
    public static func format(_ time: ISO8601Time, fractionDigits: Int = 0) -> String {
        format(seconds: time.secondsSince1970, nanoseconds: time.nanoseconds, fractionDigits: fractionDigits)
    }

    /// The query language's form: `YYYY-MM-DD` when the time is a midnight (UTC), else
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public static func formatDateOrDateTime(seconds: Int64) -> String {
        guard UnixTime.startOfDay(seconds) == seconds else { return format(seconds: seconds) }
        return UnixTime.civilDate(of: seconds).description
    }

    /// `YYYY-MM-DD` (UTC) of unix seconds.
    public static func formatDate(seconds: Int64) -> String {
        UnixTime.civilDate(of: seconds).description
    }

    /// Appends `YYYY-MM-DDTHH:MM:SSZ` (see ``format(seconds:)``) to a byte buffer: for writers of
    /// millions of times (the generator, exports) that build their text in bytes.
    public static func append(seconds: Int64, to bytes: inout [UInt8]) {
        appendDateTime(seconds: seconds, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// `YYYY-MM-DDTHH:MM:SS` without the zone.
    static func appendDateTime(seconds: Int64, to bytes: inout [UInt8]) {
        let day = UnixTime.day(of: seconds)
        let secondOfDay = seconds - day * UnixTime.secondsPerDay
        appendDate(CivilDate(daysSince1970: day), to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(secondOfDay / 3_600, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay / 60 % 60, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, count: 2, to: &bytes)
    }

    /// `YYYY-MM-DD`.
    static func appendDate(_ date: CivilDate, to bytes: inout [UInt8]) {
        if date.year < 0 { bytes.append(UInt8(ascii: "-")) }
        let year = date.year.magnitude
        if year > 9_999 {
            bytes.append(contentsOf: String(year).utf8)
        } else {
            appendDigits(Int64(year), count: 4, to: &bytes)
        }
        bytes.append(UInt8(ascii: "-"))
        appendDigits(date.month, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(date.day, count: 2, to: &bytes)
    }

    /// `count` decimal digits of a value 0 <= value < 10^count, zero-padded.
    static func appendDigits(_ value: Int64, count: Int, to bytes: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<count { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / divisor % 10))
            divisor /= 10
        }
    }
}
