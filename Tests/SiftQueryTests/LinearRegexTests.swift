import Testing
@testable import SiftQuery

/// `=~`'s matcher: ICU's syntax for what people write, case-insensitive, found anywhere, linear.
@Suite("LinearRegex")
struct LinearRegexTests {
    func matches(_ pattern: String, _ text: String) throws -> Bool {
        try LinearRegex(pattern).matches(text)
    }

    @Test func syntax() throws {
        let cases: [(String, String, Bool)] = [
            ("abc", "xxABCxx", true), ("^abc", "xabc", false), ("^abc$", "ABC", true), ("abc$", "abc\n", true),
            ("a.c", "a\nc", false), ("a.c", "a-c", true), ("[a-c]+x", "zzCBAx", true), ("[^a-c]", "abc", false),
            ("\\d{3}-\\d{2}", "tel 123-45", true), ("\\d{3}", "12", false), ("^\\w+$", "jen_kins9", true),
            ("^\\w+$", "jen kins", false), ("\\s", "a b", true), ("\\S+", "   ", false), ("jenkins|ci", "my-CI-user", true),
            ("^(ab)+$", "ababab", true), ("^(ab)+$", "ababa", false), ("^a{2,3}$", "aaaa", false), ("^a{2,}$", "aaaa", true),
            ("^(?:x|y)?z$", "z", true), ("\\bci\\b", "the ci user", true), ("\\bci\\b", "circle", false),
            ("\\Bir", "circle", true), ("a\\.b", "axb", false), ("a\\.b", "a.b", true), ("[\\d_]+", "_1", true),
            ("(?i)ABC", "abc", true), ("ä", "Ä", true), ("a*?b", "aab", true), ("x{", "x{", true), ("", "", true),
            ("\\x41\\u0042", "ab", true), ("[.]", "a", false), ("a|", "b", true), ("^$", "x", false),
        ]
        for (pattern, text, expected) in cases {
            #expect(try matches(pattern, text) == expected, "\(pattern) on \(text)")
        }
    }

    @Test func errorsHavePositions() {
        let cases: [(String, Int, String)] = [
            ("(", 2, "missing ')' for the '(' at character 1"), ("ab)", 3, "unmatched ')'"), ("*a", 1, "nothing to repeat"),
            ("a**", 3, "a quantifier cannot follow another; use a group: (x*)*"), ("[a-", 4, "missing ']' for the '[' at character 1"),
            ("(a)\\1", 4, "back-references are not supported"), ("(?=a)", 1, "look-ahead is not supported"),
            ("[z-a]", 2, "range out of order in a class"), ("a{3,2}", 2, "{3,2}: the maximum is below the minimum"),
            ("\\q", 1, "unknown escape '\\q'"), ("a\\", 2, "'\\' at the end of the pattern"),
        ]
        for (pattern, column, message) in cases {
            #expect(throws: RegexSyntaxError(column: column, message: message)) { _ = try LinearRegex(pattern) }
        }
        #expect(throws: RegexSyntaxError.self) { _ = try LinearRegex("(x{1000}){1000}") }
        #expect(throws: RegexSyntaxError.self) { _ = try LinearRegex(String(repeating: "(", count: 100_000)) }
    }

    /// The patterns that hung ICU for seconds to minutes (issue 13) answer, and answer right.
    @Test func catastrophicPatternsAnswer() throws {
        for length in 20...40 {
            #expect(try matches("(a*)*b", String(repeating: "a", count: length)) == false)
            #expect(try matches("(a*)*b", String(repeating: "a", count: length) + "b") == true)
        }
        #expect(try matches("(.*)*x$", String(repeating: "_", count: 1000)) == false)
        #expect(try matches("(a|aa)+$", String(repeating: "a", count: 5000) + "!") == false)
    }

    @Test func stepBoundIsAnErrorNotANo() throws {
        let regex = try LinearRegex("[a-z]{0,100}x")
        #expect(throws: RegexLimitError.self) { _ = try regex.matches(String(repeating: "a", count: 10_000), maxSteps: 100_000) }
        #expect(try regex.matches(String(repeating: "a", count: 10_000) + "x", maxSteps: 10_000_000) == true)
    }

    /// The deepest pattern accepted compiles and matches on a small stack (the query threads' size).
    @Test func deepestGroupsOnASmallStack() {
        let depth = LinearRegex.maxNesting
        let pattern = String(repeating: "(", count: depth) + "a*" + String(repeating: ")*", count: depth)
        onSmallStack {
            do {
                #expect(try LinearRegex(pattern).matches("baaa"))
            } catch {
                Issue.record("\(error)")
            }
        }
        #expect(throws: RegexSyntaxError(column: depth + 1, message: "groups nested deeper than \(depth)")) {
            _ = try LinearRegex(String(repeating: "(", count: depth + 1) + "a" + String(repeating: ")", count: depth + 1))
        }
    }
}
