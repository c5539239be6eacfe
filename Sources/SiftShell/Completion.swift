import Foundation
import SiftStore

/// What Tab offers at a spot of a line: command names at the start of a command; subcommands
/// and flags (from each command's synopsis); kinds inside `is(...)` and after `kinds`; in
/// queries, the properties of the kinds in scope (`is(access_key) and last_a` offers
/// `last_access`), kinds and keywords; property paths after `count`, `list`, `sort`; config keys,
/// check ids, job ids; file paths after `import`, `export`, `-f` and `--output`. Pure but for
/// the job ids and paths, which come from the closures it is given.
public struct CompletionProvider: Sendable {
    /// The commands' help: names, and subcommands and flags read from their synopses.
    public var commands: [CommandInfo]
    /// Kind names of the kind model.
    public var kinds: [String]
    /// Every property name of the kind model.
    public var properties: [String]
    /// The properties of one kind, inherited ones included (for the kinds in scope).
    public var propertiesOfKind: @Sendable (String) -> [String]
    /// Config keys (`config show|set`).
    public var configKeys: [String]
    /// Check ids (`check show|run`).
    public var checkIds: [String]
    /// Job ids (`jobs show|delete|...`), asked when needed.
    public var jobIds: @Sendable () -> [String]
    /// File names that start with a typed path.
    public var paths: @Sendable (String) -> [String]

    /// The query language's keywords.
    public static let keywords = [
        "all", "and", "or", "not", "in", "is(", "id(", "has_key(", "with(", "any", "empty", "count",
        "sort", "limit", "asc", "desc", "true", "false", "null", "age", "last_access", "last_update",
        "/desired.", "/metadata.", "/reported.", "/ancestors.", "/descendants.",
    ]

    /// Commands whose arguments are a query.
    static let queryCommands: Set<String> = ["search", "explain", "parse"]
    /// Commands whose arguments are property paths.
    static let pathCommands: Set<String> = ["count", "list", "format", "sort"]
    /// Commands whose first argument is a file.
    static let fileCommands: Set<String> = ["import", "export"]
    /// Flags whose value is a file.
    static let fileFlags: Set<String> = ["-f", "--output"]
    /// Characters that end a word for completion (a word may hold `.`, `/`, `-`, `_`, `:`).
    static let wordBreaks: Set<Character> = [" ", "\t", "\n", "(", ")", "[", "]", "{", "}", ",", "|", ";", "=", "<", ">", "!", "~", "\"", "'", "`"]

    /// Creates a provider from plain lists (kinds in scope then offer every property).
    public init(commands: [String], kinds: [String], properties: [String]) {
        self.init(
            commands: commands.map { CommandInfo(name: $0, synopsis: $0, summary: "") }, kinds: kinds, properties: properties,
            propertiesOfKind: { _ in properties }, configKeys: [], checkIds: [], jobIds: { [] }, paths: { _ in [] })
    }

    /// Creates a provider.
    public init(
        commands: [CommandInfo], kinds: [String], properties: [String], propertiesOfKind: @escaping @Sendable (String) -> [String],
        configKeys: [String], checkIds: [String], jobIds: @escaping @Sendable () -> [String], paths: @escaping @Sendable (String) -> [String]
    ) {
        self.commands = commands
        self.kinds = kinds
        self.properties = properties
        self.propertiesOfKind = propertiesOfKind
        self.configKeys = configKeys
        self.checkIds = checkIds
        self.jobIds = jobIds
        self.paths = paths
    }

    /// The word before the cursor and the candidates for it: `(start of the word, candidates)`,
    /// `cursor` in characters.
    public func complete(line: String, cursor: Int) -> (replaceFrom: Int, candidates: [String]) {
        let characters = Array(line.prefix(cursor))
        var start = characters.count
        while start > 0 && !Self.wordBreaks.contains(characters[start - 1]) { start -= 1 }
        let prefix = String(characters[start...])
        return (start, candidates(line: String(characters), wordStart: start, prefix: prefix))
    }

    /// The candidates for the word `prefix`, which starts at character offset `wordStart` of `line`.
    public func candidates(line: String, wordStart: Int, prefix: String) -> [String] {
        let before = String(line.prefix(wordStart))
        let segment = Self.currentSegment(before)
        let words = segment.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        let pool: [String]
        if words.isEmpty {
            pool = commands.map(\.name)
        } else {
            let command = words[0]
            let info = commands.first { $0.name == command }
            let previous = words.last ?? ""
            if Self.fileFlags.contains(previous) || (Self.fileCommands.contains(command) && words.count == 1) {
                pool = paths(prefix)
            } else if prefix.hasPrefix("-"), let info {
                pool = Self.flags(of: info)
            } else if command == "help" {
                pool = commands.map(\.name)
            } else if command == "kinds" || Self.insideIsCall(segment) {
                pool = kinds
            } else if Self.queryCommands.contains(command) {
                pool = queryProperties(segment) + kinds + Self.keywords
            } else if Self.pathCommands.contains(command) {
                pool = queryProperties(Self.queryText(before)) + ["age", "last_access", "last_update", "account", "cloud", "/desired.", "/metadata.", "/ancestors."]
            } else if let info, words.count == 1 {
                pool = Self.subcommands(of: info)
            } else {
                pool = arguments(command: command, subcommand: words.count > 1 ? words[1] : "", count: words.count)
            }
        }
        var seen = Set<String>()
        return pool.filter { $0.hasPrefix(prefix) && seen.insert($0).inserted }.sorted()
    }

    /// Candidates for a subcommand's arguments: config keys, check ids, job ids.
    func arguments(command: String, subcommand: String, count: Int) -> [String] {
        switch (command, subcommand) {
        case ("config", "show"): return count == 2 ? configKeys : []
        case ("config", "set"): return configKeys.map { $0 + "=" }
        case ("check", "show"): return count == 2 ? checkIds : []
        case ("check", "run"): return checkIds
        case ("jobs", "show"), ("jobs", "delete"), ("jobs", "activate"), ("jobs", "deactivate"), ("jobs", "run"):
            return count == 2 ? jobIds() : []
        case ("workflow", "run"): return count == 2 ? ["collect", "cleanup", "collect_and_cleanup"] : []
        default: return []
        }
    }

    /// The properties of the kinds named by `is(...)` in the text; every property when none is named.
    func queryProperties<S: StringProtocol>(_ text: S) -> [String] {
        let named = Self.kindsInScope(String(text)).filter { kinds.contains($0) }
        guard !named.isEmpty else { return properties }
        return Array(Set(named.flatMap { propertiesOfKind($0) }))
    }

    /// The kinds named in `is(a, b)` calls of a text.
    static func kindsInScope(_ text: String) -> [String] {
        var result: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "is(") {
            let after = rest[open.upperBound...]
            let inside = after.prefix(while: { $0 != ")" })
            result += inside.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            rest = after[inside.endIndex...]
        }
        return result
    }

    /// The text of the line's last `search` before a pipe (for the paths of `count`, `list`).
    static func queryText(_ before: String) -> Substring {
        guard let range = before.range(of: "search ", options: .backwards) else { return "" }
        return before[range.upperBound...]
    }

    /// Subcommands of a command, read from its synopsis (`config show [key] | set ... | edit`).
    static func subcommands(of info: CommandInfo) -> [String] {
        let rest = info.synopsis.dropFirst(info.name.count)
        var result: [String] = []
        var expectSubcommand = true
        for token in rest.split(whereSeparator: { $0 == " " }) {
            if token == "|" { expectSubcommand = true; continue }
            let names = token.split(separator: "|").map(String.init)
            if expectSubcommand && names.allSatisfy({ $0.allSatisfy { $0.isLowercase || $0 == "_" } && !$0.isEmpty }) {
                result += names
            }
            expectSubcommand = false
        }
        return result
    }

    /// Flags of a command, read from its synopsis and details (`--severity`, `-N` excluded).
    static func flags(of info: CommandInfo) -> [String] {
        let text = info.synopsis + " " + info.details
        var result: [String] = []
        var index = text.startIndex
        while let range = text.range(of: "--", range: index..<text.endIndex) {
            let name = text[range.lowerBound...].prefix(while: { $0.isLetter || $0 == "-" || $0 == "_" })
            if name.count > 2 { result.append(String(name)) }
            index = range.upperBound
        }
        return result
    }

    /// The text of the command being typed: after the last `|` or `;` outside quotes.
    static func currentSegment(_ text: String) -> Substring {
        var quote: Character?
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            if let open = quote {
                if char == open { quote = nil }
            } else if char == "'" || char == "\"" {
                quote = char
            } else if char == "|" || char == ";" {
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        return text[start...]
    }

    /// Whether the cursor is inside `is(` ... `)`.
    static func insideIsCall(_ segment: Substring) -> Bool {
        guard let open = segment.range(of: "is(", options: .backwards) else { return false }
        return !segment[open.upperBound...].contains(")")
    }

    /// File names starting with `prefix` (directories end in `/`), relative to the working directory.
    public static func filePaths(_ prefix: String) -> [String] {
        let expanded = prefix.hasPrefix("~/") ? NSHomeDirectory() + prefix.dropFirst(1) : prefix
        let directory: String
        let namePrefix: String
        if let slash = expanded.lastIndex(of: "/") {
            directory = String(expanded[...slash])
            namePrefix = String(expanded[expanded.index(after: slash)...])
        } else {
            directory = ""
            namePrefix = expanded
        }
        let shownDirectory = prefix.hasPrefix("~/") ? "~/" + directory.dropFirst(NSHomeDirectory().count + 1) : Substring(directory)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory) else { return [] }
        return names.filter { $0.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted().prefix(500).map { name in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: directory + name, isDirectory: &isDirectory)
            return String(shownDirectory) + name + (isDirectory.boolValue ? "/" : "")
        }
    }
}
