import Testing
@testable import SiftQuery

@Suite("Lexer")
struct LexerTests {
    func kinds(_ text: String) throws -> [TokenKind] {
        try Lexer(text).tokens().map(\.kind).dropLast()
    }

    @Test func walkthroughTokensWithPositions() throws {
        let lexer = Lexer("is(access_key) and last_access > 90days <-- is(user)")
        let tokens = try lexer.tokens()
        #expect(tokens.map(\.kind) == [
            .word("is"), .leftParen, .word("access_key"), .rightParen, .word("and"), .word("last_access"),
            .op(.greater), .word("90days"), .arrow(Navigation(direction: .in)), .word("is"), .leftParen,
            .word("user"), .rightParen, .end,
        ])
        #expect(tokens.map(\.start) == [0, 2, 3, 13, 15, 19, 31, 33, 40, 44, 46, 47, 51, 52])
        #expect(tokens[8].end == 43)
    }

    @Test func locations() {
        let lexer = Lexer("all\n  and né == 1")
        #expect(lexer.location(of: 0) == SourcePosition(offset: 0, line: 1, column: 1))
        #expect(lexer.location(of: 4) == SourcePosition(offset: 4, line: 2, column: 1))
        #expect(lexer.location(of: 6) == SourcePosition(offset: 6, line: 2, column: 3))
        // `é` is two bytes but one column.
        #expect(lexer.location(of: 13) == SourcePosition(offset: 13, line: 2, column: 9))
    }

    @Test func operators() throws {
        #expect(try kinds("== = != < <= > >= =~ ~ !~") == [
            .op(.equal), .op(.equal), .op(.notEqual), .op(.less), .op(.lessOrEqual), .op(.greater),
            .op(.greaterOrEqual), .op(.matches), .op(.matches), .op(.notMatches),
        ])
        #expect(try kinds("a<=b") == [.word("a"), .op(.lessOrEqual), .word("b")])
    }

    @Test func punctuationStringsAndPlaceholders() throws {
        #expect(try kinds("( ) [ ] { } , :") == [.leftParen, .rightParen, .leftBracket, .rightBracket, .leftBrace, .rightBrace, .comma, .colon])
        #expect(try kinds("\"a\\tb\" 'c\"d' `x.y` @now@") == [.string("a\tb"), .string("c\"d"), .backtick("x.y"), .placeholder(.now)])
        #expect(try kinds("\"\\ud83d\\ude00\"") == [.string("😀")])
    }

    @Test func wordsWithDashesAndDots() throws {
        #expect(try kinds("us-east-1 10.0.0.1 jenkins tags.owner /desired.clean") ==
                [.word("us-east-1"), .word("10.0.0.1"), .word("jenkins"), .word("tags.owner"), .word("/desired.clean")])
        #expect(try kinds("2026-01-31T12:00:00+02:00") == [.word("2026-01-31T12:00:00+02:00")])
        #expect(try kinds("a--b") == [.word("a--b")])
    }

    @Test func dashStartsArrowsOrSignedWords() throws {
        #expect(try kinds("-3d -1.5 +2 -P1D") == [.word("-3d"), .word("-1.5"), .word("+2"), .word("-P1D")])
        #expect(try kinds("x-->y") == [.word("x"), .arrow(Navigation(direction: .out)), .word("y")])
        #expect(try kinds("x<--y") == [.word("x"), .arrow(Navigation(direction: .in)), .word("y")])
        #expect(try kinds("x<-3") == [.word("x"), .op(.less), .word("-3")])
        #expect(try kinds("a-delete->b") == [.word("a"), .arrow(Navigation(direction: .out, outEdgeTypes: ["delete"])), .word("b")])
    }

    @Test func arrows() throws {
        let cases: [(String, Navigation)] = [
            ("-->", Navigation(direction: .out)),
            ("<--", Navigation(direction: .in)),
            ("<-->", Navigation(direction: .both)),
            ("-[2]->", Navigation(direction: .out, minDepth: 2, maxDepth: 2)),
            ("-[1:3]->", Navigation(direction: .out, minDepth: 1, maxDepth: 3)),
            ("<-[0:]-", Navigation(direction: .in, minDepth: 0, maxDepth: nil)),
            ("-delete->", Navigation(direction: .out, outEdgeTypes: ["delete"])),
            ("<-default[1:]-", Navigation(direction: .in, minDepth: 1, maxDepth: nil)),
            ("<-default[0:1]delete->", Navigation(direction: .both, minDepth: 0, maxDepth: 1, outEdgeTypes: ["delete"], inEdgeTypes: ["default"])),
            ("<-[2:4]->", Navigation(direction: .both, minDepth: 2, maxDepth: 4)),
        ]
        for (text, navigation) in cases {
            #expect(try kinds(text) == [.arrow(navigation)], "\(text)")
        }
    }

    @Test func paths() throws {
        let lexer = Lexer("tags.`app.kubernetes.io/name`[0].x == 1")
        let (path, end) = try lexer.scanPath(at: 0)
        #expect(path == Path(components: [.key("tags"), .key("app.kubernetes.io/name"), .index(0), .key("x")]))
        #expect(end == 34)
        let (arrowed, arrowEnd) = try Lexer("name-->all").scanPath(at: 0)
        #expect(arrowed == Path(components: [.key("name")]))
        #expect(arrowEnd == 4)
    }

    @Test func errorsCarryPositions() {
        #expect(throws: QueryError.self) { try Lexer("a == 'open").tokens() }
        do {
            _ = try Lexer("x\n  #").tokens()
            Issue.record("no error")
        } catch {
            #expect((error.line, error.column, error.offset) == (2, 3, 4))
            #expect(error.message == "unexpected character '#'")
        }
    }
}
