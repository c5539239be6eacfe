import Foundation

/// Runs the real `sift` binary built by `swift build` / `swift test`.
enum SiftProcess {
    /// The result of one run.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The binary: next to the test bundle (same build products folder), else `.build/debug/sift`
    /// under the package root.
    static let binary: String = {
        var candidates: [String] = []
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent("sift").path)
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/sift").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last ?? "sift"
    }()

    /// The package root, from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs sift with arguments, optional standard input and extra environment.
    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
        try runProgram(binary, arguments, stdin: stdin, environment: environment)
    }

    /// Runs any program the same way.
    static func runProgram(_ program: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a full pipe never blocks the child.
        let errorBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorBox.data = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorBox.data, as: UTF8.self))
    }

    /// Data filled in by another thread.
    final class DataBox: @unchecked Sendable {
        var data = Data()
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sift-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A small graph in the NDJSON form of SPEC section 3, with dates relative to now.
enum Fixture {
    static func iso(daysAgo days: Int) -> String {
        let date = Date().addingTimeInterval(-Double(days) * 86_400)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// Cloud, one account, users nancy (an old and a recent key), ccm-sa (a never-used key),
    /// jenkins (an old inactive key), fresh (a recent key) and nokeys (no key).
    static var ndjson: String {
        func node(_ id: String, _ kind: String, _ name: String, ctime: Int, atime: Int?, extra: String = "") -> String {
            var reported = #""kind":"\#(kind)","name":"\#(name)","ctime":"\#(iso(daysAgo: ctime))""#
            if let atime { reported += #","atime":"\#(iso(daysAgo: atime))""# }
            reported += extra
            return #"{"id":"\#(id)","reported":{\#(reported)},"desired":{},"metadata":{}}"#
        }
        func edge(_ from: String, _ to: String) -> String {
            #"{"from":"\#(from)","to":"\#(to)","edge_type":"default"}"#
        }
        return [
            node("aws", "cloud", "aws", ctime: 1000, atime: nil),
            node("111111111111", "aws_account", "prod", ctime: 1000, atime: nil),
            node("AIDANANCY", "aws_iam_user", "nancy", ctime: 900, atime: nil, extra: #","tags":{"owner":"sec"}"#),
            node("AKIANANCY1", "aws_iam_access_key", "nancy", ctime: 800, atime: 200, extra: #","access_key_status":"Active""#),
            node("AKIANANCY2", "aws_iam_access_key", "nancy", ctime: 100, atime: 5, extra: #","access_key_status":"Active""#),
            node("AIDACCM", "aws_iam_user", "ccm-sa", ctime: 500, atime: nil),
            node("AKIACCM1", "aws_iam_access_key", "ccm-sa", ctime: 400, atime: nil, extra: #","access_key_status":"Active""#),
            node("AIDAJENKINS", "aws_iam_user", "jenkins", ctime: 700, atime: nil),
            node("AKIAJENKINS1", "aws_iam_access_key", "jenkins", ctime: 600, atime: 300, extra: #","access_key_status":"Inactive""#),
            node("AIDAFRESH", "aws_iam_user", "fresh", ctime: 10, atime: nil),
            node("AKIAFRESH1", "aws_iam_access_key", "fresh", ctime: 10, atime: 1, extra: #","access_key_status":"Active""#),
            node("AIDANOKEYS", "aws_iam_user", "nokeys", ctime: 50, atime: nil),
            edge("aws", "111111111111"),
            edge("111111111111", "AIDANANCY"), edge("AIDANANCY", "AKIANANCY1"), edge("AIDANANCY", "AKIANANCY2"),
            edge("111111111111", "AIDACCM"), edge("AIDACCM", "AKIACCM1"),
            edge("111111111111", "AIDAJENKINS"), edge("AIDAJENKINS", "AKIAJENKINS1"),
            edge("111111111111", "AIDAFRESH"), edge("AIDAFRESH", "AKIAFRESH1"),
            edge("111111111111", "AIDANOKEYS"),
        ].joined(separator: "\n") + "\n"
    }

    /// A new database holding the fixture graph; returns its path.
    static func database() throws -> String {
        let directory = try SiftProcess.temporaryDirectory()
        let db = directory.appendingPathComponent("sift.db").path
        let file = directory.appendingPathComponent("graph.ndjson")
        try ndjson.write(to: file, atomically: true, encoding: .utf8)
        let result = try SiftProcess.run(["--db", db, "import", file.path])
        guard result.status == 0 else {
            throw FixtureError(message: "import failed: \(result.stderr)")
        }
        return db
    }

    /// A fixture could not be set up.
    struct FixtureError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
