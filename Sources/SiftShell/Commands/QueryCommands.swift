import Foundation
import SiftQuery
import SiftStore

/// `search QUERY`: the nodes matching a query; alone it lists every match.
public struct SearchCommand: ShellCommand {
    public static let info = CommandInfo(
        name: "search", synopsis: "search QUERY", summary: "find nodes with a query; pipe them into other commands",
        details: """
        Examples:
          search is(access_key) and last_access > 90days <-- is(user) | count name
          search is(user) with(empty, --> is(access_key)) | list name, ctime
          search is(access_key) and access_key_status == Inactive | head -5
        Alone it lists every match (kind, id, name, age, last_access, account).
        """)

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        .query(QuerySource(text: segment.rawArguments, segment: segment))
    }
}

/// `explain QUERY`: the normalised query, the SQL with its bound values, SQLite's plan.
public struct ExplainCommand: ShellCommand, StandaloneCommand {
    public static let info = CommandInfo(
        name: "explain", synopsis: "explain QUERY", summary: "show the normalised query, its SQL and SQLite's plan")

    let source: QuerySource

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        .standalone(ExplainCommand(source: QuerySource(text: segment.rawArguments, segment: segment)))
    }

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
    public static let info = CommandInfo(
        name: "parse", synopsis: "parse QUERY", summary: "check a query's syntax and print it normalised (no database)")

    let source: QuerySource

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        .standalone(ParseCommand(source: QuerySource(text: segment.rawArguments, segment: segment)))
    }

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
    public static let info = CommandInfo(
        name: "count", synopsis: "count [path]", summary: "count the results, by the values of a path",
        details: """
        Prints one `value: N` line per value, ascending by count, then `total matched: N` and
        `total unmatched: M` (nodes where the path is missing). Runs inside the SQL.
        """)

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        let words = try reader.positionals()
        if words.count > 1 {
            throw ShellError("count: takes at most one path", at: words[1].position)
        }
        return .count(try words.first.map { word throws(ShellError) in try parsePathWord(word, command: "count") })
    }
}

/// `head [-N]` / `tail [-N]`: the first or last N results (default 10), folded into the SQL.
public struct HeadCommand: ShellCommand {
    public static let info = CommandInfo(
        name: "head", synopsis: "head [-N]", summary: "keep the first N results (default 10)")

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        .head(try readCount(segment))
    }

    /// Reads `-N`, `N` or `-n N`.
    static func readCount(_ segment: CommandSegment) throws(ShellError) -> Int {
        var reader = ArgumentReader(segment)
        if let count = try reader.intOption("-n", "--lines") {
            try reader.finish()
            guard count >= 0 else { throw ShellError("\(segment.name): the count must not be negative", at: segment.rawPosition) }
            return count
        }
        let words = try reader.positionals(allowNegativeNumbers: true)
        guard let word = words.first else { return 10 }
        if words.count > 1 { throw ShellError("\(segment.name): takes one count", at: words[1].position) }
        let digits = word.text.hasPrefix("-") ? String(word.text.dropFirst()) : word.text
        guard let count = Int(digits), count >= 0 else {
            throw ShellError("\(segment.name): '\(word.text)' is not a count (write -N, e.g. -5)", at: word.position)
        }
        return count
    }
}

/// `tail [-N]`.
public struct TailCommand: ShellCommand {
    public static let info = CommandInfo(
        name: "tail", synopsis: "tail [-N]", summary: "keep the last N results (default 10)")

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        .tail(try HeadCommand.readCount(segment))
    }
}

/// `sort path [asc|desc], ...`: folded into the query's last part.
public struct SortCommand: ShellCommand {
    public static let info = CommandInfo(
        name: "sort", synopsis: "sort path [asc|desc], ...", summary: "sort the results (inside the SQL)")

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
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
    public static let info = CommandInfo(
        name: "limit", synopsis: "limit [OFFSET,] N", summary: "skip and keep results (inside the SQL)")

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
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
    public static let info = CommandInfo(
        name: "uniq", synopsis: "uniq", summary: "drop repeated results or repeated lines")

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        try reader.finish()
        return .uniq
    }
}
