import Foundation
import SiftQuery
import SiftStore

/// `list [--csv|--json|--ndjson|--markdown] [path [as name], ...]`.
public struct ListCommand: ShellCommand {
    public static let spec = CommandSpec(
        name: "list", summary: "print chosen properties of each result as a table or a machine format",
        discussion: """
        Default columns: kind, id, name, age, last_access, account. Paths as in queries:
          search is(access_key) | list --csv id, name, /ancestors.account.reported.id as account_id, age
        """,
        options: ListFormat.allCases.filter { $0 != .table }.map { format in
            .flag("--" + format.rawValue, help: "print \(format.rawValue == "markdown" ? "a Markdown table" : format.rawValue.uppercased())")
        },
        arguments: [ArgumentSpec("path [as name],", .zeroOrMore, help: "the columns (default: kind, id, name, age, last_access, account)",
                                 candidates: .propertyPaths)]
    ) { arguments throws(ShellError) in
        let formats = ListFormat.allCases.filter { $0 != .table && arguments.flag("--" + $0.rawValue) }
        if formats.count > 1 {
            throw ShellError("list: choose one of --csv, --json, --ndjson, --markdown", at: arguments.end)
        }
        let columns = try parseColumns(arguments.segment, command: "list")
        return .sink(ListSink(columns: columns.isEmpty ? Column.defaults : columns, format: formats.first ?? .table))
    }

    /// `path [as name], ...` from the raw arguments: split at commas outside quotes, backticks
    /// and brackets; `--flags` are skipped.
    static func parseColumns(_ segment: CommandSegment, command: String) throws(ShellError) -> [Column] {
        let raw = Array(segment.rawArguments)
        var items: [(text: String, offset: Int)] = []
        var current = ""
        var start = 0
        var quote: Character?
        var depth = 0
        for (offset, char) in raw.enumerated() {
            if let open = quote {
                if char == open { quote = nil }
            } else if char == "'" || char == "\"" || char == "`" {
                quote = char
            } else if char == "[" || char == "(" {
                depth += 1
            } else if char == "]" || char == ")" {
                depth -= 1
            } else if char == "," && depth == 0 {
                items.append((current, start))
                current = ""
                start = offset + 1
                continue
            }
            current.append(char)
        }
        items.append((current, start))
        var columns: [Column] = []
        for item in items {
            let at = position(ofRawOffset: item.offset, in: segment)
            let words: [Word]
            do {
                words = try LineGrammar.parse("c " + item.text).first?.commands.first?.words ?? []
            } catch {
                throw ShellError("\(command): \(error.message)", at: at)
            }
            let columnWords = words.filter { $0.quoted || !$0.text.hasPrefix("--") }
            if columnWords.isEmpty {
                // No columns at all (only flags, or nothing): the defaults.
                if items.count == 1 { return [] }
                throw ShellError("\(command): an empty column between commas", at: at)
            }
            let pathWord = Word(columnWords[0].text, at: at, quoted: columnWords[0].quoted)
            let path = try parsePathWord(pathWord, command: command)
            switch columnWords.count {
            case 1:
                columns.append(Column(path: path, name: columnWords[0].text))
            case 3 where columnWords[1].text == "as":
                columns.append(Column(path: path, name: columnWords[2].text))
            default:
                throw ShellError("\(command): write 'path' or 'path as name', separated by commas", at: at)
            }
        }
        return columns
    }

    /// The source position of a raw-argument offset (its first non-blank character).
    static func position(ofRawOffset offset: Int, in segment: CommandSegment) -> SourcePosition {
        let raw = Array(segment.rawArguments)
        var index = offset
        while index < raw.count && raw[index].isWhitespace { index += 1 }
        return index < segment.rawCharacterPositions.count ? segment.rawCharacterPositions[index] : segment.rawPosition
    }
}

/// `format "{name} {id}"` or `format --json|--ndjson|--yaml`.
public struct FormatCommand: ShellCommand {
    public static let spec = CommandSpec(
        name: "format", summary: "print each result through a template, or as JSON/NDJSON/YAML",
        discussion: """
        `{path}` is replaced by the value (null when missing); `{{` and `}}` are literal braces.
          search is(access_key) | format "{id} {name} {access_key_status} {last_access}"
        """,
        options: [
            .flag("--json", help: "print the results as one JSON array"),
            .flag("--ndjson", help: "print one JSON object per line"),
            .flag("--yaml", help: "print the results as YAML"),
        ],
        arguments: [ArgumentSpec("TEMPLATE", .zeroOrMore, help: "e.g. \"{name} {id}\" (instead of a flag)", candidates: .propertyPaths)]
    ) { arguments throws(ShellError) in
        let choices: [(flag: String, style: FormatStyle)] = [("--json", .json), ("--ndjson", .ndjson), ("--yaml", .yaml)]
        let styles = choices.filter { arguments.flag($0.flag) }.map(\.style)
        let words = arguments.positionals
        if styles.count > 1 || (!styles.isEmpty && !words.isEmpty) {
            throw ShellError("format: give a template or one of --json, --ndjson, --yaml", at: arguments.end)
        }
        if let style = styles.first { return .sink(FormatSink(style: style)) }
        guard let first = words.first else {
            throw ShellError("format: a template such as \"{name} {id}\" is expected", at: arguments.end)
        }
        let template = words.map(\.text).joined(separator: " ")
        return .sink(FormatSink(style: .template(try FormatSink.parseTemplate(template, at: first.position))))
    }
}

/// `dump`: every property of each result, as indented JSON.
public struct DumpCommand: ShellCommand {
    public static let spec = CommandSpec(
        name: "dump", summary: "print every property of each result as indented JSON"
    ) { _ throws(ShellError) in
        .sink(FormatSink(style: .ndjson, pretty: true))
    }
}

/// `clean ["reason"]`: marks `/desired.clean = true` (and the reason).
public struct CleanCommand: ShellCommand {
    public static let spec = CommandSpec(
        name: "clean", summary: "mark the results for cleanup (/desired.clean = true)",
        discussion: """
        Sets /desired.clean = true and /desired.clean_reason on each result and prints what it marked.
        Nothing is touched in the cloud: the cleanup workflow acts on the marks.
          search is(access_key) and last_access > 90days | clean "unused for 90 days"
        """,
        arguments: [ArgumentSpec("\"reason\"", .zeroOrMore, help: "why (kept in /desired.clean_reason)")]
    ) { arguments throws(ShellError) in
        var desired: JSONObject = ["clean": .bool(true)]
        if !arguments.positionals.isEmpty {
            desired["clean_reason"] = .string(arguments.positionals.map(\.text).joined(separator: " "))
        }
        return .sink(MarkSink(verb: "marked for cleanup:", desired: desired, metadata: [:]))
    }
}

/// `protect`: sets `/metadata.protected = true` (cleanup never touches such nodes).
public struct ProtectCommand: ShellCommand {
    public static let spec = CommandSpec(
        name: "protect", summary: "protect the results from cleanup (/metadata.protected = true)"
    ) { _ throws(ShellError) in
        .sink(MarkSink(verb: "protected:", desired: [:], metadata: ["protected": .bool(true)]))
    }
}

/// `unprotect`: sets `/metadata.protected = false`.
public struct UnprotectCommand: ShellCommand {
    public static let spec = CommandSpec(
        name: "unprotect", summary: "remove the protection (/metadata.protected = false)"
    ) { _ throws(ShellError) in
        .sink(MarkSink(verb: "unprotected:", desired: [:], metadata: ["protected": .bool(false)]))
    }
}
