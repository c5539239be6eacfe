import Foundation
import SiftStore

/// Renders JSON values as text for the shell's outputs: JSON (compact or indented, keys
/// sorted so the output is stable), YAML, and plain table cells.
public enum ValueRendering {
    /// JSON text; `indent` > 0 pretty-prints with that many spaces per level.
    public static func json(_ value: JSONValue, indent: Int = 0) -> String {
        var out = ""
        appendJSON(value, to: &out, indent: indent, level: 0)
        return out
    }

    /// The text of a table cell: strings without quotes, null as empty, the rest as compact JSON.
    public static func cell(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let text)?: return text
        case let other?: return json(other)
        }
    }

    /// YAML text for a value, as a block at the given indentation level.
    public static func yaml(_ value: JSONValue) -> String {
        var out = ""
        appendYAML(value, to: &out, level: 0, inlineFirst: false)
        if !out.hasSuffix("\n") { out += "\n" }
        return out
    }

    /// A JSON string literal, escaped exactly as the store writes JSON (export, sections).
    public static func quoted(_ text: String) -> String {
        JSONValue.string(text).jsonText
    }

    private static func number(_ value: Double) -> String {
        if value.isFinite && value == value.rounded() && abs(value) < 1e15 {
            return String(Int64(value)) + ".0"
        }
        return value.isFinite ? String(value) : "null"
    }

    private static func appendJSON(_ value: JSONValue, to out: inout String, indent: Int, level: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let integer): out += String(integer)
        case .double(let real): out += number(real)
        case .string(let text): out += quoted(text)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (offset, item) in items.enumerated() {
                if offset > 0 { out += "," }
                newline(&out, indent: indent, level: level + 1)
                appendJSON(item, to: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent: indent, level: level)
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (offset, key) in members.keys.sorted().enumerated() {
                if offset > 0 { out += "," }
                newline(&out, indent: indent, level: level + 1)
                out += quoted(key)
                out += indent > 0 ? ": " : ":"
                appendJSON(members[key] ?? .null, to: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent: indent, level: level)
            out += "}"
        }
    }

    private static func newline(_ out: inout String, indent: Int, level: Int) {
        guard indent > 0 else { return }
        out += "\n" + String(repeating: " ", count: indent * level)
    }

    /// A YAML scalar: plain when it cannot be misread, else a JSON-style double-quoted string.
    private static func yamlScalar(_ text: String) -> String {
        let reserved: Set<String> = ["true", "false", "null", "yes", "no", "on", "off", "~", ""]
        let plainSafe = text.allSatisfy { $0.isLetter || $0.isNumber || "_-./@".contains($0) }
            && !reserved.contains(text.lowercased())
            && Double(text) == nil
            && !(text.first.map { "-.@".contains($0) } ?? true)
        return plainSafe ? text : quoted(text)
    }

    private static func appendYAML(_ value: JSONValue, to out: inout String, level: Int, inlineFirst: Bool) {
        let pad = String(repeating: "  ", count: level)
        switch value {
        case .null: out += "null\n"
        case .bool(let flag): out += flag ? "true\n" : "false\n"
        case .int(let integer): out += "\(integer)\n"
        case .double(let real): out += number(real) + "\n"
        case .string(let text): out += yamlScalar(text) + "\n"
        case .array(let items):
            if items.isEmpty { out += "[]\n"; return }
            if inlineFirst { out += "\n" }
            for item in items {
                out += pad + "- "
                appendYAMLNested(item, to: &out, level: level + 1)
            }
        case .object(let members):
            if members.isEmpty { out += "{}\n"; return }
            if inlineFirst { out += "\n" }
            for key in members.keys.sorted() {
                out += pad + yamlScalar(key) + ":"
                let member = members[key] ?? .null
                switch member {
                case .array(let items) where !items.isEmpty:
                    out += "\n"
                    appendYAML(member, to: &out, level: level + 1, inlineFirst: false)
                case .object(let inner) where !inner.isEmpty:
                    out += "\n"
                    appendYAML(member, to: &out, level: level + 1, inlineFirst: false)
                default:
                    out += " "
                    appendYAML(member, to: &out, level: level + 1, inlineFirst: false)
                }
            }
        }
    }

    /// A value after `- `: scalars on the same line, collections continuing on it.
    private static func appendYAMLNested(_ value: JSONValue, to out: inout String, level: Int) {
        switch value {
        case .object(let members) where !members.isEmpty:
            var block = ""
            appendYAML(value, to: &block, level: level, inlineFirst: false)
            // The first key goes on the dash's line.
            let indent = String(repeating: "  ", count: level)
            out += block.hasPrefix(indent) ? String(block.dropFirst(indent.count)) : block
        case .array(let items) where !items.isEmpty:
            out += "\n"
            appendYAML(value, to: &out, level: level, inlineFirst: false)
        default:
            appendYAML(value, to: &out, level: level, inlineFirst: false)
        }
    }
}
