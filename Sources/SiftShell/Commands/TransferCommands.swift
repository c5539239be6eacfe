import Foundation
import SiftStore

/// Shows progress on stderr when it is a terminal, at most every 100 ms.
final class ProgressLine {
    let writer: OutputWriter
    let label: String
    var last = Date.distantPast

    init(_ writer: OutputWriter, label: String) {
        self.writer = writer
        self.label = label
    }

    func update(_ count: Int) {
        guard writer.isTerminal else { return }
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.1 else { return }
        last = now
        writer.write("\r\(label) \(count)…")
    }

    func clear() {
        guard writer.isTerminal, last != .distantPast else { return }
        writer.write("\r\u{1B}[K")
    }
}

/// `import FILE|-`: reads the NDJSON form into the graph, all or nothing.
public struct ImportCommand: ShellCommand, StandaloneCommand {
    public static let info = CommandInfo(
        name: "import", synopsis: "import FILE|-", summary: "read a graph in NDJSON (all or nothing)")

    let file: Word

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        let words = try reader.positionals(allowNegativeNumbers: false)
        guard words.count == 1 else {
            throw ShellError("import: give one file, or - for standard input", at: words.dropFirst().first?.position ?? segment.rawPosition)
        }
        return .standalone(ImportCommand(file: words[0]))
    }

    /// `1.23 s` since a start.
    static func seconds(since start: Date) -> String {
        String(format: "%.2f s", Date().timeIntervalSince(start))
    }

    public func run(in context: ShellContext) async throws {
        let started = Date()
        let handle: FileHandle
        let source: String
        if file.text == "-" {
            handle = FileHandle.standardInput
            source = "<stdin>"
        } else {
            guard let opened = FileHandle(forReadingAtPath: file.text) else {
                throw ShellError("import: cannot read '\(file.text)'", at: file.position)
            }
            handle = opened
            source = file.text
        }
        let progress = ProgressLine(context.err, label: "importing, lines read:")
        defer { progress.clear() }
        let summary = try await context.limited("import", outcome: "nothing was imported") { store in
            try await store.importNDJSON(from: handle, source: source, now: Date()) { progress.update($0) }
        }
        context.out.line("imported \(summary.nodes) nodes (\(summary.created) created, \(summary.updated) updated, "
            + "\(summary.unchanged) unchanged) and \(summary.edgesAdded) edges added"
            + (summary.edges > summary.edgesAdded ? " (\(summary.edges - summary.edgesAdded) already there or repeated)" : "")
            + " from \(source) in \(Self.seconds(since: started))")
    }
}

/// `export FILE|-`: writes the graph as NDJSON, sorted and stable.
public struct ExportCommand: ShellCommand, StandaloneCommand {
    public static let info = CommandInfo(
        name: "export", synopsis: "export FILE|-", summary: "write the graph as NDJSON (sorted, stable)")

    let file: Word

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        let words = try reader.positionals()
        guard words.count == 1 else {
            throw ShellError("export: give one file, or - for standard output", at: words.dropFirst().first?.position ?? segment.rawPosition)
        }
        return .standalone(ExportCommand(file: words[0]))
    }

    public func run(in context: ShellContext) async throws {
        let started = Date()
        if file.text == "-" {
            context.out.flush()
            let summary = try await context.limited("export", outcome: "the output is incomplete") { store in
                try await store.exportNDJSON(to: FileHandle.standardOutput)
            }
            context.err.line("exported \(summary.nodes) nodes and \(summary.edges) edges in \(ImportCommand.seconds(since: started))")
            return
        }
        guard FileManager.default.createFile(atPath: file.text, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: file.text) else {
            throw ShellError("export: cannot write '\(file.text)'", at: file.position)
        }
        defer { try? handle.close() }
        let summary = try await context.limited("export", outcome: "\(file.text) is incomplete") { store in
            try await store.exportNDJSON(to: handle)
        }
        context.out.line("exported \(summary.nodes) nodes and \(summary.edges) edges to \(file.text) in \(ImportCommand.seconds(since: started))")
    }
}

/// `generate --accounts A --users U [--seed S]`: a synthetic organisation.
public struct GenerateCommand: ShellCommand, StandaloneCommand {
    public static let info = CommandInfo(
        name: "generate", synopsis: "generate --accounts A --users U [--seed S]",
        summary: "write a realistic synthetic organisation (U users per account)")

    let accounts: Int
    let users: Int
    let seed: UInt64

    public static func make(_ segment: CommandSegment) throws(ShellError) -> PipelineStep {
        var reader = ArgumentReader(segment)
        let accounts = try reader.intOption("--accounts") ?? 1
        guard let users = try reader.intOption("--users") else {
            throw ShellError("generate: --users U is required", at: segment.rawPosition)
        }
        let seed = try reader.intOption("--seed") ?? 1
        try reader.finish()
        guard accounts >= 1, users >= 0, seed >= 0 else {
            throw ShellError("generate: --accounts must be at least 1, --users and --seed not negative", at: segment.rawPosition)
        }
        return .standalone(GenerateCommand(accounts: accounts, users: users, seed: UInt64(seed)))
    }

    public func run(in context: ShellContext) async throws {
        let started = Date()
        let progress = ProgressLine(context.err, label: "generating nodes:")
        let options = GeneratorOptions(accounts: accounts, users: users, seed: seed, now: started)
        defer { progress.clear() }
        let summary = try await context.limited("generate", outcome: "nothing was written") { store in
            try await store.generate(options) { progress.update($0) }
        }
        context.out.line("generated \(summary.accounts) accounts, \(summary.users) users, \(summary.keys) access keys "
            + "(\(summary.nodes) nodes, \(summary.edges) edges) in \(ImportCommand.seconds(since: started))")
    }
}
