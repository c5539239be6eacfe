/// IAM's wildcard matching: `*` stands for any run of characters (none included), `?` for one character.
///
/// Linear in the text for each pattern (the classic two-pointer matcher with one backtrack point), so a
/// pattern like `*a*a*a*b` cannot blow up on a long text.
public enum Wildcard {
    /// Whether `pattern` matches the whole of `text`; `caseInsensitive` for actions (IAM compares action
    /// names without case), case-sensitive for resources.
    public static func matches(_ pattern: String, _ text: String, caseInsensitive: Bool) -> Bool {
        let p = Array((caseInsensitive ? pattern.lowercased() : pattern).unicodeScalars)
        let t = Array((caseInsensitive ? text.lowercased() : text).unicodeScalars)
        var pi = 0, ti = 0
        var star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti], p[pi] != "*" {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Whether `pattern` matches every string: it is made of `*` only.
    public static func matchesEverything(_ pattern: String) -> Bool {
        !pattern.isEmpty && pattern.allSatisfy { $0 == "*" }
    }

    /// Whether an action pattern matches every action (`*`, `*:*`): every action is `service:Name`.
    public static func matchesEveryAction(_ pattern: String) -> Bool {
        if matchesEverything(pattern) { return true }
        let parts = pattern.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { matchesEverything(String($0)) }
    }
}
