import LineEditing
import SiftQuery

/// Colours a line as it is typed, from the line grammar and the query language's lexer and
/// parser: commands, flags, keywords, kinds, properties, strings, numbers and durations,
/// operators and arrows, comments; the first bad token in red (an unknown command, a token
/// the lexer refuses, or where the parser fails before the end of the query). Pure.
public struct Highlighter: Sendable {
    /// Command names.
    public var commands: Set<String>
    /// Kind names.
    public var kinds: Set<String>
    /// Property names (the first component of a path).
    public var properties: Set<String>

    /// The styles used.
    public enum Role: Sendable, CaseIterable {
        case command, flag, keyword, kind, property, string, number, op, comment, error

        /// The terminal style of the role.
        public var style: LineEditing.TextStyle {
            switch self {
            case .command: return .boldBlue
            case .flag: return .yellow
            case .keyword: return .magenta
            case .kind: return .green
            case .property: return .cyan
            case .string: return LineEditing.TextStyle(sgr: "32")
            case .number: return .yellow
            case .op: return .bold
            case .comment: return .dim
            case .error: return LineEditing.TextStyle(sgr: "1;4;31")
            }
        }
    }

    /// The commands whose arguments are a query (declared so in their `CommandSpec`).
    static let queryCommands = Set(CommandRegistry.standard.specs.filter { $0.arguments.first?.candidates == .query }.map(\.name))

    /// Creates a highlighter.
    public init(commands: Set<String>, kinds: Set<String>, properties: Set<String>) {
        self.commands = commands
        self.kinds = kinds
        self.properties = properties.reduce(into: Set<String>()) { $0.insert(String($1.prefix(while: { $0 != "." }))) }
    }

    /// The styled runs of a line, in character offsets.
    public func runs(_ line: String) -> [HighlightRun] {
        roles(line).map { HighlightRun($0.range, $0.role.style) }
    }

    /// The roles of the line's parts, in character offsets.
    public func roles(_ line: String) -> [(range: Range<Int>, role: Role)] {
        let characters = Array(line)
        var result: [(Range<Int>, Role)] = []
        var index = 0
        while index < characters.count {
            let end = Self.segmentEnd(characters, from: index)
            result += segmentRoles(characters, index..<end)
            if end < characters.count { result.append((end..<(end + 1), .op)) }
            index = end + 1
        }
        return result
    }

    /// Where the segment starting at `start` ends: at `|`, `;` or a `#` comment outside quotes.
    static func segmentEnd(_ characters: [Character], from start: Int) -> Int {
        var quote: Character?
        var index = start
        while index < characters.count {
            let c = characters[index]
            if let open = quote {
                if c == "\\" && open == "\"" { index += 2; continue }
                if c == open { quote = nil }
            } else if c == "'" || c == "\"" || c == "`" {
                quote = c
            } else if c == "|" || c == ";" {
                return index
            } else if c == "\\" {
                index += 2
                continue
            }
            index += 1
        }
        return characters.count
    }

    /// The roles of one command segment.
    func segmentRoles(_ characters: [Character], _ range: Range<Int>) -> [(Range<Int>, Role)] {
        var result: [(Range<Int>, Role)] = []
        var index = range.lowerBound
        while index < range.upperBound && characters[index].isWhitespace { index += 1 }
        guard index < range.upperBound else { return [] }
        if characters[index] == "#" { return [(index..<range.upperBound, .comment)] }
        let nameStart = index
        while index < range.upperBound && !characters[index].isWhitespace { index += 1 }
        let name = String(characters[nameStart..<index])
        let nameIsPrefix = index == characters.count && commands.contains { $0.hasPrefix(name) }
        result.append((nameStart..<index, commands.contains(name) || nameIsPrefix ? .command : .error))
        let rest = String(characters[index..<range.upperBound])
        if Self.queryCommands.contains(name) {
            result += queryRoles(rest, offset: index)
        } else {
            result += argumentRoles(characters, index..<range.upperBound)
        }
        return result
    }

    /// Flags, quoted strings, numbers and comments in a command's arguments.
    func argumentRoles(_ characters: [Character], _ range: Range<Int>) -> [(Range<Int>, Role)] {
        var result: [(Range<Int>, Role)] = []
        var index = range.lowerBound
        while index < range.upperBound {
            let c = characters[index]
            if c.isWhitespace { index += 1; continue }
            let start = index
            if c == "'" || c == "\"" {
                index += 1
                while index < range.upperBound && characters[index] != c { index += characters[index] == "\\" && c == "\"" ? 2 : 1 }
                index = min(index + 1, range.upperBound)
                result.append((start..<index, .string))
                continue
            }
            if c == "#" {
                result.append((start..<range.upperBound, .comment))
                break
            }
            while index < range.upperBound && !characters[index].isWhitespace { index += 1 }
            let word = characters[start..<index]
            if word.first == "-" && word.count > 1 {
                result.append((start..<index, word.dropFirst().allSatisfy(\.isNumber) ? .number : .flag))
            } else if word.first?.isNumber == true {
                result.append((start..<index, .number))
            }
        }
        return result
    }

    /// The roles of a query's tokens; `offset` is the query's character offset in the line.
    func queryRoles(_ query: String, offset: Int) -> [(Range<Int>, Role)] {
        // UTF-8 offsets of the lexer to character offsets of the line.
        var characterAt: [Int] = []
        characterAt.reserveCapacity(query.utf8.count + 1)
        for (i, character) in query.enumerated() {
            for _ in 0..<character.utf8.count { characterAt.append(offset + i) }
        }
        characterAt.append(offset + query.count)
        func characters(_ start: Int, _ end: Int) -> Range<Int> {
            let lower = characterAt[min(max(start, 0), characterAt.count - 1)]
            let upper = characterAt[min(max(end, 0), characterAt.count - 1)]
            return lower..<max(upper, lower)
        }

        let lexer = Lexer(query)
        var result: [(Range<Int>, Role)] = []
        var position = 0
        var previous: TokenKind?
        var tokens = 0
        while tokens < 10_000 {
            tokens += 1
            let token: Token
            do {
                token = try lexer.token(at: position)
            } catch {
                let start = min(error.offset, query.utf8.count)
                let next = try? lexer.token(at: start)
                result.append((characters(start, max(next?.end ?? start + 1, start + 1)), .error))
                return result
            }
            if token.kind == .end { break }
            let range = characters(token.start, token.end)
            switch token.kind {
            case .word(let text):
                if previous == .leftParen, kinds.contains(text) {
                    result.append((range, .kind))
                } else if Keywords.isReserved(text) || ["age", "last_access", "last_update"].contains(text) {
                    result.append((range, .keyword))
                } else if text.first?.isNumber == true {
                    result.append((range, .number))
                } else if kinds.contains(text) {
                    result.append((range, .kind))
                } else if properties.contains(String(text.prefix(while: { $0 != "." && $0 != "[" }))) || text.hasPrefix("/") {
                    result.append((range, .property))
                }
            case .string, .backtick: result.append((range, .string))
            case .placeholder: result.append((range, .keyword))
            case .op, .arrow: result.append((range, .op))
            case .leftParen, .rightParen, .leftBracket, .rightBracket, .leftBrace, .rightBrace, .comma, .colon, .end:
                break
            }
            previous = token.kind
            position = token.end
        }
        // The parser's first error, unless it is only that the query is not finished yet.
        if tokens < 10_000 {
            do {
                _ = try QueryParser.parse(query)
            } catch {
                let end = query.utf8.count
                let trimmedEnd = query.utf8.reversed().drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A }).count
                if error.offset < trimmedEnd, error.offset < end, let token = try? lexer.token(at: error.offset), token.kind != .end {
                    result.append((characters(token.start, token.end), .error))
                }
            }
        }
        return result
    }
}
