// sift-store-crashtest: a child process for the store's kill test (SIGKILL in the middle of a write).
//
//   sift-store-crashtest make-ndjson FILE NODES     write a synthetic NDJSON graph (nodes, then edges)
//   sift-store-crashtest import DB FILE             import FILE into DB
//   sift-store-crashtest subgraph DB NAME USERS     replace subgraph NAME with USERS users and keys
//
// `import` and `subgraph` print "writing" on stdout just before the write starts, and "done" after.
import Foundation
import SiftStore

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("sift-store-crashtest: \(message)\n".utf8))
    exit(2)
}

/// The subgraph the kill test writes: an account with `users` users, each with one key.
func subgraph(_ name: String, users: Int, status: String) -> Subgraph {
    var nodes = [Node(id: name, kind: "aws_account", name: "account-\(name)")]
    var edges = [Edge(from: "aws", to: name)]
    nodes.reserveCapacity(1 + 2 * users)
    edges.reserveCapacity(1 + 3 * users)
    for index in 0..<users {
        let user = "AIDA-\(name)-\(index)", key = "AKIA-\(name)-\(index)"
        nodes.append(Node(id: user, kind: "aws_iam_user", name: "user\(index)", ctime: Date(timeIntervalSince1970: 1_600_000_000)))
        nodes.append(Node(id: key, kind: "aws_iam_access_key", name: "user\(index)", ctime: Date(timeIntervalSince1970: 1_600_000_000),
                          reported: ["access_key_status": .string(status), "user_name": .string("user\(index)")]))
        edges += [Edge(from: name, to: user), Edge(from: user, to: key), Edge(from: user, to: key, type: .delete)]
    }
    return Subgraph(name: name, nodes: nodes, edges: edges)
}

func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "make-ndjson":
        guard arguments.count == 3, let count = Int(arguments[2]) else { fail("usage: make-ndjson FILE NODES") }
        _ = FileManager.default.createFile(atPath: arguments[1], contents: nil)
        guard let handle = FileHandle(forWritingAtPath: arguments[1]) else { fail("cannot write \(arguments[1])") }
        var chunk = ""
        func emit(_ line: String) {
            chunk += line + "\n"
            if chunk.utf8.count > 1 << 20 { handle.write(Data(chunk.utf8)); chunk = "" }
        }
        for index in 0..<count {
            emit(#"{"id":"n\#(index)","reported":{"kind":"aws_iam_access_key","name":"user\#(index % 977)","ctime":"2024-01-01T00:00:00Z","access_key_status":"Active"},"metadata":{"subgraph":"crash"}}"#)
        }
        for index in 1..<count {
            emit(#"{"from":"n\#(index / 2)","to":"n\#(index)","edge_type":"default"}"#)
        }
        handle.write(Data(chunk.utf8))
        try handle.close()
    case "import":
        guard arguments.count == 3 else { fail("usage: import DB FILE") }
        let store = try GraphStore(path: arguments[1])
        guard let handle = FileHandle(forReadingAtPath: arguments[2]) else { fail("cannot read \(arguments[2])") }
        say("writing")
        _ = try store.importNDJSON(from: handle, source: arguments[2])
        say("done")
    case "subgraph":
        guard arguments.count == 4, let users = Int(arguments[3]) else { fail("usage: subgraph DB NAME USERS") }
        let store = try GraphStore(path: arguments[1])
        let graph = subgraph(arguments[2], users: users, status: "Inactive")
        say("writing")
        try store.replaceSubgraph(graph)
        say("done")
    default:
        fail("usage: make-ndjson FILE NODES | import DB FILE | subgraph DB NAME USERS")
    }
} catch {
    fail("\(error)")
}
