// "Did you mean ...?" for misspelt words: the one edit-distance implementation of the product.

/// Finds the word a misspelling was meant to be. Every "did you mean" hint (keywords, kinds, edge
/// types, config keys) goes through here so that they all measure closeness the same way.
public enum Suggestion {
    /// How many edits a candidate may be away from the word and still be suggested.
    public enum Tolerance: Sendable, Hashable {
        /// One edit, or two for candidates of five letters or more (short fixed words: keywords).
        case keyword
        /// A third of the word's length, at least one and at most three (names: kinds, commands).
        case proportional
        /// At most this many edits.
        case edits(Int)

        /// The largest distance allowed between `word` and `candidate`.
        func limit(word: [Character], candidate: [Character]) -> Int {
            switch self {
            case .keyword: return candidate.count >= 5 ? 2 : 1
            case .proportional: return min(3, max(1, word.count / 3))
            case .edits(let count): return count
            }
        }
    }

    /// The candidate closest to `word` by case-insensitive edit distance (`editDistance`) within
    /// `tolerance` (the first one on a tie), or `nil` when none is close enough or `word` is itself
    /// one of the candidates (exactly; a candidate differing only in case is suggested).
    public static func closest(to word: String, among candidates: [String],
                               within tolerance: Tolerance = .keyword) -> String? {
        let lower = Array(word.lowercased())
        var best: (String, Int)?
        for candidate in candidates {
            if candidate == word { return nil }
            let target = Array(candidate.lowercased())
            let distance = editDistance(lower, target)
            if distance <= tolerance.limit(word: lower, candidate: target), distance < (best?.1 ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.0
    }

    /// Levenshtein distance between two strings by characters, with an adjacent transposition
    /// counted as one edit (`adn` -> `and`); case-sensitive.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        editDistance(Array(a), Array(b))
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit (`adn` -> `and`).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
