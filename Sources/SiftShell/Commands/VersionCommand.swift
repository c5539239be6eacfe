import SiftStore
import SiftVersion

/// `version`: the release, the commit the binary was built from, and the SQLite library.
public struct VersionCommand: ShellCommand, StandaloneCommand {
    public static let info = CommandInfo(
        name: "version", synopsis: "version", summary: "show the version, the commit and the SQLite library")

    /// Creates the command.
    public init() {}

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        try reader.finish()
        return .standalone(VersionCommand())
    }

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
