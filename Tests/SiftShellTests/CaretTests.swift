import Testing
@testable import SiftShell

@Suite("Error carets")
struct CaretTests {
    @Test func caretSitsUnderTheColumn() {
        let lines = Shell.caretLines(source: "search is(acces_key)", at: SourcePosition(line: 1, column: 11))
        #expect(lines == ["  search is(acces_key)", "            ^"])
    }

    @Test func caretFindsTheLineOfAMultiLineSource() {
        let lines = Shell.caretLines(source: "search all |\n\tcount nme", at: SourcePosition(line: 2, column: 8))
        #expect(lines == ["  \tcount nme", "  \t      ^"])
    }

    @Test func caretAfterTheLastCharacterIsAllowedAndBeyondIsNot() {
        #expect(Shell.caretLines(source: "search all and", at: SourcePosition(line: 1, column: 15)).count == 2)
        #expect(Shell.caretLines(source: "search all and", at: SourcePosition(line: 1, column: 16)).isEmpty)
        #expect(Shell.caretLines(source: "search all", at: SourcePosition(line: 2, column: 1)).isEmpty)
    }

    @Test func caretUnderAWideCharacterCountsTwoColumns() {
        let lines = Shell.caretLines(source: "search name == 名前 and", at: SourcePosition(line: 1, column: 19))
        #expect(lines == ["  search name == 名前 and", "                      ^"])
    }

    @Test func aLongLineIsShownAroundTheSpot() {
        let source = String(repeating: "a and ", count: 10_000) + "( x"
        let column = source.count - 2
        let lines = Shell.caretLines(source: source, at: SourcePosition(line: 1, column: column))
        #expect(lines.count == 2)
        #expect(lines[0].count < 200)
        #expect(lines[0].hasPrefix("  ...") && lines[0].hasSuffix("( x"))
        let caret = lines[1].count - 1
        #expect(Array(lines[0])[caret] == "(")
    }
}
