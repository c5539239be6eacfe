import Foundation
import SiftQuery

// The shell's commands declared as data, the way swift-argument-parser declares a command line:
// each option and argument once, with its help and where Tab finds its values. Parsing (with the
// position of every word for error carets), `help`, the synopsis, the man page and completion are
// all derived from these declarations, so they cannot drift apart.

/// Where Tab finds the values of an option or an argument.
public enum ValueCandidates: Sendable, Hashable {
    /// Nothing to offer (free text, numbers).
    case none
    /// A fixed list (formats, severities, workflow names).
    case fixed([String])
    /// The ids of the posture checks.
    case checkIds
    /// The ids of the stored jobs.
    case jobIds
    /// The configuration's keys.
    case configKeys
    /// `key=` for each configuration key.
    case configAssignments
    /// The kinds of the kind model.
    case kinds
    /// The shell's command names.
    case commands
    /// File names.
    case files
    /// A query: properties of the kinds in scope, kinds and keywords.
    case query
    /// Property paths of the results (after `count`, `list`, `sort`, `format`).
    case propertyPaths
}

/// One option of a command: its spellings, its value and its help, declared once.
public struct OptionSpec: Sendable, Hashable {
    /// Whether the option takes a value, and how often it may be given.
    public enum Kind: Sendable, Hashable {
        /// No value: present or not.
        case flag
        /// One value, at most once.
        case single
        /// One value each time; may be given again.
        case repeatable
    }

    /// The spellings, the main one first (`--severity`, `-s`).
    public var names: [String]
    /// Flag, single value or repeatable.
    public var kind: Kind
    /// The value's name in usage (`S`, `FILE`), empty for a flag.
    public var valueName: String
    /// One line saying what it does.
    public var help: String
    /// More, for the man page (the `sift` command line's options).
    public var discussion: String
    /// Where Tab finds its values.
    public var candidates: ValueCandidates
    /// Whether the command refuses to run without it.
    public var isRequired: Bool

    /// Creates an option.
    public init(names: [String], kind: Kind, valueName: String = "", help: String, discussion: String = "",
                candidates: ValueCandidates = .none, isRequired: Bool = false) {
        precondition(!names.isEmpty, "an option needs a name")
        self.names = names
        self.kind = kind
        self.valueName = valueName
        self.help = help
        self.discussion = discussion
        self.candidates = candidates
        self.isRequired = isRequired
    }

    /// A flag (`--include-protected`).
    public static func flag(_ names: String..., help: String) -> OptionSpec {
        OptionSpec(names: names, kind: .flag, help: help)
    }

    /// An option with one value (`--format F`).
    public static func single(_ names: String..., value: String, help: String, candidates: ValueCandidates = .none,
                              required: Bool = false) -> OptionSpec {
        OptionSpec(names: names, kind: .single, valueName: value, help: help, candidates: candidates, isRequired: required)
    }

    /// An option that may be given more than once (`--param k=v`).
    public static func repeatable(_ names: String..., value: String, help: String, candidates: ValueCandidates = .none) -> OptionSpec {
        OptionSpec(names: names, kind: .repeatable, valueName: value, help: help, candidates: candidates)
    }

    /// The main spelling.
    public var name: String { names[0] }

    /// Whether it takes a value.
    public var takesValue: Bool { kind != .flag }

    /// The option as listed in help: `--severity, -s S`.
    public var usage: String {
        names.joined(separator: ", ") + (takesValue ? " " + valueName : "")
    }

    /// The option as written in a usage line: `[--severity S]`, `--id ID`, `[--param k=v ...]`.
    public var synopsis: String {
        let core = name + (takesValue ? " " + valueName : "") + (kind == .repeatable ? " ..." : "")
        return isRequired ? core : "[" + core + "]"
    }
}

/// One positional argument of a command.
public struct ArgumentSpec: Sendable, Hashable {
    /// How many words it takes.
    public enum Arity: Sendable, Hashable {
        /// Exactly one.
        case required
        /// None or one.
        case optional
        /// Any number.
        case zeroOrMore
        /// At least one.
        case oneOrMore
    }

    /// The name in usage (`ID`, `key=value`).
    public var name: String
    /// How many words it takes.
    public var arity: Arity
    /// One line saying what it is.
    public var help: String
    /// Where Tab finds its values.
    public var candidates: ValueCandidates

    /// Creates an argument.
    public init(_ name: String, _ arity: Arity = .required, help: String, candidates: ValueCandidates = .none) {
        self.name = name
        self.arity = arity
        self.help = help
        self.candidates = candidates
    }

    /// The argument as written in a usage line: `ID`, `[key]`, `[ID...]`, `key=value ...`.
    public var synopsis: String {
        switch arity {
        case .required: return name
        case .optional: return "[" + name + "]"
        case .zeroOrMore: return "[" + name + " ...]"
        case .oneOrMore: return name + " ..."
        }
    }
}

/// Turns a command's parsed arguments into its pipeline step.
public typealias StepMaker = @Sendable (ParsedArguments) throws(ShellError) -> PipelineStep

/// A command or subcommand: its name, help, options, arguments and subcommands, and what it makes.
public struct CommandSpec: Sendable {
    /// The word that names it.
    public var name: String
    /// One line saying what it does.
    public var summary: String
    /// More detail and examples, shown by `help NAME` and in the man page.
    public var discussion: String
    /// Its options (of a command without subcommands).
    public var options: [OptionSpec]
    /// Its positional arguments (of a command without subcommands).
    public var arguments: [ArgumentSpec]
    /// Its subcommands (`check run`); then it has no options or arguments of its own.
    public var subcommands: [CommandSpec]
    /// The subcommand run when none is given (`jobs` is `jobs list`), if any.
    public var defaultSubcommand: String?
    /// Its arguments are text the command reads itself (a query, a sort clause): no option parsing.
    public var argumentsAreText: Bool
    /// Whether `-5` is a positional word (`head -5`) rather than an unknown option.
    public var acceptsNegativeNumbers: Bool
    /// What it makes of its arguments (nil for a command with subcommands).
    public var make: StepMaker?

    /// Creates a command without subcommands.
    public init(name: String, summary: String, discussion: String = "", options: [OptionSpec] = [],
                arguments: [ArgumentSpec] = [], argumentsAreText: Bool = false, acceptsNegativeNumbers: Bool = false,
                make: @escaping StepMaker) {
        self.name = name
        self.summary = summary
        self.discussion = discussion
        self.options = options
        self.arguments = arguments
        self.subcommands = []
        self.defaultSubcommand = nil
        self.argumentsAreText = argumentsAreText
        self.acceptsNegativeNumbers = acceptsNegativeNumbers
        self.make = make
    }

    /// Creates a command with subcommands.
    public init(name: String, summary: String, discussion: String = "", subcommands: [CommandSpec],
                defaultSubcommand: String? = nil) {
        precondition(!subcommands.isEmpty, "a command of subcommands needs one")
        self.name = name
        self.summary = summary
        self.discussion = discussion
        self.options = []
        self.arguments = []
        self.subcommands = subcommands
        self.defaultSubcommand = defaultSubcommand
        self.argumentsAreText = false
        self.acceptsNegativeNumbers = false
        self.make = nil
    }

    /// The subcommand of that name.
    public func subcommand(_ name: String) -> CommandSpec? {
        subcommands.first { $0.name == name }
    }

    /// The option with this spelling.
    public func option(named name: String) -> OptionSpec? {
        options.first { $0.names.contains(name) }
    }

    /// Every command under this one that runs (itself when it has no subcommands), with its words
    /// (`["check", "run"]`).
    public var leaves: [(path: [String], spec: CommandSpec)] {
        guard !subcommands.isEmpty else { return [([name], self)] }
        return subcommands.flatMap { sub in sub.leaves.map { ([name] + $0.path, $0.spec) } }
    }

    // MARK: Usage

    /// The usage of a command without subcommands after its words: options, then arguments.
    public var argumentSynopsis: String {
        (options.map(\.synopsis) + arguments.map(\.synopsis)).joined(separator: " ")
    }

    /// A short usage for lists: `count [path]`, `check list|show|run|history ...` (`jobs SUBCOMMAND ...`
    /// when the names are many),
    /// `collect [options]` when the options would make it long.
    public var synopsis: String {
        if !subcommands.isEmpty {
            let names = subcommands.map(\.name).joined(separator: "|")
            return name + " " + (names.count <= 30 ? names : "SUBCOMMAND") + " ..."
        }
        var full = name
        if !argumentSynopsis.isEmpty { full += " " + argumentSynopsis }
        guard full.count > 48 else { return full }
        return ([name, "[options]"] + arguments.map(\.synopsis)).joined(separator: " ")
    }

    /// Full usage lines, one per runnable (sub)command: `check run [--severity S] ... [ID ...]`.
    public var usageLines: [String] {
        leaves.map { leaf in
            let words = leaf.path.joined(separator: " ")
            return leaf.spec.argumentSynopsis.isEmpty ? words : words + " " + leaf.spec.argumentSynopsis
        }
    }

    /// The text `help NAME` prints: usage, summary, each subcommand with its options and
    /// arguments, then the discussion. `parents` are the words before this (sub)command's name
    /// (`["check"]` for `help check run`).
    public func helpText(parents: [String] = []) -> String {
        var text = "usage: " + usageLines.map { (parents + [$0]).joined(separator: " ") }.joined(separator: "\n       ") + "\n"
        text += summary + "\n"
        var entries: [(String, String)] = []
        for leaf in leaves {
            let prefix: String
            if subcommands.isEmpty {
                prefix = "  "
            } else {
                let line = (parents + leaf.path).joined(separator: " ")
                entries.append(("  " + line, leaf.spec.summary))
                prefix = "      "
            }
            for option in leaf.spec.options {
                entries.append((prefix + option.usage, option.help + (option.isRequired ? " (required)" : "")))
            }
            for argument in leaf.spec.arguments where !argument.help.isEmpty {
                entries.append((prefix + argument.name, argument.help))
            }
        }
        if !entries.isEmpty {
            let width = min(34, entries.map(\.0.count).max() ?? 0)
            text += "\n"
            for (left, right) in entries {
                if left.count > width {
                    text += left + "\n" + String(repeating: " ", count: width + 2) + right + "\n"
                } else {
                    text += left.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + right + "\n"
                }
            }
        }
        if !discussion.isEmpty { text += "\n" + discussion + "\n" }
        return text
    }

    // MARK: Parsing

    /// Parses a segment's words against this command: subcommand, options (with their values'
    /// positions), positionals; errors name the command and sit at the offending word.
    public func parse(_ segment: CommandSegment) throws(ShellError) -> (spec: CommandSpec, arguments: ParsedArguments) {
        var spec = self
        var path = [name]
        var words = segment.words[...]
        while !spec.subcommands.isEmpty {
            let label = path.joined(separator: " ")
            let names = spec.subcommands.map(\.name)
            let list = names.dropLast().joined(separator: ", ") + (names.count > 1 ? " or " : "") + (names.last ?? "")
            guard let first = words.first else {
                if let fallback = spec.defaultSubcommand.flatMap(spec.subcommand) {
                    spec = fallback
                    path.append(fallback.name)
                    break
                }
                throw ShellError("\(label): \(list) expected (see 'help \(label)')", at: segment.rawPosition)
            }
            guard !first.quoted, let sub = spec.subcommand(first.text) else {
                var message = "\(label): unknown subcommand '\(first.text)'"
                if let near = Suggestion.closest(to: first.text, among: names, within: .proportional) {
                    message += ", did you mean '\(near)'?"
                }
                throw ShellError(message + " (\(list))", at: first.position)
            }
            words.removeFirst()
            spec = sub
            path.append(sub.name)
        }
        let label = path.joined(separator: " ")
        let helpTopic = "see 'help \(path.joined(separator: " "))'"
        var parsed = ParsedArguments(command: label, segment: segment, declared: Set(spec.options.flatMap(\.names)))
        if spec.argumentsAreText {
            parsed.positionals = Array(words)
            return (spec, parsed)
        }
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            index += 1
            let isOption = !word.quoted && word.text.hasPrefix("-") && word.text.count > 1
                && !(spec.acceptsNegativeNumbers && Int(word.text) != nil)
            guard isOption else {
                parsed.positionals.append(word)
                continue
            }
            var value: Word?
            var option = spec.option(named: word.text)
            if option == nil, let equals = word.text.firstIndex(of: "="),
               let named = spec.option(named: String(word.text[..<equals])), named.takesValue {
                option = named
                let offset = word.text.distance(from: word.text.startIndex, to: equals) + 1
                value = Word(String(word.text[word.text.index(after: equals)...]),
                             at: SourcePosition(line: word.position.line, column: word.position.column + offset))
            }
            guard let option else {
                let spelling = String(word.text.prefix { $0 != "=" })
                var message = "\(label): unknown flag '\(word.text)' ("
                let all = spec.options.flatMap(\.names)
                if let near = Suggestion.closest(to: spelling, among: all, within: .proportional) {
                    message += "did you mean '\(near)'? "
                }
                throw ShellError(message + helpTopic + ")", at: word.position)
            }
            if option.takesValue && value == nil {
                guard index < words.endIndex else {
                    throw ShellError("\(label): \(word.text) needs a value (\(option.valueName))", at: word.position)
                }
                value = words[index]
                index += 1
            }
            if option.kind != .repeatable, parsed.values[option.name] != nil {
                throw ShellError("\(label): \(option.name) given twice", at: word.position)
            }
            parsed.values[option.name, default: []].append(value ?? word)
        }
        for option in spec.options where option.isRequired && parsed.values[option.name] == nil {
            throw ShellError("\(label): \(option.name) \(option.valueName) is required", at: segment.rawPosition)
        }
        let required = spec.arguments.filter { $0.arity == .required || $0.arity == .oneOrMore }.count
        let unbounded = spec.arguments.contains { $0.arity == .zeroOrMore || $0.arity == .oneOrMore }
        if !unbounded, parsed.positionals.count > spec.arguments.count {
            let extra = parsed.positionals[spec.arguments.count]
            throw ShellError("\(label): unexpected argument '\(extra.text)' (\(helpTopic))", at: extra.position)
        }
        if parsed.positionals.count < required {
            let missing = spec.arguments.filter { $0.arity == .required || $0.arity == .oneOrMore }[parsed.positionals.count]
            throw ShellError("\(label): \(missing.name) expected (\(helpTopic))", at: segment.rawPosition)
        }
        return (spec, parsed)
    }

    /// Parses the segment and makes the pipeline step of the (sub)command it names.
    public func step(for segment: CommandSegment) throws(ShellError) -> PipelineStep {
        let (spec, arguments) = try parse(segment)
        guard let make = spec.make else {
            throw ShellError("\(arguments.command): nothing to run", at: segment.position)
        }
        return try make(arguments)
    }
}

/// What the parser read from a command's words: option values and positionals, each with its position.
public struct ParsedArguments: Sendable {
    /// The command's words, for messages (`check run`).
    public var command: String
    /// The segment parsed (its raw text and positions, for commands that read text).
    public var segment: CommandSegment
    /// The positional words, in order.
    public var positionals: [Word] = []
    /// The values of the options given, by main name (a flag's value is its own word).
    var values: [String: [Word]] = [:]
    /// Every spelling the command declares (asking for another is a programming error).
    let declared: Set<String>

    init(command: String, segment: CommandSegment, declared: Set<String>) {
        self.command = command
        self.segment = segment
        self.declared = declared
    }

    private func lookup(_ name: String) -> [Word] {
        assert(declared.contains(name), "option \(name) is not declared by \(command)")
        return values[name] ?? []
    }

    /// Whether the flag was given.
    public func flag(_ name: String) -> Bool { !lookup(name).isEmpty }

    /// The flag's word, if given (for errors about it).
    public func flagWord(_ name: String) -> Word? { lookup(name).first }

    /// The value of a single option, if given.
    public func value(_ name: String) -> Word? { lookup(name).first }

    /// Every value of a repeatable option, in order.
    public func values(_ name: String) -> [Word] { lookup(name) }

    /// An option's whole-number value, if given.
    public func int(_ name: String) throws(ShellError) -> Int? {
        guard let word = value(name) else { return nil }
        guard let number = Int(word.text) else {
            throw ShellError("\(command): '\(word.text)' is not a whole number", at: word.position)
        }
        return number
    }

    /// The position just after the command's name, for errors about something missing.
    public var end: SourcePosition { segment.rawPosition }
}
