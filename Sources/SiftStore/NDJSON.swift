import Foundation
import GRDB
import SiftTime

/// What an export wrote.
public struct ExportSummary: Sendable, Hashable {
    /// Node lines written.
    public var nodes = 0
    /// Edge lines written.
    public var edges = 0
}

/// The metadata keys an export adds from columns and an import takes back out.
enum ExportedMetadataKey {
    static let firstSeen = "first_seen"
    static let lastSeen = "last_seen"
    static let subgraph = "subgraph"
}

/// The subgraph of imported nodes whose metadata names none.
let defaultImportSubgraph = "import"

extension GraphStore {
    /// Imports NDJSON (SPEC section 3) from `handle`, streaming: one line at a time, memory flat.
    ///
    /// All or nothing: every line is validated and the whole import is one transaction; the first
    /// bad line throws ``ImportError`` (`source:line: what is wrong`) and nothing is written.
    /// Nodes are upserted by id (re-importing the same data changes nothing and logs nothing);
    /// edges are added. `progress` is called with the number of lines read every 100,000 lines.
    /// Past `timeLimit` seconds (nil: none) nothing is written and `StoreError.writeTimedOut` thrown.
    public func importNDJSON(from handle: FileHandle, source: String, now: Date = Date(), timeLimit: Double? = nil,
                             progress: ((Int) -> Void)? = nil) throws -> ImportSummary {
        let at = UnixTime.seconds(of: now)
        return try writer.writeWithoutTransaction { db in
            try Self.inLoadTransaction(db) { try WriteTimeLimit.apply(timeLimit, to: db, what: "import") {
                let loader = try GraphLoader(db: db, now: at, profile: .importing)
                var reader = LineReader(handle: handle)
                let parser = NDJSONLineParser(now: at)
                do {
                    while try reader.next({ line, number in
                        let origin = RecordOrigin(source: source, line: number)
                        switch try parser.parse(line, origin: origin) {
                        case .blank: break
                        case .node(let node): try loader.add(node, origin: origin)
                        case .edge(let from, let to, let type): try loader.addEdge(from: from, to: to, type: type, origin: origin)
                        }
                    }) {
                        if reader.lineNumber % 100_000 == 0 { progress?(reader.lineNumber) }
                    }
                } catch let error as StreamError {
                    throw ImportError(source: source, line: reader.lineNumber + 1, message: error.message)
                }
                progress?(reader.lineNumber)
                return try loader.finish()
            } }
        }
    }

    /// Runs a bulk write in one immediate transaction, with the connection's cache restored after.
    ///
    /// Foreign-key enforcement is off during the load: the loader only writes edges between nids
    /// it has just inserted or looked up, and never deletes, so the checks could not fail; they
    /// cost a third of an edge insert. It is back on before the connection is used again.
    static func inLoadTransaction<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA foreign_keys = OFF")
        defer {
            try? db.execute(sql: "PRAGMA cache_size = -2000")
            try? db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        var result: T?
        try db.inTransaction(.immediate) {
            result = try body()
            return .commit
        }
        // Move the bulk of new pages from the WAL into the database file and empty the WAL, so
        // that the next process to open the file does not first have to recover a WAL as large
        // as the graph (1M nodes: the first `count kind` after generate took 1.6 s before, 0.08 s after).
        try? db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        guard let result else { preconditionFailure("a committed transaction has a result") }
        return result
    }

    /// Exports the graph as NDJSON: node lines sorted by id, then edge lines sorted by
    /// (from, to, type). Stable: the same graph always gives the same bytes. Reads one snapshot.
    public func exportNDJSON(to handle: FileHandle) throws -> ExportSummary {
        try writer.read { db in
            var output = BufferedWriter(handle: handle)
            var summary = ExportSummary()
            let nodes = try RawStatement(db, """
                SELECT id, subgraph, reported, desired, metadata, first_seen, last_seen FROM node ORDER BY id
                """)
            while try nodes.step() {
                let id = nodes.text(0)
                output.append(#"{"id":"#)
                output.append(jsonString(id))
                output.append(#","reported":"#)
                output.append(try Self.canonicalSection(nodes.bytes(2), id: id, label: "reported"))
                output.append(#","desired":"#)
                output.append(try Self.canonicalSection(nodes.bytes(3), id: id, label: "desired"))
                output.append(#","metadata":"#)
                var metadata = try Self.object(nodes.bytes(4), id: id, label: "metadata")
                metadata[ExportedMetadataKey.firstSeen] = .string(ISO8601.format(seconds: nodes.int64(5)))
                metadata[ExportedMetadataKey.lastSeen] = .string(ISO8601.format(seconds: nodes.int64(6)))
                metadata[ExportedMetadataKey.subgraph] = .string(nodes.text(1))
                output.append(NodeRecord.canonical(metadata))
                output.append("}\n")
                summary.nodes += 1
                try output.flushIfFull()
            }
            nodes.reset()
            let edges = try RawStatement(db, """
                SELECT f.id, t.id, e.type FROM edge e JOIN node f ON f.nid = e.from_nid JOIN node t ON t.nid = e.to_nid
                ORDER BY f.id, t.id, e.type
                """)
            while try edges.step() {
                output.append(#"{"from":"#)
                output.append(jsonString(edges.text(0)))
                output.append(#","to":"#)
                output.append(jsonString(edges.text(1)))
                output.append(#","edge_type":"#)
                output.append(jsonString(edges.text(2)))
                output.append("}\n")
                summary.edges += 1
                try output.flushIfFull()
            }
            edges.reset()
            try output.flush()
            return summary
        }
    }

    /// A stored section in canonical form: as stored when it already is (what Sift writes),
    /// re-printed otherwise (other writers may have used json_set).
    static func canonicalSection(_ bytes: UnsafeBufferPointer<UInt8>, id: String, label: String) throws -> [UInt8] {
        if CanonicalLineScanner.isCanonicalObject(bytes) { return Array(bytes) }
        return NodeRecord.canonical(try object(bytes, id: id, label: label))
    }
}

/// A JSON string literal.
func jsonString(_ text: String) -> [UInt8] {
    var writer = JSONWriter(capacity: text.utf8.count + 2)
    writer.writeString(text)
    return writer.bytes
}

/// One line of an NDJSON import, checked.
enum NDJSONLine: Equatable {
    case blank
    case node(LoadedNode)
    case edge(from: String, to: String, type: EdgeType)
}

/// Parses and validates NDJSON lines (SPEC section 3).
struct NDJSONLineParser {
    /// Used for first_seen / last_seen when the line has none.
    let now: Int64

    private static let nodeKeys: Set<String> = ["id", "reported", "desired", "metadata"]
    private static let edgeKeys: Set<String> = ["from", "to", "edge_type"]

    func parse(_ line: UnsafeBufferPointer<UInt8>, origin: RecordOrigin) throws -> NDJSONLine {
        if let scanned = CanonicalLineScanner.scan(line, now: now) { return scanned }
        return try parseGeneral(line, origin: origin)
    }

    /// The general path: any valid JSON, precise errors.
    func parseGeneral(_ line: UnsafeBufferPointer<UInt8>, origin: RecordOrigin) throws -> NDJSONLine {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return .blank }
        let value: JSONValue
        do throws(JSONParseError) {
            value = try JSONValue.parse(line)
        } catch {
            throw origin.error("invalid JSON at column \(error.column): \(error.message)")
        }
        guard case .object(let members) = value else {
            throw origin.error("a JSON object expected (a node or an edge)")
        }
        if members["id"] != nil { return .node(try node(members, origin)) }
        if members["from"] != nil || members["to"] != nil { return try edge(members, origin) }
        throw origin.error("neither a node (\"id\") nor an edge (\"from\", \"to\")")
    }

    private func node(_ members: JSONObject, _ origin: RecordOrigin) throws -> LoadedNode {
        if let unknown = members.keys.filter({ !Self.nodeKeys.contains($0) }).sorted().first {
            throw origin.error("unknown key \"\(unknown)\" in a node line (expected id, reported, desired, metadata)")
        }
        guard case .string(let id) = members["id"], !id.isEmpty else {
            throw origin.error("\"id\" must be a non-empty string")
        }
        guard case .object(var reported) = members["reported"] else {
            throw origin.error("node \"\(id)\": \"reported\" must be an object")
        }
        guard case .string(let kind) = reported["kind"], !kind.isEmpty else {
            throw origin.error("node \"\(id)\": \"reported.kind\" must be a non-empty string")
        }
        if let reportedId = reported["id"], reportedId != .string(id) {
            throw origin.error("node \"\(id)\": \"reported.id\" is \(reportedId.jsonText), not the line's id")
        }
        reported["id"] = .string(id)
        let name: String?
        switch reported["name"] {
        case nil, .null?:
            name = nil
            reported.removeValue(forKey: "name")
        case .string(let text)?:
            name = text
        case let other?:
            throw origin.error("node \"\(id)\": \"reported.name\" must be a string, not \(other.jsonText)")
        }
        let ctime = try time(&reported, "ctime", id, origin)
        let mtime = try time(&reported, "mtime", id, origin)
        let atime = try time(&reported, "atime", id, origin)
        let desired = try section(members, "desired", id, origin)
        var metadata = try section(members, "metadata", id, origin)
        let firstSeen = try seenTime(&metadata, ExportedMetadataKey.firstSeen, id, origin)
        let lastSeen = try seenTime(&metadata, ExportedMetadataKey.lastSeen, id, origin)
        var subgraph = defaultImportSubgraph
        switch metadata.removeValue(forKey: ExportedMetadataKey.subgraph) {
        case nil: break
        case .string(let text)? where !text.isEmpty: subgraph = text
        case let other?: throw origin.error("node \"\(id)\": \"metadata.subgraph\" must be a non-empty string, not \(other.jsonText)")
        }
        let record = NodeRecord(
            id: id, kind: kind, name: name, ctime: ctime, mtime: mtime, atime: atime,
            reported: NodeRecord.canonical(reported), desired: NodeRecord.canonical(desired),
            metadata: NodeRecord.canonical(metadata))
        return LoadedNode(record: record, subgraph: subgraph, firstSeen: firstSeen ?? now, lastSeen: lastSeen ?? now)
    }

    /// Reads a time property of `reported` and rewrites it in the canonical form; null removes it.
    private func time(_ reported: inout JSONObject, _ key: String, _ id: String, _ origin: RecordOrigin) throws -> Int64? {
        switch reported[key] {
        case nil: return nil
        case .null?:
            reported.removeValue(forKey: key)
            return nil
        case .string(let text)?:
            let seconds: Int64
            do {
                seconds = try ISO8601.parse(text).secondsSince1970
            } catch {
                throw origin.error("node \"\(id)\": \"reported.\(key)\" is \"\(text)\", not a time like 2026-01-31T12:00:00Z (\(error))")
            }
            reported[key] = .string(ISO8601.format(seconds: seconds))
            return seconds
        case let other?:
            throw origin.error("node \"\(id)\": \"reported.\(key)\" must be a time string, not \(other.jsonText)")
        }
    }

    private func seenTime(_ metadata: inout JSONObject, _ key: String, _ id: String, _ origin: RecordOrigin) throws -> Int64? {
        switch metadata.removeValue(forKey: key) {
        case nil, .null?: return nil
        case .string(let text)?:
            do {
                return try ISO8601.parse(text).secondsSince1970
            } catch {
                throw origin.error("node \"\(id)\": \"metadata.\(key)\" is \"\(text)\", not a time like 2026-01-31T12:00:00Z (\(error))")
            }
        case let other?:
            throw origin.error("node \"\(id)\": \"metadata.\(key)\" must be a time string, not \(other.jsonText)")
        }
    }

    private func section(_ members: JSONObject, _ key: String, _ id: String, _ origin: RecordOrigin) throws -> JSONObject {
        switch members[key] {
        case nil, .null?: return [:]
        case .object(let object)?: return object
        case let other?: throw origin.error("node \"\(id)\": \"\(key)\" must be an object, not \(other.jsonText)")
        }
    }

    private func edge(_ members: JSONObject, _ origin: RecordOrigin) throws -> NDJSONLine {
        if let unknown = members.keys.filter({ !Self.edgeKeys.contains($0) }).sorted().first {
            throw origin.error("unknown key \"\(unknown)\" in an edge line (expected from, to, edge_type)")
        }
        guard case .string(let from) = members["from"], !from.isEmpty else {
            throw origin.error("edge: \"from\" must be a non-empty string")
        }
        guard case .string(let to) = members["to"], !to.isEmpty else {
            throw origin.error("edge: \"to\" must be a non-empty string")
        }
        var type = EdgeType.default
        switch members["edge_type"] {
        case nil: break
        case .string(let name)?:
            guard let known = EdgeType(rawValue: name) else {
                throw origin.error("edge: unknown edge_type \"\(name)\" (expected default or delete)")
            }
            type = known
        case let other?:
            throw origin.error("edge: \"edge_type\" must be a string, not \(other.jsonText)")
        }
        return .edge(from: from, to: to, type: type)
    }
}

extension GraphStore {
    /// Parses and validates NDJSON without writing: the parsing share of an import's cost, for
    /// `sift-bench`. Returns the number of node and edge lines.
    @_spi(Benchmarks)
    public static func parseNDJSONOnly(from handle: FileHandle) throws -> (nodes: Int, edges: Int) {
        var reader = LineReader(handle: handle)
        let parser = NDJSONLineParser(now: 0)
        var nodes = 0, edges = 0
        while try reader.next({ line, number in
            switch try parser.parse(line, origin: RecordOrigin(source: "-", line: number)) {
            case .blank: break
            case .node: nodes += 1
            case .edge: edges += 1
            }
        }) {}
        return (nodes, edges)
    }
}
