import Foundation
import SiftQuery
import SiftStore

/// What a sink uses while rows stream: the shell's context, the time the query runs at, where
/// text goes, and the read transaction the rows come from (for lookups of related nodes).
public final class RowContext {
    /// The shell's context.
    public let shell: ShellContext
    /// The time the query was compiled for (ages are computed against it).
    public let now: Date
    /// Where the sink's text goes.
    public let output: LineOutput
    /// Values of paths on result nodes.
    public let values: NodeValues

    /// Creates a row context.
    public init(shell: ShellContext, now: Date, output: LineOutput, kinds: KindModel) {
        self.shell = shell
        self.now = now
        self.output = output
        self.values = NodeValues(now: now, kinds: kinds)
    }

    /// The value of a path on a row.
    public func value(_ path: Path, of row: ResultRow) throws -> JSONValue? {
        values.value(path, of: row)
    }
}

/// Standard output as a line output.
final class StandardLineOutput: LineOutput {
    let writer: OutputWriter

    init(_ writer: OutputWriter) {
        self.writer = writer
    }

    func emit(_ line: String) throws {
        writer.line(line)
    }

    func close() throws {
        writer.flush()
    }
}

/// Thrown by a text stage that needs no more lines (`head`): the pipeline stops early.
struct EnoughLines: Error {}

/// `head N` on text: the first N lines, then the pipeline stops.
final class HeadLines: LineOutput {
    let count: Int
    let next: LineOutput
    var seen = 0

    init(_ count: Int, next: LineOutput) {
        self.count = count
        self.next = next
    }

    func emit(_ line: String) throws {
        guard seen < count else { throw EnoughLines() }
        seen += 1
        try next.emit(line)
        if seen >= count { throw EnoughLines() }
    }

    func close() throws { try next.close() }
}

/// `tail N` on text: the last N lines.
final class TailLines: LineOutput {
    let count: Int
    let next: LineOutput
    var lines: [String] = []
    var start = 0

    init(_ count: Int, next: LineOutput) {
        self.count = count
        self.next = next
    }

    func emit(_ line: String) throws {
        guard count > 0 else { return }
        if lines.count < count {
            lines.append(line)
        } else {
            lines[start] = line
            start = (start + 1) % count
        }
    }

    func close() throws {
        for offset in 0..<lines.count {
            try next.emit(lines[(start + offset) % lines.count])
        }
        try next.close()
    }
}

/// `uniq` on text: each distinct line once, in first-seen order.
final class UniqueLines: LineOutput {
    let next: LineOutput
    var seen = Set<String>()

    init(next: LineOutput) {
        self.next = next
    }

    func emit(_ line: String) throws {
        if seen.insert(line).inserted { try next.emit(line) }
    }

    func close() throws { try next.close() }
}
