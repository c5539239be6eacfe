import Foundation
import Testing
@testable import SiftQuery

/// Runs `body` on a thread with a 512 KB stack (smaller than any thread Sift runs queries on)
/// and waits for it: input within the limits must not exhaust even that.
func onSmallStack(_ body: @escaping @Sendable () -> Void) {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        done.signal()
    }
    thread.stackSize = 512 * 1024
    thread.start()
    done.wait()
}

/// Inputs that used to crash the parser, the printer or the compiler (issue 13): each is now an
/// error at the spot where a limit is passed.
@Suite("Limits")
struct LimitTests {
    static let depth = QueryLimits.maxNesting

    @Test func deepParentheses() throws {
        let text = String(repeating: "(", count: 3000) + "all" + String(repeating: ")", count: 3000)
        let error = try #require(parseError(text))
        #expect(error.message == "query nested too deeply")
        #expect(error.column == Self.depth + 1)
        #expect(error.expected == "at most \(Self.depth) levels of parentheses, not, with, [ and {")
    }

    @Test func manyNots() throws {
        let error = try #require(parseError(String(repeating: "not ", count: 20_000) + "all"))
        #expect(error.message == "query nested too deeply")
        #expect(error.column == Self.depth * 4 + 1)
    }

    @Test func nestedWith() throws {
        let text = "all " + String(repeating: "with(any, --> ", count: 3000) + "all" + String(repeating: ")", count: 3000)
        let error = try #require(parseError(text))
        #expect(error.message == "query nested too deeply")
        #expect(error.column == 5 + Self.depth * 14)
    }

    @Test func deepArraysAndObjects() throws {
        let arrays = try #require(parseError("name in " + String(repeating: "[", count: 100_000)))
        #expect(arrays.message == "query nested too deeply")
        #expect(arrays.column == 9 + Self.depth)
        let objects = try #require(parseError("name == " + String(repeating: "{a:", count: 100_000)))
        #expect(objects.message == "query nested too deeply")
        #expect(objects.column == 9 + Self.depth * 3)
    }

    @Test func longAndChain() throws {
        let text = Array(repeating: "name != x", count: 100_000).joined(separator: " and ")
        let error = try #require(parseError(text))
        #expect(error.message == "query too long")
        #expect(error.expected == "at most \(QueryLimits.maxTerms) terms")
        #expect(error.column == QueryLimits.maxTerms * 14 + 1)
    }

    @Test func inputAtTheLimitsParsesPrintsAndParsesBack() {
        let texts = [
            String(repeating: "(", count: Self.depth) + "all" + String(repeating: ")", count: Self.depth),
            String(repeating: "not ", count: Self.depth) + "all",
            "all " + String(repeating: "with(any, --> ", count: Self.depth - 1) + "all" + String(repeating: ")", count: Self.depth - 1),
            "name in " + String(repeating: "[", count: Self.depth) + String(repeating: "]", count: Self.depth),
            "name == " + String(repeating: "{a:", count: Self.depth) + "1" + String(repeating: "}", count: Self.depth),
            Array(repeating: "name != x", count: QueryLimits.maxTerms).joined(separator: " and "),
            Array(repeating: "a == 1 and b == 2", count: QueryLimits.maxTerms / 4).joined(separator: " or "),
        ]
        for text in texts {
            onSmallStack {
                do {
                    let query = try QueryParser.parse(text)
                    let printed = query.description
                    #expect(try QueryParser.parse(printed) == query)
                } catch {
                    Issue.record("\(text.prefix(40))...: \(error)")
                }
            }
        }
    }

    @Test func chainIsFlattenedLeftToRight() throws {
        let query = try QueryParser.parse("a == 1 and b == 2 and c == 3 or d == 4")
        guard case .or(let left, _) = query.parts[0].term else {
            Issue.record("expected or")
            return
        }
        #expect(left.chain.count == 3)
        #expect(query.parts[0].term.chain.count == 2)
        #expect(query.description == "a == 1 and b == 2 and c == 3 or d == 4")
    }
}

/// A NUL in query text would reach SQLite cut short (the regex checked was not the regex run):
/// refused where it is written. Found by the Compiler fuzz target.
@Suite("NUL in queries")
struct NulTests {
    @Test func refusedInStringsEscapesAndKeys() throws {
        for (text, column) in [("name == \"a\u{0}b\"", 11), ("name =~ \"^(a|b\\u0000c)\"", 15), ("`a\u{0}b` == 1", 3)] {
            let error = try #require(parseError(text))
            #expect(error.message.hasPrefix("NUL character in a"), "\(text.debugDescription): \(error)")
            #expect(error.column == column, "\(text.debugDescription)")
        }
    }
}

/// Inputs the fuzz targets found (Fuzz/), kept as regression tests.
@Suite("Fuzz findings")
struct FuzzFindingTests {
    /// RoundTrip: `22e4441` read as infinity, printed as the string "inf", read back as a string.
    @Test func infiniteNumbersAreRefused() throws {
        let error = try #require(parseError("a=22e4441"))
        #expect(error.message == "number '22e4441' out of range")
        #expect(error.column == 3)
        #expect(try QueryParser.parse("a == 1e308").description == "a == 1e+308")
    }
}
