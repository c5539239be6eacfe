import Testing
@testable import SiftQuery
import SiftTime

/// SplitMix64: a small deterministic generator, so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates random, valid ASTs of bounded depth.
struct ASTGenerator {
    var rng: SeededGenerator

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    static let words = [
        "jenkins", "ci", "us-east-1", "10.0.0.1", "Active", "a", "x_y", "arn:aws:iam::123:user/ci", "é", "a-", "a--",
    ]
    static let tricky = [
        "", " ", "with space", "and", "OR", "not", "in", "true", "null", "False", "123", "-5", "1.5", "90d", "90dayz",
        "P1D", "2026-01-31", "2026-13-01", "@now@", "quote\"inside", "back\\slash", "tab\tnl\n", "\u{1}ctl", "a-->b",
        "(x)", "[y]", "{z}", "a,b", "a:b", "'single'", "`tick`", "#hash", "-", "--", "->", "x==y", "ünï cødé", "a.b",
        "sort", "limit", "with", "all", "is", "id", "has_key", "account", "cloud", "any", "none", "empty", "count",
    ]
    static let keys = ["name", "tags", "owner", "x", "a_b", "with-dash", "ü", "app.kubernetes.io/name", "1abc", "a b",
                       "all", "not", "account", "cloud", "is", "reported", "desired", "-x", "x-", "a--b", "and", "/slash"]
    static let kinds = ["access_key", "user", "account", "aws_iam_user", "a.b", "x y"]

    mutating func text() -> String {
        switch int(0...9) {
        case 0...3: return pick(Self.words)
        case 4...7: return pick(Self.tricky)
        default:
            let alphabet = Array("ab-_.:/ \"'\\`[](){}<>=!~@,#*é😀09\n")
            return String((0..<int(0...8)).map { _ in pick(alphabet) })
        }
    }

    mutating func value(depth: Int) -> Value {
        switch int(0...(depth > 0 ? 11 : 9)) {
        case 0: return .null
        case 1: return .bool(chance(50))
        case 2: return .int(pick([0, 1, -1, 42, Int64.max, Int64.min, Int64(int(-1_000_000...1_000_000))]))
        case 3:
            let double = pick([0.5, -2.25, 1e-05, 1e300, -7.0, 3.0e16, 0.1, Double(int(-1000...1000)) / 8.0,
                               Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF)])
            return .double(double)
        case 4, 5: return .string(text())
        case 6: return .duration(Duration(seconds: pick([0, 1, -1, 86_400 * 90, -3 * 86_400, 5_400,
                                                         Int64.random(in: -DurationText.limit...DurationText.limit, using: &rng)])))
        case 7: return .datetime(DateTime(secondsSince1970: pick([0, 1_769_817_600, 1_769_860_800,
                                                                  Int64.random(in: -62_135_596_800...253_402_300_799, using: &rng)])))
        case 8: return .placeholder(pick(TimePlaceholder.allCases))
        case 9: return .string(pick(Self.words))
        case 10: return .array((0..<int(0...3)).map { _ in value(depth: depth - 1) })
        default: return .object((0..<int(0...3)).map { _ in ObjectEntry(key: text(), value: value(depth: depth - 1)) })
        }
    }

    mutating func path() -> Path {
        var components: [PathComponent] = [.key(pick(Self.keys))]
        for _ in 0..<int(0...3) {
            switch int(0...3) {
            case 0: components.append(.index(int(0...20)))
            case 1: components.append(.wildcard)
            default: components.append(.key(pick(Self.keys)))
            }
        }
        switch int(0...9) {
        case 0: return Path(root: .reported(explicit: true), components: components)
        case 1: return Path(root: .desired, components: components)
        case 2: return Path(root: .metadata, components: components)
        case 3: return Path(root: .ancestors(kind: pick(Self.kinds), section: pick(Section.allCases)), components: components)
        case 4: return Path(root: .descendants(kind: pick(Self.kinds), section: pick(Section.allCases)), components: components)
        case 5: return Path(root: .shortcut(pick(["account", "cloud"])), components: [.key("name")])
        default: return Path(root: .reported(explicit: false), components: components)
        }
    }

    mutating func names() -> [String] {
        (0..<int(1...3)).map { _ in chance(70) ? pick(Self.kinds + Self.words) : text() }
    }

    mutating func term(depth: Int) -> Term {
        switch int(0...(depth > 0 ? 11 : 6)) {
        case 0: return .all
        case 1: return .isKind(names())
        case 2: return .id(names())
        case 3: return .fullText(text())
        case 4: return .hasKey(path: path(), keys: names())
        case 5, 6:
            return .predicate(Predicate(path: path(), modifier: chance(30) ? pick(ArrayModifier.allCases) : nil,
                                        op: pick(Operator.allCases), value: value(depth: 2)))
        case 7: return .not(term(depth: depth - 1))
        case 8, 9: return .and(term(depth: depth - 1), term(depth: depth - 1))
        default: return .or(term(depth: depth - 1), term(depth: depth - 1))
        }
    }

    mutating func edgeTypes() -> [String] {
        pick([["default"], ["delete"], ["default", "delete"], ["delete", "default"]])
    }

    mutating func navigation() -> Navigation {
        let direction = pick(Direction.allCases)
        let minDepth = chance(50) ? 1 : int(0...4)
        let maxDepth: Int? = chance(20) ? nil : (chance(50) ? minDepth : minDepth + int(0...3))
        var navigation = Navigation(direction: direction, minDepth: minDepth, maxDepth: maxDepth)
        if direction != .in { navigation.outEdgeTypes = edgeTypes() }
        if direction != .out { navigation.inEdgeTypes = edgeTypes() }
        return navigation
    }

    mutating func withClause(depth: Int) -> WithClause {
        let comparisons: [Operator] = [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual]
        let quantifier: WithQuantifier = pick([.any, .empty, .count(pick(comparisons), int(0...5))])
        return WithClause(quantifier: quantifier, navigation: navigation(),
                          filter: chance(70) ? term(depth: 2) : nil,
                          nested: depth > 0 && chance(30) ? withClause(depth: depth - 1) : nil)
    }

    mutating func query() -> Query {
        let count = int(1...3)
        let parts = (0..<count).map { index in
            Part(term: term(depth: 3),
                 with: chance(25) ? withClause(depth: 2) : nil,
                 sort: (0..<(chance(30) ? int(1...2) : 0)).map { _ in Sort(path: path(), order: pick(SortOrder.allCases)) },
                 limit: chance(25) ? Limit(offset: chance(50) ? 0 : int(0...100), count: int(0...1000)) : nil,
                 navigation: index < count - 1 ? navigation() : nil)
        }
        return Query(parts: parts)
    }
}

@Suite("Property: print -> parse")
struct PropertyTests {
    @Test func randomASTsRoundTrip() throws {
        var generator = ASTGenerator(rng: SeededGenerator(state: 20_261_123))
        var failures = 0
        for index in 0..<5_000 {
            let query = generator.query()
            let printed = query.description
            do {
                let parsed = try QueryParser.parse(printed)
                if parsed != query {
                    failures += 1
                    Issue.record("case \(index): AST differs after printing\n  printed:  \(printed)\n  reprinted: \(parsed)\n  ast: \(query)\n  got: \(parsed)")
                } else if parsed.description != printed {
                    failures += 1
                    Issue.record("case \(index): printing is not stable\n  \(printed)\n  \(parsed)")
                }
            } catch {
                failures += 1
                Issue.record("case \(index): printed query does not parse\n\(error.render(source: printed))\n  ast: \(query)")
            }
            if failures >= 5 { break }
        }
    }

    @Test func randomValuesRoundTrip() throws {
        var generator = ASTGenerator(rng: SeededGenerator(state: 7))
        for index in 0..<5_000 {
            let value = generator.value(depth: 3)
            let printed = value.description
            let parsed = try QueryParser.parseValue(printed)
            #expect(parsed == value, "case \(index): \(printed) -> \(parsed)")
            if parsed != value { break }
        }
    }
}

@Suite("Property: mangled input")
struct MangledInputTests {
    /// Cuts, duplicates and replaces characters of valid queries: the parser must either throw a
    /// `QueryError` that points into the text, or give a query that round-trips.
    @Test func mangledQueriesNeverCrash() throws {
        var generator = ASTGenerator(rng: SeededGenerator(state: 99))
        let junk = Array("()[]{}<>-=!~,:\"'`@ .*/\\a1\n")
        for index in 0..<3_000 {
            var text = Array(generator.query().description)
            for _ in 0..<generator.int(1...3) where !text.isEmpty {
                let at = generator.int(0...(text.count - 1))
                switch generator.int(0...2) {
                case 0: text.remove(at: at)
                case 1: text.insert(generator.pick(junk), at: at)
                default: text[at] = generator.pick(junk)
                }
            }
            let source = String(text)
            do {
                let query = try QueryParser.parse(source)
                let printed = query.description
                #expect(try QueryParser.parse(printed) == query, "case \(index): \(source) -> \(printed)")
            } catch {
                #expect(error.line >= 1 && error.column >= 1 && error.offset <= source.utf8.count, "case \(index): \(source)")
                #expect(!error.render(source: source).isEmpty)
            }
        }
    }
}
