import Foundation
import GRDB
import SiftTime

/// What one `replaceSubgraph` changed.
public struct SubgraphChanges: Sendable, Hashable {
    /// Nodes that did not exist before.
    public var created = 0
    /// Nodes whose reported data (or subgraph) changed.
    public var updated = 0
    /// Nodes of the subgraph that disappeared.
    public var deleted = 0
    /// Nodes seen again with the same data.
    public var unchanged = 0
    /// Edges added.
    public var edgesAdded = 0
    /// Edges removed (besides those of deleted nodes).
    public var edgesRemoved = 0

    /// True when nothing but last_seen changed.
    public var isEmpty: Bool { created == 0 && updated == 0 && deleted == 0 && edgesAdded == 0 && edgesRemoved == 0 }
}

/// A typed edge between two nids.
struct EdgeKey: Hashable {
    var from: Int64
    var to: Int64
    var type: EdgeType
}

extension GraphStore {
    /// Replaces one subgraph (the nodes whose `subgraph` column is `subgraph.name`) in one transaction.
    ///
    /// Nodes are upserted by id, so a node keeps its nid, `first_seen`, `desired` and `metadata`;
    /// `last_seen` becomes `now`. Nodes of the subgraph that are not in `subgraph.nodes` are deleted.
    /// The change log gets `node_created`, `node_updated` (only when the reported data or the
    /// subgraph really changed) and `node_deleted`. The subgraph's edges (the edges whose target is
    /// one of its nodes) are replaced by `subgraph.edges`; an edge may start at a node outside the
    /// subgraph, named by id. Any error (an unknown id, a duplicate node) writes nothing.
    /// Past `timeLimit` seconds (nil: none) the transaction is rolled back and
    /// `StoreError.writeTimedOut` thrown.
    @discardableResult
    public func replaceSubgraph(_ subgraph: Subgraph, now: Date = Date(), timeLimit: Double? = nil) throws -> SubgraphChanges {
        try Self.validate(subgraph)
        let at = UnixTime.seconds(of: now)
        return try writer.write { db in
            try WriteTimeLimit.apply(timeLimit, to: db, what: "subgraph \(subgraph.name)") {
                try SubgraphReplacement(db: db, subgraph: subgraph, at: at).run()
            }
        }
    }

    /// Checks what can be checked without the database.
    static func validate(_ subgraph: Subgraph) throws {
        func fail(_ reason: String) -> StoreError { .invalidSubgraph(subgraph: subgraph.name, reason: reason) }
        if subgraph.name.isEmpty { throw fail("the subgraph name is empty") }
        var ids = Set<String>()
        for node in subgraph.nodes {
            if node.id.isEmpty { throw fail("a node has an empty id") }
            if node.kind.isEmpty { throw fail("node \(node.id) has an empty kind") }
            if !ids.insert(node.id).inserted { throw fail("node id \(node.id) appears twice") }
        }
        for edge in subgraph.edges where !ids.contains(edge.from) && !ids.contains(edge.to) {
            throw fail("edge \(edge.from) -> \(edge.to) touches no node of the subgraph")
        }
    }
}

/// One subgraph replacement inside a write transaction.
private struct SubgraphReplacement {
    let db: Database
    let subgraph: Subgraph
    let at: Int64
    let statements: NodeStatements
    let log: ChangeLogWriter

    init(db: Database, subgraph: Subgraph, at: Int64) throws {
        self.db = db
        self.subgraph = subgraph
        self.at = at
        statements = try NodeStatements(db)
        log = try ChangeLogWriter(db)
    }

    func run() throws -> SubgraphChanges {
        var changes = SubgraphChanges()
        var nids: [String: Int64] = [:]
        nids.reserveCapacity(subgraph.nodes.count)
        for node in subgraph.nodes {
            nids[node.id] = try upsert(node, &changes)
        }
        try deleteMissing(keeping: nids, &changes)
        try replaceEdges(nids: nids, &changes)
        return changes
    }

    private func upsert(_ node: Node, _ changes: inout SubgraphChanges) throws -> Int64 {
        let record = NodeRecord(node: node)
        guard let existing = try statements.find(record) else {
            let nid = try statements.insert(record, subgraph: subgraph.name, firstSeen: at, lastSeen: at)
            try log.log(at: at, change: .nodeCreated, id: node.id, kind: node.kind, name: node.name,
                        subgraph: subgraph.name, detail: nil)
            changes.created += 1
            return nid
        }
        if existing.sameReported && existing.subgraph == subgraph.name {
            try statements.touch(nid: existing.nid, lastSeen: at)
            changes.unchanged += 1
            return existing.nid
        }
        try statements.updateReported(nid: existing.nid, record, subgraph: subgraph.name, lastSeen: at)
        var detail = JSONObject()
        if let old = existing.oldReported {
            detail["changed"] = .array(changedKeys(old: old, new: record.reported).map(JSONValue.string))
        }
        if existing.subgraph != subgraph.name {
            detail["subgraph"] = .object(["from": .string(existing.subgraph), "to": .string(subgraph.name)])
        }
        try log.log(at: at, change: .nodeUpdated, id: node.id, kind: node.kind, name: node.name,
                    subgraph: subgraph.name, detail: detail.jsonText)
        changes.updated += 1
        return existing.nid
    }

    private func deleteMissing(keeping nids: [String: Int64], _ changes: inout SubgraphChanges) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT nid, id, kind, name FROM node WHERE subgraph = ?", arguments: [subgraph.name])
        for row in rows {
            let id: String = row[1]
            guard nids[id] == nil else { continue }
            let nid: Int64 = row[0]
            try db.execute(sql: "DELETE FROM node WHERE nid = ?", arguments: [nid])
            try log.log(at: at, change: .nodeDeleted, id: id, kind: row[2], name: row[3], subgraph: subgraph.name, detail: nil)
            changes.deleted += 1
        }
    }

    private func replaceEdges(nids: [String: Int64], _ changes: inout SubgraphChanges) throws {
        var wanted = Set<EdgeKey>()
        for edge in subgraph.edges {
            wanted.insert(EdgeKey(from: try resolve(edge.from, nids, edge), to: try resolve(edge.to, nids, edge), type: edge.type))
        }
        var existing = Set<EdgeKey>()
        let rows = try Row.fetchCursor(db, sql: """
            SELECT e.from_nid, e.to_nid, e.type FROM edge e JOIN node t ON t.nid = e.to_nid WHERE t.subgraph = ?
            """, arguments: [subgraph.name])
        while let row = try rows.next() {
            let typeName: String = row[2]
            guard let type = EdgeType(rawValue: typeName) else {
                throw StoreError.corruptRow(table: "edge", id: "\(row[0] as Int64)->\(row[1] as Int64)", reason: "unknown type \(typeName)")
            }
            existing.insert(EdgeKey(from: row[0], to: row[1], type: type))
        }
        for edge in existing.subtracting(wanted) {
            try statements.deleteEdge(from: edge.from, to: edge.to, type: edge.type)
            changes.edgesRemoved += 1
        }
        for edge in wanted.subtracting(existing) {
            if try statements.insertEdge(from: edge.from, to: edge.to, type: edge.type) {
                changes.edgesAdded += 1
            }
        }
    }

    private func resolve(_ id: String, _ nids: [String: Int64], _ edge: Edge) throws -> Int64 {
        if let nid = nids[id] { return nid }
        if let nid = try statements.nid(of: id) { return nid }
        throw StoreError.unknownNode(id: id, context: "subgraph \(subgraph.name): edge \(edge.from) -\(edge.type.rawValue)-> \(edge.to)")
    }
}
