// The printer: the normalised text of queries and their pieces. Printing then parsing gives the
// same AST; parsing then printing is stable.
//
// Canonical form: one space around operators and keywords, `==` and `=~` (never `=` or `~`),
// `and`/`or` with parentheses only where the tree needs them, durations in d/h/min/s, dates in UTC,
// strings quoted only when needed, backticks only for keys that need them.

import SiftTime

extension Query: CustomStringConvertible {
    /// The normalised query.
    public var description: String {
        var text = ""
        for (index, part) in parts.enumerated() {
            if index > 0 { text += " " }
            text += part.description
        }
        return text
    }
}

extension Part: CustomStringConvertible {
    /// The normalised part, with its navigation.
    public var description: String {
        var text = term.description
        if let with { text += " " + with.description }
        if !sort.isEmpty { text += " sort " + sort.map(\.description).joined(separator: ", ") }
        if let limit { text += " " + limit.description }
        if let navigation { text += " " + navigation.description }
        return text
    }
}

extension Term: CustomStringConvertible {
    /// The normalised term.
    public var description: String { text(context: 0) }

    private var precedence: Int {
        switch self {
        case .or: return 1
        case .and: return 2
        default: return 3
        }
    }

    /// The operands of a chain of one operator, left to right: `[a, b, c]` for `(a and b) and c`;
    /// `[self]` for a term that is not `and` or `or`. Found without recursion.
    public var chain: [Term] {
        var operands: [Term] = []
        var current = self
        loop: while true {
            switch (self, current) {
            case (.and, .and(let left, let right)), (.or, .or(let left, let right)):
                operands.append(right)
                current = left
            default:
                break loop
            }
        }
        operands.append(current)
        return operands.reversed()
    }

    /// The text of the term where the surrounding operator binds with `context` (0 none, 1 or, 2 and, 3 not).
    private func text(context: Int) -> String {
        let body: String
        switch self {
        case .all: body = "all"
        case .isKind(let kinds): body = "is(" + kinds.map(Printer.name).joined(separator: ", ") + ")"
        case .id(let ids): body = "id(" + ids.map(Printer.name).joined(separator: ", ") + ")"
        case .fullText(let text): body = Printer.quoted(text)
        case .predicate(let predicate): body = predicate.description
        case .hasKey(let path, let keys):
            body = "has_key(" + path.description + ", " + keys.map(Printer.name).joined(separator: ", ") + ")"
        case .not(let inner): body = "not " + inner.text(context: 3)
        case .and, .or:
            // A chain `a and b and c` is a left spine: walk it in a loop, not by recursion.
            let operands = chain
            let keyword = precedence == 2 ? " and " : " or "
            body = operands.enumerated().map { index, operand in
                operand.text(context: index == 0 ? precedence : precedence + 1)
            }.joined(separator: keyword)
        }
        return precedence < context ? "(" + body + ")" : body
    }
}

extension Predicate: CustomStringConvertible {
    /// `path [any|all|none] OP value`.
    public var description: String {
        var text = path.description
        if let modifier { text += " " + modifier.rawValue }
        return text + " " + op.rawValue + " " + value.description
    }
}

extension Value: CustomStringConvertible {
    /// The normalised value.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return value.isFinite ? "\(value)" : Printer.quoted("\(value)")
        case .string(let text): return Printer.isPlainWord(text) ? text : Printer.quoted(text)
        case .duration(let duration): return duration.description
        case .datetime(let date): return date.description
        case .placeholder(let placeholder): return "@\(placeholder.rawValue)@"
        case .array(let elements): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .object(let entries):
            return "{" + entries.map { Printer.quoted($0.key) + ": " + $0.value.description }.joined(separator: ", ") + "}"
        }
    }
}

extension Duration: CustomStringConvertible {
    /// `90d`, `2d12h`, `-3d`, `0s`.
    public var description: String { DurationText.format(seconds: seconds) }
}

extension DateTime: CustomStringConvertible {
    /// `2026-01-31` at midnight UTC, else `2026-01-31T12:00:00Z`.
    public var description: String { ISO8601.formatDateOrDateTime(seconds: secondsSince1970) }
}

extension Path: CustomStringConvertible {
    /// `name`, `tags.owner`, `` tags.`app.kubernetes.io/name` ``, `/desired.clean`, `/ancestors.account.reported.id`, `account`.
    public var description: String {
        let prefix: String
        switch root {
        case .reported(let explicit): prefix = explicit ? "/reported." : ""
        case .desired: prefix = "/desired."
        case .metadata: prefix = "/metadata."
        case .ancestors(let kind, let section): prefix = "/ancestors.\(Printer.key(kind)).\(section.rawValue)."
        case .descendants(let kind, let section): prefix = "/descendants.\(Printer.key(kind)).\(section.rawValue)."
        case .shortcut(let name):
            if components == [.key("name")] { return name }
            prefix = "/ancestors.\(Printer.key(name)).reported."
        }
        var text = prefix
        for (index, component) in components.enumerated() {
            switch component {
            case .key(let key):
                if index > 0 { text += "." }
                // A first key that reads as a keyword or shortcut keeps its meaning in backticks.
                let reserved = index == 0 && prefix.isEmpty && Keywords.isReserved(key)
                text += reserved ? "`\(key)`" : Printer.key(key)
            case .index(let value): text += "[\(value)]"
            case .wildcard: text += "[*]"
            }
        }
        return text
    }

    /// What is wrong with the path, or `nil` when it is valid (and prints back to itself).
    public var problem: String? {
        guard let first = components.first else { return "a path needs at least one property name" }
        guard case .key = first else { return "a path must start with a property name, not an array index" }
        for component in components {
            switch component {
            case .key(let key):
                if key.isEmpty { return "empty property name" }
                if key.contains("`") { return "property name '\(key)' contains a backtick" }
            case .index(let value):
                if value < 0 { return "negative array index \(value)" }
            case .wildcard:
                break
            }
        }
        switch root {
        case .ancestors(let kind, _), .descendants(let kind, _):
            if kind.isEmpty || kind.contains("`") { return "invalid kind '\(kind)'" }
        case .shortcut(let name):
            if name != "account" && name != "cloud" { return "unknown shortcut '\(name)'" }
            if components != [.key("name")] { return "the shortcut \(name) stands for /ancestors.\(name).reported.name" }
        case .reported, .desired, .metadata:
            break
        }
        return nil
    }
}

extension Navigation: CustomStringConvertible {
    /// `-->`, `<-[1:3]-`, `-delete->`, `<-default[0:1]delete->`.
    public var description: String {
        let isDefaultRange = minDepth == 1 && maxDepth == 1
        var range: String {
            guard let maxDepth else { return "[\(minDepth):]" }
            return minDepth == maxDepth ? "[\(minDepth)]" : "[\(minDepth):\(maxDepth)]"
        }
        func types(_ list: [String]) -> String { list == ["default"] ? "" : list.joined(separator: ",") }
        switch direction {
        case .out: return "-" + types(outEdgeTypes) + (isDefaultRange ? "" : range) + "->"
        case .in: return "<-" + types(inEdgeTypes) + (isDefaultRange ? "" : range) + "-"
        case .both:
            if inEdgeTypes == outEdgeTypes {
                return "<-" + types(inEdgeTypes) + (isDefaultRange ? "" : range) + "->"
            }
            return "<-" + inEdgeTypes.joined(separator: ",") + range + outEdgeTypes.joined(separator: ",") + "->"
        }
    }
}

extension WithClause: CustomStringConvertible {
    /// `with(any, --> is(access_key))`, `with(count > 1, <-- all with(empty, -->))`.
    public var description: String {
        var text = "with(" + quantifier.description + ", " + navigation.description
        if let filter { text += " " + filter.description }
        if let nested { text += " " + nested.value.description }
        return text + ")"
    }
}

extension WithQuantifier: CustomStringConvertible {
    /// `any`, `empty`, `count > 1`.
    public var description: String {
        switch self {
        case .any: return "any"
        case .empty: return "empty"
        case .count(let op, let count): return "count \(op.rawValue) \(count)"
        }
    }
}

extension Sort: CustomStringConvertible {
    /// `name` or `ctime desc`.
    public var description: String { order == .desc ? path.description + " desc" : path.description }
}

extension Limit: CustomStringConvertible {
    /// `limit 10` or `limit 20, 10`.
    public var description: String { offset == 0 ? "limit \(count)" : "limit \(offset), \(count)" }
}

/// Quoting decisions of the printer.
enum Printer {
    /// A double-quoted string with `"`, `\` and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Whether the text lexes back as exactly one word with this text.
    static func isSingleWord(_ text: String) -> Bool {
        let lexer = Lexer(text)
        guard let token = try? lexer.token(at: 0), case .word(let word) = token.kind else { return false }
        return word == text && token.start == 0 && token.end == lexer.bytes.count
    }

    /// Whether a string value may be printed unquoted: one word, read back as the same string, not a keyword.
    static func isPlainWord(_ text: String) -> Bool {
        guard isSingleWord(text), !Keywords.isReserved(text) else { return false }
        guard let value = try? WordValue.classify(text) else { return false }
        return value == .string(text)
    }

    /// A kind, id or key name in `is()`, `id()`, `has_key()`: unquoted when it is one word.
    static func name(_ text: String) -> String {
        isSingleWord(text) ? text : quoted(text)
    }

    /// A key of a path: plain when the path scanner reads it back, else in backticks.
    static func key(_ key: String) -> String {
        let bytes = Array(key.utf8)
        guard let first = bytes.first, Lexer.isIdentifierStart(first) else { return "`\(key)`" }
        for (index, c) in bytes.enumerated().dropFirst() {
            if Lexer.isIdentifierChar(c) { continue }
            if c == UInt8(ascii: "-"), index + 1 < bytes.count, Lexer.isIdentifierChar(bytes[index + 1]) { continue }
            return "`\(key)`"
        }
        return key
    }
}
