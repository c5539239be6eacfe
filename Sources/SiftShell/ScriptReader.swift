/// One logical line of a script: physical lines joined where a line ends in `\`.
public struct ScriptLine: Sendable, Hashable {
    /// The text, physical lines joined with their newlines.
    public var text: String
    /// The 1-based number of its first physical line in the script.
    public var firstLine: Int

    /// Creates a logical line.
    public init(text: String, firstLine: Int) {
        self.text = text
        self.firstLine = firstLine
    }
}

/// Splits script text into logical lines. Pure, and linear in the text (a line continued
/// 10,000 times is read in one pass).
///
/// Line ends may be `\n` or `\r\n`; a UTF-8 byte order mark at the start is dropped. A `\` on the
/// last line of the script continues into nothing: that line keeps its `\`, so running it reports
/// `nothing follows the line continuation` at its line and column.
public enum ScriptReader {
    /// The logical lines of `text`; blank lines and comment-only lines are kept out.
    public static func lines(of text: String) -> [ScriptLine] {
        var result: [ScriptLine] = []
        var pending = ""
        var pendingStart = 1
        var isPending = false
        var scanner = LineGrammar.OpenScanner()
        var number = 0
        var body = Substring(text)
        if body.unicodeScalars.first == "\u{FEFF}" { body = Substring(body.unicodeScalars.dropFirst()) }
        // "\r\n" is one Character in Swift, so split on both forms of line end.
        var physicalLines = body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if physicalLines.count > 1, physicalLines.last?.isEmpty == true { physicalLines.removeLast() }
        for physical in physicalLines {
            number += 1
            let line = physical.hasSuffix("\r") ? physical.dropLast() : physical
            if isPending {
                pending += "\n"
                scanner.feed("\n")
            } else {
                pendingStart = number
                pending = ""
                scanner = LineGrammar.OpenScanner()
            }
            pending += line
            scanner.feed(line)
            if scanner.continues {
                isPending = true
                continue
            }
            isPending = false
            if !isBlankOrComment(pending) {
                result.append(ScriptLine(text: pending, firstLine: pendingStart))
            }
        }
        if isPending, !isBlankOrComment(pending) {
            // A continuation at the end of the script: the grammar reports it.
            result.append(ScriptLine(text: pending, firstLine: pendingStart))
        }
        return result
    }

    /// Whether the text holds nothing to run.
    static func isBlankOrComment(_ text: String) -> Bool {
        for line in text.split(separator: "\n") {
            let trimmed = line.drop(while: { $0.isWhitespace })
            if !trimmed.isEmpty && !trimmed.hasPrefix("#") { return false }
        }
        return true
    }
}
