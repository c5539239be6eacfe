import Foundation
import SiftQuery
import SiftStore

/// A typed config value.
public enum ConfigValue: Sendable, Hashable {
    /// `true` / `false`.
    case bool(Bool)
    /// A whole number.
    case int(Int)
    /// A length of time (`7d`).
    case duration(OpsDuration)
    /// A list of words (`[111111111111, 222222222222]`).
    case strings([String])
    /// A word, or nothing (`null`).
    case text(String?)

    /// The form kept in the `setting` table.
    public var json: JSONValue {
        switch self {
        case .bool(let value): return .bool(value)
        case .int(let value): return .int(Int64(value))
        case .duration(let value): return .string(value.description)
        case .strings(let values): return .array(values.map { .string($0) })
        case .text(let value): return value.map { .string($0) } ?? .null
        }
    }

    /// The form people read and type (also the YAML value of `config edit`).
    public var display: String {
        switch self {
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .duration(let value): return value.description
        case .strings(let values): return "[" + values.map(ConfigValue.quotedIfNeeded).joined(separator: ", ") + "]"
        case .text(let value): return value.map(ConfigValue.quotedIfNeeded) ?? "null"
        }
    }

    private static func quotedIfNeeded(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "_-.@+=/:".contains($0) }
            && !["null", "true", "false", "~"].contains(word.lowercased())
        if plain { return word }
        return "\"" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// The keys of Sift's configuration (SPEC section 6), each with its type, default and rules.
public enum ConfigKey: String, Sendable, Hashable, CaseIterable {
    /// Act on marked resources; false: cleanup only plans.
    case cleanup
    /// Say what would be done and change nothing.
    case cleanupDryRun = "cleanup_dry_run"
    /// How many resources are cleaned at once.
    case cleanupPoolSize = "cleanup_pool_size"
    /// Set access keys Inactive first and delete them only after the grace period.
    case cleanupDisableFirst = "cleanup_disable_first"
    /// How long a disabled key must stay unused before it is deleted.
    case cleanupGrace = "cleanup_grace"
    /// How often `sift daemon` runs `collect_and_cleanup`.
    case collectInterval = "collect_interval"
    /// The accounts to collect besides the caller's (reached with `collect_role`).
    case collectAccounts = "collect_accounts"
    /// The role assumed in other accounts, for collect and cleanup.
    case collectRole = "collect_role"
    /// The longest one query may run (one-shot, scripts, jobs, the daemon); `0s`: no limit.
    case queryTimeout = "query_timeout"

    /// One line saying what the key does.
    public var summary: String {
        switch self {
        case .cleanup: return "act on resources marked by `clean` (false: cleanup only plans)"
        case .cleanupDryRun: return "say what cleanup would do and change nothing"
        case .cleanupPoolSize: return "resources cleaned at once (1-256)"
        case .cleanupDisableFirst: return "set access keys Inactive first, delete only after cleanup_grace"
        case .cleanupGrace: return "how long a disabled key stays unused before it is deleted"
        case .collectInterval: return "how often `sift daemon` runs collect_and_cleanup (at least 1min)"
        case .collectAccounts: return "account ids to collect besides the caller's, e.g. [111111111111]"
        case .collectRole: return "role name assumed in other accounts, or null"
        case .queryTimeout: return "the longest one query may run (0s: no limit)"
        }
    }

    /// The value when nothing is set.
    public var defaultValue: ConfigValue {
        switch self {
        case .cleanup: return .bool(false)
        case .cleanupDryRun: return .bool(true)
        case .cleanupPoolSize: return .int(16)
        case .cleanupDisableFirst: return .bool(true)
        case .cleanupGrace: return .duration(OpsDuration(seconds: 7 * 86_400))
        case .collectInterval: return .duration(OpsDuration(seconds: 3600))
        case .collectAccounts: return .strings([])
        case .collectRole: return .text(nil)
        case .queryTimeout: return .duration(OpsDuration(seconds: 300))
        }
    }

    /// The shortest `cleanup_grace` accepted without `--force`, seconds.
    public static let minimumGrace: Int64 = 3600

    /// Parses and validates a value as typed by a person (`config set`, `config edit`). `force`
    /// accepts values that are valid but unwise (a `cleanup_grace` under an hour).
    public func parse(_ raw: String, force: Bool = false) throws(OpsValueError) -> ConfigValue {
        let text = ConfigKey.unquote(raw.trimmingCharacters(in: .whitespaces))
        switch self {
        case .cleanup, .cleanupDryRun, .cleanupDisableFirst:
            switch text.lowercased() {
            case "true", "yes", "on": return .bool(true)
            case "false", "no", "off": return .bool(false)
            default: throw OpsValueError("\(rawValue) must be true or false, not '\(text)'")
            }
        case .cleanupPoolSize:
            guard let number = Int(text) else { throw OpsValueError("\(rawValue) must be a whole number, not '\(text)'") }
            guard (1...256).contains(number) else { throw OpsValueError("\(rawValue) must be between 1 and 256, not \(number)") }
            return .int(number)
        case .cleanupGrace:
            let duration = try OpsDuration(parsing: text)
            guard duration.seconds >= 0 else { throw OpsValueError("\(rawValue) must not be negative") }
            guard force || duration.seconds >= Self.minimumGrace else {
                throw OpsValueError("\(rawValue) must be at least 1h, not \(duration): a shorter grace deletes keys almost as soon "
                                    + "as they are disabled (config set --force to set it anyway)")
            }
            return .duration(duration)
        case .queryTimeout:
            let duration = try OpsDuration(parsing: text)
            guard duration.seconds >= 0 else { throw OpsValueError("\(rawValue) must not be negative") }
            return .duration(duration)
        case .collectInterval:
            let duration = try OpsDuration(parsing: text)
            guard duration.seconds >= 60 else { throw OpsValueError("\(rawValue) must be at least 1min, not \(duration)") }
            return .duration(duration)
        case .collectAccounts:
            let items = try ConfigKey.parseList(text)
            for item in items where !(item.count == 12 && item.allSatisfy { $0.isASCII && $0.isNumber }) {
                throw OpsValueError("\(rawValue): '\(item)' is not an AWS account id (12 digits)")
            }
            if let duplicate = Dictionary(grouping: items, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
                throw OpsValueError("\(rawValue): account \(duplicate) is listed twice")
            }
            return .strings(items)
        case .collectRole:
            if text.isEmpty || text.lowercased() == "null" || text == "~" { return .text(nil) }
            let allowed = text.count <= 64 && text.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "+=,.@_-".contains($0) }
            guard allowed else {
                throw OpsValueError("\(rawValue): '\(text)' is not an IAM role name (1-64 of letters, digits and +=,.@_-)")
            }
            return .text(text)
        }
    }

    /// Reads a value kept in the `setting` table; a value of the wrong shape is an error naming the key.
    public func decode(_ json: JSONValue) throws(OpsValueError) -> ConfigValue {
        switch (self, json) {
        case (.cleanup, .bool(let value)), (.cleanupDryRun, .bool(let value)), (.cleanupDisableFirst, .bool(let value)):
            return .bool(value)
        case (.cleanupPoolSize, .int(let value)):
            return try parse(String(value))
        case (.cleanupGrace, .string(let text)), (.collectInterval, .string(let text)), (.queryTimeout, .string(let text)):
            // What is stored was accepted when it was set (perhaps with --force).
            return try parse(text, force: true)
        case (.collectAccounts, .array(let items)):
            let words = items.compactMap { item -> String? in if case .string(let word) = item { return word } else { return nil } }
            guard words.count == items.count else { throw OpsValueError("setting \(rawValue) holds a list with non-text items") }
            return try parse("[" + words.joined(separator: ",") + "]")
        case (.collectRole, .null):
            return .text(nil)
        case (.collectRole, .string(let text)):
            return try parse(text)
        default:
            throw OpsValueError("setting \(rawValue) in the database has an unexpected value")
        }
    }

    /// The key named `name`, or an error listing the known keys (and the closest one).
    public static func named(_ name: String) throws(OpsValueError) -> ConfigKey {
        if let key = ConfigKey(rawValue: name) { return key }
        let names = allCases.map(\.rawValue)
        if let close = Suggestion.closest(to: name, among: names, within: .edits(3)) {
            throw OpsValueError("unknown config key '\(name)' (did you mean \(close)?)")
        }
        throw OpsValueError("unknown config key '\(name)'; keys: \(names.joined(separator: ", "))")
    }

    private static func unquote(_ text: String) -> String {
        guard text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first else { return text }
        var inner = String(text.dropFirst().dropLast())
        if first == "\"" {
            inner = inner.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        }
        return inner
    }

    private static func parseList(_ text: String) throws(OpsValueError) -> [String] {
        var body = text
        if body.hasPrefix("[") {
            guard body.hasSuffix("]") else { throw OpsValueError("unterminated list '\(text)' (expected e.g. [a, b])") }
            body = String(body.dropFirst().dropLast())
        }
        let items = body.split(separator: ",", omittingEmptySubsequences: false)
            .map { unquote($0.trimmingCharacters(in: .whitespaces)) }
        if items.count == 1, items[0].isEmpty { return [] }
        if items.contains(where: \.isEmpty) { throw OpsValueError("empty item in list '\(text)'") }
        return items
    }
}
