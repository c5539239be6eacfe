// How many terminal columns a character takes: 2 for East Asian wide and fullwidth characters
// and emoji, 0 for a lone combining mark, 1 otherwise. The editing unit is Swift's `Character`
// (an extended grapheme cluster), so a base letter with its combining marks, or an emoji with
// its modifiers and joiners, is one unit with one width.

/// Terminal column widths of characters (a `wcwidth` for grapheme clusters). Pure.
public enum DisplayWidth {
    /// The columns the character takes on a terminal.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x20 || first.value == 0x7F { return 2 }  // shown as ^X
        // An emoji presentation selector or a multi-scalar emoji sequence draws as a wide glyph.
        if scalars.count > 1 && scalars.contains(where: { $0.value == 0xFE0F || $0.value == 0x200D || (0x1F3FB...0x1F3FF).contains($0.value) }) {
            return 2
        }
        if isZeroWidth(first) { return 0 }
        return isWide(first) ? 2 : 1
    }

    /// The columns a run of characters takes.
    public static func of<S: Sequence>(_ characters: S) -> Int where S.Element == Character {
        characters.reduce(0) { $0 + of($1) }
    }

    /// What the terminal is sent for the character: control characters as `^X` (so the
    /// cursor arithmetic stays right), everything else as itself.
    public static func visible(_ character: Character) -> String {
        guard let first = character.unicodeScalars.first, character.unicodeScalars.count == 1 else {
            return String(character)
        }
        if first.value == 0x7F { return "^?" }
        if first.value < 0x20 {
            return "^" + String(Character(Unicode.Scalar(UInt8(first.value + 0x40))))
        }
        return String(character)
    }

    /// Combining marks, zero-width spaces and joiners, variation selectors.
    static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format:
            return true
        default:
            return (0xFE00...0xFE0F).contains(scalar.value) || scalar.value == 0x200B
        }
    }

    /// East Asian Wide (W) and Fullwidth (F) ranges, and emoji drawn wide by default
    /// (`Emoji_Presentation`, which is what EastAsianWidth marks W above U+1F300).
    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x1100 { return false }
        for range in wideRanges where range.contains(v) { return true }
        return scalar.properties.isEmojiPresentation
    }

    /// The wide ranges of Unicode's EastAsianWidth.txt, merged.
    static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0,
        0x23F3...0x23F3, 0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F,
        0x2693...0x2693, 0x26A1...0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5,
        0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA, 0x26F2...0x26F3, 0x26F5...0x26F5,
        0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B, 0x2728...0x2728,
        0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
        0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
        0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18AFF, 0x1B000...0x1B2FF,
        0x1F004...0x1F004, 0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E, 0x1F191...0x1F19A,
        0x1F200...0x1F251, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}
