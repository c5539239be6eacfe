// The recursive-descent parser of the query language (SPEC section 4).
//
//   query     := part (NAV part?)*              a query may start with NAV: `--> is(user)` = `all --> is(user)`;
//                                               a trailing NAV leads to `all`
//   part      := [or] [with] [sort] [limit]     the term defaults to `all`
//   or        := and ('or' and)*
//   and       := unary ('and' unary)*
//   unary     := 'not' unary | '(' or ')' | 'all' | is | id | has_key | STRING | predicate
//   predicate := path ['any'|'all'|'none'] OP value      OP: == = != < <= > >= =~ ~ !~ in 'not in'
//   with      := 'with' '(' ('any' | 'empty' | 'count' OP INT) ',' NAV [or] [with] ')'
//   sort      := 'sort' path ['asc'|'desc'] (',' path ['asc'|'desc'])*
//   limit     := 'limit' INT [',' INT]
//
// Keywords are case-insensitive. A keyword directly followed by an operator is a property name
// (`all == 3` compares the property `all`).

import SiftTime

/// Parses query text into a `Query`.
public enum QueryParser {
    /// Parses a query, throwing a `QueryError` with the position of the first mistake.
    public static func parse(_ text: String) throws(QueryError) -> Query {
        var parser = try Parser(text)
        return try parser.parseQuery()
    }

    /// Parses a query and records where its kinds, paths, predicates, values and navigations stand,
    /// so that later stages (the compiler) can point at the spot of their errors.
    public static func parseLocated(_ text: String) throws(QueryError) -> (Query, QuerySpans) {
        var parser = try Parser(text)
        parser.spans = QuerySpans(source: text)
        let query = try parser.parseQuery()
        return (query, parser.spans ?? QuerySpans(source: text))
    }

    /// Parses a single filter term (no navigation, sort or limit).
    public static func parseTerm(_ text: String) throws(QueryError) -> Term {
        var parser = try Parser(text)
        let term = try parser.parseOr()
        try parser.expectEnd(after: "term")
        return term
    }

    /// Parses a property path such as `tags.owner` or `/ancestors.account.reported.name`.
    public static func parsePath(_ text: String) throws(QueryError) -> Path {
        let lexer = Lexer(text)
        let start = lexer.skipBlanks(0)
        guard start < lexer.bytes.count else { throw lexer.error(start, "property path expected") }
        let (path, end) = try lexer.scanPath(at: start)
        let next = try lexer.token(at: end)
        guard next.kind == .end else {
            throw lexer.error(next.start, "unexpected \(next.display) after the path", expected: "end of path expected")
        }
        return path
    }

    /// Parses a value as it may appear on the right of a predicate (`90d`, `[a, b]`, `"x"`).
    public static func parseValue(_ text: String) throws(QueryError) -> Value {
        var parser = try Parser(text)
        let value = try parser.parseValue()
        try parser.expectEnd(after: "value")
        return value
    }
}

extension Term {
    /// The last leaf of the term as written (`c` in `a and (b or c)`).
    var rightmost: Term {
        switch self {
        case .and(_, let right), .or(_, let right): return right.rightmost
        case .not(let inner): return inner.rightmost
        default: return self
        }
    }
}

/// The parser's state: a lexer and the current token.
struct Parser {
    let lexer: Lexer
    /// The current token.
    var token: Token
    /// Where the pieces stand, when asked for (`parseLocated`).
    var spans: QuerySpans?
    /// The end of the last token consumed.
    var previousEnd = 0
    /// How many parentheses, `not`, `with`, arrays and objects enclose the current token.
    var depth = 0
    /// How many terms have been read so far.
    var terms = 0

    init(_ text: String) throws(QueryError) {
        lexer = Lexer(text)
        token = try lexer.token(at: 0)
    }

    // MARK: - Helpers

    mutating func advance() throws(QueryError) {
        previousEnd = token.end
        token = try lexer.token(at: token.end)
    }

    /// The token after the current one.
    func peek() throws(QueryError) -> Token {
        try lexer.token(at: token.end)
    }

    func error(_ message: String, expected: String? = nil, hint: String? = nil, at offset: Int? = nil) -> QueryError {
        lexer.error(offset ?? token.start, message, expected: expected, hint: hint)
    }

    /// "unexpected X" at the current token.
    func unexpected(expected: String, hint: String? = nil) -> QueryError {
        let message = token.kind == .end ? "unexpected end of query" : "unexpected \(token.display)"
        return error(message, expected: expected, hint: hint)
    }

    mutating func expect(_ kind: TokenKind, _ what: String) throws(QueryError) {
        guard token.kind == kind else { throw unexpected(expected: "\(what) expected") }
        try advance()
    }

    /// Enters one level of nesting at the current token, or throws when that passes `QueryLimits.maxNesting`.
    /// Every recursive step of the parser goes through here, so the stack stays bounded.
    mutating func enterNesting() throws(QueryError) {
        depth += 1
        if depth > QueryLimits.maxNesting {
            throw error("query nested too deeply",
                        expected: "at most \(QueryLimits.maxNesting) levels of parentheses, not, with, [ and {",
                        hint: "simplify the query")
        }
    }

    /// Counts one term at the current token, or throws when that passes `QueryLimits.maxTerms`.
    mutating func countTerm() throws(QueryError) {
        terms += 1
        if terms > QueryLimits.maxTerms {
            throw error("query too long", expected: "at most \(QueryLimits.maxTerms) terms",
                        hint: "use `in [...]` for lists of values, or split the query")
        }
    }

    func expectEnd(after what: String) throws(QueryError) {
        guard token.kind == .end else {
            throw unexpected(expected: what == "term" ? "'and' or 'or' expected" : "end of query expected")
        }
    }

    /// Whether the current token is a keyword used as such: not followed by an operator,
    /// in which case it names a property.
    func isKeyword(_ keyword: String) throws(QueryError) -> Bool {
        guard token.isKeyword(keyword) else { return false }
        return try !startsComparison(try peek())
    }

    /// Whether a comparison (operator, `in`, `not in`, or an array modifier and operator) starts at `next`.
    func startsComparison(_ next: Token) throws(QueryError) -> Bool {
        switch next.kind {
        case .op: return true
        case .word:
            if next.isKeyword("in") { return true }
            if next.isKeyword("not") { return try lexer.token(at: next.end).isKeyword("in") }
            return false
        default: return false
        }
    }

    // MARK: - Query and parts

    mutating func parseQuery() throws(QueryError) -> Query {
        if token.kind == .end {
            throw error("empty query", expected: "a term expected", hint: "e.g. is(access_key) and last_access > 90d, or all")
        }
        var parts: [Part] = []
        while true {
            let part = try parsePart()
            parts.append(part)
            if part.navigation == nil { break }
            if token.kind == .end {
                parts.append(Part(term: .all))
                break
            }
        }
        guard token.kind == .end else {
            let last = parts[parts.count - 1]
            let expected: String
            if last.limit != nil { expected = "navigation or end of query expected" }
            else if !last.sort.isEmpty { expected = "',', 'limit', navigation or end of query expected" }
            else if last.with != nil { expected = "'sort', 'limit', navigation or end of query expected" }
            else { expected = "'and' or 'or' expected" }
            throw unexpected(expected: expected, hint: hintAfterTerm(last))
        }
        return Query(parts: parts)
    }

    /// A hint for a token that cannot follow a part: a stray `)`, a value split by a space.
    func hintAfterTerm(_ part: Part) -> String? {
        if token.kind == .rightParen { return "no '(' is open here" }
        if case .word(let word) = token.kind,
           let keyword = Suggestion.closest(to: word, among: ["and", "or", "with", "sort", "limit"]) {
            return "did you mean '\(keyword)'?"
        }
        guard part.with == nil, part.sort.isEmpty, part.limit == nil, case .word(let word) = token.kind,
              case .predicate(let predicate) = part.term.rightmost else { return nil }
        switch predicate.value {
        case .int, .double:
            if DurationText.unitSeconds(word) != nil { return "write durations without a space, e.g. 90days" }
            return nil
        case .string:
            return "quote text that contains spaces: \"...\""
        default:
            return nil
        }
    }

    /// Whether the current token ends a term (so a part's term may be left out).
    func atPartClause() throws(QueryError) -> Bool {
        if case .arrow = token.kind { return true }
        if try isKeyword("sort") { return true }
        if try isKeyword("limit") { return true }
        if try isKeyword("with"), try peek().kind == .leftParen { return true }
        return false
    }

    mutating func parsePart() throws(QueryError) -> Part {
        let term: Term = try atPartClause() ? .all : parseOr()
        var part = Part(term: term)
        if try isKeyword("with") {
            part.with = try parseWith()
        }
        if try isKeyword("sort") {
            part.sort = try parseSort()
        }
        if try isKeyword("limit") {
            part.limit = try parseLimit()
        }
        if case .arrow(let navigation) = token.kind {
            part.navigation = navigation
            spans?.navigations.append(Located(navigation, token.start..<token.end))
            try advance()
        }
        return part
    }

    // MARK: - Terms

    mutating func parseOr() throws(QueryError) -> Term {
        var left = try parseAnd()
        while try isKeyword("or") {
            try advance()
            left = .or(left, try parseAnd())
        }
        return left
    }

    mutating func parseAnd() throws(QueryError) -> Term {
        var left = try parseUnary()
        while try isKeyword("and") {
            try advance()
            left = .and(left, try parseUnary())
        }
        return left
    }

    static let termExpected = "a term expected (all, is(kind), id(x), \"text\", a predicate such as name == x, not, or '(')"

    // The recursion runs parseOr -> parseAnd -> parseUnary -> parseParenthesized/parseNot -> ...:
    // these functions stay small so that each level of nesting costs little stack (leaves are
    // parsed in `parseLeaf`, whose large frame is never on the recursive path).

    mutating func parseUnary() throws(QueryError) -> Term {
        if token.kind == .leftParen { return try parseParenthesized() }
        if try isKeyword("not") { return try parseNot() }
        return try parseLeaf()
    }

    /// `( or )`.
    mutating func parseParenthesized() throws(QueryError) -> Term {
        let open = token.start
        try enterNesting()
        defer { depth -= 1 }
        try advance()
        let inner = try parseOr()
        guard token.kind == .rightParen else {
            throw unexpected(expected: "')' expected", hint: "the '(' at column \(lexer.location(of: open).column) is not closed")
        }
        try advance()
        return inner
    }

    /// `not unary`.
    mutating func parseNot() throws(QueryError) -> Term {
        try countTerm()
        try enterNesting()
        defer { depth -= 1 }
        try advance()
        return .not(try parseUnary())
    }

    /// A term without nesting: `all`, `is()`, `id()`, `has_key()`, text, a predicate.
    mutating func parseLeaf() throws(QueryError) -> Term {
        try countTerm()
        switch token.kind {
        case .string(let text):
            try advance()
            return .fullText(text)
        case .backtick:
            return .predicate(try parsePredicate())
        case .word:
            if try isKeyword("all") {
                try advance()
                return .all
            }
            let next = try peek()
            if next.kind == .leftParen {
                if token.isKeyword("is") { return .isKind(try parseNames("is", what: "kind")) }
                if token.isKeyword("id") { return .id(try parseNames("id", what: "id")) }
                if token.isKeyword("has_key") { return try parseHasKey() }
            }
            if token.isKeyword("and") || token.isKeyword("or"), !(try startsComparison(next)) {
                throw unexpected(expected: Self.termExpected)
            }
            return .predicate(try parsePredicate())
        default:
            throw unexpected(expected: Self.termExpected)
        }
    }

    /// `is(a)`, `is(a, b)`, `is([a, b])`, and the same for `id`.
    mutating func parseNames(_ function: String, what: String) throws(QueryError) -> [String] {
        try advance() // name
        try advance() // (
        var names: [String] = []
        let bracketed = token.kind == .leftBracket
        if bracketed { try advance() }
        let closing: TokenKind = bracketed ? .rightBracket : .rightParen
        while true {
            switch token.kind {
            case .word(let text), .string(let text):
                names.append(text)
                if function == "is" { spans?.kinds.append(Located(text, token.start..<token.end)) }
                try advance()
            default:
                throw unexpected(expected: "\(what) expected", hint: names.isEmpty ? "\(function)() needs at least one \(what)" : nil)
            }
            if token.kind == .comma {
                try advance()
                continue
            }
            guard token.kind == closing else {
                throw unexpected(expected: "',' or '\(bracketed ? "]" : ")")' expected")
            }
            try advance()
            break
        }
        if bracketed { try expect(.rightParen, "')'") }
        return names
    }

    /// `has_key(path, k1, k2)` or `has_key(path, [k1, k2])`.
    mutating func parseHasKey() throws(QueryError) -> Term {
        try advance() // has_key
        try advance() // (
        let path = try parsePath()
        guard token.kind == .comma else { throw unexpected(expected: "',' expected", hint: "has_key(path, key, ...)") }
        try advance()
        var keys: [String] = []
        let bracketed = token.kind == .leftBracket
        if bracketed { try advance() }
        while true {
            switch token.kind {
            case .word(let text), .string(let text):
                keys.append(text)
                try advance()
            default:
                throw unexpected(expected: "key expected")
            }
            guard token.kind == .comma else { break }
            try advance()
        }
        if bracketed { try expect(.rightBracket, "',' or ']'") }
        try expect(.rightParen, bracketed ? "')'" : "',' or ')'")
        return .hasKey(path: path, keys: keys)
    }

    mutating func parsePath() throws(QueryError) -> Path {
        switch token.kind {
        case .word, .backtick: break
        default: throw unexpected(expected: "property path expected")
        }
        let (path, end) = try lexer.scanPath(at: token.start)
        spans?.paths.append(Located(path, token.start..<end))
        previousEnd = end
        token = try lexer.token(at: end)
        return path
    }

    static let operatorsExpected = "operator expected (==, !=, <, <=, >, >=, =~, !~, in, not in)"

    mutating func parsePredicate() throws(QueryError) -> Predicate {
        let start = token.start
        let path = try parsePath()
        var modifier: ArrayModifier?
        for candidate in ArrayModifier.allCases where token.isKeyword(candidate.rawValue) {
            if try startsComparison(try peek()) {
                modifier = candidate
                try advance()
            }
            break
        }
        let op: Operator
        let notInFollows = token.isKeyword("not") ? try peek().isKeyword("in") : false
        switch token.kind {
        case .op(let symbol):
            op = symbol
            try advance()
        case .word where token.isKeyword("in"):
            op = .in
            try advance()
        case .word where token.isKeyword("not") && notInFollows:
            op = .notIn
            try advance()
            try advance()
        default:
            var hint: String?
            if path.components.count == 1, case .key(let key) = path.components[0],
               ["is", "id", "has_key"].contains(key.lowercased()) {
                hint = "\(key) takes its arguments in parentheses: \(key)(...)"
            }
            throw unexpected(expected: Self.operatorsExpected, hint: hint)
        }
        let valueStart = token.start
        let value = try parseValue()
        let predicate = Predicate(path: path, modifier: modifier, op: op, value: value)
        spans?.values.append(Located(value, valueStart..<previousEnd))
        spans?.predicates.append(Located(predicate, start..<previousEnd))
        return predicate
    }

    // MARK: - Values

    mutating func parseValue() throws(QueryError) -> Value {
        switch token.kind {
        case .string(let text):
            try advance()
            return .string(text)
        case .placeholder(let placeholder):
            try advance()
            return .placeholder(placeholder)
        case .word(let text):
            let value: Value
            do {
                value = try WordValue.classify(text)
            } catch {
                throw self.error(error.message, hint: error.hint)
            }
            try advance()
            return value
        case .leftBracket:
            try enterNesting()
            defer { depth -= 1 }
            try advance()
            var elements: [Value] = []
            if token.kind == .rightBracket {
                try advance()
                return .array([])
            }
            while true {
                elements.append(try parseValue())
                if token.kind == .comma {
                    try advance()
                    continue
                }
                try expect(.rightBracket, "',' or ']'")
                return .array(elements)
            }
        case .leftBrace:
            return try parseObject()
        default:
            throw unexpected(expected: "value expected", hint: token.kind == .end ? nil : "quote text that is not a single word")
        }
    }

    /// `{"a": 1, b: [2]}`.
    mutating func parseObject() throws(QueryError) -> Value {
        try enterNesting()
        defer { depth -= 1 }
        try advance() // {
        var entries: [ObjectEntry] = []
        if token.kind == .rightBrace {
            try advance()
            return .object([])
        }
        while true {
            let key: String
            if case .string(let text) = token.kind {
                key = text
                try advance()
            } else if let (name, end) = lexer.scanObjectKey(at: token.start), token.kind != .end {
                key = name
                previousEnd = end
                token = try lexer.token(at: end)
            } else {
                throw unexpected(expected: "object key expected")
            }
            try expect(.colon, "':'")
            entries.append(ObjectEntry(key: key, value: try parseValue()))
            if token.kind == .comma {
                try advance()
                continue
            }
            try expect(.rightBrace, "',' or '}'")
            return .object(entries)
        }
    }

    // MARK: - with, sort, limit

    mutating func parseWith() throws(QueryError) -> WithClause {
        try enterNesting()
        defer { depth -= 1 }
        try advance() // with
        try expect(.leftParen, "'('")
        let quantifier: WithQuantifier
        if token.isKeyword("any") {
            quantifier = .any
            try advance()
        } else if token.isKeyword("empty") {
            quantifier = .empty
            try advance()
        } else if token.isKeyword("count") {
            try advance()
            guard case .op(let op) = token.kind, ![.matches, .notMatches].contains(op) else {
                throw unexpected(expected: "comparison expected (==, !=, <, <=, >, >=)")
            }
            try advance()
            quantifier = .count(op, try parseCount())
        } else {
            let suggestion = token.word.flatMap { Suggestion.closest(to: $0, among: ["any", "empty", "count"]) }
            throw unexpected(expected: "'any', 'empty' or 'count' expected",
                             hint: suggestion.map { "did you mean '\($0)'?" } ?? "e.g. with(empty, --> is(access_key))")
        }
        guard token.kind == .comma else { throw unexpected(expected: "',' expected") }
        try advance()
        guard case .arrow(let navigation) = token.kind else {
            throw unexpected(expected: "navigation expected", hint: "e.g. with(any, --> is(access_key))")
        }
        spans?.navigations.append(Located(navigation, token.start..<token.end))
        try advance()
        var filter: Term?
        if token.kind != .rightParen, !(try isKeyword("with")) {
            filter = try parseOr()
        }
        var nested: WithClause?
        if try isKeyword("with") {
            nested = try parseWith()
        }
        guard token.kind == .rightParen else {
            throw unexpected(expected: filter == nil && nested == nil ? "term or ')' expected" : "')' expected")
        }
        try advance()
        return WithClause(quantifier: quantifier, navigation: navigation, filter: filter, nested: nested)
    }

    /// A non-negative integer (counts, limits).
    mutating func parseCount() throws(QueryError) -> Int {
        guard case .word(let text) = token.kind, let value = Int(text), value >= 0, text.first != "+" else {
            throw unexpected(expected: "a whole number expected")
        }
        try advance()
        return value
    }

    mutating func parseSort() throws(QueryError) -> [Sort] {
        try advance() // sort
        var keys: [Sort] = []
        while true {
            let path = try parsePath()
            var order = SortOrder.asc
            if token.isKeyword("asc") {
                try advance()
            } else if token.isKeyword("desc") {
                order = .desc
                try advance()
            }
            keys.append(Sort(path: path, order: order))
            guard token.kind == .comma else { return keys }
            try advance()
        }
    }

    mutating func parseLimit() throws(QueryError) -> Limit {
        try advance() // limit
        let first = try parseCount()
        guard token.kind == .comma else { return Limit(offset: 0, count: first) }
        try advance()
        return Limit(offset: first, count: try parseCount())
    }
}
