import Foundation
import Testing
import SiftTime

/// The error of a text that must not parse.
private func failure(_ text: String, _ form: ISO8601Form = .rfc3339) -> ISO8601Error? {
    do {
        let time = try ISO8601.parse(text, form: form)
        Issue.record("'\(text)' parsed as \(time)")
        return nil
    } catch {
        return error
    }
}

@Suite struct ISO8601ParseTests {
    @Test func rfc3339() throws {
        #expect(try ISO8601.parse("2026-06-01T00:00:00Z").secondsSince1970 == 1_780_272_000)
        #expect(try ISO8601.parse("2026-06-01t00:00:00z").secondsSince1970 == 1_780_272_000)
        #expect(try ISO8601.parse("2026-06-01 00:00:00Z").secondsSince1970 == 1_780_272_000)
        #expect(try ISO8601.parse("2026-06-01T02:00:00.123+02:00").secondsSince1970 == 1_780_272_000)
        #expect(try ISO8601.parse("2026-05-31T23:00:00-01:00").secondsSince1970 == 1_780_272_000)
        #expect(try ISO8601.parse("2015-08-30T12:36:00Z").secondsSince1970 == 1_440_938_160)
    }

    @Test func offsets() throws {
        let plus = try ISO8601.parse("2026-01-31T14:00:00+02:00")
        #expect(plus.secondsSince1970 == 1_769_860_800)
        #expect(plus.utcOffsetSeconds == 7_200)
        let minus = try ISO8601.parse("2026-01-31T06:30:00-05:30")
        #expect(minus.secondsSince1970 == 1_769_860_800)
        #expect(minus.utcOffsetSeconds == -19_800)
        #expect(try ISO8601.parse("2026-01-31T12:00:00-00:00").secondsSince1970 == 1_769_860_800)
        // The offset crosses the date line, the year and the epoch.
        #expect(try ISO8601.parse("2027-01-01T09:59:59+23:59").secondsSince1970 == ISO8601.seconds("2026-12-31T10:00:59Z"))
        #expect(try ISO8601.parse("1969-12-31T23:00:00-01:00").secondsSince1970 == 0)
        #expect(failure("2026-01-31T12:00:00+24:00")?.column == 21)
        #expect(failure("2026-01-31T12:00:00+02:60")?.column == 24)
        #expect(failure("2026-01-31T12:00:00+0200")?.column == 23)
        #expect(try ISO8601.parse("2026-01-31T07:00:00-0500", form: .queryValue).secondsSince1970 == 1_769_860_800)
        #expect(failure("2026-01-31T12:00:00+02")?.column == 23)
        #expect(failure("2026-01-31T12:00:00+2:00")?.column == 22)
    }

    @Test func fractions() throws {
        let time = try ISO8601.parse("2015-08-30T12:36:00.250000Z")
        #expect(time.secondsSince1970 == 1_440_938_160)
        #expect(time.nanoseconds == 250_000_000)
        #expect(time.date.timeIntervalSince1970 == 1_440_938_160.25)
        #expect(try ISO8601.parse("2015-08-30T12:36:00.123456789987Z").nanoseconds == 123_456_789)
        #expect(try ISO8601.parse("2015-08-30T12:36:00.5+01:00").nanoseconds == 500_000_000)
        // Before 1970 the seconds round down and the fraction stays positive.
        let before = try ISO8601.parse("1969-12-31T23:59:59.75Z")
        #expect(before.secondsSince1970 == -1)
        #expect(before.nanoseconds == 750_000_000)
        #expect(failure("2015-08-30T12:36:00.Z")?.column == 21)
        #expect(failure("2015-08-30T12:36:00,5Z")?.column == 20)
        #expect(failure("2026-01-31T12:00.5Z", .queryValue)?.column == 17)
    }

    @Test func errorsCarryTheColumn() throws {
        let cases: [(String, Int, String)] = [
            ("", 1, "found nothing"),
            ("2026", 5, "'-' after the year expected, found the end"),
            ("20260131T000000Z", 5, "'-' after the year expected, found '0'"),
            ("2026-13-01T00:00:00Z", 6, "month 13 is not 01-12"),
            ("2026-00-01T00:00:00Z", 6, "month 00 is not 01-12"),
            ("2026-1-01T00:00:00Z", 7, "month (2 digits) expected, found '-'"),
            ("2026-02-29T00:00:00Z", 9, "day 29 does not exist in 2026-02 (28 days)"),
            ("2026-02-31T00:00:00Z", 9, "day 31 does not exist in 2026-02 (28 days)"),
            ("2026-04-31T00:00:00Z", 9, "day 31 does not exist in 2026-04 (30 days)"),
            ("2026-01-00T00:00:00Z", 9, "day 00 does not exist"),
            ("2026-06-01", 11, "'T' and a time expected after the date, found the end"),
            ("2026-06-01X00:00:00Z", 11, "'T' between date and time expected, found 'X'"),
            ("2026-06-01T24:00:00Z", 12, "hour 24 is not 00-23"),
            ("2026-06-01T23:60:00Z", 15, "minute 60 is not 00-59"),
            ("2026-06-01T23:59:61Z", 18, "second 61 is not 00-59"),
            ("2026-06-01T00:00Z", 17, "':' and the seconds expected, found 'Z'"),
            ("2026-06-01T00:00:00", 20, "a zone (Z or an offset like +02:00) expected after the time, found the end"),
            ("2026-06-01T00:00:00 Z", 20, "a zone (Z or an offset like +02:00) expected, found ' '"),
            ("2026-06-01T00:00:00Z ", 21, "unexpected ' ' after the time"),
            ("2026-06-01T00:00:00ZZ", 21, "unexpected 'Z' after the time"),
            ("2026-06-01T00:00:00+02:00x", 26, "unexpected 'x' after the time"),
            ("N/A", 1, "year (4 digits) expected, found 'N'"),
            ("no_information", 1, "year (4 digits) expected, found 'n'"),
            // Columns count characters, not bytes.
            ("2026-06-01T00:00:00é", 20, "found 'é'"),
            ("2026-06-01é00:00:00Z", 11, "found 'é'"),
        ]
        for (text, column, message) in cases {
            let error = try #require(failure(text), "\(text)")
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.message.contains(message), "\(text): \(error)")
        }
        #expect(failure("2026-06-01T00:00:00é")?.byteOffset == 19)
        #expect(failure("é2026-06-01T00:00:00Z")?.column == 1)
        #expect(failure("2026-06-01T00:00:00é")?.description.hasPrefix("column 20: ") == true)
    }

    @Test func missingZoneIsRefusedInEveryForm() {
        for form in [ISO8601Form.rfc3339, .rfc3339OrDate, .queryValue] {
            #expect(failure("2026-01-31T12:00:00", form)?.message.contains("zone") == true)
            #expect(failure("2026-01-31T12:00:00.5", form)?.message.contains("zone") == true)
        }
        #expect(failure("2026-01-31T12:00", .queryValue)?.column == 17)
    }

    @Test func forms() throws {
        #expect(try ISO8601.parse("2026-01-31", form: .queryValue) == ISO8601Time(secondsSince1970: 1_769_817_600, isDateOnly: true))
        #expect(try ISO8601.parse("2026-01-31", form: .rfc3339OrDate).secondsSince1970 == 1_769_817_600)
        #expect(try ISO8601.parse("2026-01-31T12:00Z", form: .queryValue).secondsSince1970 == 1_769_860_800)
        #expect(failure("2026-01-31 12:00:00Z", .queryValue)?.column == 11)
        #expect(try ISO8601.parse("2026-01-31 12:00:00Z", form: .rfc3339OrDate).secondsSince1970 == 1_769_860_800)
        // A leap second reads as :59 where allowed (unix time has none), and is refused in queries.
        #expect(try ISO8601.parse("2016-12-31T23:59:60Z").secondsSince1970 == 1_483_228_799)
        #expect(failure("2016-12-31T23:59:60Z", .queryValue)?.column == 18)
        #expect(ISO8601.seconds("2026-01-31") == nil)
        #expect(ISO8601.seconds("2026-01-31", form: .rfc3339OrDate) == 1_769_817_600)
    }

    @Test func boundaries() throws {
        #expect(try ISO8601.parse("1970-01-01T00:00:00Z").secondsSince1970 == 0)
        #expect(try ISO8601.parse("0001-01-01T00:00:00Z").secondsSince1970 == -62_135_596_800)
        #expect(try ISO8601.parse("0000-01-01T00:00:00Z").secondsSince1970 == -62_167_219_200)
        #expect(try ISO8601.parse("0000-02-29T00:00:00Z").secondsSince1970 == -62_162_121_600)
        #expect(try ISO8601.parse("9999-12-31T23:59:59Z").secondsSince1970 == 253_402_300_799)
        #expect(try ISO8601.parse("2038-01-19T03:14:07Z").secondsSince1970 == Int64(Int32.max))
        #expect(try ISO8601.parse("2038-01-19T03:14:08Z").secondsSince1970 == Int64(Int32.max) + 1)
        #expect(try ISO8601.parse("1901-12-13T20:45:52Z").secondsSince1970 == Int64(Int32.min))
        #expect(try ISO8601.parse("2000-02-29T00:00:00Z").secondsSince1970 == 951_782_400)
        #expect(failure("2100-02-29T00:00:00Z")?.column == 9)
        #expect(failure("1900-02-29T00:00:00Z")?.column == 9)
        #expect(try ISO8601.parse("2024-02-29T00:00:00Z").secondsSince1970 == 1_709_164_800)
        #expect(failure("10000-01-01T00:00:00Z")?.column == 5)
        #expect(failure("-001-01-01T00:00:00Z")?.column == 1)
    }
}

@Suite struct ISO8601FormatTests {
    @Test func wholeSeconds() {
        #expect(ISO8601.format(seconds: 0) == "1970-01-01T00:00:00Z")
        #expect(ISO8601.format(seconds: 1_780_272_000) == "2026-06-01T00:00:00Z")
        #expect(ISO8601.format(seconds: 951_782_400) == "2000-02-29T00:00:00Z")
        #expect(ISO8601.format(seconds: -1) == "1969-12-31T23:59:59Z")
        #expect(ISO8601.format(seconds: -62_135_596_800) == "0001-01-01T00:00:00Z")
        #expect(ISO8601.format(seconds: 253_402_300_799) == "9999-12-31T23:59:59Z")
        #expect(ISO8601.format(seconds: Int64(Int32.max)) == "2038-01-19T03:14:07Z")
        #expect(ISO8601.format(seconds: 253_402_300_800) == "10000-01-01T00:00:00Z")
        #expect(ISO8601.format(seconds: -62_167_219_201) == "-0001-12-31T23:59:59Z")
        #expect(ISO8601.format(UnixTime.date(1_440_938_160)) == "2015-08-30T12:36:00Z")
        #expect(ISO8601.format(try! ISO8601.parseDate("2015-08-30T12:36:00.9Z")) == "2015-08-30T12:36:00Z")
        #expect(ISO8601.format(try! ISO8601.parseDate("1969-12-31T23:59:59.5Z")) == "1969-12-31T23:59:59Z")
    }

    @Test func fractions() throws {
        #expect(ISO8601.format(seconds: 0, nanoseconds: 123_456_789, fractionDigits: 3) == "1970-01-01T00:00:00.123Z")
        #expect(ISO8601.format(seconds: 0, nanoseconds: 5_000_000, fractionDigits: 6) == "1970-01-01T00:00:00.005000Z")
        #expect(ISO8601.format(seconds: 0, nanoseconds: 123_456_789, fractionDigits: 9) == "1970-01-01T00:00:00.123456789Z")
        #expect(ISO8601.format(seconds: 0, nanoseconds: 999_999_999, fractionDigits: 0) == "1970-01-01T00:00:00Z")
        let parsed = try ISO8601.parse("2026-01-31T14:00:00.25+02:00")
        #expect(ISO8601.format(parsed, fractionDigits: 2) == "2026-01-31T12:00:00.25Z")
        #expect(ISO8601.format(parsed) == "2026-01-31T12:00:00Z")
    }

    @Test func dateOrDateTime() {
        #expect(ISO8601.formatDateOrDateTime(seconds: 1_769_817_600) == "2026-01-31")
        #expect(ISO8601.formatDateOrDateTime(seconds: 1_769_860_800) == "2026-01-31T12:00:00Z")
        #expect(ISO8601.formatDateOrDateTime(seconds: -86_400) == "1969-12-31")
        #expect(ISO8601.formatDateOrDateTime(seconds: -1) == "1969-12-31T23:59:59Z")
        #expect(ISO8601.formatDate(seconds: -1) == "1969-12-31")
    }

    @Test func roundTrip() throws {
        var state: UInt64 = 0x5157_4654_494d_4531
        for _ in 0..<5_000 {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let seconds = Int64(z % 315_537_897_600) - 62_135_596_800  // 0001-01-01 ... 9999-12-31
            let text = ISO8601.format(seconds: seconds)
            #expect(try ISO8601.parse(text).secondsSince1970 == seconds, "\(text)")
        }
    }
}

@Suite struct FoundationAgreementTests {
    /// The writer and Foundation's `ISO8601DateFormatter` agree on 2,000 times from 1906 to 2223.
    @Test func agreesWithFoundation() throws {
        let formatter = ISO8601DateFormatter()
        var state: UInt64 = 1
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let seconds = Int64((state >> 31) % 8_000_000_000) - 2_000_000_000
            let text = ISO8601.format(seconds: seconds)
            #expect(text == formatter.string(from: UnixTime.date(seconds)))
            #expect(formatter.date(from: text).map(UnixTime.seconds(of:)) == seconds)
            #expect(try ISO8601.parse(text).secondsSince1970 == seconds)
        }
    }
}
