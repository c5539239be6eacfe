import Foundation
import GRDB
import SiftQuery
import Testing
@testable import SiftStore

/// Query text through the parser and the compiler, on the fixture graph.
@Suite struct CompilerParsedQueryTests {
    let graph: CompilerFixture
    init() throws { graph = try CompilerFixture() }

    func run(_ text: String) throws -> Set<String> {
        try graph.set(QueryParser.parse(text))
    }

    func error(_ text: String) -> String? {
        do {
            _ = try CompilerFixture.compiler.compile(QueryParser.parse(text))
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func walkthrough() throws {
        #expect(try run("is(access_key) and last_access > 90days <-- is(user)") == ["u1", "u2", "u3", "u4"])
        #expect(try run("is(access_key) and last_access > 90days and name not in [jenkins, ci]") == ["k1", "k3"])
        let rows = try graph.rows(QueryParser.parse("is(access_key) and last_access > 90days <-- is(user)"), .count(path: p("name")))
        #expect(rows.count == 4)
    }

    @Test func language() throws {
        #expect(try run("is(access_key) and account == prod") == ["k1", "k2", "k3", "k4"])
        #expect(try run("is(access_key) and /ancestors.account.reported.id == \"222\"") == ["k5", "k6"])
        #expect(try run("is(user) with(empty, --> is(access_key))") == ["222-root"])
        #expect(try run("is(access_key) sort ctime limit 2 <-- is(user)") == ["u3", "u4"])
        #expect(try run("id(111) -[0:]-> is(access_key) or is(account)") == ["111", "k1", "k2", "k3", "k4"])
        #expect(try run("--> is(user)") == ["u1", "u2", "u3", "u4", "222-root"])
        #expect(try run("id(u1) <-default[0:1]delete-> all") == ["u1", "111", "k1", "k2"])
        #expect(try run(#""prod-team""#) == ["u1"])
        #expect(try run("tags.`app.kubernetes.io/name` == web") == ["u1"])
        #expect(try run("is(user) and groups any == admins and not mfa_active == true") == ["u4"])
        #expect(try run("has_key(tags, [owner, \"app.kubernetes.io/name\"])") == ["u1"])
        #expect(try run("is(access_key) and access_key_last_used.last_used < -90d") == ["k1", "k5", "k6"])
        #expect(try run("is(access_key) and ctime > -60d and name =~ \"^B\"") == ["k4"])
        #expect(try run("/desired.clean == false or /metadata.protected == true") == ["u1", "u2"])
    }

    @Test func errors() {
        #expect(error("is(acces_key)") == "unknown kind 'acces_key' (did you mean access_key?)")
        #expect(error("name > 3d") == "'name' is a string property and cannot be compared with 3d; expected a string")
        #expect(error("access_key_status < 2026-01-01") == "'access_key_status' is a string property and cannot be compared with 2026-01-01; expected a string value")
        #expect(error("ctime > 5") == "'ctime' is a datetime property and cannot be compared with 5; expected a date, a datetime or a duration")
    }
}
