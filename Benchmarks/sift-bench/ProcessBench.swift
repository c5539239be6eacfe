@preconcurrency import Glibc
import Foundation
import GRDB

/// The walkthrough query as a user runs it, process start included: the `sift` release binary
/// one-shot against the `sqlite3` CLI running the best SQL on the schema a DBA would design for
/// exactly this workload (narrow `account`, `user`, `access_key` tables, an index on a key's last
/// activity), loaded with the same generated data. Also every benchmark query one-shot with the
/// `sift` binary before and after a change (`--before PATH`), on the same data in the same run.
enum ProcessBench {
    /// The ideal schema: one narrow table per kind the query touches, the ownership as a foreign
    /// key, and the walkthrough's filter (`coalesce(last_used, created) < cutoff`) as an index that
    /// covers the user id, so the keys' side of the query is one index range and nothing else.
    static let idealSchema = """
        CREATE TABLE account (id INTEGER PRIMARY KEY, account_id TEXT NOT NULL UNIQUE, name TEXT);
        CREATE TABLE user (id INTEGER PRIMARY KEY, account INTEGER NOT NULL REFERENCES account(id),
            user_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, root INTEGER NOT NULL, created INTEGER,
            password_last_used INTEGER);
        CREATE TABLE access_key (id INTEGER PRIMARY KEY, user INTEGER NOT NULL REFERENCES user(id),
            key_id TEXT NOT NULL UNIQUE, created INTEGER NOT NULL, last_used INTEGER, active INTEGER NOT NULL);
        CREATE INDEX user_account ON user(account);
        CREATE INDEX access_key_user ON access_key(user);
        CREATE INDEX access_key_last_activity ON access_key(coalesce(last_used, created), user);
        """

    /// Loads the ideal schema from Sift's graph (attached as `g`).
    static let idealLoad = """
        INSERT INTO account SELECT nid, id, name FROM g.node WHERE kind = 'aws_account';
        INSERT INTO user SELECT n.nid, e.from_nid, n.id, n.name, n.kind = 'aws_root_user', n.ctime, n.atime
            FROM g.node n JOIN g.edge e ON e.to_nid = n.nid AND e.type = 'default'
            WHERE n.kind IN ('aws_iam_user', 'aws_root_user') ORDER BY n.nid;
        INSERT INTO access_key SELECT n.nid, e.from_nid, n.id, n.ctime, n.atime,
            json_extract(n.reported, '$.access_key_status') = 'Active'
            FROM g.node n JOIN g.edge e ON e.to_nid = n.nid AND e.type = 'default'
            WHERE n.kind = 'aws_iam_access_key' ORDER BY n.nid;
        """

    /// The walkthrough's answer on the ideal schema, printed exactly as `sift` prints
    /// `search ... | count name` (`name: N` ascending by count then name, then the totals); the
    /// cutoff is computed at run time from the clock, as Sift does. Candidates: the best wins.
    static let idealSQL: [(label: String, sql: String)] = [
        ("IN", """
            WITH g(value, c) AS MATERIALIZED (SELECT u.name, count(*) FROM user u WHERE u.id IN \
            (SELECT user FROM access_key WHERE coalesce(last_used, created) < unixepoch() - 7776000) GROUP BY u.name) \
            SELECT line FROM (SELECT 0 AS part, c, value, value || ': ' || c AS line FROM g \
            UNION ALL SELECT 1, 0, '', 'total matched: ' || coalesce(sum(c), 0) FROM g \
            UNION ALL SELECT 2, 0, '', 'total unmatched: 0') ORDER BY part, c, value;
            """),
        ("DISTINCT join", """
            WITH k(user) AS (SELECT DISTINCT user FROM access_key WHERE coalesce(last_used, created) < unixepoch() - 7776000), \
            g(value, c) AS MATERIALIZED (SELECT u.name, count(*) FROM k JOIN user u ON u.id = k.user GROUP BY u.name) \
            SELECT line FROM (SELECT 0 AS part, c, value, value || ': ' || c AS line FROM g \
            UNION ALL SELECT 1, 0, '', 'total matched: ' || coalesce(sum(c), 0) FROM g \
            UNION ALL SELECT 2, 0, '', 'total unmatched: 0') ORDER BY part, c, value;
            """),
    ]

    /// One way of producing the output: a command line.
    struct Runner {
        let label: String
        let arguments: [String]
    }

    /// Medians of one runner's runs.
    struct Figures {
        var wall: [Double] = []
        var cpu: [Double] = []
        var medianWall: Double { QueryBench.median(wall) }
        var medianCPU: Double { QueryBench.median(cpu) }
    }

    /// Builds (once per generated graph) the ideal-schema database from Sift's graph at `graph`.
    static func idealDatabase(graph: String, shape: String) throws -> String {
        let path = graph + ".ideal.db"
        let shapePath = path + ".shape"
        let wanted = shape + "\n" + idealSchema + idealLoad
        if (try? String(contentsOfFile: shapePath, encoding: .utf8)) == wanted, FileManager.default.fileExists(atPath: path) {
            return path
        }
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let start = Date()
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS g", arguments: [graph])
            try db.inTransaction {
                try db.execute(sql: idealSchema)
                try db.execute(sql: idealLoad)
                return .commit
            }
            try db.execute(sql: "DETACH DATABASE g")
            try db.execute(sql: "ANALYZE")
            try db.execute(sql: "VACUUM")
        }
        try wanted.write(toFile: shapePath, atomically: true, encoding: .utf8)
        print("built the ideal-schema database \(path) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        return path
    }

    /// Runs one command with its standard output into `output`; wall and CPU (user + system of the
    /// child) in milliseconds.
    static func spawn(_ arguments: [String], output: String) throws -> (wall: Double, cpu: Double) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw BenchError(message: "cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError(message: "wait4: \(String(cString: strerror(errno)))") }
        }
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw BenchError(message: "\(arguments.prefix(4).joined(separator: " ")) ... failed (wait status \(status))")
        }
        let wall = Double(end.tv_sec - start.tv_sec) * 1000 + Double(end.tv_nsec - start.tv_nsec) / 1_000_000
        func millis(_ time: timeval) -> Double { Double(time.tv_sec) * 1000 + Double(time.tv_usec) / 1000 }
        return (wall, millis(usage.ru_utime) + millis(usage.ru_stime))
    }

    /// Runs every runner `runs` times, interleaved (so that load from other work hits all alike),
    /// after one warm-up run each whose outputs must all be equal.
    static func compare(_ runners: [Runner], runs: Int, scratch: String) throws -> (figures: [Figures], lines: Int, differing: Int) {
        var outputs: [Data] = []
        for (index, runner) in runners.enumerated() {
            let path = scratch + ".out\(index)"
            _ = try spawn(runner.arguments, output: path)
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: path)))
            try? FileManager.default.removeItem(atPath: path)
        }
        // Listings print ages (`age`, `last_access` in days) from the clock, and the 90-day cutoff
        // moves with it: between two runs a node may print another age, or cross the cutoff.
        // Allowed: one line in 1,000 (counted as lines of one output missing from the other; 169,000
        // listed keys printed a few seconds apart differ in about 75).
        var differing = 0
        let reference = outputs[0].split(separator: UInt8(ascii: "\n"))
        for (index, output) in outputs.enumerated() where output != outputs[0] {
            let lines = output.split(separator: UInt8(ascii: "\n"))
            var counts: [Data: Int] = [:]
            for line in reference { counts[Data(line), default: 0] += 1 }
            for line in lines { counts[Data(line), default: 0] -= 1 }
            let changed = counts.values.reduce(0) { $0 + abs($1) }
            guard changed * 1_000 <= reference.count else {
                let first = String(decoding: outputs[0].prefix(300), as: UTF8.self)
                let other = String(decoding: output.prefix(300), as: UTF8.self)
                throw BenchError(message: "\(runners[index].label) prints other output than \(runners[0].label) "
                                 + "(\(output.count) bytes against \(outputs[0].count)):\n\(other)\n---\n\(first)")
            }
            differing = max(differing, changed)
        }
        var figures = [Figures](repeating: Figures(), count: runners.count)
        for _ in 0..<runs {
            for (index, runner) in runners.enumerated() {
                let time = try spawn(runner.arguments, output: "/dev/null")
                figures[index].wall.append(time.wall)
                figures[index].cpu.append(time.cpu)
            }
        }
        let lines = outputs[0].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        return (figures, lines, differing)
    }

    static func format(_ figures: Figures) -> String {
        String(format: "%7.1f ms wall %7.1f ms CPU", figures.medianWall, figures.medianCPU)
    }

    static func ratio(_ a: Figures, _ b: Figures) -> String {
        String(format: "wall %.2f, CPU %.2f", a.medianWall / b.medianWall, a.medianCPU / b.medianCPU)
    }

    /// The process sections of `sift-bench query`.
    static func run(graph: String, shape: String, sift: String, before: String?, beforeGraph: String?,
                    runs: Int, cases: [QueryBench.Case]) throws {
        guard FileManager.default.isExecutableFile(atPath: sift) else {
            throw BenchError(message: "no sift binary at \(sift): build it (swift build -c release --product sift) or pass --sift PATH")
        }
        let ideal = try idealDatabase(graph: graph, shape: shape)
        let scratch = NSTemporaryDirectory() + "sift-bench-process-\(getpid())"
        let walkthrough = cases[0]
        let line = walkthrough.pipeline
        print("""

            ideal schema, process start included (\(runs) runs each, interleaved, medians; wall and CPU of the child process)
              query:   sift --db GRAPH '\(line)'
              schema:  account, user, access_key(user, created, last_used, ...), index access_key(coalesce(last_used, created), user)
            """)
        var runners = [Runner(label: "sift", arguments: [sift, "--db", graph, line])]
        if let before {
            runners.append(Runner(label: "sift before", arguments: [before, "--db", beforeGraph ?? graph, line]))
        }
        let firstIdeal = runners.count
        for candidate in idealSQL {
            runners.append(Runner(label: "sqlite3 " + candidate.label,
                                  arguments: ["sqlite3", "-init", "/dev/null", "-readonly", "-batch", "-noheader", "-list", ideal, candidate.sql]))
        }
        let (figures, lines, _) = try compare(runners, runs: runs, scratch: scratch)
        let best = (firstIdeal..<runners.count).min { figures[$0].medianWall < figures[$1].medianWall } ?? firstIdeal
        print("  output:  \(lines) lines, the same bytes from every runner")
        for index in runners.indices {
            print("  \(runners[index].label.padding(toLength: 22, withPad: " ", startingAt: 0)) \(format(figures[index]))")
        }
        print("  ratio sift / ideal (\(runners[best].label)): \(ratio(figures[0], figures[best])) (goal <= 1.2)")
        if before != nil {
            print("  ratio sift before / ideal:          \(ratio(figures[1], figures[best]))")
        }

        guard let before else { return }
        print("\nevery benchmark query one-shot, sift before (\(before)) and after (\(sift)), \(runs) runs each, medians")
        for benchCase in cases {
            let pipeline = benchCase.pipeline
            let pair = [Runner(label: "after", arguments: [sift, "--db", graph, pipeline]),
                        Runner(label: "before", arguments: [before, "--db", beforeGraph ?? graph, pipeline])]
            let (figures, lines, differing) = try compare(pair, runs: runs, scratch: scratch)
            print("""
                \(benchCase.name): \(lines) lines of output (\(differing == 0 ? "equal" : "equal but \(differing) lines: ages from the clock"))
                  before \(format(figures[1]))
                  after  \(format(figures[0]))
                  after / before: \(ratio(figures[0], figures[1]))
                """)
        }
    }
}
