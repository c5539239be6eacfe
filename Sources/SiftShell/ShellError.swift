/// An error of a shell line: what went wrong and, where known, where in the line.
public struct ShellError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in one line.
    public var message: String
    /// Where in the line, when the error belongs to a spot.
    public var position: SourcePosition?

    /// Creates an error.
    public init(_ message: String, at position: SourcePosition? = nil) {
        self.message = message
        self.position = position
    }

    /// `line:column: message`, or the message alone.
    public var description: String {
        position.map { "\($0): \(message)" } ?? message
    }
}

extension ShellError {
    /// The error for a syntax error of the line grammar.
    public init(_ error: LineSyntaxError) {
        self.init(error.message, at: error.position)
    }
}
