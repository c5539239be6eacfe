import Testing
@testable import LineEditing

/// Column widths of characters.
struct DisplayWidthTests {
    @Test func asciiCJKEmojiAndCombiningMarks() {
        #expect(DisplayWidth.of(Character("a")) == 1)
        #expect(DisplayWidth.of(Character("表")) == 2)
        #expect(DisplayWidth.of(Character("ｱ")) == 1)  // halfwidth katakana
        #expect(DisplayWidth.of(Character("Ａ")) == 2)  // fullwidth A
        #expect(DisplayWidth.of(Character("😀")) == 2)
        #expect(DisplayWidth.of(Character("👍🏽")) == 2)
        #expect(DisplayWidth.of(Character("👨‍👩‍👧")) == 2)
        #expect(DisplayWidth.of(Character("e\u{301}")) == 1)
        #expect(DisplayWidth.of(Character("한")) == 2)
        #expect(DisplayWidth.of(Character("\u{1}")) == 2)
        #expect(DisplayWidth.visible(Character("\u{1}")) == "^A")
        #expect(DisplayWidth.of("ab表😀") == 6)
    }
}

/// The emacs operations of the buffer.
struct EditBufferTests {
    @Test func insertMoveAndDelete() {
        var b = EditBuffer("hello")
        b.moveToLineStart()
        b.insert(">")
        #expect(b.text == ">hello" && b.cursor == 1)
        b.moveToLineEnd()
        let deletedBack = b.deleteBackward()
        #expect(deletedBack && b.text == ">hell")
        b.moveTo(0)
        let deletedForward = b.deleteForward()
        #expect(deletedForward && b.text == "hell")
        b.moveTo(99)
        #expect(b.cursor == 4)
        let atEnd = b.deleteForward()
        #expect(!atEnd)
    }

    @Test func combiningMarkJoinsThePreviousCharacter() {
        var b = EditBuffer("cafe")
        b.insert("\u{301}")
        #expect(b.characters.count == 4)
        #expect(b.text == "caf\u{E9}" || b.text == "cafe\u{301}")
        b.insert("👍")
        b.insert("\u{1F3FD}")
        #expect(b.characters.last == Character("👍🏽"))
        #expect(b.cursor == b.characters.count)
    }

    @Test func wordsAndKills() {
        var b = EditBuffer("search is(user) and name")
        b.moveWordBackward()
        #expect(b.cursor == 20)
        b.moveWordBackward()
        #expect(b.cursor == 16)
        b.moveWordForward()
        #expect(b.cursor == 19)
        let cutWordForward = b.killWordForward()
        #expect(cutWordForward == " name")
        #expect(b.text == "search is(user) and")
        let cutWordBackward = b.killWordBackward()
        #expect(cutWordBackward == "and")
        let cutBlankWordBackward = b.killBlankWordBackward()
        #expect(cutBlankWordBackward == "is(user) ")
        #expect(b.text == "search ")
        b.moveTo(3)
        let cutToLineEnd = b.killToLineEnd()
        #expect(cutToLineEnd == "rch ")
        let cutToLineStart = b.killToLineStart()
        #expect(cutToLineStart == "sea")
        #expect(b.isEmpty)
    }

    @Test func transpose() {
        var b = EditBuffer("ab")
        b.transpose()
        #expect(b.text == "ba")
        b = EditBuffer("abc")
        b.moveTo(1)
        b.transpose()
        #expect(b.text == "bac" && b.cursor == 2)
    }

    @Test func multiLineMovesKeepTheColumn() {
        var b = EditBuffer("search 'a\nbc\ndefgh'")
        #expect(b.cursorOnLastLine && !b.cursorOnFirstLine)
        let up1 = b.moveLine(up: true)
        #expect(up1 && b.cursor == 12)  // end of "bc"
        let up2 = b.moveLine(up: true)
        #expect(up2 && b.cursor == 2)
        let up3 = b.moveLine(up: true)
        #expect(!up3)
        b.moveToLineEnd()
        #expect(b.cursor == 9)
        let cutToLineEnd = b.killToLineEnd()
        #expect(cutToLineEnd == "\n")
        #expect(b.text == "search 'abc\ndefgh'")
    }
}

/// Bytes to keys.
struct KeyDecoderTests {
    func keys(_ text: String) -> [Key] {
        var decoder = KeyDecoder()
        return decoder.feed(Array(text.utf8))
    }

    @Test func textControlsAndSequences() {
        #expect(keys("a表") == [.character("a"), .character("表")])
        #expect(keys("\u{1}\u{5}\r\t\u{7F}") == [.control("a"), .control("e"), .enter, .tab, .backspace])
        #expect(keys("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D") == [.up, .down, .right(control: false), .left(control: false)])
        #expect(keys("\u{1B}[1;5C\u{1B}[1;5D\u{1B}[1;3D") == [.right(control: true), .left(control: true), .left(control: true)])
        #expect(keys("\u{1B}[H\u{1B}[F\u{1B}OH\u{1B}OF\u{1B}[1~\u{1B}[4~\u{1B}[3~") == [.home, .end, .home, .end, .home, .end, .delete])
        #expect(keys("\u{1B}b\u{1B}f\u{1B}d\u{1B}\u{7F}") == [.alt("b"), .alt("f"), .alt("d"), .altBackspace])
    }

    @Test func splitSequencesAndALoneEscape() {
        var decoder = KeyDecoder()
        #expect(decoder.feed([0x1B]) == [])
        #expect(decoder.isWaitingAfterEscape)
        #expect(decoder.feed(Array("[".utf8)) == [])
        #expect(decoder.feed(Array("A".utf8)) == [.up])
        #expect(decoder.feed([0x1B]) == [])
        #expect(decoder.flushEscape() == [.escape])
        #expect(decoder.feed([0xE8, 0xA1]) == [])
        #expect(decoder.feed([0xA8]) == [.character("表")])
        #expect(decoder.feed([0xFF]) == [.character("\u{FFFD}")])
    }

    @Test func bracketedPasteIsOneKeyAcrossReads() {
        var decoder = KeyDecoder()
        #expect(decoder.feed(Array("\u{1B}[200~search all\rcount".utf8)) == [])
        #expect(decoder.feed(Array("\r\u{1B}[20".utf8)) == [])
        #expect(decoder.feed(Array("1~x".utf8)) == [.paste("search all\ncount\n"), .character("x")])
    }
}

/// History walk, prefix search and the file format.
struct HistoryTests {
    @Test func prefixWalkAndSearch() {
        var h = History(entries: ["search is(user)", "count", "search is(access_key)", "help"], limit: 10)
        h.add("help")
        #expect(h.entries.count == 4)
        #expect(h.previous(before: 4, prefix: "search", current: "search") == 2)
        #expect(h.previous(before: 2, prefix: "search", current: "x") == 0)
        #expect(h.next(after: 0, prefix: "search", current: "x") == 2)
        #expect(h.next(after: 2, prefix: "search", current: "x") == nil)
        #expect(h.search("is(", atOrBefore: 3)?.entry == 2)
        #expect(h.search("is(", atOrBefore: 1)?.entry == 0)
        #expect(h.search("is(", atOrBefore: 1)?.offset == 7)
        #expect(h.search("zz", atOrBefore: 3) == nil)
    }

    @Test func limitDropsTheOldest() {
        var h = History(limit: 2)
        h.add("a"); h.add("b"); h.add("c")
        #expect(h.entries == ["b", "c"])
    }

    @Test func fileFormatRoundTripsAndReadsLibedit() {
        let entries = ["search is(user) | count", "search 'a\nb'", "back\\slash\ttab", "表 😀"]
        let file = HistoryFileFormat.file(of: entries)
        #expect(file.hasPrefix("_HiStOrY_V2_\n"))
        #expect(HistoryFileFormat.entries(of: file) == entries)
        #expect(HistoryFileFormat.entries(of: "_HiStOrY_V2_\nsearch\\040all\\040|\\040count\n") == ["search all | count"])
        #expect(HistoryFileFormat.entries(of: "plain one\nplain two\n") == ["plain one", "plain two"])
    }
}

/// Where the text and the cursor land on the screen.
struct LayoutTests {
    func layout(_ text: String, cursor: Int? = nil, width: Int = 20, prompt: String = "> ") -> ScreenLayout {
        let characters = Array(text)
        return ScreenLayout(prompt: prompt, continuation: "..", promptStyle: nil, characters: characters, styles: [], cursor: cursor ?? characters.count, width: width)
    }

    @Test func wrapsAtTheWidth() {
        let l = layout("0123456789abcdefghijKLM", width: 10)
        #expect(l.rows == ["> 01234567", "89abcdefgh", "ijKLM"])
        #expect(l.cursorRow == 2 && l.cursorColumn == 5)
    }

    @Test func cursorAfterAFullRowGoesToTheNextRow() {
        let l = layout("12345678", width: 10)
        #expect(l.rows == ["> 12345678", ""])
        #expect(l.cursorRow == 1 && l.cursorColumn == 0)
    }

    @Test func wideCharacterThatDoesNotFitMovesDown() {
        let l = layout("1234567表", cursor: 7, width: 10)
        #expect(l.rows == ["> 1234567", "表"])
        #expect(l.cursorRow == 1 && l.cursorColumn == 0)
    }

    @Test func continuationPromptAfterLineBreaks() {
        let l = layout("ab\ncd", cursor: 4)
        #expect(l.rows == ["> ab", "..cd"])
        #expect(l.cursorRow == 1 && l.cursorColumn == 3)
    }

    @Test func stylesAreTurnedOffAtRowEnds() {
        let l = ScreenLayout(prompt: "", continuation: "", promptStyle: nil, characters: Array("abcd"), styles: [.red, .red, .red, nil], cursor: 0, width: 2)
        #expect(l.rows == ["\u{1B}[31mab\u{1B}[0m", "\u{1B}[31mc\u{1B}[0md"])
    }

    @Test func columnsFitTheWidth() {
        let lines = ScreenLayout.columns(["aa", "bb", "cc", "dd", "ee"], width: 9)
        #expect(lines == ["aa  dd", "bb  ee", "cc"])
        #expect(ScreenLayout.columns(["a", "b", "c"], width: 80) == ["a  b  c"])
    }
}
