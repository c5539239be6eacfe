import Foundation
import SiftQuery

/// Time values of the compiler: ISO text (the store's `ISOTime`), dates written in queries, placeholders.
enum QueryTime {
    /// `YYYY-MM-DDTHH:MM:SSZ` for unix seconds (UTC), the form `reported` keeps datetimes in.
    static func iso(_ seconds: Int64) -> String {
        ISOTime.format(seconds)
    }

    /// Unix seconds of `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM:SSZ`, or with a space
    /// instead of the `T`; `nil` when the text is not such a date.
    static func parse(_ text: String) -> Int64? {
        if text.utf8.count == 10 { return ISOTime.parse(text + "T00:00:00Z") }
        if let seconds = ISOTime.parse(text) { return seconds }
        var utf8 = Array(text.utf8)
        guard utf8.count > 10, utf8[10] == UInt8(ascii: " ") else { return nil }
        utf8[10] = UInt8(ascii: "T")
        return ISOTime.parse(String(decoding: utf8, as: UTF8.self))
    }

    /// The unix seconds of a placeholder, relative to `now` (UTC midnights for the days).
    static func resolve(_ placeholder: TimePlaceholder, now: Int64) -> Int64 {
        let midnight = (now >= 0 ? now / 86_400 : (now - 86_399) / 86_400) * 86_400
        switch placeholder {
        case .now: return now
        case .today: return midnight
        case .yesterday: return midnight - 86_400
        case .tomorrow: return midnight + 86_400
        }
    }
}
