import Foundation
import SiftStore

/// What Tab offers at a spot of a line: command names at the start of a command; subcommands,
/// options and their values (from each command's `CommandSpec`); kinds inside `is(...)`; in
/// queries, the properties of the kinds in scope (`is(access_key) and last_a` offers
/// `last_access`), kinds and keywords; property paths after `count`, `list`, `sort`; config keys,
/// check ids, job ids; file paths after `import`, `export`, `-f` and `--output`. Pure but for
/// the job ids and paths, which come from the closures it is given.
public struct CompletionProvider: Sendable {
    /// The commands' declarations: names, subcommands, options, and where their values come from.
    public var commands: [CommandSpec]
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

    /// Characters that end a word for completion (a word may hold `.`, `/`, `-`, `_`, `:`).
    static let wordBreaks: Set<Character> = [" ", "\t", "\n", "(", ")", "[", "]", "{", "}", ",", "|", ";", "=", "<", ">", "!", "~", "\"", "'", "`"]

    /// Creates a provider from plain lists (kinds in scope then offer every property): the
    /// commands named are the standard registry's.
    public init(commands: [String], kinds: [String], properties: [String]) {
        self.init(
            commands: CommandRegistry.standard.specs.filter { commands.contains($0.name) }, kinds: kinds, properties: properties,
            propertiesOfKind: { _ in properties }, configKeys: [], checkIds: [], jobIds: { [] }, paths: { _ in [] })
    }

    /// Creates a provider.
    public init(
        commands: [CommandSpec], kinds: [String], properties: [String], propertiesOfKind: @escaping @Sendable (String) -> [String],
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
        } else if Self.insideIsCall(segment) {
            pool = kinds
        } else if let spec = commands.first(where: { $0.name == words[0] }) {
            pool = candidates(spec: spec, words: Array(words.dropFirst()), prefix: prefix, segment: segment, before: before)
        } else {
            pool = []
        }
        var seen = Set<String>()
        return pool.filter { $0.hasPrefix(prefix) && seen.insert($0).inserted }.sorted()
    }

    /// Candidates from a command's declaration: its subcommands, its options after `-`, an
    /// option's values after the option, else the values of the positional argument being typed.
    func candidates(spec command: CommandSpec, words: [String], prefix: String, segment: Substring, before: String) -> [String] {
        if command.argumentsAreText {
            return values(command.arguments.first?.candidates ?? .none, segment: segment, before: before, prefix: prefix)
        }
        var spec = command
        var rest = words[...]
        while !spec.subcommands.isEmpty, let first = rest.first, let sub = spec.subcommand(first) {
            spec = sub
            rest = rest.dropFirst()
        }
        if !spec.subcommands.isEmpty {
            return rest.isEmpty ? spec.subcommands.map(\.name) : []
        }
        if let previous = rest.last, let option = spec.option(named: previous), option.takesValue {
            return values(option.candidates, segment: segment, before: before, prefix: prefix)
        }
        // `--format=` with the cursor after the `=` (a word break): the option's values.
        if before.last == "=", let previous = rest.last, previous.hasSuffix("="),
           let option = spec.option(named: String(previous.dropLast())), option.takesValue {
            return values(option.candidates, segment: segment, before: before, prefix: prefix)
        }
        // `help check <Tab>`: the subcommands of the command asked about.
        if command.name == "help", rest.count == 1, let topic = commands.first(where: { $0.name == rest[rest.startIndex] }) {
            return topic.subcommands.map(\.name)
        }
        if prefix.hasPrefix("-"), !(spec.acceptsNegativeNumbers && prefix.dropFirst().allSatisfy(\.isNumber) && prefix.count > 1) {
            return spec.options.flatMap(\.names)
        }
        // Count the positionals before this word (option values are not).
        var index = 0
        var skipValue = false
        for word in rest {
            if skipValue { skipValue = false; continue }
            if let option = spec.option(named: word) {
                skipValue = option.takesValue
                continue
            }
            if word.hasPrefix("-"), spec.option(named: String(word.prefix { $0 != "=" })) != nil { continue }
            index += 1
        }
        guard !spec.arguments.isEmpty else { return [] }
        var argument = spec.arguments[min(index, spec.arguments.count - 1)]
        if index >= spec.arguments.count {
            guard let last = spec.arguments.last, last.arity == .zeroOrMore || last.arity == .oneOrMore else { return [] }
            argument = last
        }
        return values(argument.candidates, segment: segment, before: before, prefix: prefix)
    }

    /// The values a declaration points at.
    func values(_ candidates: ValueCandidates, segment: Substring, before: String, prefix: String) -> [String] {
        switch candidates {
        case .none: return []
        case .fixed(let list): return list
        case .checkIds: return checkIds
        case .jobIds: return jobIds()
        case .configKeys: return configKeys
        case .configAssignments: return configKeys.map { $0 + "=" }
        case .kinds: return kinds
        case .commands: return commands.map(\.name)
        case .files: return paths(prefix)
        case .query: return queryProperties(segment) + kinds + Self.keywords
        case .propertyPaths:
            return queryProperties(Self.queryText(before)) + ["age", "last_access", "last_update", "account", "cloud", "/desired.", "/metadata.", "/ancestors."]
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
