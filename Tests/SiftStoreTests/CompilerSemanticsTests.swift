import Foundation
import GRDB
import SiftQuery
import Testing
@testable import SiftStore

/// Queries run on the fixture graph; each checks the exact result set.
@Suite struct CompilerSemanticsTests {
    let graph: CompilerFixture
    init() throws { graph = try CompilerFixture() }

    let keys: Term = .isKind(["access_key"])
    let users: Term = .isKind(["user"])
    let out = Navigation(direction: .out)
    let inbound = Navigation(direction: .in)

    // MARK: Kinds, ids, walkthrough

    @Test func kindHierarchy() throws {
        #expect(try graph.set(q(isKind("user"))) == ["u1", "u2", "u3", "u4", "222-root"])
        #expect(try graph.set(q(isKind("aws_root_user"))) == ["222-root"])
        #expect(try graph.set(q(isKind("account", "cloud"))) == ["aws", "111", "222"])
        #expect(try graph.set(q(.isKind(["resource"]))).count == 14)
        #expect(try graph.set(q(.all)).count == 14)
        #expect(try graph.set(q(.id(["k1", "u2", "nope"]))) == ["k1", "u2"])
    }

    @Test func walkthroughUnusedKeysToUsers() throws {
        let unused = keys && cmp(p("last_access"), .greater, days(90))
        #expect(try graph.set(q(unused)) == ["k1", "k3", "k5", "k6"]) // k3: never used, created 120 days ago
        #expect(try graph.set(chain(unused, (inbound, users))) == ["u1", "u2", "u3", "u4"])
        let rows = try graph.rows(chain(unused, (inbound, users)), .count(path: p("name")))
        #expect(rows.map { [$0["value"] as String?, String($0["count"] as Int64)] } == [
            ["alice", "1"], ["bob", "1"], ["ci", "1"], ["jenkins", "1"],
        ])
        let notCI = unused && cmp(p("name"), .notIn, .array([.string("jenkins"), .string("ci")]))
        #expect(try graph.set(q(notCI)) == ["k1", "k3"])
    }

    // MARK: Time

    @Test func durationsAndDates() throws {
        #expect(try graph.set(q(keys && cmp(p("age"), .greater, days(100)))) == ["k1", "k3", "k5", "k6"])
        #expect(try graph.set(q(keys && cmp(p("ctime"), .greater, days(-60)))) == ["k2", "k4"])
        #expect(try graph.set(q(keys && cmp(p("last_access"), .lessOrEqual, days(30)))) == ["k2", "k4"])
        #expect(try graph.set(q(keys && cmp(p("atime"), .less, .datetime(DateTime(secondsSince1970: 1_780_272_000 - 92 * 86_400))))) == ["k1", "k5"])
        #expect(try graph.set(q(keys && cmp(p("ctime"), .greater, .string("2026-03-01")))) == ["k2", "k4"])
        #expect(try graph.set(q(keys && cmp(p("ctime"), .less, .placeholder(.today)) && cmp(p("ctime"), .greater, .placeholder(.yesterday)))) == [])
        #expect(try graph.set(q(cmp(p("last_update"), .greater, days(850)))) == ["aws", "111", "222", "222-root"])
        // A datetime inside reported (ISO text) against a duration and a date.
        let lastUsed = p("access_key_last_used", "last_used")
        #expect(try graph.set(q(cmp(lastUsed, .greater, days(-20)))) == ["k2"])
        #expect(try graph.set(q(cmp(lastUsed, .less, days(-90)))) == ["k1", "k5", "k6"])
        #expect(try graph.set(q(cmp(p("password_last_used"), .greater, .datetime(DateTime(secondsSince1970: 1_780_272_000 - 7 * 86_400))))) == ["u1"])
    }

    @Test func typeErrors() throws {
        #expect(throws: CompileError.typeMismatch(path: "access_key_status", type: "string", value: "3d", expected: "a string value")) {
            _ = try CompilerFixture.compiler.compile(q(cmp(p("access_key_status"), .greater, days(3))))
        }
        #expect(throws: CompileError.self) { _ = try CompilerFixture.compiler.compile(q(cmp(p("name"), .greater, days(3)))) }
        #expect(throws: CompileError.self) { _ = try CompilerFixture.compiler.compile(q(cmp(p("age"), .greater, .int(3)))) }
        #expect(throws: CompileError.self) { _ = try CompilerFixture.compiler.compile(q(cmp(p("mfa_active"), .equal, days(3)))) }
        do {
            _ = try CompilerFixture.compiler.compile(q(isKind("acces_key")))
            Issue.record("an unknown kind compiled")
        } catch {
            #expect("\(error)" == "unknown kind 'acces_key' (did you mean access_key?)")
        }
        #expect(throws: CompileError.unknownKind("acount", suggestion: "account")) {
            _ = try CompilerFixture.compiler.compile(q(cmp(Path(root: .ancestors(kind: "acount", section: .reported), components: [.key("name")]), .equal, .string("x"))))
        }
        #expect(throws: CompileError.unknownEdgeType("delet", suggestion: "delete")) {
            _ = try CompilerFixture.compiler.compile(chain(.all, (Navigation(direction: .out, outEdgeTypes: ["delet"]), .all)))
        }
        #expect(throws: CompileError.invalidRegex(path: "name", pattern: "(", column: 2, reason: "missing ')' for the '(' at character 1")) {
            _ = try CompilerFixture.compiler.compile(q(cmp(p("name"), .matches, .string("("))))
        }
        #expect(throws: CompileError.self) { _ = try CompilerFixture.compiler.compile(q(cmp(p("name"), .in, .string("x")))) }
        #expect(throws: CompileError.invalidDepth(min: 2, max: 1)) {
            _ = try CompilerFixture.compiler.compile(chain(.all, (Navigation(direction: .out, minDepth: 2, maxDepth: 1), .all)))
        }
    }

    // MARK: Nulls and negation

    @Test func nulls() throws {
        #expect(try graph.set(q(keys && cmp(p("atime"), .equal, .null))) == ["k3", "k4"])
        #expect(try graph.set(q(keys && cmp(p("atime"), .notEqual, .null))) == ["k1", "k2", "k5", "k6"])
        #expect(try graph.set(q(keys && cmp(p("access_key_last_used", "last_used"), .equal, .null))) == ["k3", "k4"])
        #expect(try graph.set(q(keys && cmp(p("access_key_last_used", "region"), .notEqual, .string("us-east-1")))) == ["k2", "k3", "k4", "k6"])
        #expect(try graph.set(q(keys && .not(cmp(p("access_key_last_used", "region"), .equal, .string("us-east-1"))))) == ["k2", "k3", "k4", "k6"])
        // Missing never matches <, >, in, =~; their negations match it.
        #expect(try graph.set(q(keys && cmp(p("atime"), .less, .placeholder(.now)))) == ["k1", "k2", "k5", "k6"])
        #expect(try graph.set(q(keys && .not(cmp(p("atime"), .less, .placeholder(.now))))) == ["k3", "k4"])
        #expect(try graph.set(q(users && cmp(p("tags", "owner"), .in, .array([.string("ops"), .null])))) == ["u2"])
        #expect(try graph.set(q(users && cmp(p("tags", "owner"), .notIn, .array([.string("ops")])))) == ["u1", "u3", "u4", "222-root"])
        #expect(try graph.set(q(users && .not(cmp(p("tags", "owner"), .matches, .string("^p"))))) == ["u2", "u3", "u4", "222-root"])
        #expect(try graph.set(q(users && cmp(p("tags", "owner"), .notMatches, .string("^p")))) == ["u2", "u3", "u4", "222-root"])
        // Sections.
        #expect(try graph.set(q(cmp(Path(root: .desired, components: [.key("clean")]), .equal, .bool(false)))) == ["u1"])
        #expect(try graph.set(q(users && cmp(Path(root: .metadata, components: [.key("protected")]), .notEqual, .bool(true)))) == ["u1", "u3", "u4", "222-root"])
        #expect(try graph.set(q(users && cmp(Path(root: .reported(explicit: true), components: [.key("mfa_active")]), .equal, .bool(true)))) == ["u1", "222-root"])
        #expect(try graph.set(q(users && cmp(p("mfa_active"), .equal, .string("true")))) == ["u1", "222-root"])
        #expect(try graph.set(q(.not(.not(isKind("account")) || cmp(p("name"), .equal, .string("dev"))))) == ["111"])
    }

    // MARK: Regex, arrays, has_key, full text

    @Test func regexIsCaseInsensitive() throws {
        #expect(try graph.set(q(cmp(p("name"), .matches, .string("^J")))) == ["u4", "k6"])
        #expect(try graph.set(q(users && cmp(p("arn"), .matches, .string("USER/(alice|bob)$")))) == ["u1", "u2"])
        #expect(try graph.set(q(users && cmp(p("name"), .notMatches, .string("^j")))) == ["u1", "u2", "u3", "222-root"])
    }

    @Test func arrays() throws {
        let groups = p("groups")
        #expect(try graph.set(q(cmp(groups, .equal, .string("admins"), .any))) == ["u1", "u4"])
        #expect(try graph.set(q(users && cmp(groups, .equal, .string("dev"), .all))) == ["u2"])
        #expect(try graph.set(q(users && cmp(groups, .equal, .string("admins"), ArrayModifier.none))) == ["u2", "u3", "222-root"])
        #expect(try graph.set(q(cmp(groups, .in, .array([.string("dev"), .string("x")]), .any))) == ["u1", "u2"])
        #expect(try graph.set(q(cmp(Path(components: [.key("groups"), .wildcard]), .equal, .string("admins")))) == ["u1", "u4"])
        #expect(try graph.set(q(cmp(Path(components: [.key("groups"), .index(1)]), .equal, .string("dev")))) == ["u1"])
        #expect(try graph.set(q(cmp(Path(components: [.key("logins"), .wildcard, .key("region")]), .equal, .string("us-east-1")))) == ["u1"])
        #expect(try graph.set(q(users && cmp(Path(components: [.key("logins"), .wildcard, .key("region")]), .equal, .null))) == ["u2", "u3", "u4", "222-root"])
    }

    @Test func hasKeyAndFullText() throws {
        #expect(try graph.set(q(.hasKey(path: p("tags"), keys: ["owner"]))) == ["u1", "u2"])
        #expect(try graph.set(q(.hasKey(path: p("tags"), keys: ["owner", "app.kubernetes.io/name"]))) == ["u1"])
        #expect(try graph.set(q(.hasKey(path: p("access_key_last_used"), keys: ["last_used"]))) == ["k1", "k2", "k5", "k6"])
        #expect(try graph.set(q(cmp(p("tags", "app.kubernetes.io/name"), .equal, .string("web")))) == ["u1"])
        #expect(try graph.set(q(.fullText("PROD-team"))) == ["u1"])
        #expect(try graph.set(q(.fullText("owner"))) == []) // a key, not a value
        #expect(try graph.set(q(.fullText("user/jenk"))) == ["u4"])
        #expect(try graph.set(q(.fullText("us-west"))) == ["k6"])
    }

    // MARK: Navigation

    @Test func traversals() throws {
        let prod = Term.id(["111"])
        #expect(try graph.set(chain(prod, (out, .all))) == ["u1", "u2"])
        #expect(try graph.set(chain(prod, (Navigation(direction: .out, minDepth: 1, maxDepth: 2), .all))) == ["u1", "u2", "k1", "k2", "k3", "k4"])
        #expect(try graph.set(chain(prod, (Navigation(direction: .out, minDepth: 2, maxDepth: 2), .all))) == ["k1", "k2", "k3", "k4"])
        #expect(try graph.set(chain(prod, (Navigation(direction: .out, minDepth: 0, maxDepth: 1), .all))) == ["111", "u1", "u2"])
        #expect(try graph.set(chain(prod, (Navigation(direction: .out, minDepth: 0, maxDepth: nil), .all))) == ["111", "u1", "u2", "k1", "k2", "k3", "k4"])
        #expect(try graph.set(chain(prod, (Navigation(direction: .out, minDepth: 0, maxDepth: 0), .all))) == ["111"])
        #expect(try graph.set(chain(.id(["k1"]), (inbound, .all))) == ["u1"])
        #expect(try graph.set(chain(.id(["k1"]), (Navigation(direction: .in, minDepth: 1, maxDepth: nil), .all))) == ["u1", "111", "aws"])
        #expect(try graph.set(chain(.id(["k1"]), (Navigation(direction: .in, minDepth: 2, maxDepth: nil), .all))) == ["111", "aws"])
        #expect(try graph.set(chain(.id(["k1"]), (Navigation(direction: .in, minDepth: 1, maxDepth: 3), isKind("account")))) == ["111"])
        #expect(try graph.set(chain(.id(["u1"]), (Navigation(direction: .both), .all))) == ["111", "k1", "k2"])
        // Deeper than the unrolled walks: a recursive CTE bounded by depth.
        #expect(try graph.set(chain(.id(["k1"]), (Navigation(direction: .in, minDepth: 1, maxDepth: 6), .all))) == ["u1", "111", "aws"])
        #expect(try graph.set(chain(.id(["k1"]), (Navigation(direction: .in, minDepth: 3, maxDepth: 5), .all))) == ["aws"])
        #expect(try graph.set(chain(.id(["u1"]), (Navigation(direction: .both, minDepth: 5, maxDepth: 5), isKind("access_key")))) == ["k1", "k2", "k3", "k4", "k5", "k6"])
        #expect(try graph.set(chain(.id(["aws"]), (Navigation(direction: .out, minDepth: 0, maxDepth: 5), isKind("cloud", "account")))) == ["aws", "111", "222"])
        #expect(try graph.set(chain(.id(["u1"]), (Navigation(direction: .both, minDepth: 2, maxDepth: 2), .all))) == ["aws", "u1", "u2"])
        // Edge types, both ways with a type for each direction, and a delete cycle k1 -> u1.
        let delete = Navigation(direction: .out, outEdgeTypes: ["delete"])
        #expect(try graph.set(chain(.id(["u1"]), (delete, .all))) == ["k1", "k2"])
        #expect(try graph.set(chain(.id(["111"]), (delete, .all))) == [])
        #expect(try graph.set(chain(.id(["u1"]), (Navigation(direction: .out, minDepth: 1, maxDepth: nil, outEdgeTypes: ["delete"]), .all))) == ["k1", "k2", "u1"])
        #expect(try graph.set(chain(.id(["u1"]), (Navigation(direction: .out, minDepth: 2, maxDepth: nil, outEdgeTypes: ["delete"]), .all))) == ["u1", "k1", "k2"])
        #expect(try graph.set(chain(.id(["u1"]), (Navigation(direction: .both, minDepth: 0, maxDepth: 1, outEdgeTypes: ["delete"], inEdgeTypes: ["default"]), .all))) == ["u1", "111", "k1", "k2"])
        #expect(try graph.set(chain(.id(["u1"]), (Navigation(direction: .out, outEdgeTypes: ["default", "delete"]), .all))) == ["k1", "k2"])
        // Three parts; a navigation's result is a distinct set.
        #expect(try graph.ids(chain(keys, (inbound, users), (inbound, .all))).sorted() == ["111", "222"])
        #expect(try graph.set(chain(.all, (Navigation(direction: .out, minDepth: 1, maxDepth: 1), isKind("access_key")))) == ["k1", "k2", "k3", "k4", "k5", "k6"])
    }

    @Test func withClauses() throws {
        let toKeys = out
        #expect(try graph.set(q(users, with: WithClause(quantifier: .empty, navigation: toKeys, filter: keys))) == ["222-root"])
        #expect(try graph.set(q(users, with: WithClause(quantifier: .count(.equal, 2), navigation: toKeys))) == ["u1", "u2"])
        #expect(try graph.set(q(users, with: WithClause(quantifier: .count(.less, 2), navigation: toKeys, filter: keys))) == ["u3", "u4", "222-root"])
        #expect(try graph.set(q(users, with: WithClause(quantifier: .any, navigation: toKeys, filter: cmp(p("atime"), .equal, .null)))) == ["u2"])
        // Accounts with a user that has an inactive key (nested with), and over two levels at once.
        let inactive = cmp(p("access_key_status"), .equal, .string("Inactive"))
        let nested = WithClause(quantifier: .any, navigation: toKeys, filter: inactive)
        #expect(try graph.set(q(isKind("account"), with: WithClause(quantifier: .any, navigation: toKeys, filter: users, nested: nested))) == ["222"])
        #expect(try graph.set(q(isKind("account"), with: WithClause(quantifier: .count(.greaterOrEqual, 4), navigation: Navigation(direction: .out, minDepth: 2, maxDepth: 2)))) == ["111"])
        #expect(try graph.set(q(keys, with: WithClause(quantifier: .any, navigation: Navigation(direction: .in, minDepth: 0, maxDepth: 0), filter: .id(["k2"])))) == ["k2"])
    }

    @Test func sortAndLimitPerPart() throws {
        let oldestTwo = Query(parts: [
            Part(term: keys, sort: [Sort(path: p("ctime"))], limit: Limit(count: 2), navigation: inbound),
            Part(term: users),
        ])
        #expect(try graph.set(oldestTwo) == ["u3", "u4"])
        // A limited part before unrolled, recursive and unbounded walks.
        func firstAccount(_ navigation: Navigation) -> Query {
            Query(parts: [Part(term: isKind("account"), sort: [Sort(path: p("name"))], limit: Limit(count: 1), navigation: navigation),
                          Part(term: .all)])
        }
        #expect(try graph.set(firstAccount(Navigation(direction: .out, minDepth: 1, maxDepth: 2))) == ["u3", "u4", "222-root", "k5", "k6"])
        #expect(try graph.set(firstAccount(Navigation(direction: .out, minDepth: 0, maxDepth: 6))) == ["222", "u3", "u4", "222-root", "k5", "k6"])
        #expect(try graph.set(firstAccount(Navigation(direction: .out, minDepth: 2, maxDepth: nil))) == ["k5", "k6"])
        let byName = [Sort(path: p("name"), order: .desc)]
        #expect(try graph.ids(q(users, sort: byName)) == ["222-root", "u4", "u3", "u2", "u1"])
        #expect(try graph.ids(q(users, sort: byName, limit: Limit(offset: 1, count: 2))) == ["u4", "u3"])
        #expect(try graph.ids(q(users, sort: [Sort(path: p("name"))]), .nodes(head: 2)) == ["u1", "u2"])
        #expect(try graph.ids(q(users, sort: [Sort(path: p("name"))]), .nodes(tail: 2)) == ["u4", "222-root"])
        #expect(try graph.ids(q(users, sort: [Sort(path: p("name"))], limit: Limit(count: 3)), .nodes(tail: 2)) == ["u2", "u3"])
        #expect(try graph.ids(q(keys, sort: [Sort(path: p("last_access"), order: .desc)])) == ["k3", "k1", "k5", "k6", "k4", "k2"])
        #expect(try graph.ids(q(keys, sort: [Sort(path: Path(root: .shortcut("account"), components: [.key("name")])), Sort(path: p("ctime"), order: .desc)])) == ["k6", "k5", "k4", "k2", "k3", "k1"])
        #expect(try graph.ids(q(keys), .nodes(tail: 1)) == ["k6"])
    }

    // MARK: Related paths

    @Test func ancestorsAndDescendants() throws {
        let account = Path(root: .shortcut("account"), components: [.key("name")])
        #expect(try graph.set(q(keys && cmp(account, .equal, .string("prod")))) == ["k1", "k2", "k3", "k4"])
        #expect(try graph.set(q(keys && cmp(Path(root: .ancestors(kind: "account", section: .reported), components: [.key("id")]), .equal, .string("222")))) == ["k5", "k6"])
        #expect(try graph.set(q(keys && cmp(Path(root: .ancestors(kind: "user", section: .metadata), components: [.key("protected")]), .equal, .bool(true)))) == ["k3", "k4"])
        #expect(try graph.set(q(isKind("resource") && cmp(account, .equal, .null))) == ["aws", "111", "222"])
        #expect(try graph.set(q(keys && cmp(Path(root: .shortcut("cloud"), components: [.key("name")]), .equal, .string("aws")))).count == 6)
        #expect(try graph.set(q(users && cmp(Path(root: .descendants(kind: "access_key", section: .reported), components: [.key("access_key_status")]), .equal, .string("Inactive")))) == ["u3"])
        #expect(try graph.set(q(users && cmp(Path(root: .descendants(kind: "access_key", section: .reported), components: [.key("last_access")]), .greater, days(90)))) == ["u1", "u2", "u3", "u4"])
        let rows = try graph.rows(q(keys), .count(path: account))
        #expect(rows.map { [$0["value"] as String?, String($0["count"] as Int64), String($0["matched"] as Int64)] } == [["dev", "2", "1"], ["prod", "4", "1"]])
    }

    // MARK: Outputs

    @Test func countAndTotal() throws {
        let byName = try graph.rows(q(keys), .count(path: p("name")))
        #expect(byName.map { "\($0["value"] as String? ?? "-"):\($0["count"] as Int64)" } == ["ci:1", "jenkins:1", "alice:2", "bob:2"])
        let region = try graph.rows(q(keys), .count(path: p("access_key_last_used", "region")))
        #expect(region.map { "\($0["value"] as String? ?? "-"):\($0["count"] as Int64):\($0["matched"] as Int64)" }
            == ["eu-west-1:1:1", "us-west-2:1:1", "us-east-1:2:1", "-:2:0"])
        let total = try graph.rows(q(keys), .total)
        #expect(total.first.map { $0["count"] as Int64 } == 6)
        #expect(try graph.rows(q(keys, limit: Limit(count: 4)), .total).first.map { $0["count"] as Int64 } == 4)
        let none = try graph.rows(q(users), .count(path: nil))
        #expect(none.count == 1 && none[0]["count"] as Int64 == 5)
        let ctime = try graph.rows(q(.id(["k1"])), .count(path: p("ctime")))
        #expect(ctime.first.map { $0["value"] as String } == "2025-11-13T00:00:00Z")
        // The node columns map in the contract's order.
        let nodes = try graph.rows(q(.id(["k3"])), .nodes())
        #expect(nodes.first?.columnNames.map { $0 } == ["nid", "id", "kind", "name", "ctime", "mtime", "atime", "reported", "desired", "metadata"])
    }

    @Test func explainShowsQuerySQLBindingsAndPlan() throws {
        let query = chain(keys && cmp(p("last_access"), .greater, days(90)), (inbound, users))
        let text = try graph.queue.read { db in try explain(query, in: db, kinds: .builtin, now: CompilerFixture.now) }
        #expect(text.contains("sql: SELECT"))
        #expect(text.contains("?1 = ") && text.contains("aws_iam_access_key"))
        #expect(text.contains("plan:"))
        #expect(text.contains("USING INDEX") || text.contains("SEARCH"))
    }
}
