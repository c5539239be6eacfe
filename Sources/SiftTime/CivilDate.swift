// Civil dates of the proleptic Gregorian calendar and their day numbers, after Howard Hinnant's
// `days_from_civil` / `civil_from_days` (http://howardhinnant.github.io/date_algorithms.html).

/// A day of the proleptic Gregorian calendar: year, month 1-12, day 1-28...31, always valid.
///
/// Converts to and from the number of days since 1970-01-01 (``daysSince1970``), which is how
/// Sift does all date arithmetic: add days to the number, convert back.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year (astronomical numbering: year 0 is 1 BC).
    public let year: Int64
    /// The month, 1 (January) to 12.
    public let month: Int64
    /// The day of the month, 1 to ``CivilDate/daysInMonth(_:year:)``.
    public let day: Int64

    /// The date, or `nil` when the month or the day does not exist (`2026-02-29`, `2026-13-01`).
    public init?(year: Int64, month: Int64, day: Int64) {
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01 (before it when negative).
    public init(daysSince1970 days: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// The number of days from 1970-01-01 to this date; negative before 1970.
    public var daysSince1970: Int64 {
        CivilDate.daysSince1970(year: year, month: month, day: day)
    }

    /// The number of days from 1970-01-01 to a year, month and day, without checking them (a day
    /// past the month's end counts on into the next month).
    public static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Whether February of the year has 29 days: divisible by 4, and not by 100 unless by 400.
    public static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days of a month (1-12) in a year: 28 to 31.
    public static func daysInMonth(_ month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int64) -> CivilDate {
        CivilDate(daysSince1970: daysSince1970 + days)
    }

    /// The day of the week: 0 Sunday, 1 Monday, ... 6 Saturday.
    public var weekday: Int64 {
        let days = daysSince1970
        return days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6
    }

    /// Orders dates in time.
    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `YYYY-MM-DD` (years outside 0000-9999 with as many digits as they need, and a sign below 0).
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(10)
        ISO8601.appendDate(self, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
