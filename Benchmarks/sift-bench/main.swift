// sift-bench: figures with ratios, run in release: `swift run -c release sift-bench SUBCOMMAND`.
// Each subcommand lives in its own file and is listed here (one line each).
import Foundation

let subcommands: [String: (_ arguments: [String]) throws -> Void] = [
    "store": StoreBench.run,
    "store-import-child": StoreBench.importChild,
    "store-generate": StoreBench.generateDatabase,
    "store-export": StoreBench.exportDatabase,
    "query": QueryBench.run,
    "shell": ShellBench.run,
    "aws": { _ in },  // async, run below
]

setvbuf(stdout, nil, _IOLBF, 0)
let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let subcommand = subcommands[name] else {
    FileHandle.standardError.write(Data("usage: sift-bench \(subcommands.keys.sorted().joined(separator: "|")) [ARGS]\n".utf8))
    exit(2)
}
do {
    if name == "aws" {
        // Async: collect against the emulator beside boto3 direct calls and Cloud Custodian.
        try await AWSBench.run(arguments: Array(arguments.dropFirst()))
    } else {
        try subcommand(Array(arguments.dropFirst()))
    }
} catch {
    FileHandle.standardError.write(Data("sift-bench \(name): \(error)\n".utf8))
    exit(1)
}
