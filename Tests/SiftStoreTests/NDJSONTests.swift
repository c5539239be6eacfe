import Foundation
import GRDB
import Testing
@testable import SiftStore
import SiftTime

/// Writes `text` to a file and opens it for reading.
func readHandle(_ directory: TemporaryDirectory, _ name: String, _ text: String) throws -> FileHandle {
    let path = directory.path(name)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
}

/// The store's export as text.
func exportText(_ store: GraphStore, _ directory: TemporaryDirectory) throws -> String {
    let path = directory.path("export-\(UUID().uuidString).ndjson")
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    _ = try store.exportNDJSON(to: handle)
    try handle.close()
    return try String(contentsOfFile: path, encoding: .utf8)
}

@Suite struct NDJSONTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    /// A store with a cloud, two accounts, marks and a few odd values.
    func populatedStore() throws -> GraphStore {
        let store = try GraphStore(path: directory.path("source.db"))
        try store.replaceSubgraph(cloudSubgraph, now: testNow)
        try store.replaceSubgraph(accountSubgraph("111111111111", users: 0..<3), now: testNow)
        var second = accountSubgraph("222222222222", users: 0..<2)
        second.nodes[1].reported["tags"] = .object(["owner": .string("zoë \"q\"\n"), "n": .int(3), "f": .double(0.5)])
        second.nodes[2].atime = Date(timeIntervalSince1970: 1_700_000_000)
        try store.replaceSubgraph(second, now: testNow.addingTimeInterval(60))
        try store.mark(ids: ["AKIA111111111111-0"], desired: ["clean": .bool(true), "clean_reason": .string("unused")],
                       metadata: ["protected": .bool(false)], now: testNow)
        return store
    }

    @Test func exportImportExportIsIdentical() throws {
        let source = try populatedStore()
        let first = try exportText(source, directory)
        let lines = first.split(separator: "\n")
        #expect(lines.count == 13 + 17)
        #expect(lines[0] == #"{"id":"111111111111","reported":{"id":"111111111111","kind":"aws_account","name":"acme-111111111111"},"desired":{},"metadata":{"first_seen":"2026-06-01T00:00:00Z","last_seen":"2026-06-01T00:00:00Z","subgraph":"111111111111"}}"#)
        #expect(lines.last == #"{"from":"aws","to":"222222222222","edge_type":"default"}"#)
        #expect(first.contains(#""desired":{"clean":true,"clean_reason":"unused"},"metadata":{"first_seen":"2026-06-01T00:00:00Z","last_seen":"2026-06-01T00:00:00Z","protected":false,"subgraph":"111111111111"}"#))

        let target = try GraphStore(path: directory.path("target.db"))
        let summary = try target.importNDJSON(from: readHandle(directory, "in.ndjson", first), source: "in.ndjson")
        #expect(summary == ImportSummary(nodes: 13, edges: 17, created: 13, edgesAdded: 17))
        #expect(try exportText(target, directory) == first)
        #expect(try allNodes(target) == allNodes(source))
        #expect(try store(target, "SELECT group_concat(subgraph || first_seen || last_seen, ',') FROM (SELECT * FROM node ORDER BY id)")
                == store(source, "SELECT group_concat(subgraph || first_seen || last_seen, ',') FROM (SELECT * FROM node ORDER BY id)"))
        // Loading an empty graph is a restore: no per-node change records.
        #expect(try target.history(since: nil, limit: nil).isEmpty)
    }

    private func store(_ store: GraphStore, _ sql: String) throws -> String? {
        try store.writer.read { db in try String.fetchOne(db, sql: sql) }
    }

    @Test func reimportChangesNothingAndLogsNothing() throws {
        let source = try populatedStore()
        let text = try exportText(source, directory)
        let logged = try source.history(since: nil, limit: nil)
        let summary = try source.importNDJSON(from: readHandle(directory, "again.ndjson", text), source: "again.ndjson")
        #expect(summary == ImportSummary(nodes: 13, edges: 17, unchanged: 13))
        #expect(try source.history(since: nil, limit: nil) == logged)
        #expect(try exportText(source, directory) == text)
    }

    @Test func importIntoAGraphMergesAndLogsChanges() throws {
        let store = try populatedStore()
        let text = """
            {"id":"AKIA111111111111-1","reported":{"kind":"aws_iam_access_key","name":"user1","access_key_status":"Inactive","ctime":"2020-09-13T12:26:40Z","user_name":"user1"},"metadata":{"subgraph":"111111111111","first_seen":"2026-06-01T00:00:00Z","last_seen":"2026-06-01T00:00:00Z"}}
            {"id":"new-node","reported":{"kind":"aws_iam_access_key"}}
            {"from":"AIDA111111111111-1","to":"new-node"}
            """
        let summary = try store.importNDJSON(from: readHandle(directory, "merge.ndjson", text), source: "merge.ndjson", now: testNow)
        #expect(summary == ImportSummary(nodes: 2, edges: 1, created: 1, updated: 1, edgesAdded: 1))
        let last = try store.history(since: nil, limit: 2)
        #expect(last.map(\.change) == [.nodeUpdated, .nodeCreated])
        #expect(last[0].detail == .object(["changed": .array([.string("access_key_status")])]))
        #expect(try allEdges(store).contains("AIDA111111111111-1 -default-> new-node"))
        let created = try #require(try allNodes(store).first { $0.id == "new-node" })
        #expect(created.kind == "aws_iam_access_key")
        #expect(try self.store(store, "SELECT subgraph FROM node WHERE id = 'new-node'") == "import")
    }

    @Test func edgesMayComeBeforeTheirNodesAndLinesMayEndInCRLF() throws {
        let text = "{\"from\":\"a\",\"to\":\"b\",\"edge_type\":\"delete\"}\r\n\r\n" +
            "{\"id\":\"a\",\"reported\":{\"kind\":\"user\"}}\r\n  \n{\"id\":\"b\",\"reported\":{\"kind\":\"access_key\",\"ctime\":\"2026-01-31T14:00:00+02:00\"}}"
        let store = try GraphStore(path: directory.path("graph.db"))
        let summary = try store.importNDJSON(from: readHandle(directory, "crlf.ndjson", text), source: "crlf.ndjson", now: testNow)
        #expect(summary == ImportSummary(nodes: 2, edges: 1, created: 2, edgesAdded: 1))
        #expect(try allEdges(store) == ["a -delete-> b"])
        let b = try #require(try allNodes(store).last)
        #expect(b.ctime == Date(timeIntervalSince1970: TimeInterval(ISO8601.seconds("2026-01-31T12:00:00Z") ?? 0)))
        #expect(try exportText(store, directory).contains(#""reported":{"ctime":"2026-01-31T12:00:00Z","id":"b","kind":"access_key"}"#))
    }

    @Test func aRepeatedEdgeCountsOnceAsAdded() throws {
        let text = #"{"id":"a","reported":{"kind":"user"}}"# + "\n" + #"{"id":"b","reported":{"kind":"user"}}"# + "\n"
            + String(repeating: #"{"from":"a","to":"b"}"# + "\n", count: 3)
        let store = try GraphStore(path: directory.path("graph.db"))
        let summary = try store.importNDJSON(from: readHandle(directory, "edges.ndjson", text), source: "edges.ndjson", now: testNow)
        #expect(summary.edges == 3 && summary.edgesAdded == 1)
        #expect(try count(store, "edge") == 1)
    }

    static let good = #"{"id":"n1","reported":{"kind":"user","name":"x"}}"#

    @Test(arguments: [
        ("not json", 2, "invalid JSON at column 1: a value expected, found 'n'"),
        (#"{"id":"n2","reported":{"kind":"user"}"#, 2, "invalid JSON at column 38: '}' expected, found the end of the text"),
        ("[1]", 2, "a JSON object expected (a node or an edge)"),
        (#"{"x":1}"#, 2, #"neither a node ("id") nor an edge ("from", "to")"#),
        (#"{"id":"","reported":{"kind":"user"}}"#, 2, #""id" must be a non-empty string"#),
        (#"{"id":"n2","reported":{"kind":"user"},"extra":1}"#, 2, #"unknown key "extra" in a node line (expected id, reported, desired, metadata)"#),
        (#"{"id":"n2"}"#, 2, #"node "n2": "reported" must be an object"#),
        (#"{"id":"n2","reported":{"name":"x"}}"#, 2, #"node "n2": "reported.kind" must be a non-empty string"#),
        (#"{"id":"n2","reported":{"kind":"user","id":"other"}}"#, 2, #"node "n2": "reported.id" is "other", not the line's id"#),
        (#"{"id":"n2","reported":{"kind":"user","name":3}}"#, 2, #"node "n2": "reported.name" must be a string, not 3"#),
        (#"{"id":"n2","reported":{"kind":"user","ctime":"yesterday"}}"#, 2, #"node "n2": "reported.ctime" is "yesterday", not a time like 2026-01-31T12:00:00Z (column 1: year (4 digits) expected, found 'y')"#),
        (#"{"id":"n2","reported":{"kind":"user","ctime":"2026-02-30T12:00:00Z"}}"#, 2,
         #"node "n2": "reported.ctime" is "2026-02-30T12:00:00Z", not a time like 2026-01-31T12:00:00Z (column 9: day 30 does not exist in 2026-02 (28 days))"#),
        (#"{"id":"n2","reported":{"kind":"user","atime":"2026-01-31T12:00:00"}}"#, 2,
         #"node "n2": "reported.atime" is "2026-01-31T12:00:00", not a time like 2026-01-31T12:00:00Z (column 20: a zone (Z or an offset like +02:00) expected after the time, found the end (a time without a zone names no instant))"#),
        (#"{"id":"n2","reported":{"kind":"user","atime":12}}"#, 2, #"node "n2": "reported.atime" must be a time string, not 12"#),
        (#"{"id":"n2","reported":{"kind":"user"},"desired":[]}"#, 2, #"node "n2": "desired" must be an object, not []"#),
        (#"{"id":"n2","reported":{"kind":"user"},"metadata":{"subgraph":""}}"#, 2, #"node "n2": "metadata.subgraph" must be a non-empty string, not """#),
        (#"{"id":"n2","reported":{"kind":"user"},"metadata":{"last_seen":"soon"}}"#, 2, #"node "n2": "metadata.last_seen" is "soon", not a time like 2026-01-31T12:00:00Z (column 1: year (4 digits) expected, found 's')"#),
        (#"{"id":"n1","reported":{"kind":"user"}}"#, 2, #"duplicate node id "n1""#),
        (#"{"from":"n1"}"#, 2, #"edge: "to" must be a non-empty string"#),
        (#"{"from":"n1","to":"n1","edge_type":"owns"}"#, 2, #"edge: unknown edge_type "owns" (expected default or delete)"#),
        (#"{"from":"n1","to":"n1","weight":2}"#, 2, #"unknown key "weight" in an edge line (expected from, to, edge_type)"#),
        (#"{"from":"n1","to":"ghost"}"#, 2, #"edge names unknown node id "ghost""#),
        // NUL would be stored whole and read back cut (`imp` for `imp\u0000904`): refused (issue 13).
        (#"{"id":"n2","reported":{"kind":"user","name":"imp\u0000904"}}"#, 2, "invalid JSON at column 49: NUL character (\\u0000) in a string: not supported"),
        (#"{"id":"n\u00002","reported":{"kind":"user"}}"#, 2, "invalid JSON at column 9: NUL character (\\u0000) in a string: not supported"),
    ])
    func badLinesImportNothing(line: String, number: Int, message: String) throws {
        let text = Self.good + "\n" + line + "\n" + #"{"id":"n3","reported":{"kind":"user"}}"# + "\n"
        // Into an empty graph (bulk path) and into a populated one (merge path).
        for populated in [false, true] {
            let store = populated ? try populatedStore() : try GraphStore(path: directory.path("empty-\(UUID()).db"))
            let before = try exportText(store, directory)
            let logged = try store.history(since: nil, limit: nil)
            #expect(throws: ImportError(source: "bad.ndjson", line: number, message: message)) {
                try store.importNDJSON(from: readHandle(directory, "bad.ndjson", text), source: "bad.ndjson")
            }
            #expect(try exportText(store, directory) == before)
            #expect(try store.history(since: nil, limit: nil) == logged)
            // The indexes dropped for a bulk load are back.
            #expect(try graphIndexes(store) == schemaGraphIndexes)
        }
    }

    @Test func theErrorNamesTheLineOfALateBadLine() throws {
        var text = ""
        for index in 0..<25_000 { text += #"{"id":"n\#(index)","reported":{"kind":"user"}}"# + "\n" }
        text += #"{"from":"n1","to":"n2"}"# + "\n" + #"{"from":"n1","to":"nowhere"}"# + "\n"
        let store = try GraphStore(path: directory.path("graph.db"))
        #expect(throws: ImportError(source: "-", line: 25_002, message: #"edge names unknown node id "nowhere""#)) {
            try store.importNDJSON(from: readHandle(directory, "late.ndjson", text), source: "-")
        }
        #expect(try count(store, "node") == 0)
        #expect(try count(store, "edge") == 0)
    }

    @Test func theFastPathAgreesWithTheGeneralParser() throws {
        let store = try populatedStore()
        try store.generate(GeneratorOptions(accounts: 1, users: 300, seed: 5, now: testNow))
        var lines = try exportText(store, directory).split(separator: "\n").map(String.init)
        let exported = lines.count
        lines += [
            #"{"id":"a","reported":{"kind":"k","id":"a"}}"#,                        // unsorted reported
            #"{"id":"a","reported":{"id":"a","kind":"k"},"desired":null}"#,
            #"{"id":"a","reported":{"id":"a","kind":"k","n":1.5}}"#,
            #"{"id":"a","reported":{"id":"a","kind":"k","n":-0}}"#,
            #"{"id":"a","reported":{"id":"a","kind":"k","n":007}}"#,
            #"{"id":"a","reported":{"id":"a","kind":"k","s":"\/"}}"#,
            #"{"id":"a","reported":{"id":"a","kind":"k","s":"\"\\\n"}}"#,
            #"{"id":"a","reported":{"a\"":1,"a#":2,"id":"a","kind":"k"}}"#,
            #"{"id":"a","reported":{"ctime":"2026-01-01T00:00:00+00:00","id":"a","kind":"k"}}"#,
            #"{"id":"a","reported":{"id":"a","kind":"k","name":null}}"#,
            #"{"id":"a","reported":{"id":"a","kind":"k"},"metadata":{"a":[1,{"b":true}],"first_seen":"2026-01-01T00:00:00Z","subgraph":"s","z":null}}"#,
            #"{"id":"a","reported":{"id":"a","kind":"k"},"metadata":{"subgraph":""}}"#,
            #"{"id":"a", "reported":{"id":"a","kind":"k"}}"#,
            #"{"id":"a","reported":{"id":"a","kind":"k"},"id":"b"}"#,
            #"{"to":"b","from":"a"}"#,
            #"{"from":"a","to":"b","edge_type":"owns"}"#,
            #"{"from":"a","to":"b","edge_type":null}"#,
        ]
        let parser = NDJSONLineParser(now: 77)
        var fast = 0
        for (index, line) in lines.enumerated() {
            var copy = line
            copy.withUTF8 { bytes in
                let general = try? parser.parseGeneral(bytes, origin: RecordOrigin(source: "t", line: index + 1))
                guard let scanned = CanonicalLineScanner.scan(bytes, now: 77) else { return }
                if index < exported { fast += 1 }
                #expect(general == scanned, "\(line)")
            }
        }
        // Every exported line but the two with a double or non-ASCII takes the fast path.
        #expect(fast == exported - 1)
    }

    @Test func exportCanonicalisesSectionsOtherWritersChanged() throws {
        let store = try populatedStore()
        try store.writer.write { db in
            try db.execute(sql: """
                UPDATE node SET reported = json_set(reported, '$.aaa', 1), desired = '{"z": 1, "a": 2}'
                WHERE id = 'AKIA111111111111-0'
                """)
        }
        let text = try exportText(store, directory)
        #expect(text.contains(#"{"id":"AKIA111111111111-0","reported":{"aaa":1,"access_key_status":"Active","#))
        #expect(text.contains(#""desired":{"a":2,"z":1}"#))
    }

    @Test func foreignKeysAreBackOnAfterALoad() throws {
        let store = try GraphStore(path: directory.path("graph.db"))
        func foreignKeys() throws -> Int? {
            try store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") }
        }
        #expect(throws: ImportError.self) {
            try store.importNDJSON(from: readHandle(directory, "bad.ndjson", "{}\n"), source: "bad.ndjson")
        }
        #expect(try foreignKeys() == 1)
        try store.generate(GeneratorOptions(accounts: 1, users: 5, seed: 1, now: testNow))
        #expect(try foreignKeys() == 1)
        let violations = try store.writer.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(violations.isEmpty)
    }

    @Test func importsFromAPipe() throws {
        let pipe = Pipe()
        let text = (0..<5000).map { #"{"id":"p\#($0)","reported":{"kind":"user"}}"# }.joined(separator: "\n")
        let writer = Thread {
            pipe.fileHandleForWriting.write(Data(text.utf8))
            try? pipe.fileHandleForWriting.close()
        }
        writer.start()
        let store = try GraphStore(path: directory.path("graph.db"))
        let summary = try store.importNDJSON(from: pipe.fileHandleForReading, source: "-")
        #expect(summary.nodes == 5000)
        #expect(try count(store, "node") == 5000)
    }
}
