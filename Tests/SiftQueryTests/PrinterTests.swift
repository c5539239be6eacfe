import Testing
@testable import SiftQuery

@Suite("Printer")
struct PrinterTests {
    /// Parses, prints, and checks the printed form; then checks print -> parse -> print is stable
    /// and parse(print(ast)) == ast.
    func expectNormalised(_ input: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let query = try QueryParser.parse(input)
        let printed = query.description
        #expect(printed == expected, sourceLocation: sourceLocation)
        let reparsed = try QueryParser.parse(printed)
        #expect(reparsed == query, "AST changed through \(printed)", sourceLocation: sourceLocation)
        #expect(reparsed.description == printed, sourceLocation: sourceLocation)
    }

    @Test func walkthrough() throws {
        try expectNormalised("is(access_key) and last_access > 90days <-- is(user)",
                             "is(access_key) and last_access > 90d <-- is(user)")
        try expectNormalised("is(access_key)  and last_access>90days and name not in [jenkins,ci]",
                             "is(access_key) and last_access > 90d and name not in [jenkins, ci]")
    }

    @Test func spacingAndOperators() throws {
        try expectNormalised("a=1", "a == 1")
        try expectNormalised("a~x", "a =~ x")
        try expectNormalised("a!~\"^x\"", "a !~ \"^x\"")
        try expectNormalised("A  ==  'x'", "A == x")
        try expectNormalised("tags   any==x", "tags any == x")
        try expectNormalised("IS([a,b]) OR ID( x )", "is(a, b) or id(x)")
        try expectNormalised("has_key(tags,[a,b])", "has_key(tags, a, b)")
        try expectNormalised("\"full text\"", "\"full text\"")
    }

    @Test func parenthesesOnlyWhereNeeded() throws {
        try expectNormalised("(a == 1 and b == 2) or c == 3", "a == 1 and b == 2 or c == 3")
        try expectNormalised("a == 1 and (b == 2 or c == 3)", "a == 1 and (b == 2 or c == 3)")
        try expectNormalised("a == 1 or (b == 2 or c == 3)", "a == 1 or (b == 2 or c == 3)")
        try expectNormalised("(a == 1 or b == 2) or c == 3", "a == 1 or b == 2 or c == 3")
        try expectNormalised("not (a == 1)", "not a == 1")
        try expectNormalised("not (a == 1 or b == 2)", "not (a == 1 or b == 2)")
        try expectNormalised("(not a == 1) and b == 2", "not a == 1 and b == 2")
    }

    @Test func values() throws {
        try expectNormalised("a == 2d12h", "a == 2d12h")
        try expectNormalised("a == 1yr", "a == 365d")
        try expectNormalised("a == P90D", "a == 90d")
        try expectNormalised("a > -3d", "a > -3d")
        try expectNormalised("a == 90min", "a == 1h30min")
        try expectNormalised("a == 0s", "a == 0s")
        try expectNormalised("a == 2026-01-31T00:00:00Z", "a == 2026-01-31")
        try expectNormalised("a == 2026-01-31T14:00:00+02:00", "a == 2026-01-31T12:00:00Z")
        try expectNormalised("a == @NOW@", "a == @now@")
        try expectNormalised("a == 'and'", "a == \"and\"")
        try expectNormalised("a == \"90d\"", "a == \"90d\"")
        try expectNormalised("a == \"123\"", "a == \"123\"")
        try expectNormalised("a == \"true\"", "a == \"true\"")
        try expectNormalised("a == \"us-east-1\"", "a == us-east-1")
        try expectNormalised("a == 10.0.0.1", "a == 10.0.0.1")
        try expectNormalised("a == \"with space\"", "a == \"with space\"")
        try expectNormalised("a == \"quote\\\" back\\\\ nl\\n\"", "a == \"quote\\\" back\\\\ nl\\n\"")
        try expectNormalised("a == {b: 1, \"c d\": [x, \"y z\"]}", "a == {\"b\": 1, \"c d\": [x, \"y z\"]}")
        try expectNormalised("a == 1.50", "a == 1.5")
        try expectNormalised("a == null", "a == null")
    }

    @Test func paths() throws {
        try expectNormalised("tags.`app.kubernetes.io/name` == web", "tags.`app.kubernetes.io/name` == web")
        try expectNormalised("`tags`.`owner` == x", "tags.owner == x")
        try expectNormalised("`all` == 1", "`all` == 1")
        try expectNormalised("`account` == 1", "`account` == 1")
        try expectNormalised("account == prod", "account == prod")
        try expectNormalised("a[] == 1", "a[*] == 1")
        try expectNormalised("/ancestors.account.reported.name == x", "/ancestors.account.reported.name == x")
        try expectNormalised("/reported.name == x", "/reported.name == x")
        try expectNormalised("/desired.clean == true", "/desired.clean == true")
    }

    @Test func navigation() throws {
        try expectNormalised("all -default-> all", "all --> all")
        try expectNormalised("all -[1]-> all", "all --> all")
        try expectNormalised("all -[1:1]-> all", "all --> all")
        try expectNormalised("all <-[0:]- all", "all <-[0:]- all")
        try expectNormalised("all <-delete[2:2]- all", "all <-delete[2]- all")
        try expectNormalised("all <-default[0:1]delete-> all", "all <-default[0:1]delete-> all")
        try expectNormalised("all <-[1]delete-> all", "all <-default[1]delete-> all")
        try expectNormalised("all <-delete-> all", "all <-delete-> all")
        try expectNormalised("all <-delete,default-> all", "all <-delete,default-> all")
        try expectNormalised("--> is(user)", "all --> is(user)")
        try expectNormalised("is(user) <--", "is(user) <-- all")
    }

    @Test func clauses() throws {
        try expectNormalised("is(user) with( empty ,--> is(access_key) )", "is(user) with(empty, --> is(access_key))")
        try expectNormalised("is(user) with(count=2, --> with(any, <--))", "is(user) with(count == 2, --> with(any, <--))")
        try expectNormalised("is(user) sort name asc, ctime DESC limit 0, 10", "is(user) sort name, ctime desc limit 10")
        try expectNormalised("sort name limit 5,10 --> all", "all sort name limit 5, 10 --> all")
    }

    @Test func pathProblems() {
        #expect(Path(components: []).problem != nil)
        #expect(Path(components: [.index(0)]).problem != nil)
        #expect(Path(components: [.key("")]).problem != nil)
        #expect(Path(components: [.key("a`b")]).problem != nil)
        #expect(Path(root: .shortcut("region"), components: [.key("name")]).problem != nil)
        #expect(Path(components: [.key("a"), .index(0), .wildcard]).problem == nil)
    }
}
