import Foundation
import SiftQuery

/// A shell command: a plain type whose declaration (`CommandSpec`: options, arguments,
/// subcommands, help) the shell parses its words against, then turns into a pipeline step.
public protocol ShellCommand: SendableMetatype {
    /// Name, help, options, arguments and subcommands, and what each makes of its arguments.
    static var spec: CommandSpec { get }
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
