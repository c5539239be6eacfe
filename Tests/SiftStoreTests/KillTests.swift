import Foundation
import GRDB
import Testing
@testable import SiftStore

/// Kills a child process (SIGKILL) in the middle of an import or a subgraph write, many times, and
/// checks each time that the database is sound and holds exactly the graph it held before.
@Suite(.serialized) struct KillTests {
    let directory: TemporaryDirectory
    let tool: URL

    init() throws {
        directory = try TemporaryDirectory()
        tool = try Self.locateTool()
    }

    /// `sift-store-crashtest` sits in the build products directory, beside the test bundle.
    static func locateTool() throws -> URL {
        let name = "sift-store-crashtest"
        var candidates: [URL] = []
        let bundle = Bundle.main.bundleURL
        candidates += [bundle, bundle.deletingLastPathComponent()]
        if let executable = Bundle.main.executableURL {
            candidates += [executable.deletingLastPathComponent(), executable.deletingLastPathComponent().deletingLastPathComponent()]
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent())
        }
        // Tests/SiftStoreTests/KillTests.swift -> package root -> .build/debug
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug"))
        for directory in candidates {
            let url = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw StoreError.invalidOptions("\(name) not found (looked in \(candidates.map(\.path))); build it: swift build --product \(name)")
    }

    /// Runs the tool; when `killAfter` is given, kills it that many milliseconds after it said
    /// "writing". Returns true when it was killed, false when it finished by itself.
    @discardableResult
    func runTool(_ arguments: [String], killAfter milliseconds: Int?) throws -> Bool {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("writing\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        guard let milliseconds else {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(arguments) failed")
            return false
        }
        usleep(useconds_t(milliseconds * 1000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
        #expect(killed, "\(arguments) was not killed in the middle: it ended with \(process.terminationStatus), said \(String(decoding: seen + rest, as: UTF8.self))")
        return killed
    }

    /// The graph's export, after checking that the file is sound.
    func soundExport(_ path: String) throws -> String {
        let store = try GraphStore(path: path)
        let integrity = try store.writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == ["ok"])
        let foreignKeys = try store.writer.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(foreignKeys.isEmpty)
        #expect(try graphIndexes(store) == schemaGraphIndexes)
        return try exportText(store, directory)
    }

    /// Random kill moments, printed so that a failure can be replayed.
    func delays(_ count: Int) -> [Int] {
        let moments = (0..<count).map { _ in Int.random(in: 10...900) }
        print("kill moments (ms after the write started): \(moments)")
        return moments
    }

    @Test func killedImportsLeaveThePreviousGraph() throws {
        let file = directory.path("big.ndjson")
        try runTool(["make-ndjson", file, "250000"], killAfter: nil)
        // Into an empty graph (the bulk path: indexes dropped during the load) ...
        let empty = directory.path("empty.db")
        let emptyBefore = try soundExport(empty)
        for delay in delays(4) {
            try runTool(["import", empty, file], killAfter: delay)
            #expect(try soundExport(empty) == emptyBefore)
        }
        // ... and into a graph that has nodes (the merge path).
        let populated = directory.path("populated.db")
        do {
            let store = try GraphStore(path: populated)
            try store.generate(GeneratorOptions(accounts: 2, users: 100, seed: 9, now: testNow))
        }
        let populatedBefore = try soundExport(populated)
        for delay in delays(4) {
            try runTool(["import", populated, file], killAfter: delay)
            #expect(try soundExport(populated) == populatedBefore)
        }
        // The same command, not killed, really writes.
        let small = directory.path("small.ndjson")
        try runTool(["make-ndjson", small, "500"], killAfter: nil)
        try runTool(["import", populated, small], killAfter: nil)
        #expect(try soundExport(populated).split(separator: "\n").count == populatedBefore.split(separator: "\n").count + 999)
    }

    @Test func killedSubgraphWritesLeaveThePreviousGraph() throws {
        let path = directory.path("graph.db")
        do {
            let store = try GraphStore(path: path)
            try store.replaceSubgraph(cloudSubgraph, now: testNow)
            try store.replaceSubgraph(accountSubgraph("acct", users: 0..<100), now: testNow)
            try store.mark(ids: ["AKIAacct-1"], desired: ["clean": .bool(true)], metadata: [:], now: testNow)
        }
        let before = try soundExport(path)
        for delay in delays(5) {
            try runTool(["subgraph", path, "acct", "40000"], killAfter: delay)
            #expect(try soundExport(path) == before)
        }
        // Not killed, the same command replaces the subgraph.
        try runTool(["subgraph", path, "acct", "150"], killAfter: nil)
        let after = try soundExport(path)
        #expect(after != before)
        #expect(after.contains(#"{"id":"AKIA-acct-1","reported":{"access_key_status":"Inactive""#))
    }
}
