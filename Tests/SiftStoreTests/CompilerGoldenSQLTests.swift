import Foundation
import GRDB
import SiftQuery
import Testing
@testable import SiftStore

/// The exact SQL and bindings of representative queries: paths and values are always bound.
@Suite struct CompilerGoldenSQLTests {
    let keys: Term = .isKind(["access_key"])
    var unused: Term { keys && cmp(p("last_access"), .greater, days(90)) }
    /// 2026-06-01 minus 90 days.
    let ninetyDaysAgo: Int64 = 1_772_496_000
    let nodeColumns = "n1.nid, n1.id, n1.kind, n1.name, n1.ctime, n1.mtime, n1.atime, n1.reported, n1.desired, n1.metadata"

    func values(_ items: any DatabaseValueConvertible...) -> [DatabaseValue] { items.map(\.databaseValue) }

    func compile(_ query: Query, _ output: QueryOutput = .nodes()) throws -> CompiledQuery {
        try CompilerFixture.compiler.compile(query, output: output)
    }

    @Test func walkthroughCountByName() throws {
        let compiled = try compile(chain(unused, (Navigation(direction: .in), .isKind(["user"]))), .count(path: p("name")))
        #expect(compiled.sql == """
            SELECT value, count(*) AS count, value IS NOT NULL AS matched FROM (SELECT n3.name AS value FROM node n3 \
            WHERE n3.nid IN (SELECT e2.from_nid AS nid FROM node n1 JOIN edge e2 ON e2.to_nid = n1.nid AND e2.type = ? \
            WHERE (n1.kind IN (?, ?) AND coalesce(n1.atime, n1.ctime) < ?)) AND n3.kind IN (?, ?, ?)) \
            GROUP BY value ORDER BY value IS NULL, count(*), value
            """)
        #expect(compiled.values == values("default", "access_key", "aws_iam_access_key", ninetyDaysAgo, "aws_iam_user", "aws_root_user", "user"))
    }

    @Test func walkthroughNotIn() throws {
        let compiled = try compile(q(unused && cmp(p("name"), .notIn, .array([.string("jenkins"), .string("ci")]))))
        #expect(compiled.sql == """
            SELECT \(nodeColumns) FROM node n1 WHERE ((n1.kind IN (?, ?) AND coalesce(n1.atime, n1.ctime) < ?) \
            AND (n1.name IS NULL OR n1.name NOT IN (?, ?)))
            """)
        #expect(compiled.values == values("access_key", "aws_iam_access_key", ninetyDaysAgo, "jenkins", "ci"))
    }

    @Test func boundedTraversalTotal() throws {
        let compiled = try compile(chain(.id(["111"]), (Navigation(direction: .out, minDepth: 1, maxDepth: 3), keys)), .total)
        #expect(compiled.sql == """
            SELECT count(*) AS count FROM node n8 WHERE n8.nid IN (WITH d2(nid) AS (SELECT e3.to_nid AS nid FROM node n1 \
            JOIN edge e3 ON e3.from_nid = n1.nid AND e3.type = ? WHERE n1.id = ?), d4(nid) AS (SELECT e5.to_nid FROM d2 JOIN edge e5 \
            ON e5.from_nid = d2.nid AND e5.type = ?), d6(nid) AS (SELECT e7.to_nid FROM d4 JOIN edge e7 ON e7.from_nid = d4.nid \
            AND e7.type = ?) SELECT nid FROM d2 UNION SELECT nid FROM d4 UNION SELECT nid FROM d6) AND n8.kind IN (?, ?)
            """)
        #expect(compiled.values == values("default", "111", "default", "default", "access_key", "aws_iam_access_key"))
        let deep = try compile(chain(.id(["111"]), (Navigation(direction: .in, minDepth: 2, maxDepth: 5), .all)), .total)
        #expect(deep.sql == """
            SELECT count(*) AS count FROM node n4 WHERE n4.nid IN (WITH RECURSIVE r2(nid, d) AS (SELECT n1.nid, 0 FROM node n1 \
            WHERE n1.id = ? UNION SELECT e3.from_nid, r2.d + 1 FROM r2 JOIN edge e3 ON e3.to_nid = r2.nid AND e3.type = ? \
            WHERE r2.d < 5) SELECT nid FROM r2 WHERE d >= 2)
            """)
    }

    @Test func withEmpty() throws {
        let with = WithClause(quantifier: .empty, navigation: Navigation(direction: .out), filter: keys)
        let compiled = try compile(q(.isKind(["user"]), with: with))
        #expect(compiled.sql == """
            SELECT \(nodeColumns) FROM node n1 WHERE n1.kind IN (?, ?, ?) AND NOT EXISTS (SELECT 1 FROM edge e3 JOIN node w2 \
            ON w2.nid = e3.to_nid AND e3.from_nid = n1.nid AND e3.type = ? WHERE w2.kind IN (?, ?))
            """)
    }

    @Test func sectionsRegexAndTail() throws {
        let term = Term.not(cmp(Path(root: .desired, components: [.key("clean")]), .equal, .bool(true)))
            && cmp(p("tags", "app.kubernetes.io/name"), .matches, .string("^web"))
        let compiled = try compile(q(term), .nodes(tail: 3))
        #expect(compiled.sql == """
            SELECT nid, id, kind, name, ctime, mtime, atime, reported, desired, metadata FROM (SELECT * FROM (SELECT \
            \(nodeColumns), n1.nid AS _t FROM node n1 WHERE (NOT (json_extract(n1.desired, ?) IS ?) AND \
            json_extract(n1.reported, ?) REGEXP ?)) ORDER BY _t DESC LIMIT ?) ORDER BY _t
            """)
        #expect(compiled.values == values("$.clean", 1, "$.tags.\"app.kubernetes.io/name\"", "^web", 3))
    }

    @Test func unboundedBothWaysWithTypes() throws {
        let navigation = Navigation(direction: .both, minDepth: 0, maxDepth: nil, outEdgeTypes: ["delete"], inEdgeTypes: ["default"])
        let compiled = try compile(chain(.all, (navigation, .all)), .total)
        #expect(compiled.sql == """
            SELECT count(*) AS count FROM node n5 WHERE n5.nid IN (WITH RECURSIVE r2(nid) AS (SELECT n1.nid FROM node n1 \
            WHERE 1 UNION SELECT e3.to_nid FROM r2 JOIN edge e3 ON e3.from_nid = r2.nid AND e3.type = ? \
            UNION SELECT e4.from_nid FROM r2 JOIN edge e4 ON e4.to_nid = r2.nid AND e4.type = ?) SELECT nid FROM r2)
            """)
        #expect(compiled.values == values("delete", "default"))
    }

    @Test func pathsNeverReachSQLText() throws {
        let hostile = "x') OR 1=1; DROP TABLE node; --"
        let compiled = try compile(q(cmp(Path(components: [.key(hostile)]), .equal, .string(hostile)) && .fullText(hostile)
            && .id([hostile]) && .hasKey(path: Path(root: .metadata, components: [.key(hostile)]), keys: [hostile])))
        #expect(!compiled.sql.contains("DROP"))
        #expect(compiled.values.contains("$.\"\(hostile)\"".databaseValue))
        #expect(throws: CompileError.invalidPath(path: "`a\"b`", reason: "a key with a double quote or backslash cannot be addressed")) {
            _ = try compile(q(cmp(Path(components: [.key("a\"b")]), .equal, .null)))
        }
    }

    @Test func timesAgainstDatesAndPlaceholders() throws {
        let created = try compile(q(cmp(p("ctime"), .greater, days(-3))))
        #expect(created.sql.hasSuffix("WHERE n1.ctime > ?"))
        #expect(created.values == values(1_780_272_000 - 3 * 86_400))
        let expires = try compile(q(cmp(p("expires"), .less, days(14))))
        #expect(expires.values == values("$.expires", "2026-06-15T00:00:00Z"))
        let today = try compile(q(cmp(p("password_last_used"), .greaterOrEqual, .placeholder(.yesterday))))
        #expect(today.values == values("$.password_last_used", "2026-05-31T00:00:00Z"))
        let age = try compile(q(cmp(p("age"), .in, .array([days(1), days(2)]))))
        #expect(age.sql.hasSuffix("WHERE n1.ctime IN (?, ?)"))
    }
}
