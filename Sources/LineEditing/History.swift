// The entries typed before: kept by a store (a file, with whatever filter its owner wants),
// walked with Up/Down (by prefix once something is typed) and searched with Ctrl-R.

/// Where history entries are kept between sessions.
public protocol HistoryStore: AnyObject {
    /// The entries, oldest first.
    func load() -> [String]
    /// Keeps one more entry (the store may refuse it, e.g. a line with a secret).
    /// Returns whether it was kept.
    func append(_ entry: String) -> Bool
}

/// The history of one editor: entries oldest first, and the walk through them.
public struct History: Sendable {
    /// The entries, oldest first.
    public private(set) var entries: [String]
    /// At most this many are kept.
    public let limit: Int

    /// Creates a history.
    public init(entries: [String] = [], limit: Int = 2000) {
        self.limit = max(1, limit)
        self.entries = Array(entries.suffix(self.limit))
    }

    /// Adds an entry (not a repeat of the newest one).
    public mutating func add(_ entry: String) {
        guard !entry.isEmpty, entries.last != entry else { return }
        entries.append(entry)
        if entries.count > limit { entries.removeFirst(entries.count - limit) }
    }

    /// The index of the nearest entry before `index` (newer to older) that starts with
    /// `prefix` and differs from `current`.
    public func previous(before index: Int, prefix: String, current: String) -> Int? {
        var i = min(index, entries.count) - 1
        while i >= 0 {
            if entries[i].hasPrefix(prefix) && entries[i] != current { return i }
            i -= 1
        }
        return nil
    }

    /// The index of the nearest entry after `index` (older to newer) that starts with
    /// `prefix` and differs from `current`; nil when there is none (back to the line being typed).
    public func next(after index: Int, prefix: String, current: String) -> Int? {
        var i = index + 1
        while i < entries.count {
            if entries[i].hasPrefix(prefix) && entries[i] != current { return i }
            i += 1
        }
        return nil
    }

    /// Ctrl-R: the newest entry at or before `index` containing `query`, and where in it.
    public func search(_ query: String, atOrBefore index: Int) -> (entry: Int, offset: Int)? {
        guard !query.isEmpty else { return nil }
        var i = min(index, entries.count - 1)
        let needle = Array(query)
        while i >= 0 {
            let characters = Array(entries[i])
            if let offset = Self.lastOccurrence(of: needle, in: characters) { return (i, offset) }
            i -= 1
        }
        return nil
    }

    /// The character offset of the last occurrence of `needle` in `haystack`.
    static func lastOccurrence(of needle: [Character], in haystack: [Character]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var start = haystack.count - needle.count
        while start >= 0 {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
            start -= 1
        }
        return nil
    }
}

/// The history file format libedit writes (`_HiStOrY_V2_`, blanks and controls as `\ooo`), so a
/// file written by earlier versions reads back and entries with line breaks stay one entry.
public enum HistoryFileFormat {
    /// The first line of a file in this format.
    public static let header = "_HiStOrY_V2_"

    /// Encodes one entry as one line.
    public static func encode(_ entry: String) -> String {
        var line = ""
        for scalar in entry.unicodeScalars {
            switch scalar {
            case "\\": line += "\\\\"
            default:
                if scalar == " " || scalar.value < 0x20 || scalar.value == 0x7F {
                    let octal = String(scalar.value, radix: 8)
                    line += "\\" + String(repeating: "0", count: max(0, 3 - octal.count)) + octal
                } else {
                    line.unicodeScalars.append(scalar)
                }
            }
        }
        return line
    }

    /// Decodes one line of the file.
    public static func decode(_ line: Substring) -> String {
        var bytes: [UInt8] = []
        let source = Array(line.utf8)
        var i = 0
        while i < source.count {
            let byte = source[i]
            if byte == UInt8(ascii: "\\"), i + 1 < source.count {
                if source[i + 1] == UInt8(ascii: "\\") {
                    bytes.append(byte)
                    i += 2
                    continue
                }
                if i + 3 < source.count,
                   let value = UInt8(String(decoding: source[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                    bytes.append(value)
                    i += 4
                    continue
                }
            }
            bytes.append(byte)
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a whole file's entries (plain one-entry-a-line files too).
    public static func entries(of text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first == Substring(header) else { return lines.map(String.init) }
        lines.removeFirst()
        return lines.map { decode($0) }
    }

    /// A whole file for the entries.
    public static func file(of entries: [String]) -> String {
        ([header] + entries.map(encode)).joined(separator: "\n") + "\n"
    }
}
