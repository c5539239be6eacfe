import Foundation
import Testing
@testable import SiftStore

@Suite struct JSONTextTests {
    @Test func printsCompactWithSortedKeys() throws {
        let value = try JSONValue(parsing: #" { "b" : [1, 2.5, true, null], "a": {"z": "x", "c": -3} } "#)
        #expect(value.jsonText == #"{"a":{"c":-3,"z":"x"},"b":[1,2.5,true,null]}"#)
    }

    @Test func integersStayIntegers() throws {
        #expect(try JSONValue(parsing: "9007199254740993") == .int(9_007_199_254_740_993))
        #expect(try JSONValue(parsing: "-0") == .int(0))
        #expect(try JSONValue(parsing: "1.0") == .double(1.0))
        #expect(try JSONValue(parsing: "1e3") == .double(1000))
        #expect(try JSONValue(parsing: "1.0").jsonText == "1.0")
        // Too large for Int64: a double.
        #expect(try JSONValue(parsing: "18446744073709551616") == .double(18_446_744_073_709_551_616))
    }

    @Test func escapesRoundTrip() throws {
        let text = #""quote \" backslash \\ slash \/ tab \t nl \n ctl \u0001 é \u00e9 😀 \ud83d\ude00""#
        let value = try JSONValue(parsing: text)
        #expect(value == .string("quote \" backslash \\ slash / tab \t nl \n ctl \u{01} é é 😀 😀"))
        #expect(value.jsonText == #""quote \" backslash \\ slash / tab \t nl \n ctl \u0001 é é 😀 😀""#)
        #expect(try JSONValue(parsing: value.jsonText) == value)
    }

    @Test func keysSortByUTF8Bytes() throws {
        let value = JSONValue.object(["b": .int(1), "B": .int(2), "é": .int(3), "a": .int(4)])
        #expect(value.jsonText == #"{"B":2,"a":4,"b":1,"é":3}"#)
    }

    @Test(arguments: [
        ("", 1, "a value expected, found the end of the text"),
        ("{", 2, "a key (a string in double quotes) expected, found 'end of text'"),
        (#"{"a" 1}"#, 6, "':' expected after the key, found '1'"),
        (#"{"a":1,"a":2}"#, 8, #"duplicate key "a""#),
        ("[1,]", 4, "a value expected, found ']'"),
        ("01", 1, "leading zero in number"),
        ("tru", 1, "a value expected"),
        (#""abc"#, 1, "unterminated string"),
        ("\"a\u{01}\"", 3, "control character in string (escape it)"),
        (#""\x""#, 2, #"invalid escape '\x'"#),
        (#""\ud800""#, 2, #"unpaired surrogate in \u escape"#),
        ("1 2", 3, "unexpected '2' after the JSON value"),
        ("1e999", 1, "number out of range"),
    ])
    func reportsErrorsWithColumns(text: String, column: Int, message: String) {
        #expect(throws: JSONParseError(column: column, message: message)) { try JSONValue(parsing: text) }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xFF, 0x22]
        #expect(throws: JSONParseError(column: 1, message: "invalid UTF-8 in string")) { try JSONValue(parsing: bytes) }
    }

    @Test func rejectsDeepNesting() {
        let text = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func randomValuesRoundTrip() throws {
        var random = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let value = randomValue(&random, depth: 0)
            let text = value.jsonText
            let parsed = try JSONValue(parsing: text)
            #expect(parsed == value, "\(text)")
            #expect(parsed.jsonText == text)
        }
    }

    private func randomValue(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        switch random.next(below: depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(random.next(below: 2) == 0)
        case 2: return .int(Int64(bitPattern: random.next()) >> Int64(random.next(below: 63)))
        case 3: return .double(Double(Int64(random.next(below: 2_000_000)) - 1_000_000) / 64)
        case 4: return .string(randomString(&random))
        case 5: return .array((0..<random.next(below: 4)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var members = JSONObject()
            for _ in 0..<random.next(below: 4) { members[randomString(&random)] = randomValue(&random, depth: depth + 1) }
            return .object(members)
        }
    }

    private func randomString(_ random: inout SplitMix64) -> String {
        let alphabet = Array("aZ09 \"\\/\n\t\u{01}é😀-_.")
        return String((0..<random.next(below: 8)).map { _ in alphabet[Int(random.next(below: UInt64(alphabet.count)))] })
    }
}
