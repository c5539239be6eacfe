// The text being edited and the cursor in it, with the emacs editing operations. Pure: the
// editor maps keys to these and draws the result.

/// The text being edited (possibly several lines) and the cursor, in characters.
public struct EditBuffer: Sendable, Equatable {
    /// The characters (grapheme clusters); `\n` separates the lines of a multi-line entry.
    public private(set) var characters: [Character]
    /// The cursor: the index of the character it stands before (`characters.count` at the end).
    public private(set) var cursor: Int

    /// Creates a buffer holding `text` with the cursor at its end.
    public init(_ text: String = "") {
        characters = Array(text)
        cursor = characters.count
    }

    /// The text.
    public var text: String { String(characters) }
    /// Whether there is no text.
    public var isEmpty: Bool { characters.isEmpty }

    /// Replaces the whole text and puts the cursor at its end.
    public mutating func set(_ text: String) {
        characters = Array(text)
        cursor = characters.count
    }

    /// Puts the cursor at `index` (clamped to the text).
    public mutating func moveTo(_ index: Int) {
        cursor = min(max(index, 0), characters.count)
    }

    /// Inserts text at the cursor and moves the cursor after it. A combining mark or an emoji
    /// modifier typed after a character joins it (one grapheme, as the terminal draws it).
    public mutating func insert(_ text: String) {
        guard !text.isEmpty else { return }
        let from = cursor > 0 ? cursor - 1 : cursor
        let joined = Array(String(characters[from..<cursor]) + text)
        characters.replaceSubrange(from..<cursor, with: joined)
        cursor = from + joined.count
    }

    /// Deletes the character before the cursor (Backspace, Ctrl-H). Returns whether it did.
    @discardableResult
    public mutating func deleteBackward() -> Bool {
        guard cursor > 0 else { return false }
        characters.remove(at: cursor - 1)
        cursor -= 1
        return true
    }

    /// Deletes the character under the cursor (Delete, Ctrl-D). Returns whether it did.
    @discardableResult
    public mutating func deleteForward() -> Bool {
        guard cursor < characters.count else { return false }
        characters.remove(at: cursor)
        return true
    }

    /// Removes and returns the characters in `range` (the cursor moves to its start when inside
    /// or after it).
    mutating func cut(_ range: Range<Int>) -> String {
        guard !range.isEmpty else { return "" }
        let removed = String(characters[range])
        characters.removeSubrange(range)
        if cursor >= range.upperBound {
            cursor -= range.count
        } else if cursor > range.lowerBound {
            cursor = range.lowerBound
        }
        return removed
    }

    // MARK: - Lines of a multi-line entry

    /// The index where the line holding `index` starts.
    public func lineStart(of index: Int) -> Int {
        var i = min(index, characters.count)
        while i > 0 && characters[i - 1] != "\n" { i -= 1 }
        return i
    }

    /// The index where the line holding `index` ends (at its `\n` or the end of the text).
    public func lineEnd(of index: Int) -> Int {
        var i = min(index, characters.count)
        while i < characters.count && characters[i] != "\n" { i += 1 }
        return i
    }

    /// Whether the cursor is on the first line of the entry.
    public var cursorOnFirstLine: Bool { lineStart(of: cursor) == 0 }
    /// Whether the cursor is on the last line of the entry.
    public var cursorOnLastLine: Bool { lineEnd(of: cursor) == characters.count }

    /// Moves to the start of the current line (Ctrl-A, Home).
    public mutating func moveToLineStart() { cursor = lineStart(of: cursor) }
    /// Moves to the end of the current line (Ctrl-E, End).
    public mutating func moveToLineEnd() { cursor = lineEnd(of: cursor) }

    /// Moves one line up or down keeping the column (in display columns) where it can.
    /// Returns false when there is no such line.
    public mutating func moveLine(up: Bool) -> Bool {
        let start = lineStart(of: cursor)
        let column = DisplayWidth.of(characters[start..<cursor])
        let targetStart: Int
        if up {
            guard start > 0 else { return false }
            targetStart = lineStart(of: start - 1)
        } else {
            let end = lineEnd(of: cursor)
            guard end < characters.count else { return false }
            targetStart = end + 1
        }
        let targetEnd = lineEnd(of: targetStart)
        var index = targetStart
        var width = 0
        while index < targetEnd {
            let next = width + DisplayWidth.of(characters[index])
            if next > column { break }
            width = next
            index += 1
        }
        cursor = index
        return true
    }

    // MARK: - Words

    /// Whether the character is part of a word for Alt-B/F/D/Backspace and Ctrl-arrows
    /// (letters, digits, `_`).
    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }

    /// The index of the start of the word before the cursor.
    func previousWordStart(isWord: (Character) -> Bool = isWordCharacter) -> Int {
        var i = cursor
        while i > 0 && !isWord(characters[i - 1]) { i -= 1 }
        while i > 0 && isWord(characters[i - 1]) { i -= 1 }
        return i
    }

    /// The index of the end of the word after the cursor.
    func nextWordEnd() -> Int {
        var i = cursor
        while i < characters.count && !Self.isWordCharacter(characters[i]) { i += 1 }
        while i < characters.count && Self.isWordCharacter(characters[i]) { i += 1 }
        return i
    }

    /// Moves to the start of the previous word (Alt-B, Ctrl-Left).
    public mutating func moveWordBackward() { cursor = previousWordStart() }
    /// Moves to the end of the next word (Alt-F, Ctrl-Right).
    public mutating func moveWordForward() { cursor = nextWordEnd() }

    // MARK: - Kills (the removed text goes to the kill ring)

    /// Cuts from the cursor to the end of the line (Ctrl-K); at the end of a line of a
    /// multi-line entry, cuts the line break.
    public mutating func killToLineEnd() -> String {
        let end = lineEnd(of: cursor)
        return cut(cursor..<(end == cursor && end < characters.count ? end + 1 : end))
    }

    /// Cuts from the start of the line to the cursor (Ctrl-U).
    public mutating func killToLineStart() -> String {
        cut(lineStart(of: cursor)..<cursor)
    }

    /// Cuts the blank-separated word before the cursor (Ctrl-W).
    public mutating func killBlankWordBackward() -> String {
        cut(previousWordStart(isWord: { !$0.isWhitespace })..<cursor)
    }

    /// Cuts the word before the cursor (Alt-Backspace).
    public mutating func killWordBackward() -> String {
        cut(previousWordStart()..<cursor)
    }

    /// Cuts the word after the cursor (Alt-D).
    public mutating func killWordForward() -> String {
        cut(cursor..<nextWordEnd())
    }

    /// Swaps the characters before and at the cursor and moves on (Ctrl-T); at the end of the
    /// line, swaps the last two.
    public mutating func transpose() {
        guard characters.count >= 2, cursor > 0 else { return }
        let at = cursor == characters.count || characters[cursor] == "\n" ? cursor - 1 : cursor
        guard at > 0, characters[at] != "\n", characters[at - 1] != "\n" else { return }
        characters.swapAt(at - 1, at)
        cursor = min(at + 1, characters.count)
    }
}
