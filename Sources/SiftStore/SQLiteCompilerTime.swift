import Foundation
import SiftQuery
import SiftTime

/// Time values of the compiler: ISO text (SiftTime's writer), dates written in queries, placeholders.
enum QueryTime {
    /// `YYYY-MM-DDTHH:MM:SSZ` for unix seconds (UTC), the form `reported` keeps datetimes in.
    static func iso(_ seconds: Int64) -> String {
        ISO8601.format(seconds: seconds)
    }

    /// Unix seconds of `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time (`YYYY-MM-DDTHH:MM:SSZ`,
    /// a space for the `T`, an offset); `nil` when the text is not such a date.
    static func parse(_ text: String) -> Int64? {
        ISO8601.seconds(text, form: .rfc3339OrDate)
    }

    /// The unix seconds of a placeholder, relative to `now` (UTC midnights for the days).
    static func resolve(_ placeholder: TimePlaceholder, now: Int64) -> Int64 {
        let midnight = UnixTime.startOfDay(now)
        switch placeholder {
        case .now: return now
        case .today: return midnight
        case .yesterday: return midnight - UnixTime.secondsPerDay
        case .tomorrow: return midnight + UnixTime.secondsPerDay
        }
    }
}
