// Errors of the query language: where, what, what was expected, and a hint.

/// A syntax error in a query, with its position.
public struct QueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Line of the error, from 1.
    public var line: Int
    /// Column of the error in characters, from 1.
    public var column: Int
    /// Offset of the error in UTF-8 bytes.
    public var offset: Int
    /// What is wrong (`unexpected end of query`, `unterminated string`).
    public var message: String
    /// What the parser expected there (`'and' or 'or' expected`), if it knows.
    public var expected: String?
    /// A hint at the fix, when one is obvious.
    public var hint: String?

    /// Creates an error at a location.
    public init(at location: SourcePosition, message: String, expected: String? = nil, hint: String? = nil) {
        self.line = location.line
        self.column = location.column
        self.offset = location.offset
        self.message = message
        self.expected = expected
        self.hint = hint
    }

    /// Creates an error at a UTF-8 offset of a source text.
    public init(offset: Int, in source: String, message: String, expected: String? = nil, hint: String? = nil) {
        self.init(at: SourcePosition(offset: offset, in: source), message: message, expected: expected, hint: hint)
    }

    /// `line L, column C: message, expected (hint: ...)` on one line.
    public var description: String {
        "line \(line), column \(column): \(summary)"
    }

    /// The message with what was expected and the hint, without the position.
    public var summary: String {
        var text = message
        if let expected { text += ", \(expected)" }
        if let hint { text += " (\(hint))" }
        return text
    }

    /// The error as a user sees it: `line L, column C: message`, the source line, and a caret under the spot.
    public func render(source: String) -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        var text = description
        guard line >= 1, line <= lines.count else { return text }
        var sourceLine = String(lines[line - 1])
        if sourceLine.hasSuffix("\r") { sourceLine.removeLast() }
        // Keep tabs so the caret lines up under tabbed text.
        let pad = sourceLine.prefix(max(column - 1, 0)).map { $0 == "\t" ? "\t" : " " }.joined()
        let padding = pad + String(repeating: " ", count: max(column - 1 - sourceLine.count, 0))
        text += "\n  " + sourceLine + "\n  " + padding + "^"
        return text
    }
}
