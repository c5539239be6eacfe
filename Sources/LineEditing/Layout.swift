// Where the prompt and the text go on the screen: rows no wider than the terminal (a wide
// character that does not fit moves to the next row, as terminals do), the continuation
// prompt after each line break, the colours of the highlighter, and the cursor's row and
// column. Pure: the editor writes the rows and moves the cursor.

/// An SGR style (`ESC [ ... m` parameters), e.g. `1;34` for bold blue.
public struct TextStyle: Sendable, Hashable {
    /// The SGR parameters.
    public var sgr: String

    /// Creates a style from SGR parameters.
    public init(sgr: String) { self.sgr = sgr }

    /// The escape sequence that turns the style on.
    public var escape: String { "\u{1B}[" + sgr + "m" }

    public static let bold = TextStyle(sgr: "1")
    public static let dim = TextStyle(sgr: "2")
    public static let red = TextStyle(sgr: "31")
    public static let boldRed = TextStyle(sgr: "1;31")
    public static let green = TextStyle(sgr: "32")
    public static let yellow = TextStyle(sgr: "33")
    public static let blue = TextStyle(sgr: "34")
    public static let boldBlue = TextStyle(sgr: "1;34")
    public static let magenta = TextStyle(sgr: "35")
    public static let cyan = TextStyle(sgr: "36")
    public static let underline = TextStyle(sgr: "4")
    /// The escape that turns every style off.
    public static let reset = "\u{1B}[0m"
}

/// A run of characters the highlighter styles: `range` in character offsets of the text.
public struct HighlightRun: Sendable, Hashable {
    /// Character offsets.
    public var range: Range<Int>
    /// The style.
    public var style: TextStyle

    /// Creates a run.
    public init(_ range: Range<Int>, _ style: TextStyle) {
        self.range = range
        self.style = style
    }
}

/// The rows to draw and where the cursor goes.
public struct ScreenLayout: Sendable, Equatable {
    /// The rows, with their escapes, without line breaks.
    public var rows: [String]
    /// The cursor's row (from 0, the prompt's first row).
    public var cursorRow: Int
    /// The cursor's column (from 0).
    public var cursorColumn: Int

    /// Lays out a prompt and a text.
    /// - Parameters:
    ///   - prompt: the first row's prompt; `continuation` starts each row after a line break.
    ///   - promptStyle: the prompts' style (nil: plain).
    ///   - characters: the text.
    ///   - styles: one style (or nil) per character, as long as `characters` or shorter.
    ///   - cursor: the cursor's character offset.
    ///   - width: the terminal's columns (at least 1).
    public init(
        prompt: String, continuation: String, promptStyle: TextStyle?, characters: [Character],
        styles: [TextStyle?], cursor: Int, width: Int
    ) {
        let width = max(width, 1)
        var rows: [String] = []
        var row = ""
        var column = 0
        var active: TextStyle?
        var cursorAt = (row: 0, column: 0)

        func setStyle(_ style: TextStyle?) {
            guard style != active else { return }
            if active != nil { row += TextStyle.reset }
            if let style { row += style.escape }
            active = style
        }
        func endRow() {
            let keep = active
            setStyle(nil)
            rows.append(row)
            row = ""
            column = 0
            setStyle(keep)
        }
        func put(_ character: Character, style: TextStyle?) {
            let w = DisplayWidth.of(character)
            if column + w > width && column > 0 { endRow() }
            setStyle(style)
            row += DisplayWidth.visible(character)
            column += w
        }

        for character in prompt { put(character, style: promptStyle) }
        for (index, character) in characters.enumerated() {
            if index == cursor { cursorAt = (rows.count, column) }
            if character == "\n" {
                setStyle(nil)
                endRow()
                for c in continuation { put(c, style: promptStyle) }
                continue
            }
            // Place the cursor where the character lands (after a wrap, on the next row).
            let w = DisplayWidth.of(character)
            if column + w > width && column > 0 {
                endRow()
                if index == cursor { cursorAt = (rows.count, 0) }
            }
            put(character, style: index < styles.count ? styles[index] : nil)
        }
        if cursor >= characters.count { cursorAt = (rows.count, column) }
        setStyle(nil)
        rows.append(row)
        // A cursor just past a full row stands at the start of the next one.
        if cursorAt.column >= width {
            cursorAt = (cursorAt.row + 1, 0)
            if cursorAt.row >= rows.count { rows.append("") }
        }
        self.rows = rows
        self.cursorRow = cursorAt.row
        self.cursorColumn = cursorAt.column
    }

    /// Lays out candidates in columns that fit the width, sorted down the columns as `ls` does.
    public static func columns(_ items: [String], width: Int) -> [String] {
        guard !items.isEmpty else { return [] }
        let cellWidth = (items.map { DisplayWidth.of($0) }.max() ?? 0) + 2
        let perRow = max(1, max(width, 1) / max(cellWidth, 1))
        let rowCount = (items.count + perRow - 1) / perRow
        var lines: [String] = []
        for r in 0..<rowCount {
            var line = ""
            var c = 0
            while r + c * rowCount < items.count {
                let item = items[r + c * rowCount]
                let isLast = r + (c + 1) * rowCount >= items.count
                line += item
                if !isLast { line += String(repeating: " ", count: cellWidth - DisplayWidth.of(item)) }
                c += 1
            }
            lines.append(line)
        }
        return lines
    }
}
