// The regular expressions of `=~`, `~` and `!~`: a Thompson NFA run in lock-step over the text
// (one pass, every live state advanced together), so a match costs at most
// (text length) x (program size) steps whatever the pattern: `(a*)*b` cannot backtrack for ever.
//
// Syntax (case-insensitive, found anywhere in the value unless anchored):
//   literals, `.` (any character but a newline), classes `[abc]` `[^a-z]` `[\d_]`,
//   `\d \D \w \W \s \S \b \B`, `\t \n \r \f \v \e \0`, `\xHH`, `\x{H..}`, `\uHHHH`, any other escaped
//   punctuation as itself, anchors `^` `$`, groups `(...)` `(?:...)` `(?i)`, alternation `|`,
//   quantifiers `* + ? {m} {m,} {m,n}` (with a lazy `?` or possessive `+` suffix, which
//   change nothing for a yes/no match).
// Not supported, and reported as such: back-references, look-around, named groups, nested classes.

/// A compiled regular expression matched in time linear in the text.
public struct LinearRegex: Sendable {
    /// The instructions of the NFA; `match` is the last.
    let program: [Instruction]
    /// The character classes `Instruction.set` refers to (kept apart so instructions stay small).
    let classes: [RegexClass]
    /// Whether the pattern starts with `^` (only one start position needs trying).
    let anchoredAtStart: Bool

    /// The most instructions a pattern may compile to (`x{1000}{1000}` is refused).
    public static let maxProgramSize = 20_000
    /// The deepest nesting of groups.
    public static let maxNesting = 64
    /// The most state steps one match may take; past it the match is an error, never a silent "no".
    public static let maxSteps = 10_000_000

    /// Compiles a pattern, or throws the position (in characters, from 1) of the first mistake.
    public init(_ pattern: String) throws(RegexSyntaxError) {
        var parser = RegexParser(Array(pattern.unicodeScalars))
        let node = try parser.parseAll()
        var builder = ProgramBuilder()
        try builder.emit(node)
        builder.program.append(.match)
        program = builder.program
        classes = builder.classes
        if case .concat(let items) = node, case .start? = items.first { anchoredAtStart = true }
        else if case .start = node { anchoredAtStart = true }
        else { anchoredAtStart = false }
    }

    /// Whether the expression matches somewhere in the text. Throws when the match would take more
    /// than `maxSteps` steps (a huge value with a large pattern).
    public func matches(_ text: String, maxSteps: Int = LinearRegex.maxSteps) throws(RegexLimitError) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var current = StateSet(capacity: program.count)
        var next = StateSet(capacity: program.count)
        var stack: [Int] = []
        var steps = 0
        var index = 0
        while true {
            if index == 0 || !anchoredAtStart {
                if add(0, to: &current, at: index, in: scalars, stack: &stack) { return true }
            }
            if index == scalars.count || current.isEmpty && anchoredAtStart { return false }
            let character = scalars[index]
            let folded = Fold.lower(character.value)
            next.clear()
            steps += current.count
            for slot in 0..<current.count {
                let pc = current.dense[slot]
                let advances: Bool
                switch program[pc] {
                case .scalar(let value): advances = value == folded
                case .any: advances = character.value != 0x0A
                case .set(let set): advances = classes[set].contains(character)
                case .split, .jump, .start, .end, .boundary, .match: advances = false
                }
                if advances, add(pc + 1, to: &next, at: index + 1, in: scalars, stack: &stack) { return true }
            }
            if steps > maxSteps { throw RegexLimitError(steps: maxSteps, length: scalars.count) }
            swap(&current, &next)
            index += 1
        }
    }

    /// Adds the state `pc` and every state reached from it without consuming a character.
    /// Returns true when `match` is reached.
    private func add(_ pc: Int, to set: inout StateSet, at index: Int, in text: [Unicode.Scalar], stack: inout [Int]) -> Bool {
        stack.removeAll(keepingCapacity: true)
        stack.append(pc)
        while let pc = stack.popLast() {
            guard set.insert(pc) else { continue }
            switch program[pc] {
            case .jump(let target): stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .start:
                if index == 0 { stack.append(pc + 1) }
            case .end:
                let atEnd = index == text.count
                let beforeFinalNewline = index == text.count - 1 && text[index].value == 0x0A
                if atEnd || beforeFinalNewline { stack.append(pc + 1) }
            case .boundary(let wanted):
                let before = index > 0 && RegexClass.isWord(text[index - 1])
                let after = index < text.count && RegexClass.isWord(text[index])
                if (before != after) == wanted { stack.append(pc + 1) }
            case .match: return true
            case .scalar, .any, .set: break
            }
        }
        return false
    }
}

/// A mistake in a regular expression, with its position in the pattern.
public struct RegexSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The position in the pattern, in characters from 1.
    public var column: Int
    /// What is wrong.
    public var message: String

    /// `at character C: message`.
    public var description: String { "at character \(column): \(message)" }
}

/// A match that would have taken too many steps.
public struct RegexLimitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The step bound that was passed.
    public var steps: Int
    /// The length of the value in characters.
    public var length: Int

    /// The message shown to the user.
    public var description: String {
        "regular expression too costly on a value of \(length) characters (more than \(steps) steps)"
    }
}

// MARK: - Program

/// One NFA instruction.
enum Instruction: Sendable {
    /// Consumes a character equal (case-folded) to the value.
    case scalar(UInt32)
    /// Consumes any character but a newline.
    case any
    /// Consumes a character of the class with this index in `LinearRegex.classes`.
    case set(Int)
    /// Continues at both targets.
    case split(Int, Int)
    /// Continues at the target.
    case jump(Int)
    /// Holds at the start of the text.
    case start
    /// Holds at the end of the text, or before a final newline.
    case end
    /// Holds at a word boundary (`true`) or away from one (`false`).
    case boundary(Bool)
    /// The expression has matched.
    case match
}

/// Simple case folding of single scalars.
enum Fold {
    /// The lower-case form of a scalar when it is a single scalar, else the scalar.
    static func lower(_ value: UInt32) -> UInt32 {
        if value < 0x80 {
            return value >= 0x41 && value <= 0x5A ? value + 0x20 : value
        }
        guard let scalar = Unicode.Scalar(value) else { return value }
        let mapped = scalar.properties.lowercaseMapping.unicodeScalars
        guard mapped.count == 1, let first = mapped.first else { return value }
        return first.value
    }

    /// The upper-case form of a scalar when it is a single scalar, else the scalar.
    static func upper(_ value: UInt32) -> UInt32 {
        if value < 0x80 {
            return value >= 0x61 && value <= 0x7A ? value - 0x20 : value
        }
        guard let scalar = Unicode.Scalar(value) else { return value }
        let mapped = scalar.properties.uppercaseMapping.unicodeScalars
        guard mapped.count == 1, let first = mapped.first else { return value }
        return first.value
    }
}

/// A character class: ranges and named classes, possibly negated; matched case-insensitively.
struct RegexClass: Sendable {
    /// A named class (`\d`, `\w`, `\s`), possibly negated (`\D`).
    enum Named: Sendable {
        case digit, word, space
    }

    var ranges: [ClosedRange<UInt32>] = []
    var named: [(Named, Bool)] = []
    var negated = false

    func contains(_ character: Unicode.Scalar) -> Bool {
        let value = character.value
        let found = containsExactly(value) || containsExactly(Fold.lower(value)) || containsExactly(Fold.upper(value))
        return found != negated
    }

    private func containsExactly(_ value: UInt32) -> Bool {
        for range in ranges where range.contains(value) { return true }
        guard let scalar = Unicode.Scalar(value) else { return false }
        for (name, negated) in named where Self.isNamed(name, scalar) != negated { return true }
        return false
    }

    static func isNamed(_ name: Named, _ scalar: Unicode.Scalar) -> Bool {
        switch name {
        case .digit: return scalar.properties.generalCategory == .decimalNumber
        case .word: return isWord(scalar)
        case .space: return scalar.properties.isWhitespace
        }
    }

    /// A word character: a letter, a mark, a decimal digit or a connector (`_`).
    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 {
            let value = scalar.value
            return (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A) || value == 0x5F
        }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .connectorPunctuation, .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return scalar.properties.isAlphabetic
        }
    }
}

/// A set of NFA states with constant-time insert and clear (a sparse set).
struct StateSet {
    private(set) var dense: [Int]
    private var sparse: [Int]
    private(set) var count = 0

    init(capacity: Int) {
        dense = Array(repeating: 0, count: capacity)
        sparse = Array(repeating: 0, count: capacity)
    }

    var isEmpty: Bool { count == 0 }

    /// Inserts the state; false when it was already there.
    mutating func insert(_ state: Int) -> Bool {
        let slot = sparse[state]
        if slot < count && dense[slot] == state { return false }
        sparse[state] = count
        dense[count] = state
        count += 1
        return true
    }

    mutating func clear() { count = 0 }
}

// MARK: - Parsing

/// The syntax tree of a pattern.
indirect enum RegexNode {
    case empty
    case scalar(UInt32)
    case any
    case set(RegexClass)
    case start
    case end
    case boundary(Bool)
    case concat([RegexNode])
    case alternation([RegexNode])
    case repeated(RegexNode, min: Int, max: Int?)
}

/// A recursive-descent parser of patterns, its depth bounded by `LinearRegex.maxNesting`.
struct RegexParser {
    let pattern: [Unicode.Scalar]
    var index = 0
    var depth = 0

    init(_ pattern: [Unicode.Scalar]) {
        self.pattern = pattern
    }

    /// The largest count `{m,n}` accepts.
    static let maxCount = 1_000

    func error(_ message: String, at position: Int? = nil) -> RegexSyntaxError {
        RegexSyntaxError(column: (position ?? index) + 1, message: message)
    }

    var current: Unicode.Scalar? { index < pattern.count ? pattern[index] : nil }

    mutating func parseAll() throws(RegexSyntaxError) -> RegexNode {
        let node = try parseAlternation()
        if index < pattern.count { throw error("unmatched ')'") }
        return node
    }

    mutating func parseAlternation() throws(RegexSyntaxError) -> RegexNode {
        var branches = [try parseConcat()]
        while current == "|" {
            index += 1
            branches.append(try parseConcat())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func parseConcat() throws(RegexSyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        while let character = current, character != "|", character != ")" {
            let atomStart = index
            guard let atom = try parseAtom() else { continue }
            items.append(try parseQuantifiers(atom, atomStart: atomStart))
        }
        if items.isEmpty { return .empty }
        return items.count == 1 ? items[0] : .concat(items)
    }

    /// The quantifier after an atom, if any, and its lazy or possessive suffix.
    mutating func parseQuantifiers(_ atom: RegexNode, atomStart: Int) throws(RegexSyntaxError) -> RegexNode {
        guard let (min, max) = try parseQuantifier() else { return atom }
        switch atom {
        case .start, .end, .boundary, .empty: throw error("nothing to repeat", at: atomStart)
        default: break
        }
        if current == "?" || current == "+" { index += 1 }
        if let character = current, character == "*" || character == "+" || character == "?" || (character == "{" && isInterval()) {
            throw error("a quantifier cannot follow another; use a group: (x*)*")
        }
        return .repeated(atom, min: min, max: max)
    }

    /// Whether `{` at the current index starts `{m}`, `{m,}` or `{m,n}`.
    func isInterval() -> Bool {
        var position = index + 1
        var digits = 0
        while position < pattern.count, ("0"..."9").contains(pattern[position]) { position += 1; digits += 1 }
        guard digits > 0, position < pattern.count else { return false }
        if pattern[position] == "}" { return true }
        guard pattern[position] == "," else { return false }
        position += 1
        while position < pattern.count, ("0"..."9").contains(pattern[position]) { position += 1 }
        return position < pattern.count && pattern[position] == "}"
    }

    mutating func parseQuantifier() throws(RegexSyntaxError) -> (Int, Int?)? {
        switch current {
        case "*": index += 1; return (0, nil)
        case "+": index += 1; return (1, nil)
        case "?": index += 1; return (0, 1)
        case "{" where isInterval():
            let start = index
            index += 1
            let min = try parseNumber(start)
            var max: Int? = min
            if current == "," {
                index += 1
                max = current == "}" ? nil : try parseNumber(start)
            }
            index += 1 // }
            if let max, max < min { throw error("{\(min),\(max)}: the maximum is below the minimum", at: start) }
            return (min, max)
        default: return nil
        }
    }

    mutating func parseNumber(_ start: Int) throws(RegexSyntaxError) -> Int {
        var value = 0
        while let character = current, ("0"..."9").contains(character) {
            value = value * 10 + Int(character.value - 0x30)
            if value > Self.maxCount { throw error("repetition count above \(Self.maxCount)", at: start) }
            index += 1
        }
        return value
    }

    /// One atom, or nil for a construct that matches nothing and takes no quantifier (`(?i)`).
    mutating func parseAtom() throws(RegexSyntaxError) -> RegexNode? {
        guard let character = current else { throw error("unexpected end of pattern") }
        let start = index
        index += 1
        switch character {
        case "(":
            depth += 1
            defer { depth -= 1 }
            if depth > LinearRegex.maxNesting { throw error("groups nested deeper than \(LinearRegex.maxNesting)", at: start) }
            if current == "?" {
                index += 1
                switch current {
                case ":": index += 1
                case "i":
                    if index + 1 < pattern.count, pattern[index + 1] == ")" {
                        index += 2
                        return nil // already case-insensitive
                    }
                    throw error("unsupported group flags (only (?i) and (?:...) are supported)", at: start)
                case "=", "!": throw error("look-ahead is not supported", at: start)
                case "<": throw error("look-behind and named groups are not supported", at: start)
                default: throw error("unsupported group '(?'", at: start)
                }
            }
            let inner = try parseAlternation()
            guard current == ")" else { throw error("missing ')' for the '(' at character \(start + 1)") }
            index += 1
            return inner
        case ")": throw error("unmatched ')'", at: start)
        case "[": return .set(try parseClass(start))
        case ".": return .any
        case "^": return .start
        case "$": return .end
        case "*", "+", "?": throw error("nothing to repeat", at: start)
        case "{" where isIntervalAt(start): throw error("nothing to repeat", at: start)
        case "\\": return try parseEscape(start, inClass: false)
        default: return .scalar(Fold.lower(character.value))
        }
    }

    func isIntervalAt(_ position: Int) -> Bool {
        var copy = self
        copy.index = position
        return copy.isInterval()
    }

    /// An escape after `\`: a class, an assertion, or a literal character.
    mutating func parseEscape(_ start: Int, inClass: Bool) throws(RegexSyntaxError) -> RegexNode {
        guard let character = current else { throw error("'\\' at the end of the pattern", at: start) }
        index += 1
        func named(_ name: RegexClass.Named, _ negated: Bool) -> RegexNode {
            .set(RegexClass(named: [(name, negated)]))
        }
        switch character {
        case "d": return named(.digit, false)
        case "D": return named(.digit, true)
        case "w": return named(.word, false)
        case "W": return named(.word, true)
        case "s": return named(.space, false)
        case "S": return named(.space, true)
        case "b": return inClass ? .scalar(0x08) : .boundary(true)
        case "B":
            if inClass { throw error("\\B in a class", at: start) }
            return .boundary(false)
        case "A": if inClass { throw error("\\A in a class", at: start) }; return .start
        case "z", "Z": if inClass { throw error("\\\(character) in a class", at: start) }; return .end
        case "t": return .scalar(0x09)
        case "n": return .scalar(0x0A)
        case "r": return .scalar(0x0D)
        case "f": return .scalar(0x0C)
        case "v": return .scalar(0x0B)
        case "e": return .scalar(0x1B)
        case "a": return .scalar(0x07)
        case "0": return .scalar(0)
        case "x":
            if current == "{" {
                index += 1
                let value = try parseHex(start, digits: 1...6, until: "}")
                return .scalar(Fold.lower(value))
            }
            return .scalar(Fold.lower(try parseHex(start, digits: 2...2, until: nil)))
        case "u": return .scalar(Fold.lower(try parseHex(start, digits: 4...4, until: nil)))
        case "1"..."9": throw error("back-references are not supported", at: start)
        default:
            if ("a"..."z").contains(character) || ("A"..."Z").contains(character) {
                throw error("unknown escape '\\\(character)'", at: start)
            }
            return .scalar(Fold.lower(character.value))
        }
    }

    mutating func parseHex(_ start: Int, digits: ClosedRange<Int>, until terminator: Unicode.Scalar?) throws(RegexSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        var count = 0
        while count < digits.upperBound, let character = current, character.isASCII, let digit = UInt32(String(character), radix: 16) {
            value = value * 16 + digit
            count += 1
            index += 1
        }
        if let terminator {
            guard current == terminator else { throw error("bad hexadecimal escape", at: start) }
            index += 1
        }
        guard digits.contains(count), Unicode.Scalar(value) != nil else { throw error("bad hexadecimal escape", at: start) }
        return value
    }

    /// `[...]` after the `[`.
    mutating func parseClass(_ start: Int) throws(RegexSyntaxError) -> RegexClass {
        var set = RegexClass()
        if current == "^" {
            set.negated = true
            index += 1
        }
        var first = true
        while true {
            guard let character = current else { throw error("missing ']' for the '[' at character \(start + 1)") }
            if character == "]" && !first {
                index += 1
                return set
            }
            first = false
            if character == "[" { throw error("nested classes and [:name:] are not supported; write \\[ for '['") }
            let lowStart = index
            guard let low = try classAtom(into: &set) else { continue }
            // A range `a-z`, unless the `-` ends the class.
            if current == "-", index + 1 < pattern.count, pattern[index + 1] != "]" {
                index += 1
                guard let high = try classAtom(into: &set) else { throw error("bad range in a class", at: lowStart) }
                guard low <= high else { throw error("range out of order in a class", at: lowStart) }
                set.ranges.append(low...high)
            } else {
                set.ranges.append(low...low)
            }
        }
    }

    /// One member of a class: its scalar value, or nil when it was a named class added to the set.
    mutating func classAtom(into set: inout RegexClass) throws(RegexSyntaxError) -> UInt32? {
        guard let character = current else { throw error("unexpected end of pattern") }
        let start = index
        index += 1
        guard character == "\\" else { return character.value }
        switch try parseEscape(start, inClass: true) {
        case .scalar(let value):
            // Escapes are folded for matching outside classes; inside, keep the written scalar.
            return index - start == 2 ? pattern[start + 1].value : value
        case .set(let named):
            set.named += named.named
            return nil
        case .empty, .any, .start, .end, .boundary, .concat, .alternation, .repeated:
            throw error("not allowed in a class", at: start)
        }
    }
}

// MARK: - Compiling

/// Emits the instructions of a syntax tree, refusing programs above `LinearRegex.maxProgramSize`.
struct ProgramBuilder {
    var program: [Instruction] = []
    var classes: [RegexClass] = []

    mutating func append(_ instruction: Instruction) throws(RegexSyntaxError) {
        guard program.count < LinearRegex.maxProgramSize else {
            throw RegexSyntaxError(column: 1, message: "pattern too large (more than \(LinearRegex.maxProgramSize) states once repetitions are expanded)")
        }
        program.append(instruction)
    }

    mutating func emit(_ node: RegexNode) throws(RegexSyntaxError) {
        switch node {
        case .empty: break
        case .scalar(let value): try append(.scalar(value))
        case .any: try append(.any)
        case .set(let set):
            try append(.set(classes.count))
            classes.append(set)
        case .start: try append(.start)
        case .end: try append(.end)
        case .boundary(let wanted): try append(.boundary(wanted))
        case .concat(let items):
            for item in items { try emit(item) }
        case .alternation(let branches):
            // split L1, next; L1: a; jump end; next: split L2, ...; last: z; end:
            var jumps: [Int] = []
            for (position, branch) in branches.enumerated() {
                if position < branches.count - 1 {
                    let split = program.count
                    try append(.split(split + 1, 0))
                    try emit(branch)
                    jumps.append(program.count)
                    try append(.jump(0))
                    program[split] = .split(split + 1, program.count)
                } else {
                    try emit(branch)
                }
            }
            for jump in jumps { program[jump] = .jump(program.count) }
        case let .repeated(inner, min, max):
            for _ in 0..<min { try emit(inner) }
            guard let max else {
                // loop: split body, exit; body; jump loop; exit:
                let loop = program.count
                try append(.split(loop + 1, 0))
                try emit(inner)
                try append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
                return
            }
            var splits: [Int] = []
            for _ in min..<max {
                splits.append(program.count)
                try append(.split(program.count + 1, 0))
                try emit(inner)
            }
            for split in splits { program[split] = .split(split + 1, program.count) }
        }
    }
}
