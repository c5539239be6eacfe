import Foundation
import GRDB
import SiftQuery
import SiftSchema
import Testing
@testable import SiftStore

/// v005: `node_kind` covers the times, so that `is(K) and last_access > D` filters on the index.
@Suite struct KindTimesIndexTests {
    /// The walkthrough's first part: access keys not used for 90 days.
    let unusedKeys = Query(parts: [Part(term: .and(.isKind(["access_key"]), .predicate(SiftQuery.Predicate(
        path: Path(components: [.key("last_access")]), op: .greater, value: .duration(SiftQuery.Duration(seconds: 90 * 86_400))))))])

    @Test func aVersion4GraphMigratesKeepingItsDataAndAnswers() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("graph.db")
        let options = GeneratorOptions(accounts: 2, users: 100, seed: 7, now: testNow)
        // Made by a Sift before v005 (migrations 1-3), then opened by this one.
        let before: Int64
        do {
            let old = try GraphStore(path: path, migrations: Array(SiftSchema.migrations.prefix(3)))
            try old.generate(options)
            before = try old.writer.read { db in
                try compiledCount(db)
            }
            let columns = try old.writer.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info('node_kind')") }
            #expect(columns == ["kind"])
        }
        let store = try GraphStore(path: path)
        #expect(try store.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == SiftSchema.migrations.count)
        let columns = try store.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info('node_kind') ORDER BY seqno")
        }
        #expect(columns == ["kind", "nid", "ctime", "mtime", "atime"])
        let after = try store.writer.read { db in try compiledCount(db) }
        #expect(before > 0 && after == before)
        // The same answer as a plain scan of the table.
        let cutoff = Int64(testNow.timeIntervalSince1970) - 90 * 86_400
        let scanned = try store.writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT count(*) FROM node NOT INDEXED WHERE kind IN ('access_key', 'aws_iam_access_key') AND coalesce(atime, ctime) < ?",
                               arguments: [cutoff]) ?? -2
        }
        #expect(after == scanned)
    }

    @Test func theWalkthroughsKeyFilterReadsOnlyTheIndex() throws {
        let directory = try TemporaryDirectory()
        let store = try GraphStore(path: directory.path("graph.db"))
        try store.generate(GeneratorOptions(accounts: 1, users: 50, seed: 3, now: testNow))
        // `search is(access_key) and last_access > 90days <-- is(user) | count name`
        let walkthrough = Query(parts: [Part(term: unusedKeys.parts[0].term, navigation: Navigation(direction: .in)), Part(term: .isKind(["user"]))])
        let compiled = try SQLiteCompiler(kinds: .builtin, now: testNow).compile(walkthrough, output: .count(path: Path(components: [.key("name")])))
        let plan = try store.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + compiled.sql, arguments: compiled.arguments).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.hasPrefix("SEARCH") && $0.contains("USING COVERING INDEX node_kind (kind=?)") }, "\(plan)")
    }

    /// The number of unused keys by the compiled query.
    func compiledCount(_ db: Database) throws -> Int64 {
        let compiled = try SQLiteCompiler(kinds: .builtin, now: testNow).compile(unusedKeys, output: .total)
        return try Int64.fetchOne(db, sql: compiled.sql, arguments: compiled.arguments) ?? -1
    }
}
