/// What Tab offers at a spot of a line: command names at the start of a command; kinds inside
/// `is(...)` and after `kinds`; property names, kinds and keywords in queries and paths. Pure.
public struct CompletionProvider: Sendable {
    /// Command names.
    public var commands: [String]
    /// Kind names of the kind model.
    public var kinds: [String]
    /// Property names of the kind model.
    public var properties: [String]

    /// The query language's keywords.
    public static let keywords = [
        "all", "and", "or", "not", "in", "is(", "id(", "has_key(", "with(", "any", "empty", "count",
        "sort", "limit", "asc", "desc", "true", "false", "null", "age", "last_access", "last_update",
        "/desired.", "/metadata.", "/reported.", "/ancestors.", "/descendants.",
    ]

    /// Commands whose arguments are a query.
    static let queryCommands: Set<String> = ["search", "explain", "parse"]
    /// Commands whose arguments are property paths.
    static let pathCommands: Set<String> = ["count", "list", "format", "sort"]

    /// Creates a provider.
    public init(commands: [String], kinds: [String], properties: [String]) {
        self.commands = commands
        self.kinds = kinds
        self.properties = properties
    }

    /// The candidates for the word `prefix`, which starts at character offset `wordStart` of `line`.
    public func candidates(line: String, wordStart: Int, prefix: String) -> [String] {
        let before = String(line.prefix(wordStart))
        let segment = Self.currentSegment(before)
        let trimmed = segment.drop(while: { $0.isWhitespace })
        let pool: [String]
        if trimmed.isEmpty {
            pool = commands
        } else {
            let command = String(trimmed.prefix(while: { !$0.isWhitespace }))
            if command == "help" {
                pool = commands
            } else if command == "kinds" || Self.insideIsCall(segment) {
                pool = kinds
            } else if Self.queryCommands.contains(command) {
                pool = properties + kinds + Self.keywords
            } else if Self.pathCommands.contains(command) {
                pool = properties + ["age", "last_access", "last_update", "account", "cloud", "/desired.", "/metadata.", "/ancestors."]
            } else {
                pool = []
            }
        }
        var seen = Set<String>()
        return pool.filter { $0.hasPrefix(prefix) && seen.insert($0).inserted }.sorted()
    }

    /// The text of the command being typed: after the last `|` or `;` outside quotes.
    static func currentSegment(_ text: String) -> Substring {
        var quote: Character?
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            if let open = quote {
                if char == open { quote = nil }
            } else if char == "'" || char == "\"" {
                quote = char
            } else if char == "|" || char == ";" {
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        return text[start...]
    }

    /// Whether the cursor is inside `is(` ... `)`.
    static func insideIsCall(_ segment: Substring) -> Bool {
        guard let open = segment.range(of: "is(", options: .backwards) else { return false }
        return !segment[open.upperBound...].contains(")")
    }
}
