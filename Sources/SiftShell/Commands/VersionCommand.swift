import SiftStore
import SiftVersion

/// `version`: the release, the commit the binary was built from, and the SQLite library.
public struct VersionCommand: ShellCommand, StandaloneCommand {
    public static let spec = CommandSpec(
        name: "version", summary: "show the version, the commit and the SQLite library"
    ) { _ throws(ShellError) in
        .standalone(VersionCommand())
    }

    /// Creates the command.
    public init() {}

    /// The release alone (`0.4.0`), for the man page.
    public static var versionOnly: String { SiftVersion.version }

    /// The text `sift --version` prints too.
    public static var text: String {
        "sift \(SiftVersion.version) (commit \(SiftVersion.commit)), SQLite \(SQLiteLibrary.version)"
    }

    public func run(in context: ShellContext) async throws {
        context.out.line(Self.text)
    }
}
