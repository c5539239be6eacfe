import Foundation
import SiftStore

/// Sift's configuration as typed values: every key of `ConfigKey`, each set or at its default.
public struct OpsConfig: Sendable, Hashable {
    /// The value of every key.
    public private(set) var values: [ConfigKey: ConfigValue]
    /// The keys that hold a value set by someone (the others are at their default).
    public private(set) var explicitlySet: Set<ConfigKey>

    /// Every key at its default.
    public init() {
        values = Dictionary(uniqueKeysWithValues: ConfigKey.allCases.map { ($0, $0.defaultValue) })
        explicitlySet = []
    }

    /// The value of `key`.
    public subscript(key: ConfigKey) -> ConfigValue { values[key] ?? key.defaultValue }

    /// Sets `key` (already validated by `ConfigKey.parse`).
    public mutating func set(_ key: ConfigKey, _ value: ConfigValue) {
        values[key] = value
        explicitlySet.insert(key)
    }

    /// Returns `key` to its default.
    public mutating func reset(_ key: ConfigKey) {
        values[key] = key.defaultValue
        explicitlySet.remove(key)
    }

    private func bool(_ key: ConfigKey) -> Bool {
        if case .bool(let value) = self[key] { return value }
        if case .bool(let value) = key.defaultValue { return value }
        return false
    }

    private func duration(_ key: ConfigKey) -> OpsDuration {
        if case .duration(let value) = self[key] { return value }
        if case .duration(let value) = key.defaultValue { return value }
        return OpsDuration(seconds: 0)
    }

    /// `cleanup`: act on marked resources.
    public var cleanup: Bool { bool(.cleanup) }
    /// `cleanup_dry_run`: plan only.
    public var cleanupDryRun: Bool { bool(.cleanupDryRun) }
    /// Whether a cleanup only says what it would do: `cleanup_dry_run` is true or `cleanup` is false.
    public var isDryRun: Bool { cleanupDryRun || !cleanup }
    /// `cleanup_disable_first`.
    public var cleanupDisableFirst: Bool { bool(.cleanupDisableFirst) }
    /// `cleanup_pool_size`.
    public var cleanupPoolSize: Int { if case .int(let value) = self[.cleanupPoolSize] { return value } else { return 16 } }
    /// `cleanup_grace`.
    public var cleanupGrace: OpsDuration { duration(.cleanupGrace) }
    /// `collect_interval`.
    public var collectInterval: OpsDuration { duration(.collectInterval) }
    /// `collect_accounts`.
    public var collectAccounts: [String] { if case .strings(let value) = self[.collectAccounts] { return value } else { return [] } }
    /// `query_timeout`: the longest one query may run; zero means no limit.
    public var queryTimeout: OpsDuration { duration(.queryTimeout) }
    /// `collect_role`.
    public var collectRole: String? { if case .text(let value) = self[.collectRole] { return value } else { return nil } }
}

/// Reads and writes the configuration in the database's `setting` table (one row per key set,
/// the value as JSON text, the form `GraphStore.setting` reads).
public struct ConfigStore: Sendable {
    /// The database.
    public let store: any SettingsStoring

    /// Creates a config store on `store`.
    public init(store: any SettingsStoring) { self.store = store }

    /// The configuration: the values set, the defaults for the rest. A stored value that no longer
    /// validates is an error naming the key.
    public func load() async throws -> OpsConfig {
        var config = OpsConfig()
        for key in ConfigKey.allCases {
            guard let json = try await store.setting(key.rawValue) else { continue }
            config.set(key, try key.decode(json))
        }
        return config
    }

    /// Parses every `key=value` assignment, validates all of them, and writes them in one transaction:
    /// one bad assignment refuses the whole line, with what and why.
    @discardableResult
    public func set(assignments: [String], force: Bool = false) async throws(ConfigError) -> [(ConfigKey, ConfigValue)] {
        if assignments.isEmpty { throw ConfigError.usage("config set: expected key=value ...") }
        var parsed: [(ConfigKey, ConfigValue)] = []
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw ConfigError.invalid(at: assignment, OpsValueError("expected key=value, found '\(assignment)'"))
            }
            let name = assignment[..<equals].trimmingCharacters(in: .whitespaces)
            let raw = String(assignment[assignment.index(after: equals)...])
            do throws(OpsValueError) {
                let key = try ConfigKey.named(name)
                if parsed.contains(where: { $0.0 == key }) { throw OpsValueError("\(key.rawValue) is set twice") }
                parsed.append((key, try key.parse(raw, force: force)))
            } catch {
                throw ConfigError.invalid(at: assignment, error)
            }
        }
        try await write(parsed.map { ($0.0, Optional($0.1)) })
        return parsed
    }

    /// Writes the whole configuration (as `config edit` produced it) in one transaction: keys at
    /// their default are removed from the table.
    public func replace(with config: OpsConfig) async throws(ConfigError) {
        try await write(ConfigKey.allCases.map { key in (key, config.explicitlySet.contains(key) ? config[key] : nil) })
    }

    private func write(_ changes: [(ConfigKey, ConfigValue?)]) async throws(ConfigError) {
        do {
            try await store.setSettings(changes.map { ($0.0.rawValue, $0.1?.json) })
        } catch {
            throw ConfigError.storage(String(describing: error))
        }
    }
}

/// Why a config command failed.
public enum ConfigError: Error, Sendable, CustomStringConvertible {
    /// The command was used wrongly.
    case usage(String)
    /// An assignment (`key=value` as typed) was refused.
    case invalid(at: String, OpsValueError)
    /// A line of the edited YAML was refused.
    case invalidLine(line: Int, text: String, OpsValueError)
    /// The database could not be read or written.
    case storage(String)
    /// The edit was abandoned; nothing changed.
    case aborted(String)

    /// A message for people.
    public var description: String {
        switch self {
        case .usage(let message): return message
        case .invalid(let assignment, let error): return "config set: '\(assignment)': \(error.message); nothing changed"
        case .invalidLine(let line, let text, let error): return "line \(line): \(text)\n  \(error.message)"
        case .storage(let message): return "config: \(message)"
        case .aborted(let message): return "config edit: \(message); nothing changed"
        }
    }
}
