import Foundation
import SiftTime

/// A 5-field cron schedule (`minute hour day-of-month month day-of-week`), evaluated in UTC.
///
/// Fields take `*`, numbers, lists `1,15`, ranges `1-5`, steps `*/15` `0-30/10` `5/10`, and names
/// (`jan`-`dec`, `sun`-`sat`); day of week 0 and 7 are Sunday. As in Vixie cron, when both day of
/// month and day of week are restricted, a day matching either fires. `@hourly`, `@daily`
/// (`@midnight`), `@weekly`, `@monthly`, `@yearly` (`@annually`) are accepted.
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    /// The schedule as written.
    public let text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// The schedule as written.
    public var description: String { text }

    private static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses a schedule; the error names the field and what is wrong with it.
    public init(parsing text: String) throws(OpsValueError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded = CronSchedule.macros[trimmed.lowercased()] ?? trimmed
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw OpsValueError("cron schedule '\(trimmed)' has \(fields.count) field(s); expected 5: minute hour day-of-month month day-of-week")
        }
        self.text = trimmed
        minutes = try CronSchedule.field(fields[0], name: "minute", range: 0...59, names: [])
        hours = try CronSchedule.field(fields[1], name: "hour", range: 0...23, names: [])
        daysOfMonth = try CronSchedule.field(fields[2], name: "day-of-month", range: 1...31, names: [])
        months = try CronSchedule.field(fields[3], name: "month", range: 1...12, names: CronSchedule.monthNames, firstName: 1)
        let weekdays = try CronSchedule.field(fields[4], name: "day-of-week", range: 0...7, names: CronSchedule.dayNames,
                                              sundayEnds: true)
        daysOfWeek = Set(weekdays.map { $0 == 7 ? 0 : $0 })
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
        // Days of the month that no month of the schedule has (`0 0 31 2 *`, `0 0 30 2 *`): the
        // schedule would never fire. (Restricted days of the week would fire on their own.)
        if dayOfMonthRestricted && !dayOfWeekRestricted {
            let longest = months.map { CronSchedule.longestMonth[$0 - 1] }.max() ?? 31
            if let first = daysOfMonth.min(), first > longest {
                let names = months.sorted().map { CronSchedule.monthNames[$0 - 1] }.joined(separator: ",")
                throw OpsValueError("cron schedule '\(trimmed)' never fires: day \(first) of the month does not occur in \(names)")
            }
        }
    }

    /// The most days each month can have (February: 29).
    private static let longestMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    /// One field's values. `sundayEnds`: in a range of days of the week, Sunday after another day
    /// is day 7 (`MON-SUN`, `fri-sun`), as in Vixie cron.
    private static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String], firstName: Int = 0,
                              sundayEnds: Bool = false) throws(OpsValueError) -> Set<Int> {
        func number(_ word: Substring) throws(OpsValueError) -> Int {
            if let value = Int(word) {
                guard range.contains(value) else {
                    throw OpsValueError("cron \(name) field '\(text)': \(value) is out of range \(range.lowerBound)-\(range.upperBound)")
                }
                return value
            }
            if let index = names.firstIndex(of: word.lowercased()) { return index + firstName }
            throw OpsValueError("cron \(name) field '\(text)': '\(word)' is not a number\(names.isEmpty ? "" : " or name")")
        }
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            if item.isEmpty { throw OpsValueError("cron \(name) field '\(text)': empty list item") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw OpsValueError("cron \(name) field '\(text)': more than one '/' in '\(item)'") }
            var step = 1
            if parts.count == 2 {
                guard let value = Int(parts[1]), value > 0 else {
                    throw OpsValueError("cron \(name) field '\(text)': step '\(parts[1])' must be a positive number")
                }
                step = value
            }
            let base = parts[0]
            let low: Int, high: Int
            if base == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                low = try number(base[..<dash])
                let end = try number(base[base.index(after: dash)...])
                high = sundayEnds && end == 0 && low > 0 ? 7 : end
                guard low <= high else { throw OpsValueError("cron \(name) field '\(text)': range \(base) runs backwards") }
            } else {
                low = try number(base)
                high = parts.count == 2 ? range.upperBound : low
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values
    }

    /// Whether the schedule fires on the day of `components` (UTC).
    private func dayMatches(day: Int, weekday: Int) -> Bool {
        let byMonth = daysOfMonth.contains(day)
        let byWeek = daysOfWeek.contains(weekday)
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return byMonth || byWeek
        case (true, false): return byMonth
        case (false, true): return byWeek
        case (false, false): return true
        }
    }

    /// The first minute strictly after `date` at which the schedule fires, or nil when it never
    /// fires within the next five years (e.g. `0 0 30 2 *`). Walks unix seconds with SiftTime's
    /// civil dates (UTC): a month, a day or an hour at a time where they cannot match.
    public func nextFire(after date: Date) -> Date? {
        let seconds = UnixTime.seconds(of: date)
        var current = (seconds >= 0 ? seconds / 60 : -((-(seconds + 1)) / 60) - 1) * 60 + 60
        let limit = date.timeIntervalSince1970 + 5 * 366 * 86_400
        while Double(current) < limit {
            let day = UnixTime.day(of: current)
            let civil = CivilDate(daysSince1970: day)
            let secondOfDay = current - day * UnixTime.secondsPerDay
            if !months.contains(Int(civil.month)) {
                let firstOfNext = civil.month == 12
                    ? CivilDate.daysSince1970(year: civil.year + 1, month: 1, day: 1)
                    : CivilDate.daysSince1970(year: civil.year, month: civil.month + 1, day: 1)
                current = firstOfNext * UnixTime.secondsPerDay
                continue
            }
            if !dayMatches(day: Int(civil.day), weekday: Int(civil.weekday)) {
                current = (day + 1) * UnixTime.secondsPerDay
                continue
            }
            if !hours.contains(Int(secondOfDay / 3_600)) {
                current = day * UnixTime.secondsPerDay + (secondOfDay / 3_600 + 1) * 3_600
                continue
            }
            if !minutes.contains(Int(secondOfDay / 60 % 60)) {
                current += 60
                continue
            }
            return UnixTime.date(current)
        }
        return nil
    }
}
