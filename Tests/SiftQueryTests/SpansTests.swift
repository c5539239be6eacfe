import Testing
@testable import SiftQuery

@Suite("Spans")
struct SpansTests {
    @Test func locatesPieces() throws {
        let text = "is(access_key) and name == jenkins\n  and tags.owner > 90d <-[1:]- is(usr)"
        let (query, spans) = try QueryParser.parseLocated(text)
        #expect(query == (try QueryParser.parse(text)))
        #expect(spans.kinds.map(\.value) == ["access_key", "usr"])
        #expect(spans.position(ofKind: "usr") == SourcePosition(offset: 69, line: 2, column: 35))
        #expect(spans.position(ofPathText: "tags.owner").map { ($0.line, $0.column) }! == (2, 7))
        #expect(spans.position(ofPath: key("name"))?.column == 20)
        let predicate = Predicate(path: key("tags", "owner"), op: .greater, value: .duration(Duration(seconds: 90 * 86_400)))
        #expect(spans.position(ofPredicate: predicate)?.column == 7)
        #expect(spans.position(ofValue: .duration(Duration(seconds: 90 * 86_400)))?.column == 20)
        #expect(spans.predicates.map { spans.slice($0.range) } == ["name == jenkins", "tags.owner > 90d"])
        #expect(spans.position(ofNavigation: Navigation(direction: .in, minDepth: 1, maxDepth: nil))?.column == 24)
        #expect(spans.position(ofKind: "missing") == nil)
    }

    @Test func errorAtASpanRenders() throws {
        let text = "is(acces_key) and age > 3d"
        let (_, spans) = try QueryParser.parseLocated(text)
        let position = try #require(spans.position(ofKind: "acces_key"))
        let error = QueryError(at: position, message: "unknown kind 'acces_key'", hint: "did you mean access_key?")
        #expect(error.render(source: text) == """
            line 1, column 4: unknown kind 'acces_key' (did you mean access_key?)
              is(acces_key) and age > 3d
                 ^
            """)
    }
}
