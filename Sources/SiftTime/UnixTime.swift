#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Unix time: whole seconds since 1970-01-01T00:00:00Z, the form Sift keeps times in (UTC, no
/// leap seconds), and its days.
public enum UnixTime {
    /// Seconds in a day: 86,400.
    public static let secondsPerDay: Int64 = 86_400

    /// The day number (days since 1970-01-01) of the day holding a unix time, rounded down.
    public static func day(of seconds: Int64) -> Int64 {
        seconds >= 0 ? seconds / secondsPerDay : -((-(seconds + 1)) / secondsPerDay) - 1
    }

    /// The unix time of the midnight (UTC) that starts the day holding a unix time.
    public static func startOfDay(_ seconds: Int64) -> Int64 {
        day(of: seconds) * secondsPerDay
    }

    /// The unix time of a civil date and a time of day in UTC (hour 0-23, minute 0-59, second 0-59).
    public static func seconds(_ date: CivilDate, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0) -> Int64 {
        date.daysSince1970 * secondsPerDay + hour * 3_600 + minute * 60 + second
    }

    /// The civil date (UTC) of a unix time.
    public static func civilDate(of seconds: Int64) -> CivilDate {
        CivilDate(daysSince1970: day(of: seconds))
    }

    /// The whole unix seconds of a `Date`, rounded down (`-0.5` is `-1`).
    public static func seconds(of date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }

    /// The `Date` of whole unix seconds.
    public static func date(_ seconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}

extension ISO8601Time {
    /// The instant as a `Date` (fractions of a second included, to the precision of a `Double`).
    public var date: Date {
        Date(timeIntervalSince1970: TimeInterval(secondsSince1970) + TimeInterval(nanoseconds) / 1_000_000_000)
    }
}

extension ISO8601 {
    /// `YYYY-MM-DDTHH:MM:SSZ` for a `Date`, in UTC, the fraction of the second dropped (rounded down).
    public static func format(_ date: Date) -> String {
        format(seconds: UnixTime.seconds(of: date))
    }

    /// The `Date` of an RFC 3339 time (`2015-08-30T12:36:00.25Z`, fraction kept), or `nil` for
    /// anything else (such as the credential report's `N/A`): for values that may be absent.
    public static func date(_ text: String) -> Date? {
        try? parse(text, form: .rfc3339).date
    }

    /// Parses a time (see ``ISO8601/parse(_:form:)``) into a `Date`, fraction included.
    public static func parseDate(_ text: String, form: ISO8601Form = .rfc3339) throws(ISO8601Error) -> Date {
        try parse(text, form: form).date
    }
}
