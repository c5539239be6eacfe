import Foundation
import SiftQuery

/// Time arithmetic of the compiler: ISO-8601 text of unix seconds and back, placeholders.
/// Hand-rolled (days-from-civil) because compiling must take microseconds, not a DateFormatter.
enum QueryTime {
    /// `YYYY-MM-DDTHH:MM:SSZ` for unix seconds (UTC), the form `reported` keeps datetimes in.
    static func iso(_ seconds: Int64) -> String {
        let days = floorDiv(seconds, 86_400)
        let rest = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(rest / 3600, 2) + ":" + pad(rest % 3600 / 60, 2) + ":" + pad(rest % 60, 2) + "Z"
    }

    /// Unix seconds of `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]Z` (or with a space, or without `Z`,
    /// all UTC); `nil` when the text is not such a date.
    static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[from..<(from + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard bytes.count >= 10, bytes[4] == 45, bytes[7] == 45,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds = days(fromCivil: year, month, day) * 86_400
        if bytes.count == 10 { return seconds }
        guard bytes[10] == 84 || bytes[10] == 32, let hour = number(11, 2), bytes.count >= 16, bytes[13] == 58,
              let minute = number(14, 2), hour < 24, minute < 60 else { return nil }
        seconds += hour * 3600 + minute * 60
        var index = 16
        if index < bytes.count, bytes[index] == 58 {
            guard let second = number(17, 2), second < 61 else { return nil }
            seconds += second
            index = 19
        }
        if index < bytes.count, bytes[index] == 90 { index += 1 }
        return index == bytes.count ? seconds : nil
    }

    /// The unix seconds of a placeholder, relative to `now` (UTC midnights for the days).
    static func resolve(_ placeholder: TimePlaceholder, now: Int64) -> Int64 {
        let midnight = floorDiv(now, 86_400) * 86_400
        switch placeholder {
        case .now: return now
        case .today: return midnight
        case .yesterday: return midnight - 86_400
        case .tomorrow: return midnight + 86_400
        }
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Howard Hinnant's civil_from_days.
    private static func civil(fromDays z: Int64) -> (Int64, Int64, Int64) {
        let z = z + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Howard Hinnant's days_from_civil.
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
