import Testing
import SiftTime

private func failure(_ text: String) -> DurationError? {
    do {
        let seconds = try DurationText.parse(text)
        Issue.record("'\(text)' parsed as \(seconds)")
        return nil
    } catch {
        return error
    }
}

@Suite struct DurationTextTests {
    let day: Int64 = 86_400

    @Test func compact() throws {
        let cases: [(String, Int64)] = [
            ("90days", 90 * day), ("90d", 90 * day), ("3h", 3 * 3600), ("1w", 7 * day), ("2d12h", 2 * day + 12 * 3600),
            ("1h30min", 5400), ("30min1h", 5400), ("1yr", 365 * day), ("1y", 365 * day), ("2years", 730 * day), ("1mo", 30 * day),
            ("3months", 90 * day), ("-3d", -3 * day), ("+3d", 3 * day), ("10s", 10), ("5minutes", 300), ("1second", 1),
            ("2weeks", 14 * day), ("1hour", 3600), ("1.5h", 5400), ("30m", 1800), ("2hrs", 7200), ("5secs", 5),
            ("7D", 7 * day), ("1H30MIN", 5400), ("0s", 0), ("1Mo", 30 * day), ("0.4s", 0), ("0.5s", 1),
        ]
        for (text, seconds) in cases {
            #expect(try DurationText.parse(text) == seconds, "\(text)")
        }
    }

    @Test func iso() throws {
        let cases: [(String, Int64)] = [
            ("P90D", 90 * day), ("PT1H30M", 5400), ("P1Y2M", 365 * day + 60 * day), ("P2W", 14 * day), ("-P1D", -day),
            ("P1DT12H", day + 12 * 3600), ("PT0.5S", 1), ("P1.5D", day + day / 2), ("PT1M", 60), ("P1M", 30 * day),
            ("P1Y1M1W1DT1H1M1S", 365 * day + 30 * day + 7 * day + day + 3600 + 60 + 1),
        ]
        for (text, seconds) in cases {
            #expect(try DurationText.parse(text) == seconds, "\(text)")
        }
    }

    @Test func errorsCarryTheColumn() throws {
        let cases: [(String, Int, DurationError.Kind)] = [
            ("", 1, .empty), ("-", 2, .empty), ("90dayz", 3, .unknownUnit("dayz")), ("90", 3, .unitExpected),
            ("1h30", 5, .unitExpected), ("5 d", 2, .unitExpected), ("d", 1, .numberExpected), ("1.h", 3, .numberExpected),
            ("1M", 2, .ambiguousUnit), ("1hé", 3, .numberExpected), ("P", 2, .isoSyntax), ("PT", 3, .isoSyntax),
            ("P1DT", 5, .isoOrder), ("P1H", 3, .isoSyntax), ("PT1D", 4, .isoSyntax), ("P1D1Y", 5, .isoOrder),
            ("P1D1D", 5, .isoOrder), ("PT1H1H", 6, .isoOrder), ("P1DTT1H", 5, .isoOrder), ("p7d", 1, .numberExpected),
            ("P1d", 3, .isoSyntax), ("Pt1H", 2, .isoSyntax), ("P1", 3, .isoSyntax),
            ("PX", 2, .isoSyntax), ("99999999999y", 1, .tooLarge), ("P99999999999Y", 2, .tooLarge),
            ("éd", 1, .numberExpected), ("1dé", 3, .numberExpected),
        ]
        for (text, column, kind) in cases {
            let error = try #require(failure(text), "\(text)")
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.kind == kind, "\(text): \(error)")
        }
        #expect(failure("90dayz")?.message == "unknown unit 'dayz'")
        #expect(failure("90")?.message == "a unit expected after 90, found the end")
        #expect(failure("1M")?.message.contains("min for minutes or mo for months") == true)
    }

    @Test func limit() throws {
        #expect(try DurationText.parse("\(DurationText.limit)s") == DurationText.limit)
        #expect(failure("\(DurationText.limit + 1)s")?.kind == .tooLarge)
        #expect(try DurationText.parse("-\(DurationText.limit)s") == -DurationText.limit)
    }

    @Test func format() throws {
        #expect(DurationText.format(seconds: 0) == "0s")
        #expect(DurationText.format(seconds: 90 * day) == "90d")
        #expect(DurationText.format(seconds: 2 * day + 12 * 3600) == "2d12h")
        #expect(DurationText.format(seconds: 5400) == "1h30min")
        #expect(DurationText.format(seconds: -3 * day) == "-3d")
        #expect(DurationText.format(seconds: 365 * day) == "365d")
        #expect(DurationText.format(seconds: 61) == "1min1s")
        #expect(DurationText.format(seconds: Int64.min).hasPrefix("-"))
        for seconds in [Int64(0), 1, 59, 60, 3_599, 86_399, 86_400, 90 * day + 1, -5400, DurationText.limit] {
            #expect(try DurationText.parse(DurationText.format(seconds: seconds)) == seconds)
        }
    }
}
