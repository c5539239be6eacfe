import Foundation
import SiftQuery
import SiftStore

/// Runs `search QUERY | ...`: folds sort, limit, head, tail and count into the compiled SQL,
/// streams the rows through the sink (list by default) and the text stages after it.
struct QueryPipeline {
    let source: QuerySource
    let steps: [(PipelineStep, CommandSegment)]
    let context: ShellContext

    /// The plan after folding.
    struct Plan {
        var query: Query
        var head: Int?
        var tail: Int?
        /// A head after a tail: applied to the (at most `tail`) rows in Swift.
        var headAfterTail: Int?
        /// `count [path]`: `.some(path)`.
        var count: Path??
        var sink: NodeSink?
        /// Text stages after the sink, in order.
        var textStages: [(PipelineStep, CommandSegment)] = []
    }

    /// Parses the query text, with error positions mapped to the line.
    static func parse(_ source: QuerySource) throws -> Query {
        let text = source.text
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ShellError("\(source.segment.name): a query is expected (e.g. 'search is(access_key)')", at: source.segment.rawPosition)
        }
        do {
            return try QueryParser.parse(text)
        } catch {
            throw ShellError(error.summary, at: source.segment.sourcePosition(ofRawLine: error.line, column: error.column))
        }
    }

    /// Folds the steps into the plan, rejecting orders that make no sense.
    func plan() throws -> Plan {
        var plan = Plan(query: try Self.parse(source))
        for (step, segment) in steps {
            if plan.count != nil {
                throw ShellError("'count' ends a pipeline: nothing can follow it", at: segment.position)
            }
            if let sink = plan.sink {
                switch step {
                case .head where sink.printsRows && plan.textStages.isEmpty,
                     .tail where sink.printsRows && plan.textStages.isEmpty:
                    // The first/last rows of a printing sink: folded into the SQL below.
                    break
                case .head, .tail, .uniq:
                    plan.textStages.append((step, segment))
                    continue
                default:
                    throw ShellError("'\(segment.name)' needs search results, but the results were already turned into text", at: segment.position)
                }
            }
            switch step {
            case .sort(let keys):
                guard plan.head == nil, plan.tail == nil, plan.query.parts.last?.limit == nil else {
                    throw ShellError("sort must come before head, tail and limit", at: segment.position)
                }
                plan.query.parts[plan.query.parts.count - 1].sort += keys
            case .limit(let limit):
                guard plan.head == nil, plan.tail == nil else {
                    throw ShellError("limit must come before head and tail", at: segment.position)
                }
                let last = plan.query.parts.count - 1
                if let existing = plan.query.parts[last].limit {
                    plan.query.parts[last].limit = Limit(
                        offset: existing.offset + limit.offset,
                        count: max(0, min(existing.count - limit.offset, limit.count)))
                } else {
                    plan.query.parts[last].limit = limit
                }
            case .head(let count):
                if plan.tail != nil {
                    plan.headAfterTail = min(plan.headAfterTail ?? count, count)
                } else {
                    plan.head = min(plan.head ?? count, count)
                }
            case .tail(let count):
                guard plan.headAfterTail == nil else {
                    throw ShellError("tail after 'tail | head' cannot be folded: use one head and one tail", at: segment.position)
                }
                plan.tail = min(plan.tail ?? count, count)
            case .count(let path):
                guard plan.tail == nil, plan.headAfterTail == nil else {
                    throw ShellError("count after tail is not supported: count the query itself", at: segment.position)
                }
                if let head = plan.head {
                    // head N | count == count of the first N: fold head into the last part's limit.
                    let last = plan.query.parts.count - 1
                    let existing = plan.query.parts[last].limit
                    plan.query.parts[last].limit = Limit(offset: existing?.offset ?? 0, count: min(existing?.count ?? head, head))
                    plan.head = nil
                }
                plan.count = .some(path)
            case .uniq:
                break  // query results are distinct sets already
            case .sink(let sink):
                plan.sink = sink
            case .standalone:
                throw ShellError("'\(segment.name)' takes no piped input", at: segment.position)
            case .query:
                throw ShellError("'\(segment.name)' must come first in a pipeline", at: segment.position)
            }
        }
        return plan
    }

    /// Compiles, runs and streams.
    func run() async throws {
        let plan = try plan()
        let store = try await context.store()
        let now = Date()
        if let countPath = plan.count {
            try await printCount(plan.query, path: countPath, store: store, now: now)
            return
        }
        // Text stages run back to front so each hands its lines to the next.
        var output: LineOutput = StandardLineOutput(context.out)
        for (step, _) in plan.textStages.reversed() {
            switch step {
            case .head(let count): output = HeadLines(count, next: output)
            case .tail(let count): output = TailLines(count, next: output)
            default: output = UniqueLines(next: output)
            }
        }
        let sink = plan.sink ?? ListSink(columns: Column.defaults, format: .table)
        let run = RowContext(shell: context, now: now, output: output, kinds: context.kinds)
        let headAfterTail = plan.headAfterTail
        let request = NodeRequest(kinds: context.kinds, now: now, head: plan.head, tail: plan.tail,
                                  related: NodeValues.related(for: sink.paths))
        let context = context
        do {
            try await reading(store) {
                var seen = 0
                try await store.nodes(plan.query, request) { row in
                    try context.checkNotInterrupted()
                    if let limit = headAfterTail, seen >= limit { return false }
                    seen += 1
                    try sink.consume(row, in: run)
                    return true
                }
            }
        } catch is EnoughLines {
            // `head` on text has what it needs.
        }
        do {
            try await sink.finish(in: run)
            try output.close()
        } catch is EnoughLines {
            try output.close()
        }
    }

    /// Runs the reading of a query's rows so that Ctrl-C and the `query_timeout` limit stop it,
    /// a compile error is placed at its spot, and the database's errors read as one line placed
    /// at the query.
    func reading(_ store: any GraphBackend, _ work: () async throws -> Void) async throws {
        let deadline = Deadline(seconds: try await context.queryTimeout()) { store.interrupt() }
        defer { deadline.stop() }
        do {
            try await Interruption.shared.cancellable({ store.interrupt() }) { try await work() }
        } catch let error as CompileError {
            throw Self.shellError(error, source: source)
        } catch let error as ReadFailure {
            switch error {
            case .interrupted:
                if deadline.fired {
                    throw ShellError("query timed out after \(deadline.seconds) s (config query_timeout)", at: source.segment.rawPosition)
                }
                throw ShellError("interrupted")
            case .failed(let message):
                throw ShellError(message, at: source.segment.rawPosition)
            }
        }
    }

    /// Compiles the query with the backend's compiler without running it (`jobs add`).
    func validate(_ query: Query) async throws {
        do {
            try await context.store().validate(query, kinds: context.kinds)
        } catch let error as CompileError {
            throw Self.shellError(error, source: source)
        }
    }

    /// A compile error placed at the spot it names (the kind, the path, the pattern) in the line.
    static func shellError(_ error: CompileError, source: QuerySource) -> ShellError {
        let spot: String?
        switch error {
        case .unknownKind(let kind, _): spot = kind
        case .unknownEdgeType(let type, _): spot = type
        case .typeMismatch(let path, _, _, _), .invalidValue(let path, _, _), .invalidPath(let path, _): spot = path
        case .invalidRegex(_, let pattern, _, _): spot = pattern
        default: spot = nil
        }
        let segment = source.segment
        guard let spot, let range = segment.rawArguments.range(of: spot) else {
            return ShellError(error.description, at: segment.rawPosition)
        }
        var offset = segment.rawArguments.distance(from: segment.rawArguments.startIndex, to: range.lowerBound)
        if case .invalidRegex(_, let pattern, let column, _) = error, column >= 1, column <= pattern.count {
            offset += column - 1 // the spot in the pattern (exact when the pattern has no escapes in the line)
        }
        let position = offset < segment.rawCharacterPositions.count ? segment.rawCharacterPositions[offset] : segment.rawPosition
        return ShellError(error.description, at: position)
    }

    /// `value: N` lines ascending by count, then `total matched: N` and `total unmatched: M`.
    func printCount(_ query: Query, path: Path?, store: any GraphBackend, now: Date) async throws {
        var matched = 0
        var unmatched = 0
        let out = context.out
        let kinds = context.kinds
        try await reading(store) {
            try await store.counts(query, by: path, kinds: kinds, now: now) { label, count, isMatched in
                guard isMatched else {
                    unmatched += count
                    return
                }
                matched += count
                if path != nil {
                    out.line("\(label): \(count)")
                }
            }
        }
        out.line("total matched: \(matched)")
        out.line("total unmatched: \(unmatched)")
    }
}
