import Foundation

/// What went wrong in the graph store, with enough context to act on it.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The database file could not be created or opened.
    case cannotOpen(path: String, reason: String)
    /// The file was written by a newer Sift: its schema version is unknown here.
    case newerSchema(path: String, found: Int, supported: Int)
    /// A schema migration failed; the database stays at its previous version.
    case migrationFailed(path: String, migration: String, reason: String)
    /// A subgraph handed to `replaceSubgraph` is not consistent (duplicate ids, empty kind, ...).
    case invalidSubgraph(subgraph: String, reason: String)
    /// An edge names a node that is neither in the subgraph nor in the graph.
    case unknownNode(id: String, context: String)
    /// A row of the database does not hold what the schema promises.
    case corruptRow(table: String, id: String, reason: String)
    /// The generator was given options it cannot honour.
    case invalidOptions(String)
    /// A write passed its time limit and was rolled back: nothing changed.
    case writeTimedOut(what: String, seconds: Double)

    /// A one-line message for people.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open database \(path): \(reason)"
        case .newerSchema(let path, let found, let supported):
            return "database \(path) has schema version \(found), but this Sift knows versions up to \(supported): use a newer Sift"
        case .migrationFailed(let path, let migration, let reason):
            return "database \(path): migration \(migration) failed (nothing changed): \(reason)"
        case .invalidSubgraph(let subgraph, let reason):
            return "subgraph \(subgraph): \(reason)"
        case .unknownNode(let id, let context):
            return "\(context): unknown node id '\(id)'"
        case .corruptRow(let table, let id, let reason):
            return "corrupt \(table) row \(id): \(reason)"
        case .invalidOptions(let reason):
            return reason
        case .writeTimedOut(let what, let seconds):
            return "\(what): timed out after \(seconds.formatted(.number.precision(.fractionLength(0...1)))) s (config query_timeout); nothing changed"
        }
    }
}

/// A bad line in an NDJSON import: `source:line: what is wrong`. Nothing was imported.
public struct ImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file name given to the import (`-` for stdin).
    public let source: String
    /// The 1-based line number.
    public let line: Int
    /// What is wrong with the line.
    public let message: String

    /// Creates an import error.
    public init(source: String, line: Int, message: String) {
        self.source = source
        self.line = line
        self.message = message
    }

    /// `source:line: message`.
    public var description: String { "\(source):\(line): \(message)" }
}
