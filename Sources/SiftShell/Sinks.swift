import Foundation
import SiftQuery
import SiftStore

/// A column of `list`: a path and its header.
public struct Column: Sendable, Hashable {
    /// The path evaluated on each node.
    public var path: Path
    /// The header (the path as typed, or the `as` name).
    public var name: String

    /// Creates a column.
    public init(path: Path, name: String) {
        self.path = path
        self.name = name
    }

    /// `kind, id, name, age, last_access, account`.
    public static let defaults: [Column] = ["kind", "id", "name", "age", "last_access", "account"].map {
        Column(path: Path(root: $0 == "account" ? .shortcut("account") : .reported(explicit: false), components: [.key($0)]), name: $0)
    }
}

/// The output formats of `list`.
public enum ListFormat: String, Sendable, CaseIterable {
    /// Aligned columns with a header.
    case table
    /// RFC 4180 CSV with a header row.
    case csv
    /// A JSON array of objects, one per node, keys = column names.
    case json
    /// One compact JSON object per line.
    case ndjson
    /// A Markdown table.
    case markdown
}

/// `list`: the chosen columns of each node, as a table or a machine format.
final class ListSink: NodeSink {
    var printsRows: Bool { true }
    var paths: [Path] { columns.map(\.path) }
    let columns: [Column]
    let format: ListFormat
    /// Rows held back to size the table's columns (the first `sizingRows`).
    var pending: [[String]] = []
    var widths: [Int]?
    var count = 0
    let array = JSONArrayLines()
    static let sizingRows = 200

    init(columns: [Column], format: ListFormat) {
        self.columns = columns
        self.format = format
    }

    func consume(_ row: ResultRow, in run: RowContext) throws {
        let values = try columns.map { try run.value($0.path, of: row) }
        defer { count += 1 }
        switch format {
        case .table:
            let cells = values.map { ValueRendering.cell($0) }
            if widths == nil {
                pending.append(cells)
                if pending.count >= Self.sizingRows { try flushPending(run) }
            } else {
                try emitTableRow(cells, run)
            }
        case .csv:
            if count == 0 { try run.output.emit(columns.map { Self.csvField($0.name) }.joined(separator: ",")) }
            try run.output.emit(values.map { Self.csvField(ValueRendering.cell($0)) }.joined(separator: ","))
        case .json:
            try array.append(objectValue(values), to: run.output)
        case .ndjson:
            try run.output.emit(ValueRendering.json(objectValue(values)))
        case .markdown:
            if count == 0 {
                try run.output.emit("| " + columns.map { Self.markdownCell($0.name) }.joined(separator: " | ") + " |")
                try run.output.emit("|" + String(repeating: " --- |", count: columns.count))
            }
            try run.output.emit("| " + values.map { Self.markdownCell(ValueRendering.cell($0)) }.joined(separator: " | ") + " |")
        }
    }

    func finish(in run: RowContext) throws {
        switch format {
        case .table:
            if widths == nil && !pending.isEmpty { try flushPending(run) }
        case .json:
            try array.finish(run.output)
        case .csv:
            if count == 0 { try run.output.emit(columns.map { Self.csvField($0.name) }.joined(separator: ",")) }
        case .markdown, .ndjson:
            break
        }
    }

    private func objectValue(_ values: [JSONValue?]) -> JSONValue {
        var object: JSONObject = [:]
        for (column, value) in zip(columns, values) { object[column.name] = value ?? .null }
        return .object(object)
    }

    /// Sizes the columns from the rows held back and prints them with the header.
    private func flushPending(_ run: RowContext) throws {
        var sizes = columns.map { $0.name.count }
        for cells in pending {
            for (index, cell) in cells.enumerated() { sizes[index] = max(sizes[index], Self.displayWidth(cell)) }
        }
        widths = sizes
        let out = run.shell.out
        let header = Self.pad(columns.map(\.name), sizes)
        try run.output.emit(out.styled(header, .bold))
        for cells in pending { try emitTableRow(cells, run) }
        pending = []
    }

    private func emitTableRow(_ cells: [String], _ run: RowContext) throws {
        try run.output.emit(Self.pad(cells.map { $0.replacingOccurrences(of: "\n", with: " ") }, widths ?? []))
    }

    static func pad(_ cells: [String], _ widths: [Int]) -> String {
        var line = ""
        for (index, cell) in cells.enumerated() {
            if index > 0 { line += "  " }
            line += cell
            if index < cells.count - 1, index < widths.count {
                line += String(repeating: " ", count: max(0, widths[index] - displayWidth(cell)))
            }
        }
        return line
    }

    static func displayWidth(_ text: String) -> Int { text.count }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: "<br>")
    }
}

/// One piece of a `format` template: literal text or a `{path}`.
enum TemplatePiece: Hashable {
    case text(String)
    case path(Path)
}

/// The output forms of `format`.
enum FormatStyle {
    /// A template such as `{name} {id}`.
    case template([TemplatePiece])
    /// A JSON array of nodes (the export form).
    case json
    /// One node per line, compact JSON.
    case ndjson
    /// A YAML sequence of nodes.
    case yaml
}

/// `format` and `dump`: each node through a template or as JSON/YAML.
final class FormatSink: NodeSink {
    var printsRows: Bool { true }
    var paths: [Path] {
        guard case .template(let pieces) = style else { return [] }
        return pieces.compactMap { piece in
            if case .path(let path) = piece { return path }
            return nil
        }
    }
    let style: FormatStyle
    let pretty: Bool
    var count = 0
    let array = JSONArrayLines()

    init(style: FormatStyle, pretty: Bool = false) {
        self.style = style
        self.pretty = pretty
    }

    func consume(_ row: ResultRow, in run: RowContext) throws {
        defer { count += 1 }
        switch style {
        case .template(let pieces):
            var line = ""
            for piece in pieces {
                switch piece {
                case .text(let text): line += text
                case .path(let path):
                    let value = try run.value(path, of: row)
                    line += value.map { $0 == .null ? "null" : ValueRendering.cell($0) } ?? "null"
                }
            }
            try run.output.emit(line)
        case .json:
            try array.append(NodeValues.json(of: row.node), to: run.output)
        case .ndjson:
            try run.output.emit(ValueRendering.json(NodeValues.json(of: row.node), indent: pretty ? 2 : 0))
        case .yaml:
            let text = ValueRendering.yaml(.array([NodeValues.json(of: row.node)]))
            try run.output.emit(String(text.dropLast()))
        }
    }

    func finish(in run: RowContext) throws {
        if case .json = style { try array.finish(run.output) }
        if case .yaml = style, count == 0 { try run.output.emit("[]") }
    }

    /// Parses a template: `{path}` placeholders, `{{` and `}}` for literal braces.
    static func parseTemplate(_ text: String, at position: SourcePosition) throws(ShellError) -> [TemplatePiece] {
        var pieces: [TemplatePiece] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            let next = text.index(after: index)
            if char == "{" && next < text.endIndex && text[next] == "{" {
                literal.append("{"); index = text.index(after: next); continue
            }
            if char == "}" && next < text.endIndex && text[next] == "}" {
                literal.append("}"); index = text.index(after: next); continue
            }
            if char == "{" {
                guard let close = text[next...].firstIndex(of: "}") else {
                    throw ShellError("format: '{' without a closing '}'", at: position)
                }
                let pathText = String(text[next..<close])
                let path: Path
                do {
                    path = try QueryParser.parsePath(pathText)
                } catch {
                    throw ShellError("format: bad path '{\(pathText)}': \(error.summary)", at: position)
                }
                if !literal.isEmpty { pieces.append(.text(literal)); literal = "" }
                pieces.append(.path(path))
                index = text.index(after: close)
                continue
            }
            literal.append(char)
            index = next
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        return pieces
    }
}

/// `clean`, `protect`, `unprotect`: collect the nodes as they stream, print each, then merge
/// the keys into their `desired` / `metadata` in one transaction.
final class MarkSink: NodeSink {
    var printsRows: Bool { false }
    var paths: [Path] { table.paths }
    let verb: String
    let desired: JSONObject
    let metadata: JSONObject
    let table = ListSink(columns: Array(Column.defaults.prefix(3)) + [Column.defaults[5]], format: .table)
    var ids: [String] = []

    init(verb: String, desired: JSONObject, metadata: JSONObject) {
        self.verb = verb
        self.desired = desired
        self.metadata = metadata
    }

    func consume(_ row: ResultRow, in run: RowContext) throws {
        ids.append(row.node.id)
        try table.consume(row, in: run)
    }

    func finish(in run: RowContext) async throws {
        try table.finish(in: run)
        let store = try await run.shell.store()
        let found = try await store.mark(ids: ids, desired: desired, metadata: metadata, now: run.now)
        try run.output.emit("\(verb) \(found) node\(found == 1 ? "" : "s")")
    }
}

/// A JSON array written as its elements stream: `[`, each element indented with a comma after
/// all but the last (one element is held back to know), `]`.
final class JSONArrayLines {
    private var pending: String?
    private var started = false

    func append(_ value: JSONValue, to output: LineOutput) throws {
        if !started {
            try output.emit("[")
            started = true
        }
        if let pending { try output.emit(pending + ",") }
        pending = ValueRendering.json(value, indent: 2)
            .split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }

    func finish(_ output: LineOutput) throws {
        guard started else {
            try output.emit("[]")
            return
        }
        if let pending { try output.emit(pending) }
        try output.emit("]")
    }
}
