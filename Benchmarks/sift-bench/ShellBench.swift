import Foundation
import GRDB
import SiftQuery
import SiftStore

/// Shell figures: start-up to first result of a one-shot `sift --db X 'search all | count kind'`
/// on a 1,000,000-node database beside `sqlite3` running the same SQL, and the peak memory of
/// the child for that count (and for streaming every node through `list`) on 100k vs 1M nodes.
///
/// Run: `swift build -c release --product sift && swift run -c release sift-bench shell [--nodes N] [--runs R]`.
enum ShellBench {
    /// A child's run: time to the first byte of stdout, total time, peak resident memory.
    struct Run {
        var firstByte: Double
        var total: Double
        var maxRSSKiB: Int
        var output: String
    }

    static func run(_ arguments: [String]) throws {
        var nodes = 1_000_000
        var runs = 5
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--nodes": nodes = Int(arguments[index + 1]) ?? nodes; index += 2
            case "--runs": runs = Int(arguments[index + 1]) ?? runs; index += 2
            default: index += 1
            }
        }
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let sift = directory.appendingPathComponent("sift").path
        guard FileManager.default.isExecutableFile(atPath: sift) else {
            throw BenchError("build sift first: swift build -c release --product sift (looked for \(sift))")
        }
        let big = try database(nodes: nodes, sift: sift)
        let small = try database(nodes: nodes / 10, sift: sift)

        // The same SQL sift runs, with its bound values written as literals for sqlite3.
        let query = try QueryParser.parse("all")
        let compiled = try SQLiteCompiler(kinds: .builtin, now: Date())
            .compile(query, output: .count(path: try QueryParser.parsePath("kind")))
        let sql = inline(compiled)

        // One warm-up run each (page cache, a checkpoint left by the generator), not counted.
        _ = try measure(sift, ["--db", big, "search all | count kind"])
        _ = try measure("/usr/bin/sqlite3", [big, sql])
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first ?? "?"
        print("shell start-up to first result, \(nodes) nodes, median of \(runs) runs (load average \(load))")
        let siftRuns = try (0..<runs).map { _ in try measure(sift, ["--db", big, "search all | count kind"]) }
        let sqliteRuns = try (0..<runs).map { _ in try measure("/usr/bin/sqlite3", [big, sql]) }
        let siftFirst = median(siftRuns.map(\.firstByte))
        let sqliteFirst = median(sqliteRuns.map(\.firstByte))
        print(String(format: "  sift 'search all | count kind'  first result %.3f s  total %.3f s",
                     siftFirst, median(siftRuns.map(\.total))))
        print(String(format: "  sqlite3 (same SQL)              first result %.3f s  total %.3f s",
                     sqliteFirst, median(sqliteRuns.map(\.total))))
        print(String(format: "  ratio sift / sqlite3 = %.2f (goal <= 1.5)", siftFirst / sqliteFirst))
        print("  sift output:\n" + siftRuns[0].output.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))

        print("peak memory of the child (VmHWM / ru_maxrss)")
        for (label, line) in [("count kind", "search all | count kind"), ("list --ndjson id (streams every node)", "search all | list --ndjson id")] {
            let smallRun = try measure(sift, ["--db", small, line], keepOutput: false)
            let bigRun = try measure(sift, ["--db", big, line], keepOutput: false)
            print(String(format: "  %@: %d nodes %.1f MiB, %d nodes %.1f MiB, ratio %.2f (flat = ~1)",
                         label, nodes / 10, Double(smallRun.maxRSSKiB) / 1024, nodes, Double(bigRun.maxRSSKiB) / 1024,
                         Double(bigRun.maxRSSKiB) / Double(max(smallRun.maxRSSKiB, 1))))
        }
    }

    /// A generated database of about `nodes` nodes, kept in the temporary directory between runs.
    static func database(nodes: Int, sift: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sift-bench-shell-\(nodes).db").path
        if FileManager.default.fileExists(atPath: path) { return path }
        // About 2 nodes per user (0-2 keys each), in 10 accounts.
        let accounts = 10
        let users = max(1, nodes / 2 / accounts)
        print("generating \(path) (\(accounts) accounts x \(users) users)…")
        let run = try measure(sift, ["--db", path, "generate --accounts \(accounts) --users \(users) --seed 1"])
        print("  " + run.output.trimmingCharacters(in: .whitespacesAndNewlines))
        return path
    }

    /// The SQL with `?` replaced by its bound values as SQL literals.
    static func inline(_ compiled: CompiledQuery) -> String {
        var values = compiled.values.makeIterator()
        var sql = ""
        var quote: Character?
        for char in compiled.sql {
            if let open = quote {
                if char == open { quote = nil }
                sql.append(char)
            } else if char == "'" || char == "\"" {
                quote = char
                sql.append(char)
            } else if char == "?", let value = values.next() {
                sql += literal(value)
            } else {
                sql.append(char)
            }
        }
        return sql
    }

    static func literal(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: return "NULL"
        case .int64(let integer): return String(integer)
        case .double(let real): return String(real)
        case .string(let text): return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        case .blob(let data): return "X'" + data.map { String(format: "%02x", $0) }.joined() + "'"
        }
    }

    /// Runs a program, timing the first byte of its output and its end; peak memory from wait4.
    static func measure(_ program: String, _ arguments: [String], keepOutput: Bool = true) throws -> Run {
        var pipe: [Int32] = [0, 0]
        guard Foundation.pipe(&pipe) == 0 else { throw BenchError("pipe failed") }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let status = posix_spawn(&pid, program, &actions, nil, argv, environ)
        posix_spawn_file_actions_destroy(&actions)
        close(pipe[1])
        guard status == 0 else { throw BenchError("cannot start \(program)") }
        var firstByte: UInt64?
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(pipe[0], &buffer, buffer.count)
            if count <= 0 { break }
            if firstByte == nil { firstByte = DispatchTime.now().uptimeNanoseconds }
            if keepOutput { output.append(contentsOf: buffer[0..<count]) }
        }
        close(pipe[0])
        var waitStatus: Int32 = 0
        var usage = rusage()
        wait4(pid, &waitStatus, 0, &usage)
        let end = DispatchTime.now().uptimeNanoseconds
        return Run(
            firstByte: Double((firstByte ?? end) - start) / 1e9,
            total: Double(end - start) / 1e9,
            maxRSSKiB: usage.ru_maxrss,
            output: String(decoding: output, as: UTF8.self))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    struct BenchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
