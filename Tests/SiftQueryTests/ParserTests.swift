import Testing
@testable import SiftQuery

/// Shorthands for building expected ASTs.
func key(_ names: String...) -> Path {
    Path(components: names.map { PathComponent.key($0) })
}

func pred(_ path: Path, _ op: Operator, _ value: Value, _ modifier: ArrayModifier? = nil) -> Term {
    .predicate(Predicate(path: path, modifier: modifier, op: op, value: value))
}

func single(_ term: Term) -> Query {
    Query(parts: [Part(term: term)])
}

func parse(_ text: String) throws -> Query {
    try QueryParser.parse(text)
}

func term(_ text: String) throws -> Term {
    let query = try QueryParser.parse(text)
    #expect(query.parts.count == 1)
    return query.parts[0].term
}

let day: Int64 = 86_400

@Suite("Parser: terms")
struct TermTests {
    @Test func all() throws {
        #expect(try term("all") == .all)
        #expect(try term("ALL") == .all)
    }

    @Test func isKind() throws {
        #expect(try term("is(access_key)") == .isKind(["access_key"]))
        #expect(try term("is(a, b)") == .isKind(["a", "b"]))
        #expect(try term("is([a, b])") == .isKind(["a", "b"]))
        #expect(try term("IS( \"aws_iam_user\" )") == .isKind(["aws_iam_user"]))
    }

    @Test func id() throws {
        #expect(try term("id(AKIA123)") == .id(["AKIA123"]))
        #expect(try term("id(a, b)") == .id(["a", "b"]))
        #expect(try term("id([\"x y\", 123])") == .id(["x y", "123"]))
    }

    @Test func fullText() throws {
        #expect(try term("\"jenkins ci\"") == .fullText("jenkins ci"))
        #expect(try term("'single'") == .fullText("single"))
    }

    @Test func operators() throws {
        let cases: [(String, Operator)] = [
            ("==", .equal), ("=", .equal), ("!=", .notEqual), ("<", .less), ("<=", .lessOrEqual),
            (">", .greater), (">=", .greaterOrEqual), ("=~", .matches), ("~", .matches), ("!~", .notMatches),
        ]
        for (symbol, op) in cases {
            #expect(try term("count \(symbol) 3") == pred(key("count"), op, .int(3)), "\(symbol)")
            #expect(try term("count\(symbol)3") == pred(key("count"), op, .int(3)), "\(symbol) without spaces")
        }
        #expect(try term("name in [a, b]") == pred(key("name"), .in, .array([.string("a"), .string("b")])))
        #expect(try term("name not in [jenkins, ci]") == pred(key("name"), .notIn, .array([.string("jenkins"), .string("ci")])))
        #expect(try term("name NOT IN [a]") == pred(key("name"), .notIn, .array([.string("a")])))
    }

    @Test func arrayModifiers() throws {
        #expect(try term("tags any == x") == pred(key("tags"), .equal, .string("x"), .any))
        #expect(try term("ports all > 1024") == pred(key("ports"), .greater, .int(1024), .all))
        #expect(try term("names none =~ \"^ci\"") == pred(key("names"), .matches, .string("^ci"), ArrayModifier.none))
        #expect(try term("names any in [a]") == pred(key("names"), .in, .array([.string("a")]), .any))
        #expect(try term("names none not in [a]") == pred(key("names"), .notIn, .array([.string("a")]), ArrayModifier.none))
    }

    @Test func hasKey() throws {
        #expect(try term("has_key(tags, owner)") == .hasKey(path: key("tags"), keys: ["owner"]))
        #expect(try term("has_key(tags, owner, env)") == .hasKey(path: key("tags"), keys: ["owner", "env"]))
        #expect(try term("has_key(tags, [owner, \"app.io/name\"])") == .hasKey(path: key("tags"), keys: ["owner", "app.io/name"]))
        #expect(try term("has_key(/metadata.x, a)") == .hasKey(path: Path(root: .metadata, components: [.key("x")]), keys: ["a"]))
    }

    @Test func precedence() throws {
        let a = pred(key("a"), .equal, .int(1)), b = pred(key("b"), .equal, .int(2)), c = pred(key("c"), .equal, .int(3))
        #expect(try term("a == 1 or b == 2 and c == 3") == .or(a, .and(b, c)))
        #expect(try term("a == 1 and b == 2 or c == 3") == .or(.and(a, b), c))
        #expect(try term("a == 1 and (b == 2 or c == 3)") == .and(a, .or(b, c)))
        #expect(try term("not a == 1 and b == 2") == .and(.not(a), b))
        #expect(try term("not (a == 1 and b == 2)") == .not(.and(a, b)))
        #expect(try term("not not a == 1") == .not(.not(a)))
        #expect(try term("a == 1 AND b == 2 Or c == 3") == .or(.and(a, b), c))
        #expect(try term("a == 1 and b == 2 and c == 3") == .and(.and(a, b), c))
        #expect(try term("((a == 1))") == a)
    }

    @Test func keywordsAsPropertyNames() throws {
        #expect(try term("all == 3") == pred(key("all"), .equal, .int(3)))
        #expect(try term("not == 3") == pred(key("not"), .equal, .int(3)))
        #expect(try term("sort > 1") == pred(key("sort"), .greater, .int(1)))
        #expect(try term("`is` == 1") == pred(key("is"), .equal, .int(1)))
        #expect(try term("not not in [1]") == pred(key("not"), .notIn, .array([.int(1)])))
    }
}

@Suite("Parser: values")
struct ValueTests {
    func value(_ text: String) throws -> Value {
        try QueryParser.parseValue(text)
    }

    @Test func scalars() throws {
        #expect(try value("42") == .int(42))
        #expect(try value("-42") == .int(-42))
        #expect(try value("1.5") == .double(1.5))
        #expect(try value("-0.25") == .double(-0.25))
        #expect(try value("1e-05") == .double(1e-05))
        #expect(try value("true") == .bool(true))
        #expect(try value("false") == .bool(false))
        #expect(try value("null") == .null)
        #expect(try value("\"a \\\"b\\\" \\\\ \\n \\u00e9\"") == .string("a \"b\" \\ \n é"))
        #expect(try value("'it\\'s'") == .string("it's"))
        #expect(try value("\"\\d+\"") == .string("\\d+"))
    }

    @Test func unquotedWords() throws {
        #expect(try value("jenkins") == .string("jenkins"))
        #expect(try value("us-east-1") == .string("us-east-1"))
        #expect(try value("10.0.0.1") == .string("10.0.0.1"))
        #expect(try value("arn:aws:iam::123456789012:user/ci") == .string("arn:aws:iam::123456789012:user/ci"))
        #expect(try value("Active") == .string("Active"))
    }

    @Test func durations() throws {
        let cases: [(String, Int64)] = [
            ("90days", 90 * day), ("90d", 90 * day), ("3h", 3 * 3600), ("1w", 7 * day), ("2d12h", 2 * day + 12 * 3600),
            ("1h30min", 5400), ("1yr", 365 * day), ("1y", 365 * day), ("2years", 730 * day), ("1mo", 30 * day),
            ("3months", 90 * day), ("P90D", 90 * day), ("-3d", -3 * day), ("+3d", 3 * day), ("10s", 10),
            ("5minutes", 300), ("1second", 1), ("2weeks", 14 * day), ("1hour", 3600), ("PT1H30M", 5400),
            ("P1Y2M", 365 * day + 60 * day), ("P2W", 14 * day), ("-P1D", -day), ("1.5h", 5400), ("30m", 1800),
        ]
        for (text, seconds) in cases {
            #expect(try value(text) == .duration(Duration(seconds: seconds)), "\(text)")
        }
    }

    @Test func dates() throws {
        #expect(try value("2026-01-31") == .datetime(DateTime(secondsSince1970: 1_769_817_600)))
        #expect(try value("2026-01-31T12:00:00Z") == .datetime(DateTime(secondsSince1970: 1_769_860_800)))
        #expect(try value("2026-01-31T14:00:00+02:00") == .datetime(DateTime(secondsSince1970: 1_769_860_800)))
        #expect(try value("2026-01-31T07:00:00-0500") == .datetime(DateTime(secondsSince1970: 1_769_860_800)))
        #expect(try value("2026-01-31T12:00:00.123Z") == .datetime(DateTime(secondsSince1970: 1_769_860_800)))
        #expect(try value("2026-01-31T12:00Z") == .datetime(DateTime(secondsSince1970: 1_769_860_800)))
        #expect(try value("2026-01-31t12:00:00z") == .datetime(DateTime(secondsSince1970: 1_769_860_800)))
        #expect(try value("1969-12-31") == .datetime(DateTime(secondsSince1970: -86_400)))
        #expect(try value("2024-02-29") == .datetime(DateTime(secondsSince1970: 1_709_164_800)))
    }

    @Test func placeholders() throws {
        #expect(try value("@now@") == .placeholder(.now))
        #expect(try value("@today@") == .placeholder(.today))
        #expect(try value("@yesterday@") == .placeholder(.yesterday))
        #expect(try value("@TOMORROW@") == .placeholder(.tomorrow))
    }

    @Test func arraysAndObjects() throws {
        #expect(try value("[a, \"b\", 3]") == .array([.string("a"), .string("b"), .int(3)]))
        #expect(try value("[]") == .array([]))
        #expect(try value("[[1], {}]") == .array([.array([.int(1)]), .object([])]))
        #expect(try value("{\"a\": 1, b: [true, null], c:x}") == .object([
            ObjectEntry(key: "a", value: .int(1)),
            ObjectEntry(key: "b", value: .array([.bool(true), .null])),
            ObjectEntry(key: "c", value: .string("x")),
        ]))
    }
}

@Suite("Parser: paths")
struct PathTests {
    func path(_ text: String) throws -> Path {
        try QueryParser.parsePath(text)
    }

    @Test func relative() throws {
        #expect(try path("name") == key("name"))
        #expect(try path("tags.owner") == key("tags", "owner"))
        #expect(try path("array[*].x") == Path(components: [.key("array"), .wildcard, .key("x")]))
        #expect(try path("array[0]") == Path(components: [.key("array"), .index(0)]))
        #expect(try path("a[1][*]") == Path(components: [.key("a"), .index(1), .wildcard]))
        #expect(try path("tags.`app.kubernetes.io/name`") == key("tags", "app.kubernetes.io/name"))
        #expect(try path("`a b`.c") == key("a b", "c"))
        #expect(try path("access_key_last_used.last_used") == key("access_key_last_used", "last_used"))
        #expect(try path("with-dash") == key("with-dash"))
    }

    @Test func sections() throws {
        #expect(try path("/desired.clean") == Path(root: .desired, components: [.key("clean")]))
        #expect(try path("/metadata.protected") == Path(root: .metadata, components: [.key("protected")]))
        #expect(try path("/reported.name") == Path(root: .reported(explicit: true), components: [.key("name")]))
        #expect(try path("/ancestors.user.reported.name") ==
                Path(root: .ancestors(kind: "user", section: .reported), components: [.key("name")]))
        #expect(try path("/ancestors.account.reported.id") ==
                Path(root: .ancestors(kind: "account", section: .reported), components: [.key("id")]))
        #expect(try path("/descendants.access_key.reported.id") ==
                Path(root: .descendants(kind: "access_key", section: .reported), components: [.key("id")]))
        #expect(try path("/descendants.access_key.desired.clean") ==
                Path(root: .descendants(kind: "access_key", section: .desired), components: [.key("clean")]))
    }

    @Test func shortcuts() throws {
        #expect(try path("account") == Path(root: .shortcut("account"), components: [.key("name")]))
        #expect(try path("cloud") == Path(root: .shortcut("cloud"), components: [.key("name")]))
        #expect(try path("account.id") == key("account", "id"))
        #expect(try path("`account`") == key("account"))
        #expect(try term("account == prod") == pred(Path(root: .shortcut("account"), components: [.key("name")]), .equal, .string("prod")))
    }
}

@Suite("Parser: navigation and parts")
struct NavigationTests {
    func nav(_ arrow: String) throws -> Navigation {
        let query = try parse("all \(arrow) all")
        #expect(query.parts.count == 2)
        return try #require(query.parts[0].navigation)
    }

    @Test func arrows() throws {
        #expect(try nav("-->") == Navigation(direction: .out))
        #expect(try nav("<--") == Navigation(direction: .in))
        #expect(try nav("<-->") == Navigation(direction: .both))
        #expect(try nav("-[2]->") == Navigation(direction: .out, minDepth: 2, maxDepth: 2))
        #expect(try nav("-[1:3]->") == Navigation(direction: .out, minDepth: 1, maxDepth: 3))
        #expect(try nav("<-[0:]-") == Navigation(direction: .in, minDepth: 0, maxDepth: nil))
        #expect(try nav("-delete->") == Navigation(direction: .out, outEdgeTypes: ["delete"]))
        #expect(try nav("<-default[1:]-") == Navigation(direction: .in, minDepth: 1, maxDepth: nil))
        #expect(try nav("<-default[0:1]delete->") ==
                Navigation(direction: .both, minDepth: 0, maxDepth: 1, outEdgeTypes: ["delete"], inEdgeTypes: ["default"]))
        #expect(try nav("<-delete->") == Navigation(direction: .both, outEdgeTypes: ["delete"], inEdgeTypes: ["delete"]))
        #expect(try nav("-default,delete->") == Navigation(direction: .out, outEdgeTypes: ["default", "delete"]))
        #expect(try nav("-[1:3]delete->") == Navigation(direction: .out, minDepth: 1, maxDepth: 3, outEdgeTypes: ["delete"]))
        #expect(try nav("-[ 1 : 3 ]->") == Navigation(direction: .out, minDepth: 1, maxDepth: 3))
        #expect(try nav("-[1,3]->") == Navigation(direction: .out, minDepth: 1, maxDepth: 3))
        #expect(try nav("-[1..3]->") == Navigation(direction: .out, minDepth: 1, maxDepth: 3))
    }

    @Test func walkthrough() throws {
        let q = try parse("is(access_key) and last_access > 90days <-- is(user)")
        #expect(q == Query(parts: [
            Part(term: .and(.isKind(["access_key"]), pred(key("last_access"), .greater, .duration(Duration(seconds: 90 * day)))),
                 navigation: Navigation(direction: .in)),
            Part(term: .isKind(["user"])),
        ]))
        let q2 = try parse("is(access_key) and last_access > 90days and name not in [jenkins, ci]")
        #expect(q2.parts.count == 1)
    }

    @Test func leadingAndTrailingNavigation() throws {
        #expect(try parse("--> is(user)") == Query(parts: [Part(term: .all, navigation: Navigation(direction: .out)), Part(term: .isKind(["user"]))]))
        #expect(try parse("is(user) <--") == Query(parts: [Part(term: .isKind(["user"]), navigation: Navigation(direction: .in)), Part(term: .all)]))
    }

    @Test func noSpacesAroundArrows() throws {
        #expect(try parse("name==jenkins-->is(user)") == Query(parts: [
            Part(term: pred(key("name"), .equal, .string("jenkins")), navigation: Navigation(direction: .out)),
            Part(term: .isKind(["user"])),
        ]))
        #expect(try parse("ctime <-3d") == single(pred(key("ctime"), .less, .duration(Duration(seconds: -3 * day)))))
    }

    @Test func withClause() throws {
        let q = try parse("is(user) with(empty, --> is(access_key))")
        #expect(q.parts[0].with == WithClause(quantifier: .empty, navigation: Navigation(direction: .out), filter: .isKind(["access_key"])))
        let q2 = try parse("is(user) with(count >= 2, --> is(access_key) with(any, <-- all))")
        #expect(q2.parts[0].with == WithClause(
            quantifier: .count(.greaterOrEqual, 2), navigation: Navigation(direction: .out), filter: .isKind(["access_key"]),
            nested: WithClause(quantifier: .any, navigation: Navigation(direction: .in), filter: .all)))
        let q3 = try parse("all with(any, -[1:2]->)")
        #expect(q3.parts[0].with == WithClause(quantifier: .any, navigation: Navigation(direction: .out, minDepth: 1, maxDepth: 2)))
    }

    @Test func sortAndLimit() throws {
        let q = try parse("is(user) sort name, ctime desc limit 10 --> all sort id asc limit 5, 20")
        #expect(q.parts[0].sort == [Sort(path: key("name")), Sort(path: key("ctime"), order: .desc)])
        #expect(q.parts[0].limit == Limit(count: 10))
        #expect(q.parts[1].sort == [Sort(path: key("id"))])
        #expect(q.parts[1].limit == Limit(offset: 5, count: 20))
        #expect(try parse("sort name limit 3") == Query(parts: [Part(term: .all, sort: [Sort(path: key("name"))], limit: Limit(count: 3))]))
        #expect(try parse("limit 3") == Query(parts: [Part(term: .all, limit: Limit(count: 3))]))
    }

    @Test func multiPart() throws {
        let q = try parse("is(account) --> is(user) and name =~ ci <-[0:]- all -delete-> is(access_key)")
        #expect(q.parts.count == 4)
        #expect(q.parts[3].navigation == nil)
    }
}

@Suite("Parser: case-insensitive keywords")
struct KeywordCaseTests {
    @Test func upperCaseKeywords() throws {
        let lower = try parse("is(user) and not name in [a] or tags any == x with(count >= 1, --> all) sort name desc limit 1, 2")
        let upper = try parse("IS(user) AND NOT name IN [a] OR tags ANY == x WITH(COUNT >= 1, --> ALL) SORT name DESC LIMIT 1, 2")
        #expect(lower == upper)
        #expect(try parse("Is(user) With(Empty, <--)") == parse("is(user) with(empty, <--)"))
        #expect(try parse("HAS_KEY(tags, a) Or Id(x)") == parse("has_key(tags, a) or id(x)"))
    }

    @Test func valuesStayCaseSensitive() throws {
        // `TRUE` is a word, not the boolean; property names keep their case.
        #expect(try term("a == TRUE") == pred(key("a"), .equal, .string("TRUE")))
        #expect(try term("Name == x") == pred(key("Name"), .equal, .string("x")))
    }
}
