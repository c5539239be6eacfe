import Foundation

/// The YAML form of the configuration that `config edit` shows: flat `key: value` lines with a
/// comment above each key. Only this subset is read back: blank lines, `#` comments, and
/// `key: value` where value is a word, a quoted string, `null` or a flow list `[a, b]`.
public enum ConfigYAML {
    /// The configuration as YAML, every key with its summary and default.
    public static func render(_ config: OpsConfig) -> String {
        var lines = [
            "# Sift configuration. Change values, save and quit the editor.",
            "# A key left out returns to its default. Lines are `key: value`.",
        ]
        for key in ConfigKey.allCases {
            lines.append("")
            lines.append("# \(key.summary) (default: \(key.defaultValue.display))")
            lines.append("\(key.rawValue): \(config[key].display)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads YAML written by `render` and edited by a person. Every bad line is reported, each with its
    /// number, its text and why; a key left out takes its default. A value equal to the one in
    /// `current` is kept as it is, even where a new one would need `config set --force` (a
    /// `cleanup_grace` under 1h that was forced stays through an edit of another key).
    public static func parse(_ text: String, current: OpsConfig? = nil) -> Result<OpsConfig, ConfigYAMLErrors> {
        var config = OpsConfig()
        var errors: [ConfigError] = []
        var seen: [ConfigKey: Int] = [:]
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let line = stripComment(String(rawLine)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line == "---" { continue }
            guard let colon = line.firstIndex(of: ":") else {
                errors.append(.invalidLine(line: number, text: String(rawLine), OpsValueError("expected `key: value`")))
                continue
            }
            if rawLine.first == " " || rawLine.first == "\t" {
                errors.append(.invalidLine(line: number, text: String(rawLine), OpsValueError("nested values are not used here: keys start at the line's beginning")))
                continue
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...])
            do throws(OpsValueError) {
                let key = try ConfigKey.named(name)
                if let first = seen[key] { throw OpsValueError("\(key.rawValue) is already set on line \(first)") }
                seen[key] = number
                let forcedEarlier = current.map { (try? key.parse(value, force: true)) == $0[key] } ?? false
                config.set(key, try key.parse(value, force: forcedEarlier))
            } catch {
                errors.append(.invalidLine(line: number, text: String(rawLine), error))
            }
        }
        return errors.isEmpty ? .success(config) : .failure(ConfigYAMLErrors(errors: errors))
    }

    /// The line without a `#` comment (a `#` inside quotes, or not after a space, is kept).
    private static func stripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for (index, char) in zip(line.indices, line) {
            if let open = quote {
                if char == open { quote = nil }
            } else if char == "\"" || char == "'" {
                quote = char
            } else if char == "#" && (previous == " " || previous == "\t") {
                return String(line[..<index])
            }
            previous = char
        }
        return line
    }
}

/// Every bad line of an edited configuration.
public struct ConfigYAMLErrors: Error, Sendable, CustomStringConvertible {
    /// One `ConfigError.invalidLine` per bad line, in line order.
    public let errors: [ConfigError]
    /// The errors, one per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
