import Foundation
import SiftStore
import SiftTime

/// A scenario organisation for the check tests, written with `GraphStore.replaceSubgraph`, with
/// keys just under and just over each threshold (now = `ScenarioGraph.now`):
///
/// ```
/// prod 111111111111
///   alice  console, MFA, password used 44d ago       AKIAALICE1 Active 200d old, used 89d ago
///                                                    AKIAALICE2 Active 89d old, never used
///   bob    console, no MFA, password used 46d ago    AKIABOB1   Active 400d old, used 91d ago
///   carol  no console, no MFA                        AKIACAROL1 Active 91d old, never used
///                                                    AKIACAROL2 Inactive 300d old, used 200d ago, changed 8d ago
///   dave   console never used, created 50d ago, MFA (no keys)
///   erin   console never used, created 40d ago, MFA  AKIAERIN1 Inactive, changed 6d ago, used 20d ago
///                                                    AKIAERIN2 Inactive 60d old, never used, change time unknown
///   frank  console never used, created 400d ago, password set 10d ago, MFA (no keys)
///   root   access_key_1_active = true
/// dev 222222222222
///   henry  no console                                AKIAHENRY1 Active 500d old, used 300d ago
///   gina   no console, no keys
///   root   no keys
/// ```
struct ScenarioGraph {
    static let now = Date(timeIntervalSince1970: 1_780_272_000)  // 2026-06-01T00:00:00Z
    static let prod = "111111111111"
    static let dev = "222222222222"

    /// A moment `days` (fractional allowed) before `now`.
    static func ago(_ days: Double) -> Date { now.addingTimeInterval(-days * 86_400) }

    struct Key {
        var id: String
        var status: String
        var created: Double
        var used: Double?
        var changed: Double?
    }

    struct User {
        var name: String
        var created: Double
        var console: Bool
        var mfa: Bool
        var passwordUsed: Double?
        var passwordChanged: Double?
        var keys: [Key]
    }

    var prodUsers: [User] = [
        User(name: "alice", created: 500, console: true, mfa: true, passwordUsed: 44, keys: [
            Key(id: "AKIAALICE1", status: "Active", created: 200, used: 89),
            Key(id: "AKIAALICE2", status: "Active", created: 89, used: nil),
        ]),
        User(name: "bob", created: 500, console: true, mfa: false, passwordUsed: 46, keys: [
            Key(id: "AKIABOB1", status: "Active", created: 400, used: 91),
        ]),
        User(name: "carol", created: 500, console: false, mfa: false, keys: [
            Key(id: "AKIACAROL1", status: "Active", created: 91, used: nil),
            Key(id: "AKIACAROL2", status: "Inactive", created: 300, used: 200, changed: 8),
        ]),
        User(name: "dave", created: 50, console: true, mfa: true, keys: []),
        User(name: "erin", created: 40, console: true, mfa: true, keys: [
            Key(id: "AKIAERIN1", status: "Inactive", created: 30, used: 20, changed: 6),
            Key(id: "AKIAERIN2", status: "Inactive", created: 60, used: nil),
        ]),
        User(name: "frank", created: 400, console: true, mfa: true, passwordChanged: 10, keys: []),
    ]
    var prodRootKeyActive = true
    /// Gives dev's root user an access key node (as a collector reading root keys would).
    var devRootKeyNode = false
    var devUsers: [User] = [
        User(name: "henry", created: 600, console: false, mfa: false, keys: [
            Key(id: "AKIAHENRY1", status: "Active", created: 500, used: 300),
        ]),
        User(name: "gina", created: 100, console: false, mfa: false, keys: []),
    ]

    /// Writes the cloud node and both accounts' subgraphs.
    func write(to store: GraphStore, at date: Date = ScenarioGraph.now) throws {
        try store.replaceSubgraph(Subgraph(name: "cloud:aws", nodes: [Node(id: "aws", kind: "cloud", name: "aws")]), now: date)
        try store.replaceSubgraph(account(Self.prod, alias: "prod", users: prodUsers, rootKey: prodRootKeyActive), now: date)
        var dev = account(Self.dev, alias: "dev", users: devUsers, rootKey: false)
        if devRootKeyNode {
            dev.nodes.append(Node(id: "AKIAROOTDEV", kind: "aws_iam_access_key", name: "root", ctime: Self.ago(10),
                                  reported: ["access_key_status": .string("Active"), "user_name": .string("root")]))
            dev.edges.append(Edge(from: "\(Self.dev)-root", to: "AKIAROOTDEV"))
        }
        try store.replaceSubgraph(dev, now: date)
    }

    private func account(_ id: String, alias: String, users: [User], rootKey: Bool) -> Subgraph {
        var nodes = [Node(id: id, kind: "aws_account", name: alias, ctime: Self.ago(1000))]
        var edges = [Edge(from: "aws", to: id)]
        let root = "\(id)-root"
        nodes.append(Node(id: root, kind: "aws_root_user", name: "root", ctime: Self.ago(1000), reported: [
            "arn": .string("arn:aws:iam::\(id):root"), "mfa_active": .bool(true),
            "access_key_1_active": .bool(rootKey), "access_key_2_active": .bool(false),
        ]))
        edges.append(Edge(from: id, to: root))
        for user in users {
            let userID = "AIDA\(user.name.uppercased())"
            var reported: JSONObject = [
                "arn": .string("arn:aws:iam::\(id):user/\(user.name)"), "path": .string("/"),
                "password_enabled": .bool(user.console), "mfa_active": .bool(user.mfa), "tags": .object([:]),
            ]
            if let used = user.passwordUsed { reported["password_last_used"] = .string(ISO8601.format(Self.ago(used))) }
            if let changed = user.passwordChanged { reported["password_last_changed"] = .string(ISO8601.format(Self.ago(changed))) }
            nodes.append(Node(id: userID, kind: "aws_iam_user", name: user.name, ctime: Self.ago(user.created),
                              atime: user.passwordUsed.map(Self.ago), reported: reported))
            edges.append(Edge(from: id, to: userID))
            for key in user.keys {
                var lastUsed: JSONObject = ["service_name": .string(key.used == nil ? "N/A" : "iam"), "region": .string("us-east-1")]
                if let used = key.used { lastUsed["last_used"] = .string(ISO8601.format(Self.ago(used))) }
                nodes.append(Node(
                    id: key.id, kind: "aws_iam_access_key", name: user.name, ctime: Self.ago(key.created),
                    mtime: key.changed.map(Self.ago), atime: key.used.map(Self.ago),
                    reported: ["access_key_status": .string(key.status), "user_name": .string(user.name),
                               "access_key_last_used": .object(lastUsed)]))
                edges.append(Edge(from: userID, to: key.id))
                edges.append(Edge(from: userID, to: key.id, type: .delete))
            }
        }
        return Subgraph(name: id, nodes: nodes, edges: edges)
    }
}

/// A fresh directory under the system's temporary directory, removed when the value is dropped.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sift-checks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
