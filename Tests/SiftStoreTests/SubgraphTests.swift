import Foundation
import GRDB
import Testing
@testable import SiftStore
import SiftTime

/// A small account: `users` users, each with one key (user i has key AKIA-i), plus the cloud edge.
func accountSubgraph(_ account: String = "111111111111", users: Range<Int> = 0..<3,
                     keyStatus: (Int) -> String = { _ in "Active" }) -> Subgraph {
    var nodes = [Node(id: account, kind: "aws_account", name: "acme-\(account)")]
    var edges = [Edge(from: "aws", to: account)]
    for index in users {
        let user = "AIDA\(account)-\(index)"
        let key = "AKIA\(account)-\(index)"
        nodes.append(Node(id: user, kind: "aws_iam_user", name: "user\(index)",
                          ctime: Date(timeIntervalSince1970: 1_600_000_000 + Double(index)),
                          reported: ["arn": .string("arn:aws:iam::\(account):user/user\(index)"), "mfa_active": .bool(false)]))
        nodes.append(Node(id: key, kind: "aws_iam_access_key", name: "user\(index)",
                          ctime: Date(timeIntervalSince1970: 1_600_000_000), atime: nil,
                          reported: ["access_key_status": .string(keyStatus(index)), "user_name": .string("user\(index)")]))
        edges += [Edge(from: account, to: user), Edge(from: user, to: key), Edge(from: user, to: key, type: .delete)]
    }
    return Subgraph(name: account, nodes: nodes, edges: edges)
}

let cloudSubgraph = Subgraph(name: "cloud:aws", nodes: [Node(id: "aws", kind: "cloud", name: "aws")])

/// nid by id.
func nids(_ store: GraphStore) throws -> [String: Int64] {
    try store.writer.read { db in
        Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, nid FROM node").map { ($0[0] as String, $0[1] as Int64) })
    }
}

@Suite struct SubgraphTests {
    let directory: TemporaryDirectory
    let store: GraphStore

    init() throws {
        directory = try TemporaryDirectory()
        store = try GraphStore(path: directory.path("graph.db"))
        try store.replaceSubgraph(cloudSubgraph, now: testNow)
    }

    @Test func aWritePastItsTimeLimitChangesNothing() throws {
        try store.replaceSubgraph(accountSubgraph(users: 0..<3), now: testNow)
        let before = try allNodes(store)
        let big = accountSubgraph(users: 0..<20_000)
        #expect(throws: StoreError.writeTimedOut(what: "subgraph 111111111111", seconds: 0.01)) {
            try store.replaceSubgraph(big, now: testNow, timeLimit: 0.01)
        }
        #expect(try allNodes(store) == before, "rolled back: the old subgraph is whole")
        #expect(try count(store, "change_log") == 8, "nothing logged for the write that did not happen")
        // The limit is gone with the write: the same connection writes without it afterwards.
        let changes = try store.replaceSubgraph(big, now: testNow)
        #expect(changes.created == 2 * 20_000 - 6)
        #expect(StoreError.writeTimedOut(what: "subgraph 111111111111", seconds: 600).description
                == "subgraph 111111111111: timed out after 600 s (config query_timeout); nothing changed")
    }

    @Test func firstWriteCreatesAndLogsEveryNode() throws {
        let changes = try store.replaceSubgraph(accountSubgraph(), now: testNow)
        #expect(changes == SubgraphChanges(created: 7, edgesAdded: 10))
        #expect(try count(store, "node") == 8)
        let edges = try allEdges(store)
        #expect(edges.contains("aws -default-> 111111111111"))
        #expect(edges.contains("AIDA111111111111-0 -delete-> AKIA111111111111-0"))
        #expect(edges.count == 10)
        let history = try store.history(since: nil, limit: nil)
        #expect(history.count == 8)
        #expect(history.allSatisfy { $0.change == .nodeCreated && $0.at == testNow })
        #expect(history.last?.subgraph == "111111111111")
        let key = try allNodes(store).first { $0.id == "AKIA111111111111-0" }
        #expect(key?.reported == ["access_key_status": .string("Active"), "user_name": .string("user0")])
        #expect(key?.ctime == Date(timeIntervalSince1970: 1_600_000_000))
    }

    @Test func rewritingTheSameSubgraphLogsNothingAndKeepsNids() throws {
        try store.replaceSubgraph(accountSubgraph(), now: testNow)
        let before = try nids(store)
        let logged = try store.history(since: nil, limit: nil).count
        let later = testNow.addingTimeInterval(3600)
        let changes = try store.replaceSubgraph(accountSubgraph(), now: later)
        #expect(changes == SubgraphChanges(unchanged: 7))
        #expect(changes.isEmpty)
        #expect(try store.history(since: nil, limit: nil).count == logged)
        #expect(try nids(store) == before)
        let seen = try store.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT first_seen, last_seen FROM node WHERE id = 'AKIA111111111111-1'")
        }
        #expect(seen?[0] == UnixTime.seconds(of: testNow))
        #expect(seen?[1] == UnixTime.seconds(of: later))
    }

    @Test func marksSurviveAndRealChangesAreLogged() throws {
        try store.replaceSubgraph(accountSubgraph(), now: testNow)
        #expect(try store.mark(ids: ["AKIA111111111111-1"], desired: ["clean": .bool(true)],
                               metadata: ["protected": .bool(false)], now: testNow) == 1)
        let changed = accountSubgraph(keyStatus: { $0 == 1 ? "Inactive" : "Active" })
        let changes = try store.replaceSubgraph(changed, now: testNow.addingTimeInterval(60))
        #expect(changes == SubgraphChanges(updated: 1, unchanged: 6))
        let key = try allNodes(store).first { $0.id == "AKIA111111111111-1" }
        #expect(key?.desired == ["clean": .bool(true)])
        #expect(key?.metadata == ["protected": .bool(false)])
        #expect(key?.reported["access_key_status"] == .string("Inactive"))
        let last = try #require(try store.history(since: nil, limit: 1).first)
        #expect(last.change == .nodeUpdated)
        #expect(last.nodeId == "AKIA111111111111-1")
        #expect(last.detail == .object(["changed": .array([.string("access_key_status")])]))
    }

    @Test func disappearedNodesAreDeletedAndLogged() throws {
        try store.replaceSubgraph(accountSubgraph(users: 0..<3), now: testNow)
        let changes = try store.replaceSubgraph(accountSubgraph(users: 0..<2), now: testNow)
        #expect(changes == SubgraphChanges(deleted: 2, unchanged: 5))
        #expect(try count(store, "node") == 6)
        #expect(try count(store, "edge") == 7)
        let deleted = try store.history(since: nil, limit: 2)
        #expect(Set(deleted.map(\.nodeId)) == ["AIDA111111111111-2", "AKIA111111111111-2"])
        #expect(deleted.allSatisfy { $0.change == .nodeDeleted })
    }

    @Test func edgesAreReplaced() throws {
        try store.replaceSubgraph(accountSubgraph(users: 0..<1), now: testNow)
        var subgraph = accountSubgraph(users: 0..<1)
        subgraph.edges.removeAll { $0.type == .delete }
        let changes = try store.replaceSubgraph(subgraph, now: testNow)
        #expect(changes.edgesRemoved == 1)
        #expect(try allEdges(store) == [
            "111111111111 -default-> AIDA111111111111-0",
            "AIDA111111111111-0 -default-> AKIA111111111111-0",
            "aws -default-> 111111111111",
        ])
        // Replacing the cloud subgraph keeps the account's edge from the cloud node.
        try store.replaceSubgraph(cloudSubgraph, now: testNow)
        #expect(try allEdges(store).contains("aws -default-> 111111111111"))
    }

    @Test func anUnknownEdgeEndWritesNothing() throws {
        try store.replaceSubgraph(accountSubgraph(), now: testNow)
        let before = try (allNodes(store), allEdges(store), store.history(since: nil, limit: nil))
        var broken = accountSubgraph(users: 0..<5, keyStatus: { _ in "Inactive" })
        broken.edges.append(Edge(from: "nowhere", to: "111111111111"))
        #expect(throws: StoreError.unknownNode(
            id: "nowhere", context: "subgraph 111111111111: edge nowhere -default-> 111111111111")) {
            try store.replaceSubgraph(broken, now: testNow)
        }
        let after = try (allNodes(store), allEdges(store), store.history(since: nil, limit: nil))
        #expect(before.0 == after.0)
        #expect(before.1 == after.1)
        #expect(before.2 == after.2)
    }

    @Test func inconsistentSubgraphsAreRefused() throws {
        var duplicate = accountSubgraph()
        duplicate.nodes.append(duplicate.nodes[1])
        #expect(throws: StoreError.invalidSubgraph(subgraph: "111111111111", reason: "node id AIDA111111111111-0 appears twice")) {
            try store.replaceSubgraph(duplicate)
        }
        var stray = accountSubgraph()
        stray.edges.append(Edge(from: "aws", to: "elsewhere"))
        #expect(throws: StoreError.self) { try store.replaceSubgraph(stray) }
        #expect(try count(store, "node") == 1)
    }

    @Test func aNodeMovingBetweenSubgraphsIsLogged() throws {
        try store.replaceSubgraph(accountSubgraph(users: 0..<1), now: testNow)
        let moved = Subgraph(name: "other", nodes: [Node(id: "AKIA111111111111-0", kind: "aws_iam_access_key", name: "user0",
            ctime: Date(timeIntervalSince1970: 1_600_000_000),
            reported: ["access_key_status": .string("Active"), "user_name": .string("user0")])])
        // The key's incoming edges now belong to its new subgraph, which has none.
        #expect(try store.replaceSubgraph(moved, now: testNow) == SubgraphChanges(updated: 1, edgesRemoved: 2))
        let last = try #require(try store.history(since: nil, limit: 1).first)
        #expect(last.detail == .object(["subgraph": .object(["from": .string("111111111111"), "to": .string("other")])]))
    }

    @Test func markMergesRemovesAndLogsOnlyRealChanges() throws {
        try store.replaceSubgraph(accountSubgraph(), now: testNow)
        let logged = try store.history(since: nil, limit: nil).count
        let ids = ["AKIA111111111111-0", "AKIA111111111111-1", "missing", "AKIA111111111111-0"]
        #expect(try store.mark(ids: ids, desired: ["clean": .bool(true), "clean_reason": .string("old")], metadata: [:], now: testNow) == 2)
        #expect(try store.history(since: nil, limit: nil).count == logged + 2)
        // The same mark again: found, but nothing changes and nothing is logged.
        #expect(try store.mark(ids: ids, desired: ["clean": .bool(true), "clean_reason": .string("old")], metadata: [:], now: testNow) == 2)
        #expect(try store.history(since: nil, limit: nil).count == logged + 2)
        try store.mark(ids: ["AKIA111111111111-0"], desired: ["clean_reason": .null], metadata: ["protected": .bool(true)], now: testNow)
        let key = try allNodes(store).first { $0.id == "AKIA111111111111-0" }
        #expect(key?.desired == ["clean": .bool(true)])
        #expect(key?.metadata == ["protected": .bool(true)])
        let last = try #require(try store.history(since: nil, limit: 1).first)
        #expect(last.change == .nodeMarked)
        #expect(last.detail == .object(["desired": .object(["clean_reason": .null]), "metadata": .object(["protected": .bool(true)])]))
    }

    @Test func historyFiltersBySinceAndLimit() throws {
        try store.replaceSubgraph(accountSubgraph(users: 0..<1), now: testNow)
        try store.replaceSubgraph(accountSubgraph(users: 0..<2), now: testNow.addingTimeInterval(86_400))
        let recent = try store.history(since: testNow.addingTimeInterval(3600), limit: nil)
        #expect(recent.map(\.nodeId) == ["AIDA111111111111-1", "AKIA111111111111-1"])
        let limited = try store.history(since: nil, limit: 3)
        #expect(limited.map(\.seq) == limited.map(\.seq).sorted())
        #expect(limited.last?.nodeId == "AKIA111111111111-1")
        #expect(limited.count == 3)
    }

    @Test func aReaderNeverSeesHalfAWrite() throws {
        let big = accountSubgraph(users: 0..<600)
        let small = accountSubgraph(users: 0..<250, keyStatus: { _ in "Inactive" })
        try store.replaceSubgraph(big, now: testNow)
        // (nodes, edges, inactive keys) of each state the graph may be in.
        let allowed: Set<[Int]> = [[1 + 1 + 1200, 1 + 1800, 0], [1 + 1 + 500, 1 + 750, 250]]
        let done = ManagedAtomicFlag()
        let observed = LockedSet()
        let store = self.store
        let reader = Thread {
            while !done.isSet {
                let state = try? store.writer.read { db in
                    [try Int.fetchOne(db, sql: "SELECT count(*) FROM node") ?? -1,
                     try Int.fetchOne(db, sql: "SELECT count(*) FROM edge") ?? -1,
                     try Int.fetchOne(db, sql: "SELECT count(*) FROM node WHERE reported LIKE '%Inactive%'") ?? -1]
                }
                observed.insert(state ?? [])
            }
        }
        reader.start()
        for round in 0..<10 {
            try store.replaceSubgraph(round % 2 == 0 ? small : big, now: testNow)
        }
        done.set()
        while !reader.isFinished { usleep(1000) }
        let states = observed.values
        #expect(!states.isEmpty)
        #expect(states.isSubset(of: allowed), "unexpected states: \(states.subtracting(allowed))")
    }
}

/// A flag set once, read from another thread.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// A set of observations shared between threads.
final class LockedSet: @unchecked Sendable {
    private let lock = NSLock()
    private var set = Set<[Int]>()
    var values: Set<[Int]> { lock.withLock { set } }
    func insert(_ value: [Int]) { _ = lock.withLock { set.insert(value) } }
}
