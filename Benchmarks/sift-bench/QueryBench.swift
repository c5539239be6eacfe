import Foundation
import GRDB
import SiftQuery
import SiftSchema
import SiftStore

/// `sift-bench query [--accounts A] [--users U] [--db PATH] [--runs R]`: Sift's compiled SQL beside the
/// best hand-written SQL for the same answer, on a graph of about 1,000,000 nodes made by the store's
/// generator (kept between runs), and the time to parse and compile each query. Result sets are
/// compared; a difference is an error.
enum QueryBench {
    /// The graph's fixed "now": 2026-06-01T00:00:00Z.
    static let now: Int64 = 1_780_272_000

    struct Options {
        var users = 25_000
        var accounts = 20
        var runs = 7
        var path = NSTemporaryDirectory() + "sift-bench-query.db"
    }

    /// One benchmark case: the query (AST and text), the output, and hand-written SQL candidates.
    struct Case {
        let name: String
        let text: String
        let query: Query
        let output: QueryOutput
        let handWritten: [(label: String, sql: String, arguments: StatementArguments)]
    }

    static func run(_ arguments: [String]) throws {
        var options = Options()
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--users": options.users = Int(iterator.next() ?? "") ?? options.users
            case "--accounts": options.accounts = Int(iterator.next() ?? "") ?? options.accounts
            case "--runs": options.runs = Int(iterator.next() ?? "") ?? options.runs
            case "--db": options.path = iterator.next() ?? options.path
            default: throw BenchError(message: "unknown argument \(argument)")
            }
        }
        let shape = options.path + ".shape"
        let wanted = "accounts=\(options.accounts) users=\(options.users) now=\(now)"
        if (try? String(contentsOfFile: shape, encoding: .utf8)) != wanted {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: options.path + suffix) }
            let start = Date()
            let store = try GraphStore(path: options.path)
            let summary = try store.generate(GeneratorOptions(accounts: options.accounts, users: options.users, seed: 1,
                                                              now: Date(timeIntervalSince1970: TimeInterval(now))))
            try DatabaseQueue(path: store.location).writeWithoutTransaction { db in try db.execute(sql: "ANALYZE") }
            try wanted.write(toFile: shape, atomically: true, encoding: .utf8)
            print("generated \(summary.nodes) nodes with the store's generator in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.prepareDatabase { db in
            SQLiteFunctions.register(in: db)
            try db.execute(sql: "PRAGMA cache_size = -1000000")
        }
        let queue = try DatabaseQueue(path: options.path, configuration: configuration)
        let nodeCount = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM node") ?? 0 }
        let account = try queue.read { db in
            try String.fetchOne(db, sql: "SELECT name FROM node WHERE kind = 'aws_account' ORDER BY nid LIMIT 1") ?? ""
        }
        print("query bench: \(nodeCount) nodes in \(options.path), \(options.runs) runs each, median thread CPU times")
        let compiler = SQLiteCompiler(kinds: .builtin, now: Date(timeIntervalSince1970: TimeInterval(now)))
        for benchCase in cases(account: account) {
            try measure(benchCase, compiler: compiler, queue: queue, runs: options.runs)
        }
    }

    // MARK: Cases

    static func cases(account accountName: String) -> [Case] {
        let keyKinds = "('access_key', 'aws_iam_access_key')"
        let userKinds = "('aws_iam_user', 'aws_root_user', 'user')"
        let cutoff = StatementArguments([now - 90 * 86_400])
        let keys = Term.isKind(["access_key"])
        let unused = Term.and(keys, .predicate(SiftQuery.Predicate(path: Path(components: [.key("last_access")]), op: .greater, value: .duration(SiftQuery.Duration(seconds: 90 * 86_400)))))
        let notCI = Term.and(unused, .predicate(SiftQuery.Predicate(path: Path(components: [.key("name")]), op: .notIn, value: .array([.string("jenkins"), .string("ci")]))))
        let account = Term.and(.isKind(["aws_account"]), .predicate(SiftQuery.Predicate(path: Path(components: [.key("name")]), op: .equal, value: .string(accountName))))
        return [
            Case(
                name: "unused keys -> users | count name",
                text: "is(access_key) and last_access > 90days <-- is(user)",
                query: Query(parts: [Part(term: unused, navigation: Navigation(direction: .in)), Part(term: .isKind(["user"]))]),
                output: .count(path: Path(components: [.key("name")])),
                handWritten: [
                    ("IN join", """
                        SELECT u.name AS value, count(*) AS count FROM node u WHERE u.kind IN \(userKinds) AND u.nid IN \
                        (SELECT e.from_nid FROM node k JOIN edge e ON e.to_nid = k.nid AND e.type = 'default' \
                        WHERE k.kind IN \(keyKinds) AND coalesce(k.atime, k.ctime) < ?) \
                        GROUP BY u.name ORDER BY u.name IS NULL, count(*), u.name
                        """, cutoff),
                    ("EXISTS", """
                        SELECT u.name AS value, count(*) AS count FROM node u WHERE u.kind IN \(userKinds) AND EXISTS \
                        (SELECT 1 FROM edge e JOIN node k ON k.nid = e.to_nid WHERE e.from_nid = u.nid AND e.type = 'default' \
                        AND k.kind IN \(keyKinds) AND coalesce(k.atime, k.ctime) < ?) \
                        GROUP BY u.name ORDER BY u.name IS NULL, count(*), u.name
                        """, cutoff),
                ]),
            Case(
                name: "unused keys not jenkins/ci (nodes)",
                text: "is(access_key) and last_access > 90days and name not in [jenkins, ci]",
                query: Query(parts: [Part(term: notCI)]),
                output: .nodes(),
                handWritten: [
                    ("plain", """
                        SELECT nid, id, kind, name, ctime, mtime, atime, reported, desired, metadata FROM node \
                        WHERE kind IN \(keyKinds) AND coalesce(atime, ctime) < ? AND (name IS NULL OR name NOT IN ('jenkins', 'ci'))
                        """, cutoff),
                ]),
            Case(
                name: "account -[1:3]-> keys | total",
                text: "is(aws_account) and name == \"\(accountName)\" -[1:3]-> is(access_key)",
                query: Query(parts: [Part(term: account, navigation: Navigation(direction: .out, minDepth: 1, maxDepth: 3)), Part(term: keys)]),
                output: .total,
                handWritten: [
                    ("recursive CTE", """
                        WITH RECURSIVE r(nid, d) AS (SELECT nid, 0 FROM node WHERE kind = 'aws_account' AND name = ? \
                        UNION SELECT e.to_nid, r.d + 1 FROM r JOIN edge e ON e.from_nid = r.nid AND e.type = 'default' WHERE r.d < 3) \
                        SELECT count(*) AS count FROM node k WHERE k.nid IN (SELECT nid FROM r WHERE d >= 1) AND k.kind IN \(keyKinds)
                        """, [accountName]),
                    ("unrolled joins", """
                        WITH a(nid) AS (SELECT nid FROM node WHERE kind = 'aws_account' AND name = ?), \
                        d1(nid) AS (SELECT e.to_nid FROM a JOIN edge e ON e.from_nid = a.nid AND e.type = 'default'), \
                        d2(nid) AS (SELECT e.to_nid FROM d1 JOIN edge e ON e.from_nid = d1.nid AND e.type = 'default'), \
                        d3(nid) AS (SELECT e.to_nid FROM d2 JOIN edge e ON e.from_nid = d2.nid AND e.type = 'default') \
                        SELECT count(*) AS count FROM node k WHERE k.nid IN (SELECT nid FROM d1 UNION SELECT nid FROM d2 \
                        UNION SELECT nid FROM d3) AND k.kind IN \(keyKinds)
                        """, [accountName]),
                ]),
        ]
    }

    // MARK: Measuring

    static func measure(_ benchCase: Case, compiler: SQLiteCompiler, queue: DatabaseQueue, runs: Int) throws {
        // Parse + compile time, and the parsed query must be the one the case builds.
        guard try QueryParser.parse(benchCase.text) == benchCase.query else {
            throw BenchError(message: "\(benchCase.name): the text parses to another query than the case's AST")
        }
        let iterations = 20_000
        var parsed = benchCase.query
        let parseStart = threadCPUNanoseconds()
        for _ in 0..<iterations { parsed = try QueryParser.parse(benchCase.text) }
        let parseMicros = Double(threadCPUNanoseconds() - parseStart) / Double(iterations) / 1000
        var compiled = try compiler.compile(parsed, output: benchCase.output)
        let compileStart = threadCPUNanoseconds()
        for _ in 0..<iterations { compiled = try compiler.compile(parsed, output: benchCase.output) }
        let compileMicros = Double(threadCPUNanoseconds() - compileStart) / Double(iterations) / 1000

        let siftRows = try queue.read { db in try rows(db, compiled.sql, compiled.arguments) }
        var siftTimes: [Double] = []
        var handTimes = [[Double]](repeating: [], count: benchCase.handWritten.count)
        for hand in benchCase.handWritten {
            let handRows = try queue.read { db in try rows(db, hand.sql, hand.arguments) }
            guard handRows == siftRows else {
                throw BenchError(message: "\(benchCase.name): hand-written '\(hand.label)' gives \(handRows.count) rows, Sift \(siftRows.count); they differ")
            }
        }
        for _ in 0..<runs {
            siftTimes.append(try queue.read { db in try time { _ = try rows(db, compiled.sql, compiled.arguments) } })
            for (index, hand) in benchCase.handWritten.enumerated() {
                handTimes[index].append(try queue.read { db in try time { _ = try rows(db, hand.sql, hand.arguments) } })
            }
        }
        let sift = median(siftTimes)
        let best = benchCase.handWritten.indices.min { median(handTimes[$0]) < median(handTimes[$1]) } ?? 0
        let hand = median(handTimes[best])
        print("""
            \(benchCase.name)
              query:        \(benchCase.text)
              rows:         \(siftRows.count) (equal to hand-written)
              sift SQL:     \(format(sift)) ms
              hand-written: \(format(hand)) ms (\(benchCase.handWritten[best].label); \
            \(benchCase.handWritten.indices.map { "\(benchCase.handWritten[$0].label) \(format(median(handTimes[$0]))) ms" }.joined(separator: ", ")))
              ratio:        \(String(format: "%.2f", sift / hand)) (goal <= 1.2)
              parse+compile: \(String(format: "%.1f", parseMicros + compileMicros)) µs per query \
            (parse \(String(format: "%.1f", parseMicros)), compile \(String(format: "%.1f", compileMicros)); goal < 50 µs)
            """)
    }

    /// The result as comparable text rows: the first two columns (nid/id, or value/count).
    static func rows(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> [[String]] {
        var result: [[String]] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() {
            let values = Array(row.databaseValues)
            let first = values[0].description
            let second = values.count > 1 ? values[1].description : ""
            result.append([first, second])
        }
        return result
    }

    /// Milliseconds of CPU time of this thread (the query runs on it): steadier than wall time
    /// on a machine shared with builds; the data is in SQLite's cache after the first run.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = threadCPUNanoseconds()
        try body()
        return Double(threadCPUNanoseconds() - start) / 1_000_000
    }

    static func threadCPUNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    static func format(_ millis: Double) -> String { String(format: "%.1f", millis) }
}
