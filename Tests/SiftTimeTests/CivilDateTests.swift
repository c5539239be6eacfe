import Testing
import SiftTime

@Suite struct CivilDateTests {
    @Test func leapYears() {
        #expect(CivilDate.isLeapYear(2000))
        #expect(!CivilDate.isLeapYear(2100))
        #expect(!CivilDate.isLeapYear(1900))
        #expect(CivilDate.isLeapYear(2024))
        #expect(!CivilDate.isLeapYear(2026))
        #expect(CivilDate.isLeapYear(0))
        #expect(CivilDate.isLeapYear(-4))
        #expect(CivilDate.daysInMonth(2, year: 2000) == 29)
        #expect(CivilDate.daysInMonth(2, year: 2100) == 28)
        #expect(CivilDate.daysInMonth(4, year: 2026) == 30)
        #expect(CivilDate.daysInMonth(12, year: 2026) == 31)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2100, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2026, month: 2, day: 31) == nil)
        #expect(CivilDate(year: 2026, month: 13, day: 1) == nil)
        #expect(CivilDate(year: 2026, month: 0, day: 1) == nil)
        #expect(CivilDate(year: 2026, month: 1, day: 0) == nil)
    }

    @Test func dayNumbers() throws {
        let epoch = try #require(CivilDate(year: 1970, month: 1, day: 1))
        #expect(epoch.daysSince1970 == 0)
        #expect(CivilDate(daysSince1970: 0) == epoch)
        #expect(CivilDate(daysSince1970: -1).description == "1969-12-31")
        #expect(CivilDate(daysSince1970: 11_016).description == "2000-02-29")
        #expect(CivilDate(daysSince1970: 24_855).description == "2038-01-19")
        #expect(CivilDate(daysSince1970: -719_162).description == "0001-01-01")
        #expect(CivilDate(daysSince1970: 2_932_896).description == "9999-12-31")
        #expect(CivilDate(year: 2100, month: 3, day: 1)?.daysSince1970 == (CivilDate(year: 2100, month: 2, day: 28)?.daysSince1970 ?? 0) + 1)
        #expect(CivilDate.daysSince1970(year: 2026, month: 1, day: 32) == CivilDate(year: 2026, month: 2, day: 1)?.daysSince1970)
        // Every day from 0001-01-01 to 9999-12-31 round-trips and follows the one before.
        var previous = CivilDate(daysSince1970: -719_163)
        var wrong: [Int64] = []
        for days in Int64(-719_162)...2_932_896 {
            let date = CivilDate(daysSince1970: days)
            let follows: Bool
            if date.day == 1 {
                follows = date.month == 1
                    ? previous.year == date.year - 1 && previous.month == 12 && previous.day == 31
                    : previous.year == date.year && previous.month == date.month - 1
                        && previous.day == CivilDate.daysInMonth(previous.month, year: previous.year)
            } else {
                follows = previous.year == date.year && previous.month == date.month && previous.day == date.day - 1
            }
            if date.daysSince1970 != days || !follows || CivilDate(year: date.year, month: date.month, day: date.day) != date {
                wrong.append(days)
            }
            previous = date
        }
        #expect(wrong.isEmpty, "first wrong day numbers: \(wrong.prefix(5))")
        #expect(previous.description == "9999-12-31")
    }

    @Test func arithmetic() throws {
        let date = try #require(CivilDate(year: 2024, month: 2, day: 28))
        #expect(date.adding(days: 1).description == "2024-02-29")
        #expect(date.adding(days: 2).description == "2024-03-01")
        #expect(date.adding(days: -59).description == "2023-12-31")
        #expect(date.adding(days: 366).description == "2025-02-28")
        #expect(CivilDate(year: 1970, month: 1, day: 1)?.weekday == 4)  // Thursday
        #expect(CivilDate(year: 2026, month: 12, day: 4)?.weekday == 5)  // Friday
        #expect(CivilDate(year: 1969, month: 12, day: 27)?.weekday == 6)  // Saturday
        #expect(CivilDate(year: 1969, month: 12, day: 21)?.weekday == 0)  // Sunday
        #expect(CivilDate(year: 2000, month: 1, day: 1)?.weekday == 6)
        #expect(try #require(CivilDate(year: 2026, month: 1, day: 31)) < #require(CivilDate(year: 2026, month: 2, day: 1)))
    }

    @Test func unixDays() {
        #expect(UnixTime.day(of: 0) == 0)
        #expect(UnixTime.day(of: 86_399) == 0)
        #expect(UnixTime.day(of: -1) == -1)
        #expect(UnixTime.day(of: -86_400) == -1)
        #expect(UnixTime.day(of: -86_401) == -2)
        #expect(UnixTime.startOfDay(1_769_860_800) == 1_769_817_600)
        #expect(UnixTime.startOfDay(-1) == -86_400)
        #expect(UnixTime.seconds(of: UnixTime.date(-5)) == -5)
        #expect(UnixTime.seconds(of: try! ISO8601.parseDate("1969-12-31T23:59:59.5Z")) == -1)
        #expect(UnixTime.civilDate(of: -1).description == "1969-12-31")
    }
}
