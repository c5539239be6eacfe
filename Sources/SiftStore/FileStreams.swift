import Foundation

/// Why reading or writing a stream failed.
struct StreamError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Reads a file descriptor line by line through one fixed buffer: memory stays flat whatever the
/// size of the input (a single line may grow the buffer, up to `maximumLineLength`).
struct LineReader {
    private let descriptor: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEnd = false
    /// The 1-based number of the line last returned.
    private(set) var lineNumber = 0

    /// The longest line accepted (64 MiB).
    static let maximumLineLength = 64 << 20

    init(handle: FileHandle, bufferSize: Int = 1 << 20) {
        descriptor = handle.fileDescriptor
        buffer = [UInt8](repeating: 0, count: bufferSize)
    }

    /// Calls `body` with the next line (without its `\n` or `\r\n`) and its 1-based number;
    /// false at the end of input.
    mutating func next(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws -> Bool {
        while true {
            if let newline = findNewline() {
                lineNumber += 1
                var lineEnd = newline
                if lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let lineStart = start
                start = newline + 1
                try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[lineStart..<lineEnd]), lineNumber) }
                return true
            }
            if atEnd {
                guard start < end else { return false }
                lineNumber += 1
                let lineStart = start, lineEnd = end
                start = end
                try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[lineStart..<lineEnd]), lineNumber) }
                return true
            }
            try fill()
        }
    }

    private func findNewline() -> Int? {
        guard start < end else { return nil }
        return buffer.withUnsafeBufferPointer { pointer -> Int? in
            guard let base = pointer.baseAddress,
                  let found = memchr(base + start, 0x0A, end - start) else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Moves the unread bytes to the front (growing the buffer for a long line) and reads more.
    private mutating func fill() throws {
        if start > 0 {
            let remaining = end - start
            buffer.withUnsafeMutableBufferPointer { pointer in
                guard let base = pointer.baseAddress else { return }
                memmove(base, base + start, remaining)
            }
            start = 0
            end = remaining
        }
        if end == buffer.count {
            guard buffer.count < Self.maximumLineLength else {
                throw StreamError(message: "line \(lineNumber + 1) is longer than \(Self.maximumLineLength >> 20) MiB")
            }
            buffer.append(contentsOf: repeatElement(0, count: buffer.count))
        }
        while true {
            let count = buffer.withUnsafeMutableBufferPointer { pointer -> Int in
                guard let base = pointer.baseAddress else { return 0 }
                return read(descriptor, base + end, pointer.count - end)
            }
            if count > 0 {
                end += count
                return
            }
            if count == 0 {
                atEnd = true
                return
            }
            if errno == EINTR { continue }
            throw StreamError(message: "read failed: \(String(cString: strerror(errno)))")
        }
    }
}

/// Writes to a file descriptor through a fixed buffer.
struct BufferedWriter {
    private let descriptor: Int32
    private(set) var bytes: [UInt8] = []
    private let capacity: Int

    init(handle: FileHandle, capacity: Int = 1 << 20) {
        descriptor = handle.fileDescriptor
        self.capacity = capacity
        bytes.reserveCapacity(capacity + 4096)
    }

    mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func append(_ other: [UInt8]) {
        bytes.append(contentsOf: other)
    }

    /// Writes the buffer out when it is full.
    mutating func flushIfFull() throws {
        if bytes.count >= capacity { try flush() }
    }

    mutating func flush() throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBufferPointer { pointer -> Int in
                guard let base = pointer.baseAddress else { return 0 }
                return write(descriptor, base + offset, pointer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw StreamError(message: "write failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
