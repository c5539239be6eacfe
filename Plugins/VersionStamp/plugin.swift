import Foundation
import PackagePlugin

/// Writes `Stamp.swift` for the target it is applied to before each build: the commit of the
/// work tree (`git describe --always --dirty`) or, when `SIFT_COMMIT` is set (the release
/// script sets it), that. No network, no tool built from source: `/bin/sh` and `git`.
@main
struct VersionStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "stamp")
        let file = output.appending(path: "Stamp.swift").path
        let package = context.package.directoryURL.path
        let script = """
            mkdir -p '\(output.path)'
            commit="${SIFT_COMMIT:-$(git -C '\(package)' describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)}"
            text="/// The commit this binary was built from (generated at build time).
            let buildCommit = \\"$commit\\""
            if [ ! -f '\(file)' ] || [ "$(cat '\(file)')" != "$text" ]; then printf '%s\\n' "$text" > '\(file)'; fi
            """
        return [
            .prebuildCommand(
                displayName: "Stamping the commit into \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script],
                outputFilesDirectory: output)
        ]
    }
}
