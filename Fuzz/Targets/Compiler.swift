// Fuzz target: the SQL compiler. What parses is compiled; what compiles is prepared and planned
// by SQLite (EXPLAIN QUERY PLAN) on an in-memory store with the real schema. Errors are fine;
// crashes are not, nor SQL that SQLite rejects for anything but its size limits.
import Foundation
import GRDB
import SiftQuery
@testable import SiftStore

/// A small graph in a file of its own (WAL needs a file): an account, a user, two keys.
let fuzzStore: GraphStore = {
    let path = NSTemporaryDirectory() + "sift-fuzz-compiler-\(getpid()).db"
    let store = try! GraphStore(path: path)
    let old = Date(timeIntervalSince1970: 1_700_000_000)
    try! store.replaceSubgraph(Subgraph(name: "111111111111", nodes: [
        Node(id: "111111111111", kind: "aws_account", name: "prod"),
        Node(id: "AIDABOB", kind: "aws_iam_user", name: "bob", ctime: old,
             reported: ["tags": .object(["owner": .string("ops")]), "mfa_active": .bool(false)]),
        Node(id: "AKIAOLD", kind: "aws_iam_access_key", name: "bob", ctime: old,
             reported: ["access_key_status": .string("Active"), "list": .array([.int(1), .string("a")])]),
        Node(id: "AKIANEW", kind: "aws_iam_access_key", name: "bob", ctime: Date()),
    ], edges: [
        Edge(from: "111111111111", to: "AIDABOB"), Edge(from: "AIDABOB", to: "AKIAOLD"), Edge(from: "AIDABOB", to: "AKIANEW"),
    ]))
    return store
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let query = try? QueryParser.parse(text) else { return 0 }
    for output in [QueryOutput.nodes(), .nodes(head: 3, tail: 2), .count(path: Path(components: [.key("name")])), .total] {
        guard let compiled = try? SQLiteCompiler().compile(query, output: output) else { continue }
        do {
            try fuzzStore.writer.read { db in
                _ = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + compiled.sql, arguments: compiled.arguments)
                _ = try Row.fetchAll(db, sql: compiled.sql, arguments: compiled.arguments)
            }
        } catch let error as DatabaseError where GraphStore.isSizeLimit(error) {
            continue
        } catch let error as DatabaseError where (error.message ?? "").hasPrefix("regular expression too costly") {
            continue
        } catch {
            preconditionFailure("SQLite refused the compiled SQL of \(text.debugDescription): \(error)")
        }
    }
    return 0
}
