/// A place in a shell line: 1-based line (within the text handed to the grammar) and
/// 1-based column (in characters).
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    /// The line, from 1.
    public var line: Int
    /// The column, from 1, counted in characters.
    public var column: Int

    /// Creates a position.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// A syntax error in a shell line: what is wrong and where.
public struct LineSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is.
    public var position: SourcePosition
    /// What is wrong, in a few words.
    public var message: String

    /// Creates an error.
    public init(_ message: String, at position: SourcePosition) {
        self.message = message
        self.position = position
    }

    /// `line:column: message`.
    public var description: String { "\(position): \(message)" }
}

/// One argument word of a command, with its quotes and escapes removed.
public struct Word: Sendable, Hashable {
    /// The word's text after unquoting.
    public var text: String
    /// Where the word starts.
    public var position: SourcePosition
    /// Whether any part of the word was quoted (so `"-5"` is not a flag).
    public var quoted: Bool

    /// Creates a word.
    public init(_ text: String, at position: SourcePosition, quoted: Bool = false) {
        self.text = text
        self.position = position
        self.quoted = quoted
    }
}

/// One command of a pipeline: its name, its argument words, and the raw text of its
/// arguments exactly as typed (quotes kept), for commands such as `search` whose argument
/// is a query in its own language.
public struct CommandSegment: Sendable, Hashable {
    /// The command's name (the first word).
    public var name: String
    /// Where the name starts.
    public var position: SourcePosition
    /// The argument words after the name, unquoted.
    public var words: [Word]
    /// The arguments as typed, quotes kept, without the comment and surrounding blanks.
    /// Line continuations (`\` + newline outside quotes) are replaced by two blanks so that
    /// offsets in this text still match the source.
    public var rawArguments: String
    /// Where `rawArguments` starts (just after the name when there are no arguments).
    public var rawPosition: SourcePosition
    /// The source position of each character of `rawArguments`.
    public var rawCharacterPositions: [SourcePosition]

    /// Creates a segment.
    public init(
        name: String, position: SourcePosition, words: [Word], rawArguments: String, rawPosition: SourcePosition,
        rawCharacterPositions: [SourcePosition] = []
    ) {
        self.name = name
        self.position = position
        self.words = words
        self.rawArguments = rawArguments
        self.rawPosition = rawPosition
        self.rawCharacterPositions = rawCharacterPositions
    }

    /// Maps a 1-based line/column inside `rawArguments` (as a parser of that text reports it)
    /// to the position in the whole source.
    public func sourcePosition(ofRawLine line: Int, column: Int) -> SourcePosition {
        var offset = 0
        var currentLine = 1
        for char in rawArguments where currentLine < line {
            offset += 1
            if char == "\n" { currentLine += 1 }
        }
        offset += max(column, 1) - 1
        if offset < rawCharacterPositions.count { return rawCharacterPositions[offset] }
        // Just past the end: one column after the last character.
        if let last = rawCharacterPositions.last {
            return SourcePosition(line: last.line, column: last.column + offset - rawCharacterPositions.count + 1)
        }
        return rawPosition
    }
}

/// Commands joined by `|`: the first produces, the following consume.
public struct PipelineSyntax: Sendable, Hashable {
    /// The commands in order; never empty.
    public var commands: [CommandSegment]

    /// Creates a pipeline.
    public init(commands: [CommandSegment]) {
        self.commands = commands
    }
}

/// The grammar of a shell line: `cmd args | cmd args ; cmd args`.
///
/// - `;` separates pipelines, `|` separates the commands of a pipeline.
/// - `'...'` keeps everything literally; `"..."` keeps everything but backslash escapes
///   (`\"`, `\\`, `\n`, `\t`); backticks keep everything literally too (query paths).
///   Inside any quotes `|`, `;`, `#` and blanks are plain characters.
/// - Outside quotes a backslash escapes the next character; a backslash before a newline
///   continues the line.
/// - `#` at the start of a word starts a comment up to the end of the line.
///
/// Pure: no I/O. Empty pipelines between `;` are allowed (`a ; ; b`, a trailing `;`);
/// an empty command next to a `|` is an error.
public enum LineGrammar {
    /// Parses a whole line (possibly several physical lines joined by continuations).
    public static func parse(_ text: String) throws(LineSyntaxError) -> [PipelineSyntax] {
        var scanner = Scanner(Array(text))
        return try scanner.run()
    }

    /// Whether the text cannot be complete yet: it ends in a line continuation, or a quote
    /// or bracket is still open. The REPL reads another line when this is true.
    public static func needsMoreInput(_ text: String) -> Bool {
        let state = openState(text)
        return state.continues || state.openQuote || state.openBrackets > 0
    }

    /// Whether the text ends in a line continuation (`\` outside quotes and comments): a script
    /// joins the next line only then.
    public static func endsWithContinuation(_ text: String) -> Bool {
        openState(text).continues
    }

    /// What is still open at the end of the text.
    static func openState(_ text: String) -> (continues: Bool, openQuote: Bool, openBrackets: Int) {
        var scanner = OpenScanner()
        scanner.feed(text)
        return (scanner.continues, scanner.openQuote, scanner.openBrackets)
    }

    /// What is open (quote, brackets, comment, a trailing `\`) after the text fed so far. Fed
    /// piece by piece (a script's physical lines), it finds continuations in time linear in the
    /// whole text.
    struct OpenScanner {
        /// A backslash waiting for the character it escapes.
        enum Escape { case none, unquoted, quoted }

        var quote: Character?
        var depth = 0
        var inComment = false
        var wordStart = true
        var escape = Escape.none

        /// The text ends in a line continuation (`\` outside quotes and comments).
        var continues: Bool { escape == .unquoted }
        /// A quote is open.
        var openQuote: Bool { quote != nil }
        /// Brackets open.
        var openBrackets: Int { depth }

        mutating func feed(_ text: some StringProtocol) {
            for char in text {
                switch escape {
                case .unquoted:
                    escape = .none
                    wordStart = false
                    continue
                case .quoted:
                    escape = .none
                    continue
                case .none:
                    break
                }
                if inComment {
                    if char == "\n" { inComment = false; wordStart = true }
                    continue
                }
                if let open = quote {
                    if char == "\\" && open == "\"" {
                        escape = .quoted
                        continue
                    }
                    if char == open { quote = nil }
                    continue
                }
                switch char {
                case "\\":
                    escape = .unquoted
                    continue
                case "'", "\"", "`":
                    quote = char
                case "(", "[", "{":
                    depth += 1
                case ")", "]", "}":
                    depth = max(0, depth - 1)
                case "#" where wordStart:
                    inComment = true
                default:
                    break
                }
                wordStart = char.isWhitespace || char == "|" || char == ";"
            }
        }
    }

    /// The scanner's state for one parse.
    private struct Scanner {
        let chars: [Character]
        var index = 0
        var line = 1
        var column = 1

        var pipelines: [PipelineSyntax] = []
        var commands: [CommandSegment] = []
        // The segment being read.
        var words: [Word] = []
        var segmentStart = SourcePosition(line: 1, column: 1)
        var raw: [Character] = []
        var rawPositions: [SourcePosition] = []
        var rawStart: SourcePosition?
        var rawEndKeep = 0          // raw.count after the last non-blank character
        // The word being read.
        var word = ""
        var wordStart: SourcePosition?
        var wordQuoted = false
        var lastSeparator: (char: Character, position: SourcePosition)?

        init(_ chars: [Character]) {
            self.chars = chars
        }

        var position: SourcePosition { SourcePosition(line: line, column: column) }

        mutating func advance() {
            if chars[index] == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }

        mutating func appendRaw(_ char: Character) {
            if raw.isEmpty && rawStart == nil && char.isWhitespace { return }
            if rawStart == nil { rawStart = position }
            raw.append(char)
            rawPositions.append(position)
            if !char.isWhitespace { rawEndKeep = raw.count }
        }

        mutating func beginWordIfNeeded() {
            if wordStart == nil { wordStart = position }
        }

        mutating func endWord() {
            guard let start = wordStart else { return }
            if words.isEmpty && commandName == nil {
                commandName = (word, start, wordQuoted)
                // The raw arguments start after the name.
                raw = []
                rawPositions = []
                rawStart = nil
                rawEndKeep = 0
            } else {
                words.append(Word(word, at: start, quoted: wordQuoted))
            }
            word = ""
            wordStart = nil
            wordQuoted = false
        }

        var commandName: (text: String, position: SourcePosition, quoted: Bool)?

        mutating func endSegment(separator: Character?, at separatorPosition: SourcePosition) throws(LineSyntaxError) {
            endWord()
            if let name = commandName {
                let rawText = String(raw.prefix(rawEndKeep))
                let rawPosition = rawStart ?? position
                commands.append(CommandSegment(
                    name: name.text, position: name.position, words: words,
                    rawArguments: rawText, rawPosition: rawPosition,
                    rawCharacterPositions: Array(rawPositions.prefix(rawEndKeep))))
            } else if separator == "|" {
                throw LineSyntaxError("empty command before '|'", at: separatorPosition)
            } else if let last = lastSeparator, last.char == "|" {
                throw LineSyntaxError("'|' leads into nothing: a command is expected after it", at: last.position)
            }
            commandName = nil
            words = []
            raw = []
            rawPositions = []
            rawStart = nil
            rawEndKeep = 0
            if separator != "|" {
                if !commands.isEmpty { pipelines.append(PipelineSyntax(commands: commands)) }
                commands = []
            }
            lastSeparator = separator.map { ($0, separatorPosition) }
        }

        mutating func run() throws(LineSyntaxError) -> [PipelineSyntax] {
            while index < chars.count {
                let char = chars[index]
                switch char {
                case "'", "\"", "`":
                    try readQuoted(char)
                case "\\":
                    let start = position
                    if index + 1 >= chars.count {
                        throw LineSyntaxError("nothing follows the line continuation '\\'", at: start)
                    }
                    let next = chars[index + 1]
                    if next == "\n" {
                        // Line continuation: a blank.
                        endWord()
                        appendRaw(" ")
                        appendRaw(" ")
                        advance(); advance()
                    } else {
                        beginWordIfNeeded()
                        word.append(next)
                        appendRaw(char)
                        appendRaw(next)
                        advance(); advance()
                    }
                case "|", ";":
                    let at = position
                    advance()
                    try endSegment(separator: char, at: at)
                case "#" where wordStart == nil:
                    // A comment up to the end of the physical line.
                    while index < chars.count && chars[index] != "\n" { advance() }
                default:
                    if char.isWhitespace {
                        endWord()
                        appendRaw(char)
                    } else {
                        beginWordIfNeeded()
                        word.append(char)
                        appendRaw(char)
                    }
                    advance()
                }
            }
            try endSegment(separator: nil, at: position)
            return pipelines
        }

        mutating func readQuoted(_ quote: Character) throws(LineSyntaxError) {
            let start = position
            beginWordIfNeeded()
            wordQuoted = true
            // Backticks quote a key inside a path: they stay part of the word.
            if quote == "`" { word.append(quote) }
            appendRaw(quote)
            advance()
            while index < chars.count {
                let char = chars[index]
                if char == quote {
                    if quote == "`" { word.append(quote) }
                    appendRaw(char)
                    advance()
                    return
                }
                if char == "\\" && quote == "\"" && index + 1 < chars.count {
                    let next = chars[index + 1]
                    switch next {
                    case "n": word.append("\n")
                    case "t": word.append("\t")
                    case "\"", "\\": word.append(next)
                    default:
                        word.append(char)
                        word.append(next)
                    }
                    appendRaw(char)
                    appendRaw(next)
                    advance(); advance()
                    continue
                }
                word.append(char)
                appendRaw(char)
                advance()
            }
            let what = quote == "'" ? "single quote" : quote == "\"" ? "double quote" : "backtick"
            throw LineSyntaxError("unterminated \(what): no closing \(quote) for the one opened here", at: start)
        }
    }
}
