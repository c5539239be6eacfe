import Testing
@testable import SiftQuery

/// The error a query gives (fails the test when it parses).
func parseError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> QueryError? {
    do {
        let query = try QueryParser.parse(text)
        Issue.record("expected an error for \(text), got \(query)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

@Suite("Errors")
struct ErrorTests {
    @Test func danglingAnd() throws {
        let error = try #require(parseError("is(access_key) and"))
        #expect((error.line, error.column) == (1, 19))
        #expect(error.message == "unexpected end of query")
        #expect(error.expected?.hasPrefix("a term expected") == true)
    }

    @Test func unterminatedString() throws {
        let error = try #require(parseError("name == \"abc"))
        #expect((error.line, error.column) == (1, 9))
        #expect(error.message == "unterminated string")
        #expect(error.render(source: "name == \"abc") == """
            line 1, column 9: unterminated string, closing " expected (a string opened here never ends)
              name == "abc
                      ^
            """)
    }

    @Test func badDurationUnit() throws {
        let error = try #require(parseError("age > 90dayz"))
        #expect((error.line, error.column) == (1, 7))
        #expect(error.message == "invalid duration '90dayz'")
        #expect(error.hint?.contains("unknown unit 'dayz'") == true)
    }

    @Test func badDates() throws {
        // A time without a zone names no instant: refused, the hint says where the zone belongs.
        let zoneless = try #require(parseError("ctime > 2026-01-31T12:00:00"))
        #expect((zoneless.line, zoneless.column) == (1, 9))
        #expect(zoneless.message == "invalid date '2026-01-31T12:00:00'")
        #expect(zoneless.hint?.contains("a zone (Z or an offset like +02:00) expected after the time, found the end") == true)
        #expect(zoneless.hint?.contains("(character 20)") == true)
        let february = try #require(parseError("ctime > 2026-02-31"))
        #expect(february.message == "invalid date '2026-02-31'")
        #expect(february.hint?.hasPrefix("day 31 does not exist in 2026-02 (28 days) (character 9)") == true)
        #expect(parseError("a == 2100-02-29")?.message == "invalid date '2100-02-29'")
        #expect(try QueryParser.parse("a == 2000-02-29").description == "a == 2000-02-29")
        #expect(parseError("a == 2026-01-31T24:00:00Z")?.hint?.contains("hour 24 is not 00-23 (character 12)") == true)
        #expect(parseError("a == 2026-01-31T12:00:00+02:60")?.hint?.contains("character 24") == true)
    }

    @Test func badISODurations() throws {
        // Parts out of order were read as a duration before; now an error, never a silent word.
        #expect(parseError("age > P1D1Y")?.message == "invalid duration 'P1D1Y'")
        #expect(parseError("age > P1DT")?.message == "invalid duration 'P1DT'")
        // Other words starting with P stay words.
        #expect(try QueryParser.parse("name == P3m").description == "name == P3m")
        #expect(try QueryParser.parse("name == Production").description == "name == Production")
        #expect(try QueryParser.parse("age > 90D").description == "age > 90d")
        #expect(parseError("age > 1M")?.hint?.contains("min for minutes or mo for months") == true)
    }

    @Test func missingValue() throws {
        let error = try #require(parseError("last_access >"))
        #expect((error.line, error.column) == (1, 14))
        #expect(error.expected == "value expected")
        #expect(error.render(source: "last_access >") == """
            line 1, column 14: unexpected end of query, value expected
              last_access >
                           ^
            """)
    }

    @Test func unclosedNavigation() throws {
        let error = try #require(parseError("is(user) <-[1:]"))
        #expect((error.line, error.column) == (1, 16))
        #expect(error.message == "navigation not closed")
        #expect(error.expected == "'-' or '->' expected")
        let out = try #require(parseError("is(user) -[2]"))
        #expect(out.expected == "'->' expected")
    }

    @Test func unbalancedParentheses() throws {
        let open = try #require(parseError("(is(a) and b == 1"))
        #expect((open.line, open.column) == (1, 18))
        #expect(open.expected == "')' expected")
        #expect(open.hint == "the '(' at column 1 is not closed")
        let close = try #require(parseError("is(a))"))
        #expect((close.line, close.column) == (1, 6))
        #expect(close.message == "unexpected ')'")
        #expect(close.expected == "'and' or 'or' expected")
        let isOpen = try #require(parseError("is(a"))
        #expect(isOpen.expected == "',' or ')' expected")
    }

    @Test func junkAfterTerm() throws {
        let error = try #require(parseError("is(access_key) foo"))
        #expect((error.line, error.column) == (1, 16))
        #expect(error.description == "line 1, column 16: unexpected 'foo', 'and' or 'or' expected")
    }

    @Test func missingOperator() throws {
        let error = try #require(parseError("name jenkins"))
        #expect(error.column == 6)
        #expect(error.expected?.hasPrefix("operator expected") == true)
        let isWithoutParens = try #require(parseError("is access_key"))
        #expect(isWithoutParens.hint == "is takes its arguments in parentheses: is(...)")
    }

    @Test func multiLinePositions() throws {
        let source = "is(user)\n  and   foo"
        let error = try #require(parseError(source))
        #expect((error.line, error.column) == (2, 12))
        let caret = "  " + String(repeating: " ", count: 11) + "^"
        #expect(error.render(source: source) == """
            line 2, column 12: unexpected end of query, operator expected (==, !=, <, <=, >, >=, =~, !~, in, not in)
                and   foo
            """ + "\n" + caret)
    }

    @Test func lexicalMistakes() throws {
        #expect(parseError("all -delet-> all")?.message == "unknown edge type 'delet'")
        #expect(parseError("all -delet-> all")?.column == 6)
        #expect(parseError("ctime > @later@")?.message == "unknown placeholder '@later@'")
        #expect(parseError("/foo.bar == 1")?.message == "unknown section 'foo'")
        #expect(parseError("/ancestors.account.name == 1")?.message == "section expected after /ancestors.account")
        #expect(parseError("/desired == 1")?.message == "property name expected after the section")
        #expect(parseError("tags. == 1")?.column == 6)
        #expect(parseError("a[x] == 1")?.expected == "a number or '*' expected")
        #expect(parseError("`` == 1")?.message == "empty key")
        #expect(parseError("`abc == 1")?.message == "unterminated backtick")
        #expect(parseError("a == 1 # b")?.message == "unexpected character '#'")
        #expect(parseError("a ! b")?.message == "unexpected '!'")
        #expect(parseError("all -> all")?.hint == "did you mean -->?")
        #expect(parseError("all -[3:1]-> all")?.message == "empty depth range [3:1]")
        #expect(parseError("a == \"\\u12\"")?.message == "invalid escape")
    }

    @Test func structuralMistakes() throws {
        #expect(parseError("")?.message == "empty query")
        #expect(parseError("   ")?.column == 4)
        #expect(parseError("is()")?.hint == "is() needs at least one kind")
        #expect(parseError("has_key(tags)")?.expected == "',' expected")
        #expect(parseError("all with(some, --> all)")?.expected == "'any', 'empty' or 'count' expected")
        #expect(parseError("all with(any, all)")?.expected == "navigation expected")
        #expect(parseError("all with(count =~ 1, --> all)")?.expected == "comparison expected (==, !=, <, <=, >, >=)")
        #expect(parseError("all limit x")?.expected == "a whole number expected")
        #expect(parseError("all limit -1")?.expected == "a whole number expected")
        #expect(parseError("all sort")?.expected == "property path expected")
        #expect(parseError("a == [1, 2")?.expected == "',' or ']' expected")
        #expect(parseError("a == {b 1}")?.expected == "':' expected")
        #expect(parseError("a == 2026-13-01")?.message == "invalid date '2026-13-01'")
        #expect(parseError("a == -x")?.message == "unexpected '-'")
        #expect(parseError("is(a) and and b == 1")?.column == 11)
        #expect(parseError("is(a) limit 1 sort name")?.expected == "navigation or end of query expected")
    }
}

@Suite("Error hints")
struct ErrorHintTests {
    @Test func hints() {
        #expect(parseError("last_access > 90 days")?.hint == "write durations without a space, e.g. 90days")
        #expect(parseError("name == jenkins ci")?.hint == "quote text that contains spaces: \"...\"")
        #expect(parseError("is(a) and (b == 1 or c == x y)")?.expected == "')' expected")
        #expect(parseError("is(a) && b == 1")?.hint == "write 'and'")
        #expect(parseError("is(a) || b == 1")?.hint == "write 'or'")
        #expect(parseError("is(a) and b == 1)")?.hint == "no '(' is open here")
    }
}

@Suite("Suggestions")
struct SuggestionTests {
    @Test func misspeltKeywords() {
        #expect(parseError("is(a) adn b == 1")?.hint == "did you mean 'and'?")
        #expect(parseError("is(a) ro b == 1")?.hint == "did you mean 'or'?")
        #expect(parseError("is(a) srot name")?.hint == "did you mean 'sort'?")
        #expect(parseError("is(a) limt 3")?.hint == "did you mean 'limit'?")
        #expect(parseError("all with(emtpy, --> all)")?.hint == "did you mean 'empty'?")
        #expect(parseError("is(a) banana")?.hint == nil)
    }

    @Test func distances() {
        #expect(Suggestion.editDistance(Array("adn"), Array("and")) == 1)
        #expect(Suggestion.editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(Suggestion.closest(to: "acces_key", among: ["access_key", "user"]) == "access_key")
        #expect(Suggestion.closest(to: "user", among: ["access_key", "user"]) == nil)
        #expect(Suggestion.editDistance("clenaup", "cleanup") == 1)
    }

    @Test func tolerances() {
        // keyword: 1 edit, 2 for candidates of five letters or more
        #expect(Suggestion.closest(to: "xnd", among: ["and"]) == "and")
        #expect(Suggestion.closest(to: "xnx", among: ["and"]) == nil)
        #expect(Suggestion.closest(to: "lmt", among: ["limit"]) == "limit")
        // proportional: a third of the word's length, 1 to 3
        #expect(Suggestion.closest(to: "aws_iam_usr", among: ["aws_iam_user"], within: .proportional) == "aws_iam_user")
        #expect(Suggestion.closest(to: "usx", among: ["user"], within: .proportional) == nil)
        #expect(Suggestion.closest(to: "User", among: ["user"], within: .proportional) == "user")
        // fixed
        #expect(Suggestion.closest(to: "cln", among: ["cleanup"], within: .edits(4)) == "cleanup")
        #expect(Suggestion.closest(to: "cln", among: ["cleanup"], within: .edits(3)) == nil)
        // the first of equally close candidates
        #expect(Suggestion.closest(to: "bat", among: ["cat", "hat"], within: .edits(1)) == "cat")
    }
}
