// Unquoted words as values: numbers, booleans, null, durations, dates, or plain strings.
// Also the canonical text of durations and dates.

/// Reads the value of an unquoted word.
enum WordValue {
    /// What a word means as a value. Throws (with the reason) for words that look like a number,
    /// duration or date but are not valid ones (`90dayz`, `2026-13-01`).
    static func classify(_ word: String) throws(WordError) -> Value {
        switch word {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default: break
        }
        let bytes = Array(word.utf8)
        guard let first = bytes.first else { return .string(word) }
        let signed = first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
        let body = signed ? bytes.dropFirst() : bytes[...]
        guard let head = body.first else { throw WordError(message: "invalid number '\(word)'") }
        if Lexer.isDigit(head) {
            if body.allSatisfy(Lexer.isDigit) || isFloatLiteral(body) {
                if body.allSatisfy(Lexer.isDigit), let value = Int64(word) { return .int(value) }
                if let value = Double(word) {
                    // `22e4441` is infinity: it would print as a string and read back as one.
                    guard value.isFinite else {
                        throw WordError(message: "number '\(word)' out of range", hint: "numbers must lie within ±1.8e308")
                    }
                    return .double(value)
                }
            }
            if DateSyntax.looksLikeDate(body) {
                guard !signed, let date = DateSyntax.parse(bytes) else {
                    throw WordError(message: "invalid date '\(word)'",
                                    hint: "dates look like 2026-01-31 or 2026-01-31T12:00:00Z; quote the value to compare with a string")
                }
                return .datetime(date)
            }
            if DurationSyntax.looksLikeDuration(body) {
                return .duration(try DurationSyntax.parse(word))
            }
            if signed { throw WordError(message: "invalid number '\(word)'") }
            return .string(word)
        }
        if head == UInt8(ascii: "P") {
            if let duration = try? DurationSyntax.parse(word) { return .duration(duration) }
            if signed { throw WordError(message: "invalid duration '\(word)'", hint: "ISO durations look like P90D or PT12H") }
        }
        if signed { throw WordError(message: "invalid number '\(word)'") }
        return .string(word)
    }

    /// `1.5`, `1e-05`, `2.5E+10`.
    private static func isFloatLiteral(_ body: ArraySlice<UInt8>) -> Bool {
        var index = body.startIndex
        func digits() -> Int {
            let start = index
            while index < body.endIndex, Lexer.isDigit(body[index]) { index += 1 }
            return index - start
        }
        guard digits() > 0 else { return false }
        var fraction = false
        if index < body.endIndex, body[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
            fraction = true
        }
        if index < body.endIndex, body[index] == UInt8(ascii: "e") || body[index] == UInt8(ascii: "E") {
            index += 1
            if index < body.endIndex, body[index] == UInt8(ascii: "+") || body[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
            return index == body.endIndex
        }
        return fraction && index == body.endIndex
    }
}

/// Why a word is not a valid value.
struct WordError: Error {
    /// What is wrong.
    var message: String
    /// A hint at the fix.
    var hint: String?
}

/// Durations: `90days`, `2d12h`, `1h30min`, `-3d`, `P90D`, `PT1H30M`.
public enum DurationSyntax {
    /// Units and their seconds. Months count 30 days, years 365 days (SPEC section 4).
    static let units: [String: Int64] = {
        let day: Int64 = 86_400
        var table: [String: Int64] = [:]
        for name in ["y", "yr", "yrs", "year", "years"] { table[name] = 365 * day }
        for name in ["mo", "month", "months"] { table[name] = 30 * day }
        for name in ["w", "week", "weeks"] { table[name] = 7 * day }
        for name in ["d", "day", "days"] { table[name] = day }
        for name in ["h", "hr", "hrs", "hour", "hours"] { table[name] = 3_600 }
        for name in ["m", "min", "mins", "minute", "minutes"] { table[name] = 60 }
        for name in ["s", "sec", "secs", "second", "seconds"] { table[name] = 1 }
        return table
    }()

    /// The largest duration accepted, about 31 million years.
    static let limit: Int64 = 1 << 50

    /// The units as listed in messages.
    static let unitList = "y, mo, w, d, h, min, s (or yr, year(s), month(s), week(s), day(s), hour(s), minute(s), second(s))"

    /// Whether the text (without sign) is digits followed by letters, as durations are.
    static func looksLikeDuration(_ body: ArraySlice<UInt8>) -> Bool {
        guard let first = body.first, Lexer.isDigit(first) else { return false }
        return body.allSatisfy { Lexer.isDigit($0) || Lexer.isLetter($0) || $0 == UInt8(ascii: ".") }
            && body.contains(where: Lexer.isLetter)
    }

    /// Parses a duration (compact or ISO 8601) into seconds.
    static func parse(_ text: String) throws(WordError) -> Duration {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        let seconds = bytes.first == UInt8(ascii: "P") ? try parseISO(bytes, text: text) : try parseCompact(bytes, text: text)
        return Duration(seconds: negative ? -seconds : seconds)
    }

    private static func invalid(_ text: String, _ hint: String? = nil) -> WordError {
        WordError(message: "invalid duration '\(text)'", hint: hint ?? "units are \(unitList)")
    }

    /// Reads `12` or `1.5` at index.
    private static func number(_ bytes: ArraySlice<UInt8>, _ index: inout Int) -> Double? {
        let start = index
        while index < bytes.endIndex, Lexer.isDigit(bytes[index]) || bytes[index] == UInt8(ascii: ".") { index += 1 }
        guard index > start else { return nil }
        return Double(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    private static func add(_ total: inout Int64, _ amount: Double, _ unit: Int64, _ text: String) throws(WordError) {
        let value = (amount * Double(unit)).rounded()
        guard value.isFinite, value <= Double(limit), total + Int64(value) <= limit else {
            throw WordError(message: "duration '\(text)' is too large")
        }
        total += Int64(value)
    }

    private static func parseCompact(_ bytes: ArraySlice<UInt8>, text: String) throws(WordError) -> Int64 {
        var index = bytes.startIndex
        var total: Int64 = 0
        guard index < bytes.endIndex else { throw invalid(text) }
        while index < bytes.endIndex {
            guard let amount = number(bytes, &index) else { throw invalid(text) }
            let unitStart = index
            while index < bytes.endIndex, Lexer.isLetter(bytes[index]) { index += 1 }
            let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
            guard !unit.isEmpty else { throw invalid(text, "a number needs a unit: \(unitList)") }
            guard let seconds = units[unit] else {
                throw WordError(message: "invalid duration '\(text)'",
                                hint: "unknown unit '\(unit)'; units are \(unitList); quote the value to compare with a string")
            }
            try add(&total, amount, seconds, text)
        }
        return total
    }

    /// `P[nY][nM][nW][nD][T[nH][nM][nS]]`.
    private static func parseISO(_ bytes: ArraySlice<UInt8>, text: String) throws(WordError) -> Int64 {
        var index = bytes.startIndex + 1
        var total: Int64 = 0
        var inTime = false
        var any = false
        let hint = "ISO durations look like P90D, P1Y2M, PT1H30M"
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "T") {
                guard !inTime else { throw invalid(text, hint) }
                inTime = true
                index += 1
                continue
            }
            guard let amount = number(bytes, &index), index < bytes.endIndex else { throw invalid(text, hint) }
            let designator = bytes[index]
            index += 1
            let unit: Int64
            switch (designator, inTime) {
            case (UInt8(ascii: "Y"), false): unit = 365 * 86_400
            case (UInt8(ascii: "M"), false): unit = 30 * 86_400
            case (UInt8(ascii: "W"), false): unit = 7 * 86_400
            case (UInt8(ascii: "D"), false): unit = 86_400
            case (UInt8(ascii: "H"), true): unit = 3_600
            case (UInt8(ascii: "M"), true): unit = 60
            case (UInt8(ascii: "S"), true): unit = 1
            default: throw invalid(text, hint)
            }
            try add(&total, amount, unit, text)
            any = true
        }
        guard any else { throw invalid(text, hint) }
        return total
    }

    /// The canonical text: days, hours, minutes, seconds (`90d`, `2d12h`, `1h30min`, `-3d`, `0s`).
    public static func format(_ duration: Duration) -> String {
        if duration.seconds == 0 { return "0s" }
        var rest = duration.seconds.magnitude
        var text = duration.seconds < 0 ? "-" : ""
        for (name, size) in [("d", UInt64(86_400)), ("h", 3_600), ("min", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(name)"
            rest %= size
        }
        return text
    }
}

/// Dates and datetimes: `2026-01-31`, `2026-01-31T12:00:00Z`, `2026-01-31T12:00:00.5+02:00`.
public enum DateSyntax {
    /// Whether the text starts like a date (`dddd-dd-`).
    static func looksLikeDate(_ body: ArraySlice<UInt8>) -> Bool {
        let b = Array(body.prefix(8))
        guard b.count == 8 else { return false }
        return b[0...3].allSatisfy(Lexer.isDigit) && b[4] == UInt8(ascii: "-")
            && b[5...6].allSatisfy(Lexer.isDigit) && b[7] == UInt8(ascii: "-")
    }

    /// Parses a date or datetime; `nil` when invalid. Without an offset the time is UTC.
    static func parse(_ bytes: [UInt8]) -> DateTime? {
        var index = 0
        func digits(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for c in bytes[index..<(index + count)] {
                guard Lexer.isDigit(c) else { return nil }
                value = value * 10 + Int64(c - 0x30)
            }
            index += count
            return value
        }
        func expect(_ c: Character) -> Bool {
            guard index < bytes.count, bytes[index] == c.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        if index == bytes.count { return DateTime(secondsSince1970: seconds) }
        guard expect("T") || expect("t") else { return nil }
        guard let hour = digits(2), expect(":"), let minute = digits(2), hour < 24, minute < 60 else { return nil }
        var second: Int64 = 0
        if expect(":") {
            guard let s = digits(2), s < 60 else { return nil }
            second = s
            if expect(".") {
                let start = index
                while index < bytes.count, Lexer.isDigit(bytes[index]) { index += 1 }
                guard index > start else { return nil }
            }
        }
        seconds += hour * 3_600 + minute * 60 + second
        if index == bytes.count || expect("Z") || expect("z") {
            return index == bytes.count ? DateTime(secondsSince1970: seconds) : nil
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return nil }
        let sign: Int64 = bytes[index] == UInt8(ascii: "+") ? 1 : -1
        index += 1
        guard let offsetHours = digits(2), offsetHours < 24 else { return nil }
        _ = expect(":")
        guard let offsetMinutes = digits(2), offsetMinutes < 60, index == bytes.count else { return nil }
        return DateTime(secondsSince1970: seconds - sign * (offsetHours * 3_600 + offsetMinutes * 60))
    }

    static func isLeap(_ year: Int64) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian civil date (Howard Hinnant's algorithm);
    /// negative before 1970. Public so that other modules' date code shares it (AWS dates do).
    public static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
    public static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The canonical text: `2026-01-31` at midnight, else `2026-01-31T12:00:00Z`.
    public static func format(_ date: DateTime) -> String {
        let seconds = date.secondsSince1970
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        let rest = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(width - text.count, 0)) + text
        }
        let datePart = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        if rest == 0 { return datePart }
        return datePart + "T\(pad(rest / 3_600, 2)):\(pad(rest % 3_600 / 60, 2)):\(pad(rest % 60, 2))Z"
    }
}
