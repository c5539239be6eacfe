import Foundation
import GRDB

/// SQL functions the compiled queries need, registered on every connection that runs them.
public enum SQLiteFunctions {
    /// Registers `regexp(pattern, value)`, which SQLite calls for `value REGEXP pattern`:
    /// true when the case-insensitive regular expression is found anywhere in the value (numbers
    /// are matched as their text), false for NULL. Compiled expressions are cached.
    /// Call it from the store's `Configuration.prepareDatabase` so every connection has it.
    public static func register(in db: Database) {
        db.add(function: regexpFunction)
    }

    /// The `regexp` function (one instance, shared by all connections).
    static let regexpFunction = DatabaseFunction("regexp", argumentCount: 2, pure: true) { arguments in
        guard let pattern = String.fromDatabaseValue(arguments[0]) else {
            throw DatabaseError(message: "REGEXP: the pattern must be text")
        }
        let text: String
        switch arguments[1].storage {
        case .null, .blob: return false
        case .string(let string): text = string
        case .int64(let int): text = String(int)
        case .double(let double): text = String(double)
        }
        guard let expression = regex(pattern) else {
            throw DatabaseError(message: "REGEXP: invalid regular expression \"\(pattern)\"")
        }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, range: range) != nil
    }

    /// The case-insensitive expression for a pattern, from the cache; `nil` when it does not compile.
    static func regex(_ pattern: String) -> NSRegularExpression? {
        cache.expression(for: pattern)
    }

    private static let cache = RegexCache()
}

/// A bounded, thread-safe cache of compiled regular expressions.
private final class RegexCache: @unchecked Sendable {
    private let lock = NSLock()
    private var expressions: [String: NSRegularExpression] = [:]
    private static let capacity = 256

    func expression(for pattern: String) -> NSRegularExpression? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = expressions[pattern] { return cached }
        guard let compiled = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return nil }
        if expressions.count >= Self.capacity { expressions.removeAll(keepingCapacity: true) }
        expressions[pattern] = compiled
        return compiled
    }
}
