import Foundation
import Synchronization

/// Where the shell writes: a file descriptor with a buffer, knowing whether it is a terminal
/// and whether colour may be used (only on a terminal, never with `NO_COLOR`).
public final class OutputWriter: Sendable {
    /// The file descriptor written to.
    public let descriptor: Int32
    /// Whether the descriptor is a terminal.
    public let isTerminal: Bool
    /// Whether ANSI colour is allowed.
    public let useColor: Bool
    /// Bytes written but not yet flushed.
    private let buffer = Mutex<[UInt8]>([])

    /// Creates a writer for a descriptor; `environment` decides colour (`NO_COLOR`, `TERM=dumb`).
    public init(descriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.descriptor = descriptor
        self.isTerminal = isatty(descriptor) == 1
        self.useColor = isTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
        buffer.withLock { $0.reserveCapacity(1 << 16) }
    }

    /// The writer for standard output.
    public static let standardOutput = OutputWriter(descriptor: STDOUT_FILENO)
    /// The writer for standard error.
    public static let standardError = OutputWriter(descriptor: STDERR_FILENO)

    /// Writes text; on a terminal every line is flushed at once so results stream.
    public func write(_ text: String) {
        let flushNow = buffer.withLock { buffer in
            buffer.append(contentsOf: text.utf8)
            return isTerminal || buffer.count >= 1 << 16
        }
        if flushNow { flush() }
    }

    /// Writes text and a newline.
    public func line(_ text: String) {
        write(text + "\n")
    }

    /// Writes everything buffered.
    public func flush() {
        buffer.withLock { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = buffer[offset...].withUnsafeBytes { pointer in
                    Foundation.write(descriptor, pointer.baseAddress, pointer.count)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    break
                }
                offset += written
            }
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// Wraps text in an ANSI style when colour is allowed.
    public func styled(_ text: String, _ style: TextStyle) -> String {
        useColor ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}

/// ANSI text styles used by the shell.
public enum TextStyle: String, Sendable {
    /// Bold, for table headers.
    case bold = "1"
    /// Dim, for secondary text.
    case dim = "2"
    /// Red, for errors.
    case red = "31"
    /// Green, for success.
    case green = "32"
    /// Yellow, for warnings.
    case yellow = "33"
    /// Cyan, for names.
    case cyan = "36"
}
