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

/// Edit distance, for "did you mean" hints.
enum Suggest {
    /// The candidate closest to `word`, when it is close enough to be a likely typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = levenshtein(lowered, candidate.lowercased())
            if let current = best, current.1 <= distance { continue }
            best = (candidate, distance)
        }
        guard let (candidate, distance) = best else { return nil }
        return distance <= max(1, min(3, word.count / 3)) ? candidate : nil
    }

    /// The Levenshtein distance between two strings.
    static func levenshtein(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
