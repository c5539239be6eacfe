import Foundation
import GRDB
import SiftTime

/// The properties every node's `reported` holds, filled by the writer from the `Node` fields.
enum ReservedReportedKey {
    /// `id`, `kind`, `name`, `ctime`, `mtime`, `atime`.
    static let all: Set<String> = ["id", "kind", "name", "ctime", "mtime", "atime"]
}

/// The node columns in the order `Node(row:)` reads them.
public enum NodeColumns {
    /// `nid, id, kind, name, ctime, mtime, atime, reported, desired, metadata`.
    public static let sql = "nid, id, kind, name, ctime, mtime, atime, reported, desired, metadata"
}

extension Node {
    /// Maps a row selecting exactly `nid, id, kind, name, ctime, mtime, atime, reported, desired,
    /// metadata` (in this order; see ``NodeColumns/sql``).
    ///
    /// `reported` is returned without the properties the node has as fields (id, kind, name, times).
    public init(row: Row) throws {
        let id: String = row[1]
        guard let kind = row[2] as String? else {
            throw StoreError.corruptRow(table: "node", id: id, reason: "kind is null")
        }
        let name: String? = row[3]
        func section(_ index: Int, _ label: String) throws -> JSONObject {
            guard let text = row[index] as String? else { return [:] }
            do {
                guard case .object(let members) = try JSONValue(parsing: text) else {
                    throw StoreError.corruptRow(table: "node", id: id, reason: "\(label) is not a JSON object")
                }
                return members
            } catch let error as JSONParseError {
                throw StoreError.corruptRow(table: "node", id: id, reason: "\(label): \(error)")
            }
        }
        var reported = try section(7, "reported")
        for key in ReservedReportedKey.all { reported.removeValue(forKey: key) }
        self.init(
            id: id, kind: kind, name: name,
            ctime: (row[4] as Int64?).map(UnixTime.date),
            mtime: (row[5] as Int64?).map(UnixTime.date),
            atime: (row[6] as Int64?).map(UnixTime.date),
            reported: reported,
            desired: try section(8, "desired"),
            metadata: try section(9, "metadata"))
    }
}

/// A node as the writer stores it: columns plus the canonical JSON texts of its sections.
struct NodeRecord: Equatable {
    var id: String
    var kind: String
    var name: String?
    var ctime: Int64?
    var mtime: Int64?
    var atime: Int64?
    /// Canonical JSON (compact, sorted keys) of `reported`, holding id, kind, name and the times.
    var reported: [UInt8]
    var desired: [UInt8]
    var metadata: [UInt8]

    /// The record of a node: `reported` gains id, kind, name and the times as ISO-8601 strings.
    init(node: Node) {
        id = node.id
        kind = node.kind
        name = node.name
        ctime = node.ctime.map(UnixTime.seconds(of:))
        mtime = node.mtime.map(UnixTime.seconds(of:))
        atime = node.atime.map(UnixTime.seconds(of:))
        var reported = node.reported
        for key in ReservedReportedKey.all { reported.removeValue(forKey: key) }
        reported["id"] = .string(node.id)
        reported["kind"] = .string(node.kind)
        if let name = node.name { reported["name"] = .string(name) }
        if let ctime { reported["ctime"] = .string(ISO8601.format(seconds: ctime)) }
        if let mtime { reported["mtime"] = .string(ISO8601.format(seconds: mtime)) }
        if let atime { reported["atime"] = .string(ISO8601.format(seconds: atime)) }
        self.reported = Self.canonical(reported)
        desired = Self.canonical(node.desired)
        metadata = Self.canonical(node.metadata)
    }

    /// A record from parts already in canonical form.
    init(id: String, kind: String, name: String?, ctime: Int64?, mtime: Int64?, atime: Int64?,
         reported: [UInt8], desired: [UInt8], metadata: [UInt8]) {
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

    /// Compact JSON with sorted keys.
    static func canonical(_ object: JSONObject) -> [UInt8] {
        var writer = JSONWriter()
        writer.writeObject(object)
        return writer.bytes
    }
}
