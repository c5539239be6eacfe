import Foundation
import GRDB
import SiftQuery
import Testing
@testable import SiftStore

/// Runs `body` on a thread with a 512 KB stack and waits for it.
func onSmallStack(_ body: @escaping @Sendable () -> Void) {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        done.signal()
    }
    thread.stackSize = 512 * 1024
    thread.start()
    done.wait()
}

/// Queries at the parser's limits (issue 13) compile without exhausting a small stack, and what
/// SQLite then refuses for its size is a one-line error, never the SQL.
@Suite struct CompilerLimitTests {
    let graph: CompilerFixture
    init() throws { graph = try CompilerFixture() }

    static let depth = QueryLimits.maxNesting

    static let atTheLimits = [
        String(repeating: "(", count: depth) + "is(user)" + String(repeating: ")", count: depth),
        String(repeating: "not ", count: depth) + "is(user)",
        String(repeating: "(not ", count: depth / 2) + "is(user)" + String(repeating: ")", count: depth / 2),
        "all " + String(repeating: "with(any, --> ", count: depth - 1) + "all" + String(repeating: ")", count: depth - 1),
        "name in " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth),
        "tags == " + String(repeating: "{a:", count: depth) + "1" + String(repeating: "}", count: depth),
        Array(repeating: "name != x", count: QueryLimits.maxTerms).joined(separator: " and "),
        Array(repeating: "(name == a and kind == b)", count: QueryLimits.maxTerms / 2).joined(separator: " or "),
    ]

    @Test func compileOnASmallStack() {
        for text in Self.atTheLimits {
            onSmallStack {
                do {
                    let compiled = try CompilerFixture.compiler.compile(QueryParser.parse(text))
                    #expect(!compiled.sql.isEmpty)
                } catch is CompileError {
                    // A clear error (`name in [[...]]` compares with nested arrays) is fine.
                } catch {
                    Issue.record("\(text.prefix(40))...: \(error)")
                }
            }
        }
    }

    /// Every query at the limits runs, or fails with SQLite's size error, which the store words
    /// without the SQL.
    @Test func runOrClearSizeError() throws {
        for text in Self.atTheLimits {
            do {
                _ = try graph.ids(QueryParser.parse(text))
            } catch is CompileError {
                continue
            } catch let error as DatabaseError {
                #expect(GraphStore.isSizeLimit(error), "\(text.prefix(40)): \(error.message ?? "")")
                let message = GraphStore.message(of: error)
                #expect(message.hasPrefix("query too complex for SQLite ("))
                #expect(!message.contains("SELECT"))
            }
        }
    }

    /// A long chain compiles to a balanced tree: SQLite's expression depth stays small.
    @Test func longChainsRun() throws {
        let names = Array(repeating: "name != nobody", count: QueryLimits.maxTerms).joined(separator: " and ")
        #expect(try graph.set(QueryParser.parse(names)) == graph.set(QueryParser.parse("name != nobody")))
        let anyOf = (0..<QueryLimits.maxTerms - 1).map { "name == n\($0)" }.joined(separator: " or ") + " or is(user)"
        #expect(try graph.set(QueryParser.parse(anyOf)) == graph.set(QueryParser.parse("is(user)")))
    }

    @Test func doubleNegationsCancel() throws {
        #expect(try graph.set(QueryParser.parse(String(repeating: "not ", count: 30) + "is(user)"))
            == graph.set(QueryParser.parse("is(user)")))
        #expect(try graph.set(QueryParser.parse(String(repeating: "not ", count: 31) + "is(user)"))
            == graph.set(QueryParser.parse("not is(user)")))
    }
}
