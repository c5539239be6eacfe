// Tokens of the query language and their positions in the source.

/// A position in the query text.
public struct SourcePosition: Sendable, Hashable {
    /// Offset in UTF-8 bytes from the start of the text.
    public var offset: Int
    /// Line number, from 1.
    public var line: Int
    /// Column number in characters, from 1.
    public var column: Int

    /// Creates a location.
    public init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// Finds the line and column of a UTF-8 offset in a text (offsets past the end point just after it).
    public init(offset: Int, in source: String) {
        let bytes = Array(source.utf8)
        let end = min(max(offset, 0), bytes.count)
        var lineStart = 0
        var line = 1
        for index in 0..<end where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        let prefix = String(decoding: bytes[lineStart..<end], as: UTF8.self)
        self.init(offset: end, line: line, column: prefix.count + 1)
    }
}

/// What a token is.
public enum TokenKind: Sendable, Hashable {
    /// An unquoted word: identifiers, keywords, paths without backticks, numbers, durations, dates, `us-east-1`.
    case word(String)
    /// A quoted string (`"..."` or `'...'`), escapes decoded.
    case string(String)
    /// A backticked key, without the backticks.
    case backtick(String)
    /// `@now@` and friends.
    case placeholder(TimePlaceholder)
    /// A comparison operator written with symbols (`==`, `=`, `!=`, `<`, `<=`, `>`, `>=`, `=~`, `~`, `!~`).
    case op(Operator)
    /// A navigation arrow (`-->`, `<-[1:3]-`, `<-default[0:1]delete->`, ...).
    case arrow(Navigation)
    /// `(`
    case leftParen
    /// `)`
    case rightParen
    /// `[`
    case leftBracket
    /// `]`
    case rightBracket
    /// `{`
    case leftBrace
    /// `}`
    case rightBrace
    /// `,`
    case comma
    /// `:`
    case colon
    /// The end of the text.
    case end
}

/// A token with its extent in the source (UTF-8 offsets).
public struct Token: Sendable, Hashable {
    /// What the token is.
    public var kind: TokenKind
    /// Offset of its first byte.
    public var start: Int
    /// Offset just after its last byte.
    public var end: Int

    /// Creates a token.
    public init(kind: TokenKind, start: Int, end: Int) {
        self.kind = kind
        self.start = start
        self.end = end
    }

    /// The word's text when this is a word.
    var word: String? {
        if case .word(let text) = kind { return text }
        return nil
    }

    /// Whether this is the given keyword (ASCII case-insensitive).
    func isKeyword(_ keyword: String) -> Bool {
        guard case .word(let text) = kind else { return false }
        return Keywords.equal(text, keyword)
    }

    /// How the token reads in an error message.
    var display: String {
        switch kind {
        case .word(let text): return "'\(text)'"
        case .string: return "string"
        case .backtick(let key): return "`\(key)`"
        case .placeholder(let p): return "@\(p.rawValue)@"
        case .op(let op): return "'\(op.rawValue)'"
        case .arrow: return "navigation"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .comma: return "','"
        case .colon: return "':'"
        case .end: return "end of query"
        }
    }
}

/// The language's keywords.
public enum Keywords {
    /// Words that the parser gives a meaning in some position; printed values and keys that
    /// equal one of these (in any case) are quoted or backticked.
    public static let reserved: Set<String> = [
        "and", "or", "not", "in", "with", "sort", "limit", "asc", "desc", "all", "is", "id",
        "any", "none", "empty", "count", "has_key", "true", "false", "null", "account", "cloud",
    ]

    /// ASCII case-insensitive equality with a lowercase keyword.
    static func equal(_ text: String, _ keyword: String) -> Bool {
        let a = text.utf8, b = keyword.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            let lower = (x >= 65 && x <= 90) ? x + 32 : x
            if lower != y { return false }
        }
        return true
    }

    /// Whether the text is a reserved word in any case.
    public static func isReserved(_ text: String) -> Bool {
        reserved.contains(text.lowercased())
    }
}
