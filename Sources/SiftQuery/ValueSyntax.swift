// Unquoted words as values: numbers, booleans, null, durations, dates, or plain strings.
// Durations and dates are read by SiftTime.

import SiftTime

/// Reads the value of an unquoted word.
enum WordValue {
    /// What a word means as a value. Throws (with the reason) for words that look like a number,
    /// duration or date but are not valid ones (`90dayz`, `2026-13-01`).
    static func classify(_ word: String) throws(WordError) -> Value {
        switch word {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default: break
        }
        let bytes = Array(word.utf8)
        guard let first = bytes.first else { return .string(word) }
        let signed = first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
        let body = signed ? bytes.dropFirst() : bytes[...]
        guard let head = body.first else { throw WordError(message: "invalid number '\(word)'") }
        if Lexer.isDigit(head) {
            if body.allSatisfy(Lexer.isDigit) || isFloatLiteral(body) {
                if body.allSatisfy(Lexer.isDigit), let value = Int64(word) { return .int(value) }
                if let value = Double(word) {
                    // `22e4441` is infinity: it would print as a string and read back as one.
                    guard value.isFinite else {
                        throw WordError(message: "number '\(word)' out of range", hint: "numbers must lie within ±1.8e308")
                    }
                    return .double(value)
                }
            }
            if DateSyntax.looksLikeDate(body) {
                guard !signed else {
                    throw WordError(message: "invalid date '\(word)'",
                                    hint: "a date has no sign; dates look like 2026-01-31 or 2026-01-31T12:00:00Z; quote the value to compare with a string")
                }
                return .datetime(try DateSyntax.parse(word))
            }
            if DurationSyntax.looksLikeDuration(body) {
                return .duration(try DurationSyntax.parse(word))
            }
            if signed { throw WordError(message: "invalid number '\(word)'") }
            return .string(word)
        }
        if head == UInt8(ascii: "P") {
            do {
                return .duration(try DurationSyntax.parse(word))
            } catch where DurationSyntax.isISOOrderError(word) {
                // `P1D1Y`, `P1DT`: meant as a duration (read as one before ISO order was enforced), so an error, not a word.
                throw error
            } catch {}
            if signed { throw WordError(message: "invalid duration '\(word)'", hint: "ISO durations look like P90D or PT12H") }
        }
        if signed { throw WordError(message: "invalid number '\(word)'") }
        return .string(word)
    }

    /// `1.5`, `1e-05`, `2.5E+10`.
    private static func isFloatLiteral(_ body: ArraySlice<UInt8>) -> Bool {
        var index = body.startIndex
        func digits() -> Int {
            let start = index
            while index < body.endIndex, Lexer.isDigit(body[index]) { index += 1 }
            return index - start
        }
        guard digits() > 0 else { return false }
        var fraction = false
        if index < body.endIndex, body[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
            fraction = true
        }
        if index < body.endIndex, body[index] == UInt8(ascii: "e") || body[index] == UInt8(ascii: "E") {
            index += 1
            if index < body.endIndex, body[index] == UInt8(ascii: "+") || body[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
            return index == body.endIndex
        }
        return fraction && index == body.endIndex
    }
}

/// Why a word is not a valid value.
struct WordError: Error {
    /// What is wrong.
    var message: String
    /// A hint at the fix.
    var hint: String?
}

/// Which words read as durations (the reading itself is SiftTime's `DurationText`).
enum DurationSyntax {
    /// Whether the text (without sign) is digits followed by letters, as durations are.
    static func looksLikeDuration(_ body: ArraySlice<UInt8>) -> Bool {
        guard let first = body.first, Lexer.isDigit(first) else { return false }
        return body.allSatisfy { Lexer.isDigit($0) || Lexer.isLetter($0) || $0 == UInt8(ascii: ".") }
            && body.contains(where: Lexer.isLetter)
    }

    /// Whether the text fails as an ISO duration only for the order of its parts (`P1D1Y`, `P1DT`).
    static func isISOOrderError(_ text: String) -> Bool {
        do {
            _ = try DurationText.parse(text)
            return false
        } catch {
            return error.kind == .isoOrder
        }
    }

    /// Reads a duration (compact or ISO 8601), the error worded for the query language.
    static func parse(_ text: String) throws(WordError) -> Duration {
        do {
            return Duration(seconds: try DurationText.parse(text))
        } catch {
            switch error.kind {
            case .tooLarge:
                throw WordError(message: "duration '\(text)' is too large", hint: "durations are at most 2^50 seconds (about 35 million years)")
            case .unknownUnit, .unitExpected, .ambiguousUnit:
                throw WordError(message: "invalid duration '\(text)'",
                                hint: "\(error.message) (character \(error.column)); units are \(DurationText.unitList); quote the value to compare with a string")
            case .empty, .numberExpected, .isoSyntax, .isoOrder:
                throw WordError(message: "invalid duration '\(text)'", hint: "\(error.message) (character \(error.column))")
            }
        }
    }
}

/// Which words read as dates (the reading itself is SiftTime's `ISO8601` in its query form).
enum DateSyntax {
    /// Whether the text starts like a date (`dddd-dd-`).
    static func looksLikeDate(_ body: ArraySlice<UInt8>) -> Bool {
        let b = Array(body.prefix(8))
        guard b.count == 8 else { return false }
        return b[0...3].allSatisfy(Lexer.isDigit) && b[4] == UInt8(ascii: "-")
            && b[5...6].allSatisfy(Lexer.isDigit) && b[7] == UInt8(ascii: "-")
    }

    /// Reads a date or datetime in the query form (`ISO8601Form.queryValue`): a time needs a zone.
    static func parse(_ text: String) throws(WordError) -> DateTime {
        do {
            return DateTime(secondsSince1970: try ISO8601.parse(text, form: .queryValue).secondsSince1970)
        } catch {
            throw WordError(message: "invalid date '\(text)'",
                            hint: "\(error.message) (character \(error.column)); dates look like 2026-01-31 or 2026-01-31T12:00:00Z; quote the value to compare with a string")
        }
    }
}
