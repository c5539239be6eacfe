import Foundation
import GRDB
import SiftTime

/// What kind of change a change-log record describes. Open for other writers (cleanup, ...).
public struct ChangeKind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The text stored in `change_log.change`.
    public let rawValue: String

    /// Wraps a stored change name.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A node appeared.
    public static let nodeCreated = ChangeKind(rawValue: "node_created")
    /// A node's reported data (or its subgraph) changed.
    public static let nodeUpdated = ChangeKind(rawValue: "node_updated")
    /// A node disappeared.
    public static let nodeDeleted = ChangeKind(rawValue: "node_deleted")
    /// A node's desired or metadata section was changed by a user.
    public static let nodeMarked = ChangeKind(rawValue: "node_marked")

    /// The stored name, e.g. `node_created`.
    public var description: String { rawValue }
}

/// One entry of the change log, for `history`.
public struct ChangeRecord: Sendable, Hashable {
    /// The log's sequence number (ascending with time).
    public let seq: Int64
    /// When the change was recorded.
    public let at: Date
    /// What happened.
    public let change: ChangeKind
    /// The node's id.
    public let nodeId: String
    /// The node's kind.
    public let kind: String
    /// The node's name.
    public let name: String?
    /// The node's subgraph.
    public let subgraph: String?
    /// What changed, as JSON (e.g. `{"changed":["access_key_status"]}`).
    public let detail: JSONValue?

    init(row: Row) throws {
        seq = row[0]
        at = UnixTime.date(row[1])
        change = ChangeKind(rawValue: row[2])
        nodeId = row[3]
        kind = row[4]
        name = row[5]
        subgraph = row[6]
        if let text = row[7] as String? {
            do throws(JSONParseError) {
                detail = try JSONValue(parsing: text)
            } catch {
                throw StoreError.corruptRow(table: "change_log", id: String(seq), reason: error.description)
            }
        } else {
            detail = nil
        }
    }
}

/// Appends records to `change_log` with one prepared statement.
struct ChangeLogWriter {
    private let insert: RawStatement

    init(_ db: Database) throws {
        insert = try RawStatement(
            db, "INSERT INTO change_log(at, change, node_id, kind, name, subgraph, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")
    }

    func log(at: Int64, change: ChangeKind, id: String, kind: String, name: String?, subgraph: String?, detail: String?) throws {
        insert.bind(1, at)
        insert.bind(2, change.rawValue)
        insert.bind(3, id)
        insert.bind(4, kind)
        insert.bind(5, name)
        insert.bind(6, subgraph)
        insert.bind(7, detail)
        try insert.execute()
    }
}
