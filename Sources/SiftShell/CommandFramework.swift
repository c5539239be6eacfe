import Foundation
import SiftQuery

/// The help text of a command.
public struct CommandInfo: Sendable, Hashable {
    /// The name typed to run it.
    public var name: String
    /// The usage line, e.g. `count [path]`.
    public var synopsis: String
    /// One line saying what it does.
    public var summary: String
    /// More detail and examples, shown by `help NAME`.
    public var details: String

    /// Creates the help of a command.
    public init(name: String, synopsis: String, summary: String, details: String = "") {
        self.name = name
        self.synopsis = synopsis
        self.summary = summary
        self.details = details
    }
}

/// A shell command: a plain type with its help that turns its arguments into a pipeline step.
public protocol ShellCommand: SendableMetatype {
    /// Name and help.
    static var info: CommandInfo { get }
    /// Reads the command's arguments (and rejects bad ones with their position).
    static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep
}

/// A command that runs on its own and takes no search results (help, import, generate, ...).
public protocol StandaloneCommand {
    /// Runs the command.
    func run(in context: ShellContext) async throws
}

/// What a command is in a pipeline. The pipeline folds sort, limit, head, tail and count into
/// the compiled SQL; the rest consume the rows as they stream.
public enum PipelineStep {
    /// Runs alone; nothing may be piped into or out of it.
    case standalone(any StandaloneCommand)
    /// Produces nodes from a query (`search QUERY`).
    case query(QuerySource)
    /// Sort the results (folded into the query's last part).
    case sort([Sort])
    /// Skip and keep rows (folded into the query's last part).
    case limit(Limit)
    /// Keep the first N rows (folded into the SQL).
    case head(Int)
    /// Keep the last N rows (folded into the SQL).
    case tail(Int)
    /// Count the results, by the values of a path (folded into the SQL).
    case count(Path?)
    /// Drop repeated results (nodes are distinct already; repeated text lines go).
    case uniq
    /// Consumes the rows: prints them, marks them.
    case sink(any NodeSink)
}

/// Where a query's text comes from: what `search` (and later `check run`) produce.
public struct QuerySource: Sendable {
    /// The query text as typed.
    public var text: String
    /// The command segment it came from, to map the query's error positions to the line.
    public var segment: CommandSegment

    /// Creates a query source.
    public init(text: String, segment: CommandSegment) {
        self.text = text
        self.segment = segment
    }
}

/// Reads a command's argument words: flags, options with a value, positionals.
public struct ArgumentReader {
    /// The command's name, for messages.
    public let command: String
    private var words: [Word]
    private let end: SourcePosition

    /// Creates a reader over a segment's words.
    public init(_ segment: CommandSegment) {
        self.command = segment.name
        self.words = segment.words
        self.end = segment.rawPosition
    }

    /// Whether any argument is left.
    public var isEmpty: Bool { words.isEmpty }

    /// Takes a flag (any of its spellings) if present.
    public mutating func flag(_ names: String...) -> Bool {
        guard let index = words.firstIndex(where: { !$0.quoted && names.contains($0.text) }) else { return false }
        words.remove(at: index)
        return true
    }

    /// Takes `--name VALUE` or `--name=VALUE` if present.
    public mutating func option(_ names: String...) throws(ShellError) -> Word? {
        for (index, word) in words.enumerated() where !word.quoted {
            if names.contains(word.text) {
                guard index + 1 < words.count else {
                    throw ShellError("\(command): \(word.text) needs a value", at: word.position)
                }
                let value = words[index + 1]
                words.removeSubrange(index...(index + 1))
                return value
            }
            for name in names where word.text.hasPrefix(name + "=") {
                words.remove(at: index)
                var value = word
                value.text = String(word.text.dropFirst(name.count + 1))
                value.position.column += name.count + 1
                return value
            }
        }
        return nil
    }

    /// Takes every `--name VALUE` occurrence.
    public mutating func repeatedOption(_ names: String...) throws(ShellError) -> [Word] {
        var values: [Word] = []
        while true {
            var found: Word?
            for name in names {
                if let value = try option(name) { found = value; break }
            }
            guard let value = found else { return values }
            values.append(value)
        }
    }

    /// Takes an option's integer value.
    public mutating func intOption(_ names: String...) throws(ShellError) -> Int? {
        var found: Word?
        for name in names {
            if let value = try option(name) { found = value; break }
        }
        guard let word = found else { return nil }
        guard let value = Int(word.text) else {
            throw ShellError("\(command): '\(word.text)' is not a whole number", at: word.position)
        }
        return value
    }

    /// The remaining words; an unquoted word starting with `-` (and not a number) is an unknown flag.
    public mutating func positionals(allowNegativeNumbers: Bool = false) throws(ShellError) -> [Word] {
        for word in words where !word.quoted && word.text.hasPrefix("-") && word.text.count > 1 {
            if allowNegativeNumbers, Int(word.text) != nil { continue }
            throw ShellError("\(command): unknown flag '\(word.text)' (see 'help \(command)')", at: word.position)
        }
        defer { words = [] }
        return words
    }

    /// Fails when arguments are left.
    public mutating func finish() throws(ShellError) {
        let rest = try positionals()
        if let first = rest.first {
            throw ShellError("\(command): unexpected argument '\(first.text)' (see 'help \(command)')", at: first.position)
        }
    }

    /// The position just after the command name, for errors about missing arguments.
    public var position: SourcePosition { end }
}
