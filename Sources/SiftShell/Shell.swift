import Foundation
import LineEditing
import SiftQuery
import SiftStore

/// How the shell was started, from the command line.
public struct ShellOptions: Sendable {
    /// The database file.
    public var databasePath: String
    /// Run every line of a script even after one failed.
    public var keepGoing: Bool
    /// The AWS profile for `collect` (`--profile`).
    public var profile: String?
    /// The AWS endpoint for `collect` (`--endpoint`).
    public var endpoint: String?

    /// Creates options.
    public init(databasePath: String, keepGoing: Bool = false, profile: String? = nil, endpoint: String? = nil) {
        self.databasePath = databasePath
        self.keepGoing = keepGoing
        self.profile = profile
        self.endpoint = endpoint
    }
}

/// Where a line came from, for error messages.
public enum LineOrigin: Sendable, Hashable {
    /// Typed at the prompt or given on the command line.
    case interactive
    /// Line `line` of a script (`-` for standard input).
    case script(name: String, line: Int)
}

/// Runs shell lines: parses them with the line grammar, resolves commands, plans and runs
/// each pipeline, and reports errors on stderr as one line with the position.
public final class Shell {
    /// What the commands use.
    public let context: ShellContext
    /// The commands by name.
    public let registry: CommandRegistry

    /// Creates a shell.
    public init(context: ShellContext, registry: CommandRegistry = .standard) {
        self.context = context
        self.registry = registry
    }

    /// Runs one line (one or more pipelines). Returns whether every pipeline succeeded;
    /// the first failing pipeline stops the line.
    @discardableResult
    public func run(line: String, origin: LineOrigin = .interactive) async -> Bool {
        do {
            let pipelines: [PipelineSyntax]
            do {
                pipelines = try LineGrammar.parse(line)
            } catch {
                throw ShellError(error)
            }
            for pipeline in pipelines {
                try context.checkNotInterrupted()
                try await run(pipeline)
            }
            context.out.flush()
            return true
        } catch {
            context.out.flush()
            report(error, origin: origin, source: line)
            return false
        }
    }

    /// Runs a script's text line by line. Returns whether every line succeeded; stops at the
    /// first failure unless `keepGoing`.
    public func runScript(_ text: String, name: String) async -> Bool {
        var ok = true
        for scriptLine in ScriptReader.lines(of: text) {
            if await !run(line: scriptLine.text, origin: .script(name: name, line: scriptLine.firstLine)) {
                ok = false
                if !context.options.keepGoing { break }
            }
        }
        return ok
    }

    /// Prints an error on stderr: one line saying where and what, then (when it has a position)
    /// the line of `source` it belongs to and a caret under the spot, on every output (terminals,
    /// pipes, CI logs), as compilers and psql do. Colour stays terminal-only.
    public func report(_ error: Error, origin: LineOrigin, source: String? = nil) {
        let shellError = error as? ShellError ?? ShellError(context.describe(error))
        let text: String
        switch origin {
        case .interactive:
            if let position = shellError.position {
                text = "error at \(position): \(shellError.message)"
            } else {
                text = "error: \(shellError.message)"
            }
        case .script(let name, let line):
            if let position = shellError.position {
                text = "\(name):\(line + position.line - 1):\(position.column): \(shellError.message)"
            } else {
                text = "\(name):\(line): \(shellError.message)"
            }
        }
        // After Ctrl-C the terminal has echoed "^C" without a newline.
        let lead = shellError.message == "interrupted" && context.err.isTerminal ? "\n" : ""
        context.err.line(lead + context.err.styled(text, .red))
        if let source, let position = shellError.position {
            for caretLine in Self.caretLines(source: source, at: position) {
                context.err.line(caretLine)
            }
        }
        context.err.flush()
    }

    /// The source line a position points into and a caret under its column (tabs kept, two
    /// blanks under a wide character, so the caret lines up); nothing when the position lies
    /// outside the source.
    static func caretLines(source: String, at position: SourcePosition) -> [String] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard position.line >= 1, position.line <= lines.count else { return [] }
        var line = lines[position.line - 1]
        if line.hasSuffix("\r") { line = line.dropLast() }
        guard position.column >= 1, position.column <= line.count + 1 else { return [] }
        // A long line is shown around the spot (`caretWindow` characters each side), so that a
        // huge generated query does not flood the error output.
        var shown = Array(line)
        var column = position.column
        var lead = ""
        if shown.count > 2 * caretWindow {
            let start = max(0, column - 1 - caretWindow)
            let end = min(shown.count, column - 1 + caretWindow)
            lead = start > 0 ? "..." : ""
            let tail = end < shown.count ? "..." : ""
            shown = Array(lead) + Array(shown[start..<end]) + Array(tail)
            column = column - start + lead.count
        }
        let padding = shown.prefix(column - 1).map { $0 == "\t" ? "\t" : String(repeating: " ", count: DisplayWidth.of($0)) }.joined()
        return ["  " + String(shown), "  " + padding + "^"]
    }

    /// How many characters of a long line the caret display shows on each side of the spot.
    static let caretWindow = 80

    /// Checks a line without running it or opening the database: its grammar, its commands and
    /// their arguments, and each search's query (parsed, planned and compiled). Throws the first
    /// error, placed in `line` (`jobs add` refuses a bad job line this way).
    public func check(line: String) async throws {
        let pipelines: [PipelineSyntax]
        do {
            pipelines = try LineGrammar.parse(line)
        } catch {
            throw ShellError(error)
        }
        for pipeline in pipelines {
            let steps = try resolve(pipeline)
            guard case .query(let source)? = steps.first?.0 else { continue }
            let query = QueryPipeline(source: source, steps: Array(steps.dropFirst()), context: context)
            let plan = try query.plan()
            try await query.validate(plan.query)
        }
    }

    /// The steps of a pipeline: each segment's command, made from its arguments.
    func resolve(_ pipeline: PipelineSyntax) throws -> [(PipelineStep, CommandSegment)] {
        var steps: [(PipelineStep, CommandSegment)] = []
        for segment in pipeline.commands {
            guard let command = registry.command(named: segment.name) else {
                var message = "unknown command '\(segment.name)'"
                if let near = registry.suggestion(for: segment.name) {
                    message += " (did you mean '\(near)'?)"
                } else {
                    message += " (type 'help' for the list)"
                }
                throw ShellError(message, at: segment.position)
            }
            steps.append((try command.spec.step(for: segment), segment))
        }
        return steps
    }

    /// Resolves, plans and runs one pipeline.
    func run(_ pipeline: PipelineSyntax) async throws {
        let steps = try resolve(pipeline)
        guard let (first, firstSegment) = steps.first else { return }
        switch first {
        case .standalone(let command):
            if steps.count > 1, let producer = command as? ResultProducingCommand {
                let source = QuerySource(text: try await producer.produce(in: context), segment: firstSegment)
                try await QueryPipeline(source: source, steps: Array(steps.dropFirst()), context: context).run()
                return
            }
            if steps.count > 1 {
                let next = steps[1].1
                throw ShellError("'\(firstSegment.name)' produces no search results to pipe into '\(next.name)'", at: next.position)
            }
            try await command.run(in: context)
        case .query(let source):
            try await QueryPipeline(source: source, steps: Array(steps.dropFirst()), context: context).run()
        case .sort, .limit, .head, .tail, .count, .uniq, .sink:
            throw ShellError("'\(firstSegment.name)' needs search results: use 'search QUERY | \(firstSegment.name)'", at: firstSegment.position)
        }
    }
}

/// The commands the shell knows, by name.
public struct CommandRegistry: Sendable {
    /// The command types.
    public private(set) var commands: [String: any ShellCommand.Type] = [:]

    /// Creates a registry of these commands.
    public init(_ types: [any ShellCommand.Type]) {
        for type in types { commands[type.spec.name] = type }
    }

    /// Adds (or replaces) a command.
    public mutating func register(_ type: any ShellCommand.Type) {
        commands[type.spec.name] = type
    }

    /// The command of that name.
    public func command(named name: String) -> (any ShellCommand.Type)? {
        commands[name]
    }

    /// Every command's declaration, sorted by name.
    public var specs: [CommandSpec] {
        commands.values.map { $0.spec }.sorted { $0.name < $1.name }
    }

    /// A known command close to a mistyped name.
    public func suggestion(for name: String) -> String? {
        Suggestion.closest(to: name, among: Array(commands.keys), within: .proportional)
    }
}
