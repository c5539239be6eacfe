// Terminal input bytes to keys: UTF-8 text, control keys, escape sequences (xterm and VT100
// forms of the arrows, Home, End, Delete, Ctrl- and Alt- combinations) and bracketed paste.
// Pure and incremental: feed bytes as they arrive, take the keys that are complete.

/// A key press (or a pasted block) as the editor sees it.
public enum Key: Sendable, Equatable {
    /// A printable character.
    case character(Character)
    /// Ctrl and a letter (`a`...`z`), or `@ [ \ ] ^ _` for the other control bytes.
    case control(Character)
    /// Alt (Meta) and a character: ESC followed by it.
    case alt(Character)
    /// Enter (CR or LF).
    case enter
    /// Tab.
    case tab
    /// Backspace (DEL or Ctrl-H is `.control("h")`).
    case backspace
    /// Alt-Backspace.
    case altBackspace
    /// A lone Escape.
    case escape
    /// The arrows; `control` for Ctrl-arrow (and Alt-arrow, which some terminals send for it).
    case up, down
    case left(control: Bool)
    case right(control: Bool)
    /// Home, End, Delete, Page Up, Page Down.
    case home, end, delete, pageUp, pageDown
    /// Text pasted between the bracketed-paste markers: inserted, never run.
    case paste(String)
    /// An escape sequence the editor does not know (ignored).
    case unknown
}

/// Decodes terminal input incrementally.
public struct KeyDecoder: Sendable {
    /// Bytes received but not yet a whole key.
    var pending: [UInt8] = []
    /// The text of a bracketed paste being received.
    var pasteBytes: [UInt8]?

    /// A paste larger than this is cut (so a runaway paste cannot exhaust memory).
    public static let pasteLimit = 1 << 20

    /// Creates a decoder.
    public init() {}

    /// Whether a lone ESC is waiting to see if more of a sequence follows.
    public var isWaitingAfterEscape: Bool { pending == [0x1B] }

    /// Adds bytes and returns the keys now complete.
    public mutating func feed<S: Sequence>(_ bytes: S) -> [Key] where S.Element == UInt8 {
        pending.append(contentsOf: bytes)
        var keys: [Key] = []
        while let key = next() { keys.append(key) }
        return keys
    }

    /// Resolves a pending lone ESC as the Escape key (called when no byte followed in time).
    public mutating func flushEscape() -> [Key] {
        guard pending == [0x1B] else { return [] }
        pending.removeAll()
        return [.escape]
    }

    /// The next complete key, removing its bytes; nil when the pending bytes are not a whole key yet.
    mutating func next() -> Key? {
        if pasteBytes != nil { return nextPasteKey() }
        guard let first = pending.first else { return nil }
        switch first {
        case 0x1B:
            return nextEscapeKey()
        case 0x0D, 0x0A:
            pending.removeFirst()
            return .enter
        case 0x09:
            pending.removeFirst()
            return .tab
        case 0x7F:
            pending.removeFirst()
            return .backspace
        case 0x00..<0x20:
            pending.removeFirst()
            return .control(Self.controlName(first))
        default:
            guard let (character, length) = Self.decodeUTF8(pending) else { return nil }
            pending.removeFirst(length)
            return .character(character)
        }
    }

    /// The letter of a control byte: 0x01 -> `a`, 0x00 -> `@`, 0x1F -> `_`.
    static func controlName(_ byte: UInt8) -> Character {
        if byte >= 1 && byte <= 26 { return Character(Unicode.Scalar(byte + 0x60)) }
        return Character(Unicode.Scalar(byte + 0x40))
    }

    /// Decodes one UTF-8 character (scalar) at the start; nil when incomplete. An invalid byte
    /// decodes as U+FFFD and is consumed.
    static func decodeUTF8(_ bytes: [UInt8]) -> (Character, Int)? {
        guard let lead = bytes.first else { return nil }
        let length: Int
        switch lead {
        case 0x00..<0x80: length = 1
        case 0xC2..<0xE0: length = 2
        case 0xE0..<0xF0: length = 3
        case 0xF0..<0xF5: length = 4
        default: return ("\u{FFFD}", 1)
        }
        guard bytes.count >= length else { return nil }
        for index in 1..<length where bytes[index] & 0xC0 != 0x80 {
            return ("\u{FFFD}", index)
        }
        var decoder = UTF8()
        var iterator = bytes[0..<length].makeIterator()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) {
            return (Character(scalar), length)
        }
        return ("\u{FFFD}", length)
    }

    /// ESC-prefixed keys: CSI (`ESC [`), SS3 (`ESC O`), Alt-key.
    mutating func nextEscapeKey() -> Key? {
        guard pending.count >= 2 else { return nil }
        let second = pending[1]
        if second == UInt8(ascii: "[") {
            // CSI: parameters 0x30-0x3F, intermediates 0x20-0x2F, final 0x40-0x7E.
            var index = 2
            while index < pending.count, (0x20...0x3F).contains(pending[index]) { index += 1 }
            guard index < pending.count else {
                if pending.count > 64 { pending.removeAll(); return .unknown }
                return nil
            }
            let final = pending[index]
            let parameters = String(decoding: pending[2..<index], as: UTF8.self)
            pending.removeFirst(index + 1)
            return csiKey(parameters: parameters, final: final)
        }
        if second == UInt8(ascii: "O") {
            guard pending.count >= 3 else { return nil }
            let final = pending[2]
            pending.removeFirst(3)
            return csiKey(parameters: "", final: final)
        }
        if second == 0x7F || second == 0x08 {
            pending.removeFirst(2)
            return .altBackspace
        }
        if second == 0x1B {
            // ESC ESC: the first one is a lone Escape.
            pending.removeFirst()
            return .escape
        }
        if second < 0x80 {
            pending.removeFirst(2)
            if second == 0x0D { return .enter }
            return .alt(Character(Unicode.Scalar(second)))
        }
        pending.removeFirst()
        return .escape
    }

    /// The key of a CSI or SS3 sequence; for the start of a bracketed paste, the paste when it
    /// is complete already (nil: more bytes needed).
    mutating func csiKey(parameters: String, final: UInt8) -> Key? {
        let fields = parameters.split(separator: ";", omittingEmptySubsequences: false)
        let modifier = fields.count > 1 ? Int(fields[1]) ?? 1 : 1
        // xterm: 3 Alt, 5 Ctrl; either makes an arrow move by words.
        let byWord = modifier == 3 || modifier == 5 || modifier == 7
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right(control: byWord)
        case UInt8(ascii: "D"): return .left(control: byWord)
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "~"):
            switch fields.first.flatMap({ Int($0) }) {
            case 1, 7: return .home
            case 4, 8: return .end
            case 3: return .delete
            case 5: return .pageUp
            case 6: return .pageDown
            case 200:
                pasteBytes = []
                return next()
            default: return .unknown
            }
        default:
            return .unknown
        }
    }

    /// Collects a bracketed paste up to `ESC [ 2 0 1 ~`.
    mutating func nextPasteKey() -> Key? {
        let marker: [UInt8] = [0x1B, 0x5B, 0x32, 0x30, 0x31, 0x7E]
        if let end = Self.find(marker, in: pending) {
            appendPaste(pending[0..<end])
            pending.removeFirst(end + marker.count)
            // Terminals send CR for the line breaks of a paste: CR LF and CR become LF.
            var text: [UInt8] = []
            let raw = pasteBytes ?? []
            for (i, byte) in raw.enumerated() {
                if byte == 0x0D {
                    if i + 1 < raw.count && raw[i + 1] == 0x0A { continue }
                    text.append(0x0A)
                } else {
                    text.append(byte)
                }
            }
            pasteBytes = nil
            return .paste(String(decoding: text, as: UTF8.self))
        }
        // Keep a possible partial marker at the end; the rest belongs to the paste.
        let keep = min(pending.count, marker.count - 1)
        appendPaste(pending[0..<(pending.count - keep)])
        pending.removeFirst(pending.count - keep)
        return nil
    }

    /// Adds bytes to the paste, up to the limit.
    mutating func appendPaste(_ bytes: ArraySlice<UInt8>) {
        guard var collected = pasteBytes else { return }
        pasteBytes = nil
        collected.append(contentsOf: bytes.prefix(max(0, Self.pasteLimit - collected.count)))
        pasteBytes = collected
    }

    /// The index of `needle` in `haystack`.
    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }
}
