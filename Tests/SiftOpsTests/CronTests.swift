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
    ])
    func nextFire(schedule: String, after: String, expected: String) throws {
        let cron = try CronSchedule(parsing: schedule)
        #expect(cron.nextFire(after: utc(after)) == utc(expected))
    }

    @Test func neverFiringSchedulesGiveNil() throws {
        #expect(try CronSchedule(parsing: "0 0 30 2 *").nextFire(after: utc("2026-01-01T00:00:00Z")) == nil)
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
