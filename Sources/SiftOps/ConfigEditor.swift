import Foundation

/// `config edit`: writes the configuration as YAML to a private temporary file, opens the user's
/// editor on it, reads it back, and either saves it (all keys valid), re-opens it (the user wants to
/// fix what was refused), or abandons it (nothing changes).
public struct ConfigEditor {
    /// The editor command (`$VISUAL`, else `$EDITOR`, else `vi`); run by `/bin/sh` so it may have arguments.
    public var editor: String
    /// Told the refused lines; answers true to re-open the editor, false to abandon the edit.
    public var askReopen: (ConfigYAMLErrors) -> Bool

    /// Creates an editor session.
    public init(editor: String, askReopen: @escaping (ConfigYAMLErrors) -> Bool) {
        self.editor = editor
        self.askReopen = askReopen
    }

    /// The editor named by the environment.
    public static func editorFromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        for name in ["VISUAL", "EDITOR"] {
            if let value = environment[name], !value.trimmingCharacters(in: .whitespaces).isEmpty { return value }
        }
        return "vi"
    }

    /// Runs the edit; returns the keys whose value changed (empty when nothing changed).
    public func edit(_ configStore: ConfigStore) async throws(ConfigError) -> [ConfigKey] {
        let current: OpsConfig
        do { current = try await configStore.load() } catch { throw ConfigError.storage(String(describing: error)) }
        let directory = FileManager.default.temporaryDirectory.path
        let path = "\(directory)/sift-config-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).yaml"
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ConfigError.storage("cannot create \(path): \(String(cString: strerror(errno)))") }
        close(descriptor)
        defer { unlink(path) }
        do {
            try ConfigYAML.render(current).write(toFile: path, atomically: false, encoding: .utf8)
        } catch {
            throw ConfigError.storage("cannot write \(path): \(error.localizedDescription)")
        }
        while true {
            let status = runEditor(path)
            guard status == 0 else { throw ConfigError.aborted("the editor exited with status \(status)") }
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ConfigError.storage("cannot read \(path): \(error.localizedDescription)")
            }
            switch ConfigYAML.parse(text, current: current) {
            case .success(let edited):
                let changed = ConfigKey.allCases.filter { edited[$0] != current[$0] }
                if changed.isEmpty { return [] }
                try await configStore.replace(with: edited)
                return changed
            case .failure(let errors):
                if !askReopen(errors) { throw ConfigError.aborted("\(errors.errors.count) line(s) refused") }
            }
        }
    }

    /// Runs the editor on `path` with the terminal, and returns its exit status.
    private func runEditor(_ path: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(editor) \"$1\"", "sh", path]
        do { try process.run() } catch { return 127 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
