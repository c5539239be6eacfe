import Foundation

/// What a sink uses while rows stream: the shell's context, the time the query runs at, and
/// where text goes.
public final class RowContext {
    /// The shell's context.
    public let shell: ShellContext
    /// The time the query was compiled for (ages are computed against it).
    public let now: Date
    /// Where the sink's text goes.
    public let output: LineOutput

    /// Creates a row context.
    public init(shell: ShellContext, now: Date, output: LineOutput) {
        self.shell = shell
        self.now = now
        self.output = output
    }
}
