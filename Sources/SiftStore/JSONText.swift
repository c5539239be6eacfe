import Foundation

/// Why a JSON text could not be parsed, and where.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based column (byte offset + 1) of the offending byte.
    public let column: Int
    /// What is wrong.
    public let message: String

    /// A one-line description: `column N: message`.
    public var description: String { "column \(column): \(message)" }
}

extension JSONValue {
    /// Parses a JSON text. Integers without fraction or exponent that fit in 64 bits stay `.int`.
    ///
    /// Duplicate keys in an object, trailing garbage, invalid UTF-8 and nesting deeper than 512
    /// levels are errors.
    public init(parsing text: String) throws(JSONParseError) {
        var copy = text
        let result: Result<JSONValue, JSONParseError> = copy.withUTF8 { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try JSONValue.parse(buffer) }
        }
        self = try result.get()
    }

    /// Parses JSON from UTF-8 bytes.
    public init(parsing bytes: some Collection<UInt8>) throws(JSONParseError) {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try JSONValue.parse(buffer) }
        }
        if let result {
            self = try result.get()
        } else {
            let array = Array(bytes)
            let copied: Result<JSONValue, JSONParseError> = array.withUnsafeBufferPointer { buffer in
                Result { () throws(JSONParseError) -> JSONValue in try JSONValue.parse(buffer) }
            }
            self = try copied.get()
        }
    }

    /// Parses one complete JSON text from a buffer.
    static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var parser = JSONByteParser(buffer)
        parser.skipSpace()
        let value = try parser.parseValue(depth: 0)
        parser.skipSpace()
        if parser.position < buffer.count {
            throw parser.error("unexpected '\(parser.printable(parser.position))' after the JSON value")
        }
        return value
    }

    /// The compact JSON text with object keys sorted by their UTF-8 bytes.
    public var jsonText: String {
        var writer = JSONWriter()
        writer.write(self)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// The object's members when this value is an object.
    public var objectValue: JSONObject? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The string when this value is a string.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }
}

/// Compact JSON texts of objects, as stored in the `reported`, `desired` and `metadata` columns.
extension Dictionary where Key == String, Value == JSONValue {
    /// The compact JSON text with sorted keys.
    public var jsonText: String { JSONValue.object(self).jsonText }
}

/// A recursive-descent JSON parser over UTF-8 bytes.
struct JSONByteParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    static let maximumDepth = 512

    func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(column: (offset ?? position) + 1, message: message)
    }

    /// The byte at `offset` shown for an error message.
    func printable(_ offset: Int) -> String {
        guard offset < bytes.count else { return "end of text" }
        let byte = bytes[offset]
        if byte >= 0x20 && byte < 0x7F { return String(UnicodeScalar(byte)) }
        return String(format: "\\x%02X", byte)
    }

    mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else { throw error("a value expected, found the end of the text") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try parseArray(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("a value expected, found '\(printable(position))'")
        }
    }

    mutating func expectWord(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        let start = word.utf8Start
        guard position + count <= bytes.count else { throw error("a value expected") }
        for index in 0..<count where bytes[position + index] != start[index] {
            throw error("a value expected, found '\(printable(position))'")
        }
        position += count
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONObject {
        if depth > Self.maximumDepth { throw error("nested deeper than \(Self.maximumDepth) levels") }
        position += 1
        var members = JSONObject()
        skipSpace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
            position += 1
            return members
        }
        while true {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error("a key (a string in double quotes) expected, found '\(printable(position))'")
            }
            let keyStart = position
            let key = try parseString()
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw error("':' expected after the key, found '\(printable(position))'")
            }
            position += 1
            skipSpace()
            let value = try parseValue(depth: depth)
            if members.updateValue(value, forKey: key) != nil {
                throw error("duplicate key \"\(key)\"", at: keyStart)
            }
            skipSpace()
            guard position < bytes.count else { throw error("'}' expected, found the end of the text") }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return members
            default: throw error("',' or '}' expected, found '\(printable(position))'")
            }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> [JSONValue] {
        if depth > Self.maximumDepth { throw error("nested deeper than \(Self.maximumDepth) levels") }
        position += 1
        var elements: [JSONValue] = []
        skipSpace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
            position += 1
            return elements
        }
        while true {
            skipSpace()
            elements.append(try parseValue(depth: depth))
            skipSpace()
            guard position < bytes.count else { throw error("']' expected, found the end of the text") }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return elements
            default: throw error("',' or ']' expected, found '\(printable(position))'")
            }
        }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        let start = position
        position += 1
        let contentStart = position
        // Fast path: no escapes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[contentStart..<position])
                position += 1
                guard let string = String(validating: slice, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string", at: start)
                }
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in string (escape it)") }
            position += 1
        }
        guard position < bytes.count else { throw error("unterminated string", at: start) }
        // Slow path: escapes.
        var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[contentStart..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string", at: start)
                }
                return string
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw error("unterminated string", at: start) }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(0x22)
                case UInt8(ascii: "\\"): utf8.append(0x5C)
                case UInt8(ascii: "/"): utf8.append(0x2F)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): try appendUnicodeEscape(to: &utf8)
                default: throw error("invalid escape '\\\(printable(position - 1))'", at: position - 2)
                }
            default:
                if byte < 0x20 { throw error("control character in string (escape it)") }
                utf8.append(byte)
                position += 1
            }
        }
        throw error("unterminated string", at: start)
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("four hex digits expected after \\u") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("hex digit expected in \\u escape, found '\(printable(position))'")
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }

    mutating func appendUnicodeEscape(to utf8: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = position - 2
        var scalarValue = try hex4()
        if (0xD800..<0xDC00).contains(scalarValue) {
            guard position + 2 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
                  bytes[position + 1] == UInt8(ascii: "u") else {
                throw error("unpaired surrogate in \\u escape", at: escapeStart)
            }
            position += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in \\u escape", at: escapeStart) }
            scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(scalarValue) else {
            throw error("unpaired surrogate in \\u escape", at: escapeStart)
        }
        // SQLite and every C string stop at a NUL: a name `imp\u0000904` would be stored whole
        // but read back as `imp` (spoofable in every output). Refused where the text comes in.
        if scalarValue == 0 { throw error("NUL character (\\u0000) in a string: not supported", at: escapeStart) }
        utf8.append(contentsOf: String(scalar).utf8)
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var isInteger = true
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) else {
            throw error("digit expected in number")
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                throw error("leading zero in number", at: start)
            }
        } else {
            skipDigits()
        }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) else {
                throw error("digit expected after '.' in number")
            }
            skipDigits()
        }
        if position < bytes.count && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
            isInteger = false
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) else {
                throw error("digit expected in exponent")
            }
            skipDigits()
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if isInteger, let value = Int64(text) { return .int(value) }
        guard let value = Double(text), value.isFinite else { throw error("number out of range", at: start) }
        return .double(value)
    }

    mutating func skipDigits() {
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            position += 1
        }
    }
}

/// Writes compact JSON with sorted keys into a byte buffer.
struct JSONWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .int(let number): bytes.append(contentsOf: String(number).utf8)
        case .double(let number):
            if number.isFinite {
                bytes.append(contentsOf: number.description.utf8)
            } else {
                append("null")
            }
        case .string(let string): writeString(string)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members): writeObject(members)
        }
    }

    mutating func writeObject(_ members: JSONObject) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for key in members.keys.sorted(by: JSONWriter.keyOrder) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            writeString(key)
            bytes.append(UInt8(ascii: ":"))
            if let value = members[key] { write(value) }
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Keys sort by their UTF-8 bytes, as SQLite's BINARY collation does.
    static func keyOrder(_ left: String, _ right: String) -> Bool {
        left.utf8.lexicographicallyPrecedes(right.utf8)
    }

    mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func writeString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0x08: append("\\b")
            case 0x0C: append("\\f")
            case 0..<0x20:
                append("\\u00")
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
