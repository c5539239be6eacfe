// The lexer: turns query text into tokens, with positions.
//
// It is position-based: `token(at:)` reads the token that starts at (or after whitespace from) an
// offset, so the parser can look ahead freely. Two scanners serve positions where the general
// tokens are not enough: `scanPath(at:)` for property paths (`a[*].b`, ``tags.`x.y` ``) and
// `scanObjectKey(at:)` for unquoted keys of JSON objects (`{a: 1}`).

/// Reads tokens from a query text.
public struct Lexer: Sendable {
    /// The text.
    public let source: String
    /// The text's UTF-8 bytes.
    let bytes: [UInt8]

    /// Edge types a navigation may name.
    public static let edgeTypes: [String] = ["default", "delete"]

    /// Creates a lexer over a text.
    public init(_ source: String) {
        self.source = source
        self.bytes = Array(source.utf8)
    }

    /// All tokens of the text, up to and including `.end`.
    public func tokens() throws(QueryError) -> [Token] {
        var result: [Token] = []
        var offset = 0
        while true {
            let token = try token(at: offset)
            result.append(token)
            if token.kind == .end { return result }
            offset = token.end
        }
    }

    /// The location of a UTF-8 offset.
    public func location(of offset: Int) -> SourcePosition {
        SourcePosition(offset: offset, in: source)
    }

    /// An error at an offset.
    func error(_ offset: Int, _ message: String, expected: String? = nil, hint: String? = nil) -> QueryError {
        QueryError(at: location(of: offset), message: message, expected: expected, hint: hint)
    }

    // MARK: - Bytes

    @inline(__always) func byte(_ index: Int) -> UInt8 {
        index < bytes.count ? bytes[index] : 0
    }

    /// Offset of the first non-blank byte at or after `offset`.
    func skipBlanks(_ offset: Int) -> Int {
        var index = offset
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return index
            }
        }
        return index
    }

    // MARK: - General tokens

    /// The token at `offset` (blanks before it skipped).
    public func token(at offset: Int) throws(QueryError) -> Token {
        let start = skipBlanks(offset)
        guard start < bytes.count else { return Token(kind: .end, start: start, end: start) }
        let c = bytes[start]
        func single(_ kind: TokenKind) -> Token { Token(kind: kind, start: start, end: start + 1) }
        func double(_ kind: TokenKind) -> Token { Token(kind: kind, start: start, end: start + 2) }
        switch c {
        case UInt8(ascii: "("): return single(.leftParen)
        case UInt8(ascii: ")"): return single(.rightParen)
        case UInt8(ascii: "["): return single(.leftBracket)
        case UInt8(ascii: "]"): return single(.rightBracket)
        case UInt8(ascii: "{"): return single(.leftBrace)
        case UInt8(ascii: "}"): return single(.rightBrace)
        case UInt8(ascii: ","): return single(.comma)
        case UInt8(ascii: ":"): return single(.colon)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let (text, end) = try scanString(at: start)
            return Token(kind: .string(text), start: start, end: end)
        case UInt8(ascii: "`"):
            let (key, end) = try scanBacktick(at: start)
            return Token(kind: .backtick(key), start: start, end: end)
        case UInt8(ascii: "@"):
            return try scanPlaceholder(at: start)
        case UInt8(ascii: "="):
            switch byte(start + 1) {
            case UInt8(ascii: "="): return double(.op(.equal))
            case UInt8(ascii: "~"): return double(.op(.matches))
            default: return single(.op(.equal))
            }
        case UInt8(ascii: "!"):
            switch byte(start + 1) {
            case UInt8(ascii: "="): return double(.op(.notEqual))
            case UInt8(ascii: "~"): return double(.op(.notMatches))
            default: throw error(start, "unexpected '!'", hint: "write != or !~, or 'not' before a term")
            }
        case UInt8(ascii: "~"): return single(.op(.matches))
        case UInt8(ascii: ">"):
            return byte(start + 1) == UInt8(ascii: "=") ? double(.op(.greaterOrEqual)) : single(.op(.greater))
        case UInt8(ascii: "<"):
            switch scanArrow(at: start) {
            case .arrow(let navigation, let end): return Token(kind: .arrow(navigation), start: start, end: end)
            case .malformed(let error): throw error
            case .none: break
            }
            return byte(start + 1) == UInt8(ascii: "=") ? double(.op(.lessOrEqual)) : single(.op(.less))
        case UInt8(ascii: "-"), UInt8(ascii: "+"):
            if c == UInt8(ascii: "-") {
                switch scanArrow(at: start) {
                case .arrow(let navigation, let end): return Token(kind: .arrow(navigation), start: start, end: end)
                case .malformed(let error): throw error
                case .none: break
                }
            }
            let next = byte(start + 1)
            let signedWord = Self.isDigit(next) || (next == UInt8(ascii: "P") && Self.isDigit(byte(start + 2)))
                || (next == UInt8(ascii: "P") && byte(start + 2) == UInt8(ascii: "T"))
            guard signedWord else {
                throw error(start, "unexpected '\(Character(Unicode.Scalar(c)))'",
                            hint: c == UInt8(ascii: "-") ? "navigations are written -->, <--, <-->, -[1:3]->" : nil)
            }
            let end = scanWordEnd(from: start + 1)
            return Token(kind: .word(text(start, end)), start: start, end: end)
        default:
            guard Self.isWordStart(c) else {
                let hint: String?
                switch c {
                case UInt8(ascii: "&"): hint = "write 'and'"
                case UInt8(ascii: "|"): hint = "write 'or'"
                default: hint = nil
                }
                throw error(start, "unexpected character '\(character(at: start))'", hint: hint)
            }
            let end = scanWordEnd(from: start + 1)
            return Token(kind: .word(text(start, end)), start: start, end: end)
        }
    }

    /// The text between two offsets.
    func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The character that starts at an offset (for messages).
    func character(at offset: Int) -> String {
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return text(offset, min(end, bytes.count))
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
    static func isIdentifierStart(_ c: UInt8) -> Bool { isLetter(c) || c == UInt8(ascii: "_") || c >= 0x80 }
    static func isIdentifierChar(_ c: UInt8) -> Bool { isIdentifierStart(c) || isDigit(c) }
    static func isWordStart(_ c: UInt8) -> Bool { isIdentifierChar(c) || c == UInt8(ascii: "/") }
    static func isWordChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "+"), UInt8(ascii: "/"): return true
        default: return isIdentifierChar(c)
        }
    }

    /// The end of a word whose first byte is before `offset`. A `-` belongs to the word unless a
    /// navigation starts there (`name==a-->b`).
    func scanWordEnd(from offset: Int) -> Int {
        var index = offset
        while index < bytes.count {
            let c = bytes[index]
            if Self.isWordChar(c) {
                index += 1
            } else if c == UInt8(ascii: "-") {
                if case .arrow = scanArrow(at: index) { return index }
                index += 1
            } else {
                return index
            }
        }
        return index
    }

    // MARK: - Strings, backticks, placeholders

    /// A quoted string starting at `start` (`"` or `'`): the decoded text and the end offset.
    func scanString(at start: Int) throws(QueryError) -> (String, Int) {
        let quote = bytes[start]
        var index = start + 1
        var decoded: [UInt8] = []
        var hasEscapes = false
        while index < bytes.count {
            let c = bytes[index]
            if c == quote {
                let value = hasEscapes ? String(decoding: decoded, as: UTF8.self) : text(start + 1, index)
                return (value, index + 1)
            }
            if c == UInt8(ascii: "\\") {
                if !hasEscapes {
                    decoded.append(contentsOf: bytes[(start + 1)..<index])
                    hasEscapes = true
                }
                index = try decodeEscape(at: index, into: &decoded)
                continue
            }
            if c == 0 { throw error(index, "NUL character in a string", hint: "not supported: SQLite would cut the text there") }
            if hasEscapes { decoded.append(c) }
            index += 1
        }
        let closing = quote == UInt8(ascii: "\"") ? "\"" : "'"
        throw error(start, "unterminated string", expected: "closing \(closing) expected", hint: "a string opened here never ends")
    }

    /// Decodes the escape at `index` (a backslash) and returns the offset after it. Unknown escapes
    /// keep their backslash, so regular expressions like `"\d+"` read as written.
    private func decodeEscape(at index: Int, into out: inout [UInt8]) throws(QueryError) -> Int {
        let next = byte(index + 1)
        switch next {
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "`"):
            out.append(next)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "u"):
            guard let high = hex4(at: index + 2) else {
                throw error(index, "invalid escape", expected: "four hex digits after \\u expected")
            }
            var scalarValue = high
            var end = index + 6
            if (0xD800...0xDBFF).contains(high), byte(end) == UInt8(ascii: "\\"), byte(end + 1) == UInt8(ascii: "u"),
               let low = hex4(at: end + 2), (0xDC00...0xDFFF).contains(low) {
                scalarValue = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                end += 6
            }
            guard let scalar = Unicode.Scalar(scalarValue) else {
                throw error(index, "invalid escape", hint: "\\u\(String(high, radix: 16)) is not a character")
            }
            if scalarValue == 0 { throw error(index, "NUL character in a string", hint: "not supported: SQLite would cut the text there") }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
            return end
        case 0:
            throw error(index, "unterminated string", hint: "the text ends after a backslash")
        default:
            out.append(UInt8(ascii: "\\"))
            return index + 1
        }
        return index + 2
    }

    private func hex4(at offset: Int) -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for c in bytes[offset..<(offset + 4)] {
            let digit: UInt8
            switch c {
            case 0x30...0x39: digit = c - 0x30
            case 0x41...0x46: digit = c - 0x41 + 10
            case 0x61...0x66: digit = c - 0x61 + 10
            default: return nil
            }
            value = value * 16 + UInt32(digit)
        }
        return value
    }

    /// A backticked key starting at `start`: the key and the end offset.
    func scanBacktick(at start: Int) throws(QueryError) -> (String, Int) {
        var index = start + 1
        while index < bytes.count, bytes[index] != UInt8(ascii: "`") {
            if bytes[index] == 0 { throw error(index, "NUL character in a key", hint: "not supported: SQLite would cut the text there") }
            index += 1
        }
        guard index < bytes.count else {
            throw error(start, "unterminated backtick", expected: "closing ` expected")
        }
        guard index > start + 1 else { throw error(start, "empty key", hint: "a key in backticks needs at least one character") }
        return (text(start + 1, index), index + 1)
    }

    private func scanPlaceholder(at start: Int) throws(QueryError) -> Token {
        var index = start + 1
        while index < bytes.count, Self.isIdentifierChar(bytes[index]) { index += 1 }
        let name = text(start + 1, index)
        let known = TimePlaceholder.allCases.map { "@\($0.rawValue)@" }.joined(separator: ", ")
        guard byte(index) == UInt8(ascii: "@") else {
            throw error(start, "unterminated placeholder", expected: "closing @ expected", hint: "placeholders are \(known)")
        }
        guard let placeholder = TimePlaceholder(rawValue: name.lowercased()) else {
            throw error(start, "unknown placeholder '@\(name)@'", hint: "placeholders are \(known)")
        }
        return Token(kind: .placeholder(placeholder), start: start, end: index + 1)
    }

    // MARK: - Navigation arrows

    /// The outcome of looking for a navigation arrow.
    enum ArrowScan {
        /// No arrow starts here.
        case none
        /// An arrow and the offset after it.
        case arrow(Navigation, Int)
        /// The text commits to an arrow (`<-[`, `-delete`) but is malformed.
        case malformed(QueryError)
    }

    /// Reads `-->`, `<--`, `<-->`, `-[1:3]->`, `<-delete[0:]-`, `<-default[0:1]delete->`, ... at `start`.
    func scanArrow(at start: Int) -> ArrowScan {
        var index = start
        let inbound: Bool
        if byte(index) == UInt8(ascii: "<") && byte(index + 1) == UInt8(ascii: "-") {
            inbound = true
            index += 2
        } else if byte(index) == UInt8(ascii: "-") {
            inbound = false
            index += 1
        } else {
            return .none
        }
        let first = byte(index)
        guard Self.isLetter(first) || first == UInt8(ascii: "_") || first == UInt8(ascii: "[")
                || first == UInt8(ascii: "-") || first == UInt8(ascii: ">") else { return .none }
        if !inbound && first == UInt8(ascii: ">") {
            return .malformed(error(start, "'->' is not a navigation", hint: "did you mean -->?"))
        }
        if inbound && first == UInt8(ascii: ">") {
            return .malformed(error(start, "'<->' is not a navigation", hint: "did you mean <-->?"))
        }
        do {
            let before = scanEdgeTypes(&index)
            var range: (Int, Int?) = (1, 1)
            var hasRange = false
            if byte(index) == UInt8(ascii: "[") {
                range = try scanDepthRange(&index)
                hasRange = true
            }
            let after = scanEdgeTypes(&index)
            let direction: Direction
            if byte(index) == UInt8(ascii: "-") && byte(index + 1) == UInt8(ascii: ">") {
                direction = inbound ? .both : .out
                index += 2
            } else if inbound && byte(index) == UInt8(ascii: "-") {
                direction = .in
                index += 1
            } else if before != nil && !hasRange {
                // `-x`, `<-abc`: letters after a dash that never close are not an arrow.
                return .none
            } else {
                return .malformed(error(index, "navigation not closed",
                                        expected: inbound ? "'-' or '->' expected" : "'->' expected",
                                        hint: "navigations look like -->, <-[1:]-, <-default[0:1]delete->"))
            }
            let inTypes = try validated(before), outTypes = try validated(after)
            var navigation = Navigation(direction: direction, minDepth: range.0, maxDepth: range.1)
            switch direction {
            case .both:
                navigation.inEdgeTypes = inTypes ?? ["default"]
                navigation.outEdgeTypes = outTypes ?? inTypes ?? ["default"]
            case .out, .in:
                if inTypes != nil && outTypes != nil {
                    return .malformed(error(start, "edge types given both before and after the depth range",
                                            hint: "write them once, e.g. -delete[1:2]->"))
                }
                let types = inTypes ?? outTypes ?? ["default"]
                if direction == .out { navigation.outEdgeTypes = types } else { navigation.inEdgeTypes = types }
            }
            return .arrow(navigation, index)
        } catch {
            return .malformed(error)
        }
    }

    /// `type(,type)*` with the offset of each name, or nothing.
    private func scanEdgeTypes(_ index: inout Int) -> [(String, Int)]? {
        guard Self.isLetter(byte(index)) || byte(index) == UInt8(ascii: "_") else { return nil }
        var types: [(String, Int)] = []
        while true {
            let start = index
            while Self.isIdentifierChar(byte(index)) && byte(index) < 0x80 { index += 1 }
            if index > start { types.append((text(start, index), start)) }
            guard byte(index) == UInt8(ascii: ","), Self.isLetter(byte(index + 1)) || byte(index + 1) == UInt8(ascii: "_") else {
                return types
            }
            index += 1
        }
    }

    /// Checks edge type names against the known ones; drops repeats.
    private func validated(_ types: [(String, Int)]?) throws(QueryError) -> [String]? {
        guard let types else { return nil }
        var names: [String] = []
        for (name, offset) in types {
            guard Self.edgeTypes.contains(name) else {
                throw error(offset, "unknown edge type '\(name)'", expected: "'default' or 'delete' expected")
            }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// `[n]`, `[a:b]`, `[a:]` (also `[a,b]` and `[a..b]` as Fix Inventory accepts).
    private func scanDepthRange(_ index: inout Int) throws(QueryError) -> (Int, Int?) {
        let open = index
        index = skipBlanks(index + 1)
        let low = try scanDepth(&index)
        index = skipBlanks(index)
        var high: Int? = low
        switch byte(index) {
        case UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "."):
            if byte(index) == UInt8(ascii: ".") {
                guard byte(index + 1) == UInt8(ascii: ".") else {
                    throw error(index, "unexpected '.' in depth range", expected: "':' expected")
                }
                index += 1
            }
            index = skipBlanks(index + 1)
            high = Self.isDigit(byte(index)) ? try scanDepth(&index) : nil
            index = skipBlanks(index)
        default:
            break
        }
        guard byte(index) == UInt8(ascii: "]") else {
            throw error(index, "depth range not closed", expected: "']' expected", hint: "depths look like [2], [1:3], [0:]")
        }
        index += 1
        if let high, high < low {
            throw error(open, "empty depth range [\(low):\(high)]", hint: "the first depth must not exceed the second")
        }
        return (low, high)
    }

    private func scanDepth(_ index: inout Int) throws(QueryError) -> Int {
        let start = index
        while Self.isDigit(byte(index)) { index += 1 }
        guard index > start else {
            throw error(index, "depth expected", expected: "a number expected", hint: "depths look like [2], [1:3], [0:]")
        }
        guard let value = Int(text(start, index)), value <= 1_000_000 else {
            throw error(start, "depth too large")
        }
        return value
    }

    // MARK: - Paths

    /// Reads a property path starting at `start` and returns it with the offset after it.
    public func scanPath(at start: Int) throws(QueryError) -> (Path, Int) {
        var index = skipBlanks(start)
        let absolute = byte(index) == UInt8(ascii: "/")
        if absolute { index += 1 }
        var components: [PathComponent] = []
        var keyStarts: [Int] = []   // offset of each component
        var firstBackticked = false
        while true {
            let segmentStart = index
            let c = byte(index)
            if c == UInt8(ascii: "`") {
                let (key, end) = try scanBacktick(at: index)
                if components.isEmpty { firstBackticked = true }
                components.append(.key(key))
                index = end
            } else if Self.isIdentifierStart(c) {
                index += 1
                while index < bytes.count {
                    let d = bytes[index]
                    if Self.isIdentifierChar(d) {
                        index += 1
                    } else if d == UInt8(ascii: "-"), Self.isIdentifierChar(byte(index + 1)) {
                        if case .arrow = scanArrow(at: index) { break }
                        index += 1
                    } else {
                        break
                    }
                }
                components.append(.key(text(segmentStart, index)))
            } else {
                throw error(index, components.isEmpty && !absolute ? "property path expected" : "property name expected",
                            hint: c == UInt8(ascii: ".") ? "empty key between dots" :
                                (Self.isDigit(c) ? "a key that does not start with a letter needs backticks" : nil))
            }
            keyStarts.append(segmentStart)
            while byte(index) == UInt8(ascii: "[") {
                let open = index
                index += 1
                if byte(index) == UInt8(ascii: "*") {
                    index += 1
                    components.append(.wildcard)
                } else if byte(index) == UInt8(ascii: "]") {
                    components.append(.wildcard)
                } else if Self.isDigit(byte(index)) {
                    let digits = index
                    while Self.isDigit(byte(index)) { index += 1 }
                    guard let value = Int(text(digits, index)) else { throw error(digits, "index too large") }
                    components.append(.index(value))
                } else {
                    throw error(index, "array index expected", expected: "a number or '*' expected")
                }
                guard byte(index) == UInt8(ascii: "]") else {
                    throw error(index, "array index not closed", expected: "']' expected")
                }
                keyStarts.append(open)
                index += 1
            }
            guard byte(index) == UInt8(ascii: ".") else { break }
            index += 1
        }
        let path = try makePath(components, keyStarts: keyStarts, absolute: absolute,
                                firstBackticked: firstBackticked, start: start)
        return (path, index)
    }

    /// Gives a scanned path its root: sections of absolute paths, the `account`/`cloud` shortcuts.
    private func makePath(_ components: [PathComponent], keyStarts: [Int], absolute: Bool,
                          firstBackticked: Bool, start: Int) throws(QueryError) -> Path {
        guard absolute else {
            if components.count == 1, !firstBackticked, case .key(let name) = components[0],
               name == "account" || name == "cloud" {
                return Path(root: .shortcut(name), components: [.key("name")])
            }
            return Path(root: .reported(explicit: false), components: components)
        }
        let sections = "'reported', 'desired', 'metadata', 'ancestors' or 'descendants' expected"
        guard case .key(let head) = components[0] else { throw error(keyStarts[0], "section expected", expected: sections) }
        let root: PathRoot
        var rest: ArraySlice<PathComponent>
        switch head {
        case "reported": root = .reported(explicit: true); rest = components.dropFirst()
        case "desired": root = .desired; rest = components.dropFirst()
        case "metadata": root = .metadata; rest = components.dropFirst()
        case "ancestors", "descendants":
            guard components.count > 1, case .key(let kind) = components[1] else {
                throw error(components.count > 1 ? keyStarts[1] : start, "kind expected after /\(head)",
                            hint: "e.g. /\(head).account.reported.name")
            }
            guard components.count > 2, case .key(let sectionName) = components[2], let section = Section(rawValue: sectionName) else {
                throw error(components.count > 2 ? keyStarts[2] : start, "section expected after /\(head).\(kind)",
                            expected: "'reported', 'desired' or 'metadata' expected")
            }
            root = head == "ancestors" ? .ancestors(kind: kind, section: section) : .descendants(kind: kind, section: section)
            rest = components.dropFirst(3)
        default:
            throw error(keyStarts[0], "unknown section '\(head)'", expected: sections)
        }
        guard let firstRest = rest.first else {
            throw error(start, "property name expected after the section", hint: "e.g. /desired.clean")
        }
        guard case .key = firstRest else {
            throw error(keyStarts[components.count - rest.count], "property name expected after the section",
                        hint: "a section is an object, not an array")
        }
        return Path(root: root, components: Array(rest))
    }

    /// An unquoted key of an object value (`{a: 1}`): letters, digits, `_` and `-`.
    func scanObjectKey(at offset: Int) -> (String, Int)? {
        let start = skipBlanks(offset)
        var index = start
        while index < bytes.count, Self.isIdentifierChar(bytes[index]) || bytes[index] == UInt8(ascii: "-") { index += 1 }
        return index > start ? (text(start, index), index) : nil
    }
}
