import Foundation
import GRDB
import SiftQuery
import SiftSchema
import SiftStore

/// `sift-bench query [--users N] [--db PATH] [--runs R]`: Sift's compiled SQL beside the best
/// hand-written SQL for the same answer, on a generated graph of about 1,000,000 nodes, and the
/// time to compile each query. Result sets are compared; a difference is an error.
enum QueryBench {
    /// The graph's fixed "now": 2026-06-01T00:00:00Z.
    static let now: Int64 = 1_780_272_000

    struct Options {
        var users = 500_000
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
            case "--runs": options.runs = Int(iterator.next() ?? "") ?? options.runs
            case "--db": options.path = iterator.next() ?? options.path
            default: throw BenchError("unknown argument \(argument)")
            }
        }
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            SQLiteFunctions.register(in: db)
            try db.execute(sql: "PRAGMA cache_size = -1000000")
        }
        let queue = try DatabaseQueue(path: options.path, configuration: configuration)
        try SyntheticGraph.ensure(queue, users: options.users, accounts: options.accounts, now: now)
        let nodeCount = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM node") ?? 0 }
        print("query bench: \(nodeCount) nodes in \(options.path), \(options.runs) runs each, median thread CPU times")
        let compiler = SQLiteCompiler(kinds: .builtin, now: Date(timeIntervalSince1970: TimeInterval(now)))
        for benchCase in cases() {
            try measure(benchCase, compiler: compiler, queue: queue, runs: options.runs)
        }
    }

    // MARK: Cases

    static func cases() -> [Case] {
        let keyKinds = "('access_key', 'aws_iam_access_key')"
        let userKinds = "('aws_iam_user', 'aws_root_user', 'user')"
        let cutoff = StatementArguments([now - 90 * 86_400])
        let keys = Term.isKind(["access_key"])
        let unused = Term.and(keys, .predicate(SiftQuery.Predicate(path: Path(components: [.key("last_access")]), op: .greater, value: .duration(SiftQuery.Duration(seconds: 90 * 86_400)))))
        let notCI = Term.and(unused, .predicate(SiftQuery.Predicate(path: Path(components: [.key("name")]), op: .notIn, value: .array([.string("jenkins"), .string("ci")]))))
        let account = Term.and(.isKind(["aws_account"]), .predicate(SiftQuery.Predicate(path: Path(components: [.key("name")]), op: .equal, value: .string("account-07"))))
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
                text: "is(aws_account) and name == \"account-07\" -[1:3]-> is(access_key)",
                query: Query(parts: [Part(term: account, navigation: Navigation(direction: .out, minDepth: 1, maxDepth: 3)), Part(term: keys)]),
                output: .total,
                handWritten: [
                    ("recursive CTE", """
                        WITH RECURSIVE r(nid, d) AS (SELECT nid, 0 FROM node WHERE kind = 'aws_account' AND name = 'account-07' \
                        UNION SELECT e.to_nid, r.d + 1 FROM r JOIN edge e ON e.from_nid = r.nid AND e.type = 'default' WHERE r.d < 3) \
                        SELECT count(*) AS count FROM node k WHERE k.nid IN (SELECT nid FROM r WHERE d >= 1) AND k.kind IN \(keyKinds)
                        """, StatementArguments()),
                    ("unrolled joins", """
                        WITH a(nid) AS (SELECT nid FROM node WHERE kind = 'aws_account' AND name = 'account-07'), \
                        d1(nid) AS (SELECT e.to_nid FROM a JOIN edge e ON e.from_nid = a.nid AND e.type = 'default'), \
                        d2(nid) AS (SELECT e.to_nid FROM d1 JOIN edge e ON e.from_nid = d1.nid AND e.type = 'default'), \
                        d3(nid) AS (SELECT e.to_nid FROM d2 JOIN edge e ON e.from_nid = d2.nid AND e.type = 'default') \
                        SELECT count(*) AS count FROM node k WHERE k.nid IN (SELECT nid FROM d1 UNION SELECT nid FROM d2 \
                        UNION SELECT nid FROM d3) AND k.kind IN \(keyKinds)
                        """, StatementArguments()),
                ]),
        ]
    }

    // MARK: Measuring

    static func measure(_ benchCase: Case, compiler: SQLiteCompiler, queue: DatabaseQueue, runs: Int) throws {
        // Parse + compile time, and the parsed query must be the one the case builds.
        guard try QueryParser.parse(benchCase.text) == benchCase.query else {
            throw BenchError("\(benchCase.name): the text parses to another query than the case's AST")
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
                throw BenchError("\(benchCase.name): hand-written '\(hand.label)' gives \(handRows.count) rows, Sift \(siftRows.count); they differ")
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


/// A synthetic organisation written with plain SQL (recursive counters) into a fresh database:
/// one cloud, `accounts` accounts, `users` users spread over them, 0-2 keys per user (about one
/// on average), creation dates over ~3 years, a fifth of the keys never used, a tenth inactive,
/// some users named jenkins/ci. Kept between runs when it already has the same shape.
enum SyntheticGraph {
    static func ensure(_ queue: DatabaseQueue, users: Int, accounts: Int, now: Int64) throws {
        let shape = "users=\(users) accounts=\(accounts) now=\(now)"
        let existing = try queue.read { db -> String? in
            guard try db.tableExists("setting") else { return nil }
            return try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'bench_shape'")
        }
        if existing == shape { return }
        guard try queue.read({ db in try !db.tableExists("node") }) else {
            throw BenchError("the bench database exists with another shape; delete it first")
        }
        let start = Date()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF")
            try db.inTransaction {
                for migration in SiftSchema.migrations { try db.execute(sql: migration.sql) }
                try generate(db, users: users, accounts: accounts, now: now)
                try db.execute(sql: "INSERT INTO setting (key, value) VALUES ('bench_shape', ?)", arguments: [shape])
                return .commit
            }
            try db.execute(sql: "ANALYZE")
        }
        print("generated the bench graph in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }

    private static func generate(_ db: Database, users: Int, accounts: Int, now: Int64) throws {
        let iso = "strftime('%Y-%m-%dT%H:%M:%SZ', ?1 - %@, 'unixepoch')"
        func isoAgo(_ seconds: String) -> String { iso.replacingOccurrences(of: "%@", with: seconds) }
        try db.execute(sql: """
            INSERT INTO node (nid, id, kind, name, ctime, mtime, atime, subgraph, reported, first_seen, last_seen)
            VALUES (1, 'aws', 'cloud', 'aws', ?1 - 2000 * 86400, ?1 - 2000 * 86400, NULL, 'cloud:aws',
                    json_object('id', 'aws', 'kind', 'cloud', 'name', 'aws'), ?1, ?1)
            """, arguments: [now])
        try db.execute(sql: """
            WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?2)
            INSERT INTO node (nid, id, kind, name, ctime, mtime, atime, subgraph, reported, first_seen, last_seen)
            SELECT 1 + i, printf('%012d', 100000000000 + i), 'aws_account', printf('account-%02d', i),
                   ?1 - 1500 * 86400, ?1 - 1500 * 86400, NULL, printf('%012d', 100000000000 + i),
                   json_object('id', printf('%012d', 100000000000 + i), 'kind', 'aws_account', 'name', printf('account-%02d', i),
                               'ctime', \(isoAgo("1500 * 86400")), 'mtime', \(isoAgo("1500 * 86400"))), ?1, ?1
            FROM seq
            """, arguments: [now, accounts])
        try db.execute(sql: "INSERT INTO edge (from_nid, to_nid, type) SELECT 1, nid, 'default' FROM node WHERE kind = 'aws_account'")
        // Users: nid 1000 + i; account 1 + (i % accounts); age (i * 7919) % 1100 days.
        try db.execute(sql: """
            WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?2),
            u(i, nid, name, account, age) AS (
                SELECT i, 1000 + i,
                       CASE WHEN i % 997 = 0 THEN 'jenkins' WHEN i % 991 = 0 THEN 'ci' ELSE printf('user-%07d', i) END,
                       2 + (i % ?3), ((i * 7919) % 1100) * 86400 + (i % 86400)
                FROM seq)
            INSERT INTO node (nid, id, kind, name, ctime, mtime, atime, subgraph, reported, first_seen, last_seen)
            SELECT nid, printf('AIDA%016d', i), 'aws_iam_user', name, ?1 - age, ?1 - age, NULL, printf('%012d', 100000000000 + account - 1),
                   json_object('id', printf('AIDA%016d', i), 'kind', 'aws_iam_user', 'name', name,
                               'ctime', \(isoAgo("age")), 'mtime', \(isoAgo("age")),
                               'arn', printf('arn:aws:iam::%012d:user/%s', 100000000000 + account - 1, name),
                               'path', '/', 'mfa_active', json(CASE WHEN i % 3 = 0 THEN 'true' ELSE 'false' END),
                               'password_enabled', json('false'), 'tags', json_object('owner', printf('team-%02d', i % 40))),
                   ?1, ?1
            FROM u
            """, arguments: [now, users, accounts])
        try db.execute(sql: """
            INSERT INTO edge (from_nid, to_nid, type)
            SELECT 2 + ((nid - 1000) % ?1), nid, 'default' FROM node WHERE kind = 'aws_iam_user'
            """, arguments: [accounts])
        // Keys: (i % 3) keys per user i (0, 1 or 2); nid 10,000,000 + 2i + k.
        try db.execute(sql: """
            WITH k(user, uname, kn, knid, kage, used) AS (
                SELECT u.nid, u.name, x.k, 10000000 + 2 * (u.nid - 1000) + x.k,
                       (((u.nid - 1000) * 31 + x.k * 17) % 1000) * 86400,
                       CASE WHEN ((u.nid - 1000) + x.k) % 5 = 0 THEN NULL ELSE (((u.nid - 1000) * 13 + x.k * 7) % 400) * 86400 END
                FROM node u JOIN (SELECT 0 AS k UNION ALL SELECT 1) x ON x.k < (u.nid - 1000) % 3
                WHERE u.kind = 'aws_iam_user')
            INSERT INTO node (nid, id, kind, name, ctime, mtime, atime, subgraph, reported, first_seen, last_seen)
            SELECT knid, printf('AKIA%016d', knid), 'aws_iam_access_key', uname, ?1 - kage, ?1 - kage,
                   CASE WHEN used IS NULL OR used > kage THEN NULL ELSE ?1 - used END,
                   (SELECT subgraph FROM node WHERE nid = user),
                   json_object('id', printf('AKIA%016d', knid), 'kind', 'aws_iam_access_key', 'name', uname,
                               'ctime', \(isoAgo("kage")), 'mtime', \(isoAgo("kage")),
                               'access_key_status', CASE WHEN knid % 10 = 0 THEN 'Inactive' ELSE 'Active' END,
                               'user_name', uname,
                               'access_key_last_used', CASE WHEN used IS NULL OR used > kage
                                    THEN json_object('service_name', 'N/A', 'region', 'N/A')
                                    ELSE json_object('last_used', \(isoAgo("used")), 'service_name', 'iam', 'region', 'us-east-1') END),
                   ?1, ?1
            FROM k
            """, arguments: [now])
        try db.execute(sql: """
            INSERT INTO edge (from_nid, to_nid, type)
            SELECT 1000 + (nid - 10000000) / 2, nid, 'default' FROM node WHERE kind = 'aws_iam_access_key';
            INSERT INTO edge (from_nid, to_nid, type)
            SELECT 1000 + (nid - 10000000) / 2, nid, 'delete' FROM node WHERE kind = 'aws_iam_access_key';
            UPDATE node SET reported = json_set(reported, '$.atime', strftime('%Y-%m-%dT%H:%M:%SZ', atime, 'unixepoch'))
            WHERE atime IS NOT NULL;
            """)
    }
}
