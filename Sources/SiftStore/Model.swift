import Foundation

/// A JSON value as kept in a node's `reported`, `desired` and `metadata` sections.
///
/// Integers and floating-point numbers are distinct so that ids and counts survive a
/// round trip exactly. Objects print with sorted keys, so exports are stable.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

/// A node's section: a JSON object.
public typealias JSONObject = [String: JSONValue]

/// The type of an edge.
public enum EdgeType: String, Sendable, Hashable, CaseIterable {
    /// Ownership: cloud -> account -> user -> access key.
    case `default`
    /// What must be deleted before what.
    case delete
}

/// A resource in the graph.
public struct Node: Sendable, Hashable {
    /// Unique within the graph: AWS ids (AccessKeyId, UserId, account id).
    public var id: String
    /// The most specific kind, e.g. `aws_iam_access_key`.
    public var kind: String
    /// The display name (for access keys: the owning user's name).
    public var name: String?
    /// When the resource was created.
    public var ctime: Date?
    /// When the resource last changed.
    public var mtime: Date?
    /// When the resource was last used; `nil` when never used.
    public var atime: Date?
    /// What the cloud said, beyond id, kind, name and the times.
    public var reported: JSONObject
    /// What a user wants (`clean`, `clean_reason`).
    public var desired: JSONObject
    /// What Sift knows about the node (`protected`, `cleaned`, ...).
    public var metadata: JSONObject

    /// Creates a node.
    public init(
        id: String, kind: String, name: String? = nil,
        ctime: Date? = nil, mtime: Date? = nil, atime: Date? = nil,
        reported: JSONObject = [:], desired: JSONObject = [:], metadata: JSONObject = [:]
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.ctime = ctime
        self.mtime = mtime
        self.atime = atime
        self.reported = reported
        self.desired = desired
        self.metadata = metadata
    }
}

/// A typed edge between two nodes, named by their ids.
public struct Edge: Sendable, Hashable {
    /// The id of the node the edge leaves.
    public var from: String
    /// The id of the node the edge enters.
    public var to: String
    /// The edge's type.
    public var type: EdgeType

    /// Creates an edge.
    public init(from: String, to: String, type: EdgeType = .default) {
        self.from = from
        self.to = to
        self.type = type
    }
}

/// The unit a collect replaces at once: one account's nodes and edges.
///
/// Edges may point at nodes outside the subgraph (the account's edge from the cloud node).
public struct Subgraph: Sendable, Hashable {
    /// The subgraph's name, e.g. the account id.
    public var name: String
    /// Every node of the subgraph.
    public var nodes: [Node]
    /// Every edge that leaves or enters a node of the subgraph.
    public var edges: [Edge]

    /// Creates a subgraph.
    public init(name: String, nodes: [Node] = [], edges: [Edge] = []) {
        self.name = name
        self.nodes = nodes
        self.edges = edges
    }
}
