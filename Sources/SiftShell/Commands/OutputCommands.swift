import Foundation
import SiftQuery
import SiftStore

/// `list [--csv|--json|--ndjson|--markdown] [path [as name], ...]`.
public struct ListCommand: ShellCommand {
    public static let info = CommandInfo(
        name: "list", synopsis: "list [--csv|--json|--ndjson|--markdown] [path [as name], ...]",
        summary: "print chosen properties of each result as a table or a machine format",
        details: """
        Default columns: kind, id, name, age, last_access, account. Paths as in queries:
          search is(access_key) | list --csv id, name, /ancestors.account.reported.id as account_id, age
        """)

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        var formats: [ListFormat] = []
        for format in ListFormat.allCases where format != .table {
            if reader.flag("--" + format.rawValue) { formats.append(format) }
        }
        if formats.count > 1 {
            throw ShellError("list: choose one of --csv, --json, --ndjson, --markdown", at: segment.rawPosition)
        }
        _ = try reader.positionals()
        let columns = try parseColumns(segment, command: "list")
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
    public static let info = CommandInfo(
        name: "format", synopsis: "format \"{path} ...\" | --json | --ndjson | --yaml",
        summary: "print each result through a template, or as JSON/NDJSON/YAML",
        details: """
        `{path}` is replaced by the value (null when missing); `{{` and `}}` are literal braces.
          search is(access_key) | format "{id} {name} {access_key_status} {last_access}"
        """)

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        var styles: [FormatStyle] = []
        if reader.flag("--json") { styles.append(.json) }
        if reader.flag("--ndjson") { styles.append(.ndjson) }
        if reader.flag("--yaml") { styles.append(.yaml) }
        let words = try reader.positionals()
        if styles.count > 1 || (!styles.isEmpty && !words.isEmpty) {
            throw ShellError("format: give a template or one of --json, --ndjson, --yaml", at: segment.rawPosition)
        }
        if let style = styles.first { return .sink(FormatSink(style: style)) }
        guard let first = words.first else {
            throw ShellError("format: a template such as \"{name} {id}\" is expected", at: segment.rawPosition)
        }
        let template = words.map(\.text).joined(separator: " ")
        return .sink(FormatSink(style: .template(try FormatSink.parseTemplate(template, at: first.position))))
    }
}

/// `dump`: every property of each result, as indented JSON.
public struct DumpCommand: ShellCommand {
    public static let info = CommandInfo(
        name: "dump", synopsis: "dump", summary: "print every property of each result as indented JSON")

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        try reader.finish()
        return .sink(FormatSink(style: .ndjson, pretty: true))
    }
}

/// `clean ["reason"]`: marks `/desired.clean = true` (and the reason).
public struct CleanCommand: ShellCommand {
    public static let info = CommandInfo(
        name: "clean", synopsis: "clean [\"reason\"]", summary: "mark the results for cleanup (/desired.clean = true)",
        details: """
        Sets /desired.clean = true and /desired.clean_reason on each result and prints what it marked.
        Nothing is touched in the cloud: the cleanup workflow acts on the marks.
          search is(access_key) and last_access > 90days | clean "unused for 90 days"
        """)

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        let words = try reader.positionals()
        var desired: JSONObject = ["clean": .bool(true)]
        if !words.isEmpty {
            desired["clean_reason"] = .string(words.map(\.text).joined(separator: " "))
        }
        return .sink(MarkSink(verb: "marked for cleanup:", desired: desired, metadata: [:]))
    }
}

/// `protect`: sets `/metadata.protected = true` (cleanup never touches such nodes).
public struct ProtectCommand: ShellCommand {
    public static let info = CommandInfo(
        name: "protect", synopsis: "protect", summary: "protect the results from cleanup (/metadata.protected = true)")

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        try reader.finish()
        return .sink(MarkSink(verb: "protected:", desired: [:], metadata: ["protected": .bool(true)]))
    }
}

/// `unprotect`: sets `/metadata.protected = false`.
public struct UnprotectCommand: ShellCommand {
    public static let info = CommandInfo(
        name: "unprotect", synopsis: "unprotect", summary: "remove the protection (/metadata.protected = false)")

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        try reader.finish()
        return .sink(MarkSink(verb: "unprotected:", desired: [:], metadata: ["protected": .bool(false)]))
    }
}
