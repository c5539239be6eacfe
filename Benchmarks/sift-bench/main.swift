// sift-bench: figures with ratios, run in release: `swift run -c release sift-bench SUBCOMMAND`.
// Each subcommand lives in its own file and is listed here (one line each).
@preconcurrency import Glibc
import Foundation

let subcommands: [String: (_ arguments: [String]) throws -> Void] = [
    "store": StoreBench.run,
    "store-import-child": StoreBench.importChild,
    "store-generate": StoreBench.generateDatabase,
    "store-export": StoreBench.exportDatabase,
    "query": QueryBench.run,
    "shell": ShellBench.run,
    "repl": REPLBench.run,
]
/// Subcommands that run async work.
let asyncSubcommands: [String: (_ arguments: [String]) async throws -> Void] = [
    "aws": { try await AWSBench.run(arguments: $0) },
]

// Line-buffered standard output, so figures appear as they are measured. `stdout` is a C global
// (the C boundary, hence `@preconcurrency import Glibc`): touched once, here, before anything runs.
setvbuf(stdout, nil, _IOLBF, 0)
let arguments = Array(CommandLine.arguments.dropFirst())
let names = (Array(subcommands.keys) + Array(asyncSubcommands.keys)).sorted()
guard let name = arguments.first, names.contains(name) else {
    FileHandle.standardError.write(Data("usage: sift-bench \(names.joined(separator: "|")) [ARGS]\n".utf8))
    exit(2)
}
do {
    if let subcommand = subcommands[name] {
        try subcommand(Array(arguments.dropFirst()))
    } else if let subcommand = asyncSubcommands[name] {
        try await subcommand(Array(arguments.dropFirst()))
    }
} catch {
    FileHandle.standardError.write(Data("sift-bench \(name): \(error)\n".utf8))
    exit(1)
}
