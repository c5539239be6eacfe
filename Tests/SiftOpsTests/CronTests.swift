import Foundation
import Testing
@testable import SiftOps

@Suite struct CronTests {
    @Test(arguments: [
        ("*/15 * * * *", "2026-03-10T10:07:30Z", "2026-03-10T10:15:00Z"),
        ("*/15 * * * *", "2026-03-10T10:45:00Z", "2026-03-10T11:00:00Z"),
        ("0 3 * * *", "2026-03-10T03:00:00Z", "2026-03-11T03:00:00Z"),
        ("30 2 1 * *", "2026-12-15T00:00:00Z", "2027-01-01T02:30:00Z"),
        ("0 9 * * mon-fri", "2026-03-13T10:00:00Z", "2026-03-16T09:00:00Z"),   // Friday after 9 -> Monday
        ("0 0 * * 7", "2026-03-10T00:00:00Z", "2026-03-15T00:00:00Z"),         // 7 is Sunday
        ("0 0 29 feb *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("0 12 13 * fri", "2026-03-10T00:00:00Z", "2026-03-13T12:00:00Z"),     // day 13 or a Friday (13th is Friday)
        ("0 12 1 * sun", "2026-03-02T00:00:00Z", "2026-03-08T12:00:00Z"),      // either: Sunday 8th before the 1st
        ("5,10-12 1 * jan,jul *", "2026-02-01T00:00:00Z", "2026-07-01T01:05:00Z"),
        ("0-20/10 * * * *", "2026-03-10T10:20:00Z", "2026-03-10T11:00:00Z"),
        ("@daily", "2026-03-10T12:00:00Z", "2026-03-11T00:00:00Z"),
        ("@hourly", "2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z"),
        ("0 9 * * MON-SUN", "2026-03-14T10:00:00Z", "2026-03-15T09:00:00Z"),   // a range ending on Sunday
        ("0 9 * * fri-sun", "2026-03-14T10:00:00Z", "2026-03-15T09:00:00Z"),   // Saturday after 9 -> Sunday
        ("0 9 * * fri-sun", "2026-03-15T10:00:00Z", "2026-03-20T09:00:00Z"),   // Sunday after 9 -> Friday
        ("0 0 31 2 mon", "2027-01-15T00:00:00Z", "2027-02-01T00:00:00Z"),      // day 31 never, Mondays do
    ])
    func nextFire(schedule: String, after: String, expected: String) throws {
        let cron = try CronSchedule(parsing: schedule)
        #expect(cron.nextFire(after: utc(after)) == utc(expected))
    }

    /// Schedules that can never fire are refused when written (issue 13), not stored to wait for ever.
    @Test(arguments: [
        ("0 0 31 2 *", "never fires: day 31 of the month does not occur in feb"),
        ("0 0 30 2 *", "never fires: day 30 of the month does not occur in feb"),
        ("0 0 31 4,6,9,11 *", "never fires: day 31 of the month does not occur in apr,jun,sep,nov"),
    ])
    func neverFiringSchedulesAreRefused(schedule: String, why: String) {
        #expect(throws: OpsValueError("cron schedule '\(schedule)' \(why)")) { _ = try CronSchedule(parsing: schedule) }
    }

    @Test(arguments: [
        ("* * * *", "has 4 field(s); expected 5"),
        ("60 * * * *", "minute field '60': 60 is out of range 0-59"),
        ("* 24 * * *", "hour field"),
        ("* * 0 * *", "day-of-month field '0'"),
        ("* * * 13 *", "month field"),
        ("* * * * 8", "day-of-week field"),
        ("*/0 * * * *", "step '0' must be a positive number"),
        ("5-1 * * * *", "runs backwards"),
        ("1,,2 * * * *", "empty list item"),
        ("* * * foo *", "'foo' is not a number or name"),
    ])
    func badSchedulesSayWhy(schedule: String, why: String) {
        do {
            _ = try CronSchedule(parsing: schedule)
            Issue.record("accepted \(schedule)")
        } catch {
            #expect(error.message.contains(why), "\(error.message)")
        }
    }
}

/// `nextFire` (SiftTime's civil dates) against the walk it replaced, on Foundation's Gregorian
/// calendar in UTC, as an oracle: 400 seeded schedules from many starting times, 1950 to 2300.
@Suite struct CronCalendarOracleTests {
    /// The former `nextFire`, on `Calendar`.
    static func calendarNextFire(_ cron: CronSchedule, after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        var current = Date(timeIntervalSince1970: floor(date.timeIntervalSince1970 / 60) * 60 + 60)
        let limit = date.addingTimeInterval(5 * 366 * 86_400)
        while current < limit {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: current)
            guard let year = parts.year, let month = parts.month, let day = parts.day,
                  let hour = parts.hour, let minute = parts.minute, let weekday = parts.weekday else { return nil }
            if !cron.months.contains(month) {
                let next = month == 12 ? DateComponents(year: year + 1, month: 1, day: 1) : DateComponents(year: year, month: month + 1, day: 1)
                guard let moved = calendar.date(from: next) else { return nil }
                current = moved
                continue
            }
            let byMonth = cron.daysOfMonth.contains(day), byWeek = cron.daysOfWeek.contains(weekday - 1)
            let matches = switch (cron.dayOfMonthRestricted, cron.dayOfWeekRestricted) {
            case (true, true): byMonth || byWeek
            case (true, false): byMonth
            case (false, true): byWeek
            case (false, false): true
            }
            if !matches {
                guard let moved = calendar.date(from: DateComponents(year: year, month: month, day: day + 1)) else { return nil }
                current = moved
                continue
            }
            if !cron.hours.contains(hour) {
                guard let moved = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour + 1)) else { return nil }
                current = moved
                continue
            }
            if !cron.minutes.contains(minute) {
                current = current.addingTimeInterval(60)
                continue
            }
            return current
        }
        return nil
    }

    @Test func agreesWithFoundationCalendar() throws {
        var state: UInt64 = 1_204
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        func field(_ low: Int, _ high: Int) -> String {
            switch next(5) {
            case 0: return "*"
            case 1: return "\(low + next(high - low + 1))"
            case 2: let a = low + next(high - low + 1); return "\(a)-\(min(high, a + next(4)))"
            case 3: return "*/\(1 + next(max(1, (high - low) / 2)))"
            default: return "\(low + next(high - low + 1)),\(low + next(high - low + 1))"
            }
        }
        var compared = 0
        for _ in 0..<400 {
            let text = [field(0, 59), field(0, 23), field(1, 31), field(1, 12), field(0, 6)].joined(separator: " ")
            guard let cron = try? CronSchedule(parsing: text) else { continue }
            for _ in 0..<5 {
                let start = Date(timeIntervalSince1970: Double(-630_720_000 + Int64(next(1_000_000_000)) * 10) + Double(next(1000)) / 1000)
                #expect(cron.nextFire(after: start) == Self.calendarNextFire(cron, after: start), "\(text) after \(start)")
                compared += 1
            }
        }
        #expect(compared > 1_000)
    }
}
