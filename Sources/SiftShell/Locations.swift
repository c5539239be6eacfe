import Foundation

/// Where Sift keeps its files by default, after the XDG base directory rules.
public enum Locations {
    /// The database: `SIFT_DB`, else `$XDG_DATA_HOME/sift/sift.db`, else `~/.local/share/sift/sift.db`.
    public static func defaultDatabasePath(environment: [String: String]) -> String {
        if let path = environment["SIFT_DB"], !path.isEmpty { return path }
        return dataDirectory(environment: environment) + "/sift.db"
    }

    /// `$XDG_DATA_HOME/sift` or `~/.local/share/sift`.
    public static func dataDirectory(environment: [String: String]) -> String {
        base(environment, variable: "XDG_DATA_HOME", fallback: ".local/share") + "/sift"
    }

    /// The REPL's history file: `$XDG_STATE_HOME/sift/history` or `~/.local/state/sift/history`.
    public static func historyPath(environment: [String: String]) -> String {
        if let path = environment["SIFT_HISTORY"], !path.isEmpty { return path }
        return base(environment, variable: "XDG_STATE_HOME", fallback: ".local/state") + "/sift/history"
    }

    /// Creates the directory holding `path` (and its parents) with mode 0700 if missing.
    public static func createParentDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) else { return }
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    private static func base(_ environment: [String: String], variable: String, fallback: String) -> String {
        if let value = environment[variable], value.hasPrefix("/") { return value }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/" + fallback
    }
}
