import Foundation
import GRDB
import GRDBSQLite
@_spi(Benchmarks) import SiftStore

/// `sift-bench store [NODES]`: generate, export, import and the raw sqlite3 baseline.
///
/// Prints nodes/s for `generate` of about NODES nodes (default 1,000,000), for the import of its
/// NDJSON export, and for the same rows written with the raw sqlite3 C API in one transaction of
/// prepared statements, with ratios; and the peak memory (VmHWM) of imports of two sizes, each in
/// a fresh child process, to show it does not grow with the file.
enum StoreBench {
    static func run(_ arguments: [String]) throws {
        let target = arguments.first.flatMap(Int.init) ?? 1_000_000
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sift-bench-store-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let now = Date(timeIntervalSince1970: 1_780_272_000)

        print("sift-bench store: \(target) nodes target, files in \(directory.path)")
        // 1. generate
        let options = generatorOptions(nodes: target, now: now)
        let generated: GenerateSummary
        let generateSeconds: Double
        do {
            let store = try GraphStore(path: path("generated.db"))
            (generated, generateSeconds) = try timed { try store.generate(options) }
        }
        let generateCPU = lastCPU
        let generateRate = Double(generated.nodes) / generateSeconds
        print(line("generate", "\(generated.nodes) nodes + \(generated.edges) edges (\(options.accounts) accounts x \(options.users) users)",
                   seconds: generateSeconds, rate: generateRate))

        // 2. export
        let exportPath = path("graph.ndjson")
        let exportSeconds = try export(path("generated.db"), to: exportPath).seconds
        let exportBytes = (try FileManager.default.attributesOfItem(atPath: exportPath)[.size] as? NSNumber)?.intValue ?? 0
        print(line("export", "\(exportBytes / 1_048_576) MiB NDJSON", seconds: exportSeconds, rate: Double(generated.nodes) / exportSeconds))

        // 3. import, in a child process so that its peak memory is its own
        let big = try importInChild(file: exportPath, database: path("imported.db"))
        let importRate = Double(big.nodes) / big.seconds
        print(line("import", "\(big.nodes) nodes + \(big.edges) edges, peak RSS \(big.peakKiB / 1024) MiB",
                   seconds: big.seconds, rate: importRate, cpu: big.cpu))
        let parseSeconds = try timed {
            try GraphStore.parseNDJSONOnly(from: FileHandle(forReadingFrom: URL(fileURLWithPath: exportPath)))
        }.1
        print(line("parse only", "the import's parsing and validation, no writes", seconds: parseSeconds, rate: Double(big.nodes) / parseSeconds))

        // 4. the raw baseline: the same rows, materialised in memory first, written with sqlite3_*
        let rows = try RawRows(database: path("generated.db"))
        let rawLive = try rows.write(to: path("raw-live.db"), rebuildIndexes: false)
        let rawRebuilt = try rows.write(to: path("raw-rebuilt.db"), rebuildIndexes: true)
        let count = Double(rows.nodes.count)
        print(line("raw sqlite3", "same rows, indexes kept live", seconds: rawLive.wall, rate: count / rawLive.wall, cpu: rawLive.cpu))
        print(line("raw sqlite3", "same rows, indexes rebuilt after, no FK checks", seconds: rawRebuilt.wall, rate: count / rawRebuilt.wall, cpu: rawRebuilt.cpu))
        let bestWall = min(rawLive.wall, rawRebuilt.wall), bestCPU = min(rawLive.cpu, rawRebuilt.cpu)
        print(String(format: "ratio import / best raw:   %.2f by wall time, %.2f by CPU time  (goal >= 0.70)",
                     bestWall / big.seconds, bestCPU / big.cpu))
        print(String(format: "ratio generate / best raw: %.2f by wall time, %.2f by CPU time",
                     bestWall / generateSeconds, bestCPU / generateCPU))
        print(String(format: "generate %d nodes: %.2f s  (goal < 10 s for 1,000,000)", generated.nodes, generateSeconds))

        // 5. peak memory against size: a graph a tenth the size, imported the same way
        let smallOptions = generatorOptions(nodes: target / 10, now: now)
        do {
            let store = try GraphStore(path: path("small.db"))
            try store.generate(smallOptions)
        }
        _ = try export(path("small.db"), to: path("small.ndjson"))
        let small = try importInChild(file: path("small.ndjson"), database: path("small-imported.db"))
        print("peak RSS of import: \(small.nodes) nodes: \(small.peakKiB / 1024) MiB; \(big.nodes) nodes: \(big.peakKiB / 1024) MiB"
              + String(format: " (ratio %.2f for %.0fx the nodes)", Double(big.peakKiB) / Double(small.peakKiB),
                       Double(big.nodes) / Double(max(1, small.nodes))))
    }

    /// Options whose graph has about `nodes` nodes (two nodes per user on average, 100 accounts).
    static func generatorOptions(nodes: Int, now: Date) -> GeneratorOptions {
        let accounts = max(1, min(100, nodes / 2000))
        return GeneratorOptions(accounts: accounts, users: max(1, nodes / accounts / 2), seed: 1, now: now)
    }

    static func line(_ what: String, _ detail: String, seconds: Double, rate: Double, cpu: Double = lastCPU) -> String {
        String(format: "%-12@ %7.2f s wall %7.2f s cpu %10.0f nodes/s   %@", what as NSString, seconds, cpu, rate, detail as NSString)
    }

    /// Wall-clock and process CPU seconds of `body`.
    static func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = cpuSeconds()
        let result = try body()
        lastCPU = cpuSeconds() - cpuStart
        return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// The CPU seconds of the last `timed` call (the machine is shared: wall time alone misleads).
    nonisolated(unsafe) static var lastCPU = 0.0

    static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func export(_ database: String, to file: String) throws -> (summary: ExportSummary, seconds: Double) {
        let store = try GraphStore(path: database)
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        return try timed { try store.exportNDJSON(to: handle) }
    }

    /// What the import child reports.
    struct ChildImport {
        var nodes: Int
        var edges: Int
        var seconds: Double
        var cpu: Double
        var peakKiB: Int
    }

    static func importInChild(file: String, database: String) throws -> ChildImport {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["store-import-child", file, database]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var values: [String: String] = [:]
        for pair in output.split(whereSeparator: \.isWhitespace) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        guard process.terminationStatus == 0, let nodes = values["nodes"].flatMap(Int.init),
              let edges = values["edges"].flatMap(Int.init), let seconds = values["seconds"].flatMap(Double.init),
              let peak = values["hwm_kib"].flatMap(Int.init), let cpu = values["cpu"].flatMap(Double.init) else {
            throw BenchError(message: "import child failed: \(output)")
        }
        return ChildImport(nodes: nodes, edges: edges, seconds: seconds, cpu: cpu, peakKiB: peak)
    }

    /// `sift-bench store-import-child FILE DB`: imports and prints `nodes= edges= seconds= hwm_kib=`.
    static func importChild(_ arguments: [String]) throws {
        guard arguments.count == 2 else { throw BenchError(message: "usage: store-import-child FILE DB") }
        let store = try GraphStore(path: arguments[1])
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: arguments[0]))
        let (summary, seconds) = try timed { try store.importNDJSON(from: handle, source: arguments[0]) }
        print("nodes=\(summary.nodes) edges=\(summary.edges) seconds=\(seconds) cpu=\(lastCPU) hwm_kib=\(peakResidentKiB())")
    }

    /// `sift-bench store-generate DB [NODES]`: a generated graph of about NODES nodes (default
    /// 1,000,000) for other benchmarks and experiments.
    static func generateDatabase(_ arguments: [String]) throws {
        guard let path = arguments.first else { throw BenchError(message: "usage: store-generate DB [NODES]") }
        let nodes = arguments.dropFirst().first.flatMap(Int.init) ?? 1_000_000
        let store = try GraphStore(path: path)
        let (summary, seconds) = try timed { try store.generate(generatorOptions(nodes: nodes, now: Date())) }
        print(line("generate", "\(summary.nodes) nodes + \(summary.edges) edges into \(path)", seconds: seconds,
                   rate: Double(summary.nodes) / seconds))
    }

    /// `sift-bench store-export DB FILE`: the graph's NDJSON export, timed.
    static func exportDatabase(_ arguments: [String]) throws {
        guard arguments.count == 2 else { throw BenchError(message: "usage: store-export DB FILE") }
        let (summary, seconds) = try export(arguments[0], to: arguments[1])
        print(line("export", "\(summary.nodes) nodes + \(summary.edges) edges to \(arguments[1])", seconds: seconds,
                   rate: Double(summary.nodes) / seconds))
    }

    /// VmHWM of /proc/self/status: the process's peak resident memory.
    static func peakResidentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(whereSeparator: \.isWhitespace)[1]) ?? -1
        }
        return -1
    }
}


/// Every node and edge row of a database, in memory, ready to be written with the raw C API.
struct RawRows {
    struct NodeRow {
        var id: String, kind: String, name: String?, ctime: Int64?, mtime: Int64?, atime: Int64?
        var subgraph: String, reported: String, desired: String, metadata: String, firstSeen: Int64, lastSeen: Int64
    }
    var nodes: [NodeRow] = []
    var edges: [(Int64, Int64, String)] = []

    init(database: String) throws {
        try DatabaseQueue(path: database).read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, kind, name, ctime, mtime, atime, subgraph, reported, desired, metadata, first_seen, last_seen
                FROM node ORDER BY nid
                """)
            while let row = try rows.next() {
                nodes.append(NodeRow(id: row[0], kind: row[1], name: row[2], ctime: row[3], mtime: row[4], atime: row[5],
                                     subgraph: row[6], reported: row[7], desired: row[8], metadata: row[9],
                                     firstSeen: row[10], lastSeen: row[11]))
            }
            let edgeRows = try Row.fetchCursor(db, sql: "SELECT from_nid, to_nid, type FROM edge")
            while let row = try edgeRows.next() { edges.append((row[0], row[1], row[2])) }
        }
    }

    /// Writes every row into a fresh database with Sift's schema; returns the wall and CPU seconds.
    func write(to path: String, rebuildIndexes: Bool) throws -> (wall: Double, cpu: Double) {
        do { _ = try GraphStore(path: path) }   // the schema, then closed
        var connection: OpaquePointer?
        guard sqlite3_open(path, &connection) == SQLITE_OK, let db = connection else {
            throw BenchError(message: "cannot open \(path)")
        }
        defer { sqlite3_close(db) }
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
                throw BenchError(message: "\(sql): \(String(cString: sqlite3_errmsg(db)))")
            }
        }
        func prepare(_ sql: String) throws -> OpaquePointer {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
                throw BenchError(message: "\(sql): \(String(cString: sqlite3_errmsg(db)))")
            }
            return statement
        }
        try exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -131072")
        // The tuned variant, like Sift's loader: no foreign-key checks, indexes rebuilt after.
        try exec("PRAGMA foreign_keys = \(rebuildIndexes ? "OFF" : "ON")")
        var indexes: [String] = []
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = StoreBench.cpuSeconds()
        try exec("BEGIN IMMEDIATE")
        if rebuildIndexes {
            let list = try prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('node', 'edge') AND sql IS NOT NULL")
            var names: [String] = []
            while sqlite3_step(list) == SQLITE_ROW {
                names.append(String(cString: sqlite3_column_text(list, 0)))
                indexes.append(String(cString: sqlite3_column_text(list, 1)))
            }
            sqlite3_finalize(list)
            for name in names { try exec("DROP INDEX \(name)") }
        }
        let insertNode = try prepare("""
            INSERT INTO node(id, kind, name, ctime, mtime, atime, subgraph, reported, desired, metadata, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        func text(_ statement: OpaquePointer, _ index: Int32, _ value: String?) {
            guard var value else { sqlite3_bind_null(statement, index); return }
            value.withUTF8 { _ = sqlite3_bind_text(statement, index, $0.baseAddress, Int32($0.count), transient) }
        }
        func int(_ statement: OpaquePointer, _ index: Int32, _ value: Int64?) {
            if let value { sqlite3_bind_int64(statement, index, value) } else { sqlite3_bind_null(statement, index) }
        }
        for node in nodes {
            text(insertNode, 1, node.id); text(insertNode, 2, node.kind); text(insertNode, 3, node.name)
            int(insertNode, 4, node.ctime); int(insertNode, 5, node.mtime); int(insertNode, 6, node.atime)
            text(insertNode, 7, node.subgraph); text(insertNode, 8, node.reported); text(insertNode, 9, node.desired)
            text(insertNode, 10, node.metadata); int(insertNode, 11, node.firstSeen); int(insertNode, 12, node.lastSeen)
            guard sqlite3_step(insertNode) == SQLITE_DONE else { throw BenchError(message: String(cString: sqlite3_errmsg(db))) }
            sqlite3_reset(insertNode)
        }
        sqlite3_finalize(insertNode)
        let insertEdge = try prepare("INSERT INTO edge(from_nid, to_nid, type) VALUES (?, ?, ?)")
        for (from, to, type) in edges {
            int(insertEdge, 1, from); int(insertEdge, 2, to); text(insertEdge, 3, type)
            guard sqlite3_step(insertEdge) == SQLITE_DONE else { throw BenchError(message: String(cString: sqlite3_errmsg(db))) }
            sqlite3_reset(insertEdge)
        }
        sqlite3_finalize(insertEdge)
        for sql in indexes { try exec(sql) }
        try exec("COMMIT")
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, StoreBench.cpuSeconds() - cpuStart)
    }
}
