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

/// Splits script text into logical lines. Pure.
public enum ScriptReader {
    /// The logical lines of `text`; blank lines and comment-only lines are kept out.
    public static func lines(of text: String) -> [ScriptLine] {
        var result: [ScriptLine] = []
        var pending: [Substring] = []
        var pendingStart = 1
        var number = 0
        for physical in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = physical.hasSuffix("\r") ? physical.dropLast() : physical
            if pending.isEmpty { pendingStart = number }
            pending.append(line)
            let joined = pending.joined(separator: "\n")
            if LineGrammar.endsWithContinuation(joined) { continue }
            pending = []
            if !isBlankOrComment(joined) {
                result.append(ScriptLine(text: joined, firstLine: pendingStart))
            }
        }
        if !pending.isEmpty {
            // A continuation at the end of the script: the grammar reports it.
            let joined = pending.joined(separator: "\n")
            if !isBlankOrComment(joined) {
                result.append(ScriptLine(text: joined, firstLine: pendingStart))
            }
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
