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
    public static let spec = CommandSpec(
        name: "import", summary: "read a graph in NDJSON (all or nothing)",
        arguments: [ArgumentSpec("FILE|-", help: "the file, or - for standard input", candidates: .files)]
    ) { arguments throws(ShellError) in
        .standalone(ImportCommand(file: arguments.positionals[0]))
    }

    let file: Word

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
        let summary = try await context.limited("import", outcome: "nothing was imported") { store, timeLimit in
            try await store.importNDJSON(from: handle, source: source, now: Date(), timeLimit: timeLimit) { progress.update($0) }
        }
        context.out.line("imported \(summary.nodes) nodes (\(summary.created) created, \(summary.updated) updated, "
            + "\(summary.unchanged) unchanged) and \(summary.edgesAdded) edges added"
            + (summary.edges > summary.edgesAdded ? " (\(summary.edges - summary.edgesAdded) already there or repeated)" : "")
            + " from \(source) in \(Self.seconds(since: started))")
    }
}

/// `export FILE|-`: writes the graph as NDJSON, sorted and stable.
public struct ExportCommand: ShellCommand, StandaloneCommand {
    public static let spec = CommandSpec(
        name: "export", summary: "write the graph as NDJSON (sorted, stable)",
        arguments: [ArgumentSpec("FILE|-", help: "the file (written 0600), or - for standard output", candidates: .files)]
    ) { arguments throws(ShellError) in
        .standalone(ExportCommand(file: arguments.positionals[0]))
    }

    let file: Word

    public func run(in context: ShellContext) async throws {
        let started = Date()
        if file.text == "-" {
            context.out.flush()
            let summary = try await context.limited("export", outcome: "the output is incomplete") { store, _ in
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
        let summary = try await context.limited("export", outcome: "\(file.text) is incomplete") { store, _ in
            try await store.exportNDJSON(to: handle)
        }
        context.out.line("exported \(summary.nodes) nodes and \(summary.edges) edges to \(file.text) in \(ImportCommand.seconds(since: started))")
    }
}

/// `generate --accounts A --users U [--seed S]`: a synthetic organisation.
public struct GenerateCommand: ShellCommand, StandaloneCommand {
    public static let spec = CommandSpec(
        name: "generate", summary: "write a realistic synthetic organisation (U users per account)",
        options: [
            .single("--accounts", value: "A", help: "how many accounts (default 1)"),
            .single("--users", value: "U", help: "how many users per account", required: true),
            .single("--seed", value: "S", help: "the random seed (default 1): the same seed makes the same graph"),
        ]
    ) { arguments throws(ShellError) in
        let accounts = try arguments.int("--accounts") ?? 1
        guard let users = try arguments.int("--users") else {
            throw ShellError("generate: --users U is required", at: arguments.end)
        }
        let seed = try arguments.int("--seed") ?? 1
        guard accounts >= 1, users >= 0, seed >= 0 else {
            throw ShellError("generate: --accounts must be at least 1, --users and --seed not negative", at: arguments.end)
        }
        return .standalone(GenerateCommand(accounts: accounts, users: users, seed: UInt64(seed)))
    }

    let accounts: Int
    let users: Int
    let seed: UInt64

    public func run(in context: ShellContext) async throws {
        let started = Date()
        let progress = ProgressLine(context.err, label: "generating nodes:")
        let options = GeneratorOptions(accounts: accounts, users: users, seed: seed, now: started)
        defer { progress.clear() }
        let summary = try await context.limited("generate", outcome: "nothing was written") { store, timeLimit in
            try await store.generate(options, timeLimit: timeLimit) { progress.update($0) }
        }
        context.out.line("generated \(summary.accounts) accounts, \(summary.users) users, \(summary.keys) access keys "
            + "(\(summary.nodes) nodes, \(summary.edges) edges) in \(ImportCommand.seconds(since: started))")
    }
}
