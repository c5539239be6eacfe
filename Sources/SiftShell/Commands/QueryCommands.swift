import Foundation
import SiftQuery
import SiftStore

/// `search QUERY`: the nodes matching a query; alone it lists every match.
public struct SearchCommand: ShellCommand {
    public static let spec = CommandSpec(
        name: "search", summary: "find nodes with a query; pipe them into other commands",
        discussion: """
        Examples:
          search is(access_key) and last_access > 90days <-- is(user) | count name
          search is(user) with(empty, --> is(access_key)) | list name, ctime
          search is(access_key) and access_key_status == Inactive | head -5
        Alone it lists every match (kind, id, name, age, last_access, account).
        """,
        arguments: [ArgumentSpec("QUERY", help: "", candidates: .query)], argumentsAreText: true
    ) { arguments throws(ShellError) in
        .query(QuerySource(text: arguments.segment.rawArguments, segment: arguments.segment))
    }
}

/// `explain QUERY`: the normalised query, the SQL with its bound values, SQLite's plan.
public struct ExplainCommand: ShellCommand, StandaloneCommand {
    public static let spec = CommandSpec(
        name: "explain", summary: "show the normalised query, its SQL and SQLite's plan",
        arguments: [ArgumentSpec("QUERY", help: "", candidates: .query)], argumentsAreText: true
    ) { arguments throws(ShellError) in
        .standalone(ExplainCommand(source: QuerySource(text: arguments.segment.rawArguments, segment: arguments.segment)))
    }

    let source: QuerySource

    public func run(in context: ShellContext) async throws {
        let query = try QueryPipeline.parse(source)
        let store = try await context.store()
        let text: String
        do {
            text = try await store.explain(query, kinds: context.kinds, now: Date())
        } catch let error as CompileError {
            throw QueryPipeline.shellError(error, source: source)
        }
        context.out.line(text)
    }
}

/// `parse QUERY`: the syntax check alone; prints the normalised query.
public struct ParseCommand: ShellCommand, StandaloneCommand {
    public static let spec = CommandSpec(
        name: "parse", summary: "check a query's syntax and print it normalised (no database)",
        arguments: [ArgumentSpec("QUERY", help: "", candidates: .query)], argumentsAreText: true
    ) { arguments throws(ShellError) in
        .standalone(ParseCommand(source: QuerySource(text: arguments.segment.rawArguments, segment: arguments.segment)))
    }

    let source: QuerySource

    public func run(in context: ShellContext) async throws {
        context.out.line(try QueryPipeline.parse(source).description)
    }
}

/// Parses one path argument, with the error at the word.
func parsePathWord(_ word: Word, command: String) throws(ShellError) -> Path {
    do {
        return try QueryParser.parsePath(word.text)
    } catch {
        throw ShellError("\(command): bad path '\(word.text)': \(error.summary)",
                         at: SourcePosition(line: word.position.line, column: word.position.column + max(0, error.column - 1)))
    }
}

/// `count [path]`: counts by value, folded into the SQL.
public struct CountCommand: ShellCommand {
    public static let spec = CommandSpec(
        name: "count", summary: "count the results, by the values of a path",
        discussion: """
        Prints one `value: N` line per value, ascending by count, then `total matched: N` and
        `total unmatched: M` (nodes where the path is missing). Runs inside the SQL.
        """,
        arguments: [ArgumentSpec("path", .optional, help: "count by the values of this path", candidates: .propertyPaths)]
    ) { arguments throws(ShellError) in
        .count(try arguments.positionals.first.map { word throws(ShellError) in try parsePathWord(word, command: "count") })
    }
}

/// `head [-N]` / `tail [-N]`: the first or last N results (default 10), folded into the SQL.
public struct HeadCommand: ShellCommand {
    public static let spec = countSpec(name: "head", summary: "keep the first N results (default 10)") { .head($0) }

    /// The declaration of `head` and `tail`: `-N`, `N` or `-n N`.
    static func countSpec(name: String, summary: String, step: @escaping @Sendable (Int) -> PipelineStep) -> CommandSpec {
        CommandSpec(
            name: name, summary: summary,
            options: [.single("-n", "--lines", value: "N", help: "how many results")],
            arguments: [ArgumentSpec("-N", .optional, help: "how many results (default 10)")],
            acceptsNegativeNumbers: true
        ) { arguments throws(ShellError) in
            step(try readCount(arguments))
        }
    }

    /// Reads `-N`, `N` or `-n N`.
    static func readCount(_ arguments: ParsedArguments) throws(ShellError) -> Int {
        let name = arguments.command
        if let count = try arguments.int("-n") {
            if let extra = arguments.positionals.first {
                throw ShellError("\(name): unexpected argument '\(extra.text)' (see 'help \(name)')", at: extra.position)
            }
            guard count >= 0 else { throw ShellError("\(name): the count must not be negative", at: arguments.end) }
            return count
        }
        guard let word = arguments.positionals.first else { return 10 }
        let digits = word.text.hasPrefix("-") ? String(word.text.dropFirst()) : word.text
        guard let count = Int(digits), count >= 0 else {
            throw ShellError("\(name): '\(word.text)' is not a count (write -N, e.g. -5)", at: word.position)
        }
        return count
    }
}

/// `tail [-N]`.
public struct TailCommand: ShellCommand {
    public static let spec = HeadCommand.countSpec(name: "tail", summary: "keep the last N results (default 10)") { .tail($0) }
}

/// `sort path [asc|desc], ...`: folded into the query's last part.
public struct SortCommand: ShellCommand {
    public static let spec = CommandSpec(
        name: "sort", summary: "sort the results (inside the SQL)",
        arguments: [ArgumentSpec("path [asc|desc],", .oneOrMore, help: "", candidates: .propertyPaths)], argumentsAreText: true,
        make: make)

    static func make(_ arguments: ParsedArguments) throws(ShellError) -> PipelineStep {
        let segment = arguments.segment
        let text = segment.rawArguments
        guard !text.isEmpty else { throw ShellError("sort: a path is expected", at: segment.rawPosition) }
        do {
            let query = try QueryParser.parse("all sort " + text)
            return .sort(query.parts.last?.sort ?? [])
        } catch {
            let column = max(1, error.column - "all sort ".count)
            throw ShellError("sort: \(error.summary)", at: segment.sourcePosition(ofRawLine: error.line, column: column))
        }
    }
}

/// `limit N` / `limit OFFSET, N`: folded into the query's last part.
public struct LimitCommand: ShellCommand {
    public static let spec = CommandSpec(
        name: "limit", summary: "skip and keep results (inside the SQL)",
        arguments: [ArgumentSpec("[OFFSET,] N", help: "")], argumentsAreText: true,
        make: make)

    static func make(_ arguments: ParsedArguments) throws(ShellError) -> PipelineStep {
        let segment = arguments.segment
        let text = segment.rawArguments
        guard !text.isEmpty else { throw ShellError("limit: a count is expected", at: segment.rawPosition) }
        do {
            let query = try QueryParser.parse("all limit " + text)
            guard let limit = query.parts.last?.limit else { throw ShellError("limit: a count is expected", at: segment.rawPosition) }
            return .limit(limit)
        } catch let error as QueryError {
            let column = max(1, error.column - "all limit ".count)
            throw ShellError("limit: \(error.summary)", at: segment.sourcePosition(ofRawLine: error.line, column: column))
        } catch let error as ShellError {
            throw error
        } catch {
            throw ShellError("limit: \(error)", at: segment.rawPosition)
        }
    }
}

/// `uniq`: each result once (query results are distinct already; after `format`, distinct lines).
public struct UniqCommand: ShellCommand {
    public static let spec = CommandSpec(name: "uniq", summary: "drop repeated results or repeated lines") { _ throws(ShellError) in
        .uniq
    }
}
