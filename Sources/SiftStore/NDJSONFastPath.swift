import Foundation
import SiftTime

/// The import's fast path for lines already in canonical form (what `exportNDJSON` writes):
/// compact, sorted keys, ASCII strings, integers only. Such a line is validated by one scan and
/// its sections are copied as bytes, with no JSON values built.
///
/// Anything else (whitespace, another key order, escapes beyond the canonical ones, non-ASCII,
/// floating-point numbers, a non-canonical time, a missing `reported.id`) returns nil, and the
/// general parser handles the line, with its precise error messages. Both paths give the same
/// result for the same line (a test checks this).
struct CanonicalLineScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// A member of an object: the key's content (without quotes) and the value's span.
    struct Member {
        var key: Range<Int>
        var value: Range<Int>
    }

    // MARK: Lines

    /// The line as a node or an edge, or nil when the general parser must decide.
    ///
    /// One pass: the members of `reported` and `metadata` are listed while they are validated.
    static func scan(_ line: UnsafeBufferPointer<UInt8>, now: Int64) -> NDJSONLine? {
        var scanner = CanonicalLineScanner(line)
        guard line.count >= 2, line[0] == UInt8(ascii: "{") else { return nil }
        scanner.position = 1
        var id: Range<Int>?, desired: Range<Int>?, from: Range<Int>?, to: Range<Int>?, edgeType: Range<Int>?
        var reported: (span: Range<Int>, members: [Member])?, metadata: (span: Range<Int>, members: [Member])?
        var seen: UInt8 = 0
        while true {
            guard let key = scanner.skipString(allowEscapes: false), scanner.position < line.count,
                  line[scanner.position] == UInt8(ascii: ":") else { return nil }
            scanner.position += 1
            let content = (key.lowerBound + 1)..<(key.upperBound - 1)
            let start = scanner.position
            let bit: UInt8
            if scanner.matches(content, "reported") || scanner.matches(content, "metadata") {
                guard let members = scanner.objectMembers(depth: 1) else { return nil }
                if line[content.lowerBound] == UInt8(ascii: "r") {
                    reported = (start..<scanner.position, members)
                    bit = 1
                } else {
                    metadata = (start..<scanner.position, members)
                    bit = 2
                }
            } else {
                guard scanner.skipValue(depth: 1) else { return nil }
                let span = start..<scanner.position
                if scanner.matches(content, "id") { id = span; bit = 4 }
                else if scanner.matches(content, "desired") { desired = span; bit = 8 }
                else if scanner.matches(content, "from") { from = span; bit = 16 }
                else if scanner.matches(content, "to") { to = span; bit = 32 }
                else if scanner.matches(content, "edge_type") { edgeType = span; bit = 64 }
                else { return nil }
            }
            guard seen & bit == 0, scanner.position < line.count else { return nil }
            seen |= bit
            switch line[scanner.position] {
            case UInt8(ascii: ","): scanner.position += 1
            case UInt8(ascii: "}"):
                scanner.position += 1
                guard scanner.position == line.count else { return nil }
                if let id, let reported, from == nil, to == nil, edgeType == nil {
                    return scanner.node(id: id, reported: reported, desired: desired, metadata: metadata, now: now)
                }
                if let from, let to, id == nil, reported == nil, desired == nil, metadata == nil {
                    return scanner.edge(from: from, to: to, type: edgeType)
                }
                return nil
            default: return nil
            }
        }
    }

    private func node(id idSpan: Range<Int>, reported: (span: Range<Int>, members: [Member]), desired: Range<Int>?,
                      metadata: (span: Range<Int>, members: [Member])?, now: Int64) -> NDJSONLine? {
        guard let id = stringContent(idSpan), !id.isEmpty else { return nil }
        let fields = reported.members
        var kind: String?, name: String?, hasId = false
        var times: [Int64?] = [nil, nil, nil]
        for field in fields {
            let key = field.key
            if matches(key, "id") {
                guard matchesBytes(field.value, idSpan) else { return nil }
                hasId = true
            } else if matches(key, "kind") {
                kind = stringContent(field.value)
            } else if matches(key, "name") {
                guard let text = stringContent(field.value) else { return nil }
                name = text
            } else if matches(key, "ctime") || matches(key, "mtime") || matches(key, "atime") {
                guard let seconds = canonicalTime(field.value) else { return nil }
                let slot = bytes[key.lowerBound] == UInt8(ascii: "c") ? 0 : bytes[key.lowerBound] == UInt8(ascii: "m") ? 1 : 2
                times[slot] = seconds
            }
        }
        guard hasId, let kind, !kind.isEmpty else { return nil }
        let desiredBytes: [UInt8]
        if let desired {
            guard bytes[desired.lowerBound] == UInt8(ascii: "{") else { return nil }
            desiredBytes = Array(UnsafeBufferPointer(rebasing: bytes[desired]))
        } else {
            desiredBytes = Array("{}".utf8)
        }
        var subgraph = defaultImportSubgraph
        var firstSeen = now, lastSeen = now
        var metadataBytes: [UInt8] = [UInt8(ascii: "{")]
        if let metadata {
            for member in metadata.members {
                if matches(member.key, "first_seen") {
                    guard let seconds = canonicalTime(member.value) else { return nil }
                    firstSeen = seconds
                } else if matches(member.key, "last_seen") {
                    guard let seconds = canonicalTime(member.value) else { return nil }
                    lastSeen = seconds
                } else if matches(member.key, "subgraph") {
                    guard let text = stringContent(member.value), !text.isEmpty else { return nil }
                    subgraph = text
                } else {
                    if metadataBytes.count > 1 { metadataBytes.append(UInt8(ascii: ",")) }
                    metadataBytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[(member.key.lowerBound - 1)..<member.value.upperBound]))
                }
            }
        }
        metadataBytes.append(UInt8(ascii: "}"))
        let record = NodeRecord(
            id: id, kind: kind, name: name, ctime: times[0], mtime: times[1], atime: times[2],
            reported: Array(UnsafeBufferPointer(rebasing: bytes[reported.span])), desired: desiredBytes, metadata: metadataBytes)
        return .node(LoadedNode(record: record, subgraph: subgraph, firstSeen: firstSeen, lastSeen: lastSeen))
    }

    private func edge(from fromSpan: Range<Int>, to toSpan: Range<Int>, type typeSpan: Range<Int>?) -> NDJSONLine? {
        guard let from = stringContent(fromSpan), !from.isEmpty, let to = stringContent(toSpan), !to.isEmpty else { return nil }
        var type = EdgeType.default
        if let typeSpan {
            guard let name = stringContent(typeSpan), let known = EdgeType(rawValue: name) else { return nil }
            type = known
        }
        return .edge(from: from, to: to, type: type)
    }

    /// True when `bytes` is exactly one object as `JSONWriter` prints it (within the scanner's
    /// limits: ASCII, integers; anything else answers false).
    static func isCanonicalObject(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var scanner = CanonicalLineScanner(bytes)
        return scanner.scanObject(depth: 0) { _, _, _ in true } && scanner.position == bytes.count
    }

    // MARK: Values

    private func text(_ span: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[span]), as: UTF8.self)
    }

    /// True when the bytes of `span` are `word`.
    func matches(_ span: Range<Int>, _ word: StaticString) -> Bool {
        guard span.count == word.utf8CodeUnitCount, let base = bytes.baseAddress else { return false }
        return memcmp(base + span.lowerBound, word.utf8Start, span.count) == 0
    }

    /// True when two spans hold the same bytes.
    private func matchesBytes(_ left: Range<Int>, _ right: Range<Int>) -> Bool {
        guard left.count == right.count, let base = bytes.baseAddress else { return left.count == right.count }
        return memcmp(base + left.lowerBound, base + right.lowerBound, left.count) == 0
    }

    /// Byte order of two spans, as `JSONWriter` sorts keys: negative, zero or positive.
    private func compare(_ left: Range<Int>, _ right: Range<Int>) -> Int {
        let common = min(left.count, right.count)
        guard common > 0, let base = bytes.baseAddress else { return left.count - right.count }
        let order = Int(memcmp(base + left.lowerBound, base + right.lowerBound, common))
        return order != 0 ? order : left.count - right.count
    }

    /// The content of a string value without escapes, or nil (not a string, or escaped).
    private func stringContent(_ span: Range<Int>) -> String? {
        guard span.count >= 2, bytes[span.lowerBound] == UInt8(ascii: "\"") else { return nil }
        let content = (span.lowerBound + 1)..<(span.upperBound - 1)
        for index in content where bytes[index] == UInt8(ascii: "\\") { return nil }
        return text(content)
    }

    /// A string value holding `YYYY-MM-DDTHH:MM:SSZ` exactly.
    private func canonicalTime(_ span: Range<Int>) -> Int64? {
        guard span.count == 22, bytes[span.lowerBound] == UInt8(ascii: "\""), bytes[span.upperBound - 2] == UInt8(ascii: "Z"),
              bytes[span.lowerBound + 11] == UInt8(ascii: "T") else { return nil }
        return try? ISO8601.parse(utf8: UnsafeBufferPointer(rebasing: bytes[(span.lowerBound + 1)..<(span.upperBound - 1)]), form: .rfc3339).secondsSince1970
    }

    /// Scans an object at `position` and lists its members; nil unless canonical.
    mutating func objectMembers(depth: Int = 0) -> [Member]? {
        var members: [Member] = []
        members.reserveCapacity(16)
        let valid = scanObject(depth: depth) { key, value, _ in
            members.append(Member(key: key, value: value))
            return true
        }
        return valid ? members : nil
    }

    /// Scans an object at `position`, calling `accept` with each member's key content, value span
    /// and the previous key; false unless canonical and every member accepted.
    private mutating func scanObject(depth: Int, accept: (Range<Int>, Range<Int>, Range<Int>?) -> Bool) -> Bool {
        guard depth < JSONByteParser.maximumDepth, position < bytes.count, bytes[position] == UInt8(ascii: "{") else { return false }
        position += 1
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
            position += 1
            return true
        }
        var previous: Range<Int>?
        while true {
            // Keys with escapes sort by their unescaped bytes: left to the general parser.
            guard let key = skipString(allowEscapes: false) else { return false }
            let content = (key.lowerBound + 1)..<(key.upperBound - 1)
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return false }
            position += 1
            let start = position
            guard skipValue(depth: depth + 1) else { return false }
            if let previous, compare(previous, content) >= 0 { return false }
            guard accept(content, start..<position, previous) else { return false }
            previous = content
            guard position < bytes.count else { return false }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return true
            default: return false
            }
        }
    }

    /// Skips a canonical value; false when the value is not canonical (or not valid).
    mutating func skipValue(depth: Int) -> Bool {
        guard position < bytes.count else { return false }
        switch bytes[position] {
        case UInt8(ascii: "\""): return skipString(allowEscapes: true) != nil
        case UInt8(ascii: "{"): return scanObject(depth: depth) { _, _, _ in true }
        case UInt8(ascii: "["):
            guard depth < JSONByteParser.maximumDepth else { return false }
            position += 1
            if position < bytes.count && bytes[position] == UInt8(ascii: "]") { position += 1; return true }
            while true {
                guard skipValue(depth: depth + 1), position < bytes.count else { return false }
                switch bytes[position] {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"): position += 1; return true
                default: return false
                }
            }
        case UInt8(ascii: "t"): return skipWord("true")
        case UInt8(ascii: "f"): return skipWord("false")
        case UInt8(ascii: "n"): return skipWord("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return skipInteger()
        default: return false
        }
    }

    private mutating func skipWord(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count,
              UnsafeBufferPointer(rebasing: bytes[position..<(position + count)])
                .elementsEqual(UnsafeBufferPointer(start: word.utf8Start, count: count)) else { return false }
        position += count
        return true
    }

    /// An integer as the writer prints it: no `-0`, no leading zeros, at most 18 digits.
    private mutating func skipInteger() -> Bool {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let digitsStart = position
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            position += 1
        }
        let digits = position - digitsStart
        guard digits >= 1, digits <= 18 else { return false }
        if bytes[digitsStart] == UInt8(ascii: "0") && (digits > 1 || digitsStart > start) { return false }
        if position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return false
            default: break
            }
        }
        return true
    }

    /// Skips a string with only ASCII and (when allowed) the writer's escapes; returns its span
    /// with quotes.
    mutating func skipString(allowEscapes: Bool) -> Range<Int>? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        let start = position
        position += 1
        guard let base = bytes.baseAddress else { return nil }
        let end = bytes.count
        while position < end {
            // Plain ASCII characters: anything from space to DEL but '"' and '\\'.
            var index = position
            while index < end {
                let byte = base[index]
                if byte &- 0x20 >= 0x60 || byte == 0x22 || byte == 0x5C { break }
                index += 1
            }
            position = index
            guard position < end else { return nil }
            let byte = base[position]
            if byte == 0x5C && !allowEscapes { return nil }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return start..<position
            case UInt8(ascii: "\\"):
                guard position + 1 < bytes.count else { return nil }
                switch bytes[position + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"),
                     UInt8(ascii: "b"), UInt8(ascii: "f"):
                    position += 2
                default:
                    return nil
                }
            case 0..<0x20, 0x80...0xFF:
                return nil
            default:
                position += 1
            }
        }
        return nil
    }
}
