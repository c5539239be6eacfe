import Foundation
import Synchronization
import GRDB
import SiftQuery

/// SQL functions the compiled queries need, registered on every connection that runs them.
public enum SQLiteFunctions {
    /// Registers `regexp(pattern, value)`, which SQLite calls for `value REGEXP pattern`:
    /// true when the case-insensitive regular expression is found anywhere in the value (numbers
    /// are matched as their text), false for NULL. The matcher is `LinearRegex` (time linear in
    /// the value, so no pattern can hang a query); a match past its step bound is an error, never
    /// a silent "no match". Compiled expressions are cached.
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
        let expression: LinearRegex
        switch regex(pattern) {
        case .success(let compiled): expression = compiled
        case .failure(let error): throw DatabaseError(message: "invalid regular expression \"\(pattern)\" \(error)")
        }
        do throws(RegexLimitError) {
            return try expression.matches(text)
        } catch {
            throw DatabaseError(message: error.description)
        }
    }

    /// The compiled expression for a pattern, from the cache, or where it does not compile.
    static func regex(_ pattern: String) -> Result<LinearRegex, RegexSyntaxError> {
        cache.expression(for: pattern)
    }

    private static let cache = RegexCache()
}

/// A bounded, thread-safe cache of compiled regular expressions.
private final class RegexCache: Sendable {
    private let expressions = Mutex<[String: Result<LinearRegex, RegexSyntaxError>]>([:])
    private static let capacity = 256

    func expression(for pattern: String) -> Result<LinearRegex, RegexSyntaxError> {
        expressions.withLock { expressions in
            if let cached = expressions[pattern] { return cached }
            let compiled: Result<LinearRegex, RegexSyntaxError>
            do throws(RegexSyntaxError) {
                compiled = .success(try LinearRegex(pattern))
            } catch {
                compiled = .failure(error)
            }
            if expressions.count >= Self.capacity { expressions.removeAll(keepingCapacity: true) }
            expressions[pattern] = compiled
            return compiled
        }
    }
}
