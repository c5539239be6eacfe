import Foundation

/// Which lines the REPL may keep in its history file: never one that carries a secret.
public enum HistoryPolicy {
    /// Fragments (lower-cased) that mark a line as carrying a secret.
    public static let secretMarkers = [
        "aws_secret_access_key", "secret", "password", "passwd", "token=", "session_token",
        "private_key", "api_key", "apikey", "credential",
    ]

    /// Property names that contain a marker but carry no secret.
    static let harmlessProperties = ["password_enabled", "password_last_used", "password_last_changed"]

    /// Whether the line may be written to the history file.
    public static func mayRecord(_ line: String) -> Bool {
        var lowered = line.lowercased()
        // Property names of the graph that merely talk about passwords are not secrets.
        for property in harmlessProperties {
            lowered = lowered.replacingOccurrences(of: property, with: "")
        }
        if lowered.trimmingCharacters(in: .whitespaces).isEmpty { return false }
        return !secretMarkers.contains { lowered.contains($0) }
    }
}
