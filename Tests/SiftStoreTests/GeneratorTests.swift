import Foundation
import GRDB
import Testing
@testable import SiftStore
import SiftTime

@Suite struct GeneratorTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    func generated(_ name: String, accounts: Int = 3, users: Int = 200, seed: UInt64 = 42) throws -> (GraphStore, GenerateSummary) {
        let store = try GraphStore(path: directory.path(name))
        let summary = try store.generate(GeneratorOptions(accounts: accounts, users: users, seed: seed, now: testNow))
        return (store, summary)
    }

    private func scalar(_ store: GraphStore, _ sql: String) throws -> Int {
        try store.writer.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    @Test func theSameSeedGivesTheSameGraph() throws {
        let (first, summary) = try generated("a.db")
        let (second, _) = try generated("b.db")
        let (other, _) = try generated("c.db", seed: 43)
        let text = try exportText(first, directory)
        #expect(try exportText(second, directory) == text)
        #expect(try exportText(other, directory) != text)
        #expect(summary.nodes == text.split(separator: "\n").count - summary.edges)
    }

    @Test func theGraphHasTheCollectorsShape() throws {
        let (store, summary) = try generated("graph.db")
        #expect(summary.accounts == 3)
        #expect(summary.users == 600)
        #expect(summary.nodes == 1 + 3 + summary.rootUsers + 600 + summary.keys)
        #expect(summary.edges == 3 + summary.rootUsers + 600 + 2 * summary.keys)
        #expect(try count(store, "node") == summary.nodes)
        #expect(try count(store, "edge") == summary.edges)
        #expect(try scalar(store, "SELECT count(*) FROM node WHERE kind = 'aws_iam_user'") == 600)
        #expect(try scalar(store, "SELECT count(*) FROM node WHERE kind = 'aws_iam_access_key'") == summary.keys)
        // Every key: one owning user over a default edge and a delete edge from the same user.
        #expect(try scalar(store, """
            SELECT count(*) FROM node k WHERE k.kind = 'aws_iam_access_key' AND
              (SELECT count(*) FROM edge e JOIN node u ON u.nid = e.from_nid
               WHERE e.to_nid = k.nid AND u.kind = 'aws_iam_user' AND u.name = k.name AND e.type = 'default') = 1 AND
              EXISTS (SELECT 1 FROM edge d WHERE d.to_nid = k.nid AND d.type = 'delete')
            """) == summary.keys)
        // Every user and root user: owned by an account of the same subgraph.
        #expect(try scalar(store, """
            SELECT count(*) FROM node u JOIN edge e ON e.to_nid = u.nid JOIN node a ON a.nid = e.from_nid
            WHERE u.kind IN ('aws_iam_user', 'aws_root_user') AND a.kind = 'aws_account' AND a.id = u.subgraph
            """) == 600 + summary.rootUsers)
        #expect(try scalar(store, """
            SELECT count(*) FROM edge e JOIN node c ON c.nid = e.from_nid JOIN node a ON a.nid = e.to_nid
            WHERE c.id = 'aws' AND c.subgraph = 'cloud:aws' AND a.kind = 'aws_account'
            """) == 3)
        #expect(try scalar(store, "SELECT count(DISTINCT id) FROM node") == summary.nodes)
    }

    @Test func theOrganisationIsRealistic() throws {
        let (store, summary) = try generated("graph.db", accounts: 2, users: 500)
        let keys = Double(summary.keys)
        // 0-2 keys per user, about 1 on average.
        #expect(keys > 850 && keys < 1150, "\(keys) keys for 1000 users")
        #expect(try scalar(store, """
            SELECT max(c) FROM (SELECT count(*) c FROM edge e JOIN node k ON k.nid = e.to_nid
                                WHERE e.type = 'default' AND k.kind = 'aws_iam_access_key' GROUP BY e.from_nid)
            """) == 2)
        #expect(try scalar(store, """
            SELECT count(*) FROM node u WHERE u.kind = 'aws_iam_user' AND NOT EXISTS
              (SELECT 1 FROM edge e WHERE e.from_nid = u.nid AND e.type = 'default')
            """) > 120)
        let neverUsed = Double(try scalar(store, "SELECT count(*) FROM node WHERE kind = 'aws_iam_access_key' AND atime IS NULL"))
        #expect(neverUsed / keys > 0.08 && neverUsed / keys < 0.25)
        let inactive = Double(try scalar(store, """
            SELECT count(*) FROM node WHERE kind = 'aws_iam_access_key' AND json_extract(reported, '$.access_key_status') = 'Inactive'
            """))
        #expect(inactive / keys > 0.08 && inactive / keys < 0.25)
        let now = UnixTime.seconds(of: testNow)
        let staleActive = try scalar(store, """
            SELECT count(*) FROM node WHERE kind = 'aws_iam_access_key' AND coalesce(atime, ctime) < \(now - 90 * 86_400)
            """)
        let recent = try scalar(store, "SELECT count(*) FROM node WHERE kind = 'aws_iam_access_key' AND atime > \(now - 30 * 86_400)")
        #expect(staleActive > 100 && recent > 100)
        #expect(try scalar(store, "SELECT (max(ctime) - min(ctime)) / 86400 FROM node WHERE kind = 'aws_iam_user'") > 4 * 365)
        #expect(try scalar(store, "SELECT count(*) FROM node WHERE ctime > \(now) OR atime > \(now)") == 0)
        #expect(try scalar(store, "SELECT count(*) FROM node WHERE atime < ctime") == 0)
        let console = try scalar(store, "SELECT count(*) FROM node WHERE kind = 'aws_iam_user' AND json_extract(reported, '$.password_enabled')")
        let mfa = try scalar(store, "SELECT count(*) FROM node WHERE kind = 'aws_iam_user' AND json_extract(reported, '$.mfa_active')")
        #expect(console > 300 && console < 500)
        #expect(mfa > 150 && mfa < console)
        #expect(try scalar(store, "SELECT count(*) FROM node WHERE kind = 'aws_iam_access_key' AND name IN ('jenkins', 'ci')") > 0)
        // Users' names are unique within an account.
        #expect(try scalar(store, "SELECT count(*) FROM (SELECT subgraph, name FROM node WHERE kind = 'aws_iam_user' GROUP BY 1, 2 HAVING count(*) > 1)") == 0)
    }

    @Test func repeatedNamesTakeTheFirstFreeSuffix() throws {
        let (store, _) = try generated("names.db", accounts: 1, users: 3_000)
        let names = try store.writer.read { db in
            try Set(String.fetchAll(db, sql: "SELECT name FROM node WHERE kind = 'aws_iam_user'"))
        }
        #expect(names.count == 3_000)
        // svc-<service>N exists only when svc-<service> and every suffix from 2 to N-1 exist.
        var suffixed = 0
        for name in names where name.hasPrefix("svc-") {
            let base = String(name.reversed().drop(while: \.isNumber).reversed())
            guard let suffix = Int(name.dropFirst(base.count)) else { continue }
            suffixed += 1
            #expect(suffix >= 2 && names.contains(base))
            for lower in 2..<max(2, suffix) { #expect(names.contains("\(base)\(lower)")) }
        }
        #expect(suffixed > 100)
    }

    @Test func reportedIsCanonicalAndMatchesTheColumns() throws {
        let (store, _) = try generated("graph.db", accounts: 2, users: 300)
        try store.writer.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT id, kind, name, ctime, mtime, atime, reported FROM node")
            while let row = try rows.next() {
                let text: String = row[6]
                let value = try JSONValue(parsing: text)
                #expect(value.jsonText == text)
                let reported = try #require(value.objectValue)
                #expect(reported["id"] == .string(row[0]))
                #expect(reported["kind"] == .string(row[1]))
                #expect(reported["name"] == (row[2] as String?).map(JSONValue.string))
                #expect(reported["ctime"] == (row[3] as Int64?).map { .string(ISO8601.format(seconds: $0)) })
                #expect(reported["atime"] == (row[5] as Int64?).map { .string(ISO8601.format(seconds: $0)) })
                if row[1] as String == "aws_iam_access_key" {
                    let lastUsed = reported["access_key_last_used"]?.objectValue?["last_used"]
                    #expect(lastUsed == reported["atime"])
                }
            }
        }
    }

    @Test func generatingAgainChangesNothing() throws {
        let (store, summary) = try generated("graph.db", accounts: 2, users: 50)
        #expect(summary.created == summary.nodes)
        let text = try exportText(store, directory)
        let again = try store.generate(GeneratorOptions(accounts: 2, users: 50, seed: 42, now: testNow))
        #expect(again.created == 0)
        #expect(try store.history(since: nil, limit: nil).isEmpty)
        #expect(try exportText(store, directory) == text)
    }

    @Test func progressIsReported() throws {
        let store = try GraphStore(path: directory.path("graph.db"))
        var reports: [Int] = []
        let summary = try store.generate(GeneratorOptions(accounts: 1, users: 30_000, seed: 1, now: testNow)) { reports.append($0) }
        #expect(reports.first == 50_000)
        #expect(reports.last == summary.nodes)
        #expect(reports == reports.sorted())
    }

    @Test func refusesNegativeSizes() throws {
        let store = try GraphStore(path: directory.path("graph.db"))
        #expect(throws: StoreError.self) { try store.generate(GeneratorOptions(accounts: -1, users: 1)) }
    }
}
