import Foundation
import GRDB
import SiftSchema
import SiftTime

/// The graph in one SQLite file: nodes, typed edges, the change log and settings.
///
/// Opened as a GRDB `DatabasePool` in WAL mode: one writer, concurrent readers that always see a
/// committed state. Every write of this type is one transaction.
public final class GraphStore: Sendable {
    /// Where the graph is, for messages: the database file's path.
    public var location: String { path }

    /// The pool; readers use `writer.read { db in ... }`. Internal: nothing outside the store
    /// sees GRDB.
    let writer: any DatabaseWriter
    /// The database file.
    public let path: String

    /// Opens or creates the database at `path` (mode 0600, parent directories 0700) and brings its
    /// schema up to date with `SiftSchema.migrations`.
    public convenience init(path: String) throws {
        try self.init(path: path, migrations: SiftSchema.migrations)
    }

    /// Opens with an explicit list of migrations (tests use this to simulate schema versions).
    init(path: String, migrations: [(name: String, sql: String)]) throws {
        self.path = path
        try Self.createFile(path)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(30)
        configuration.label = "sift"
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL: a killed process never loses a committed transaction.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Only takes effect on a new, empty file (before the first table; GRDB switches to WAL
            // after this, which keeps it): 32 KiB pages make a bulk load of a million nodes write
            // an eighth of the pages and WAL frames of 4 KiB (1M-node generate: 12.1 s -> 11.3 s
            // at 16 KiB, about 0.3-0.7 s less again at 32 KiB; 64 KiB was no faster).
            try db.execute(sql: "PRAGMA page_size = \(Self.pageSize)")
            // The functions compiled queries call (REGEXP for `=~`), on every connection.
            SQLiteFunctions.register(in: db)
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: Self.reason(error))
        }
        writer = pool
        do {
            try SchemaMigrator(path: path, migrations: migrations).migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotOpen(path: path, reason: Self.reason(error))
        }
    }

    /// The page size of a new database file, bytes.
    static let pageSize = 32_768

    /// Creates the file with mode 0600 when it does not exist. SQLite gives the `-wal` and `-shm`
    /// files the database file's mode.
    private static func createFile(_ path: String) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: path) { return }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !manager.fileExists(atPath: directory) {
            do {
                try manager.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError.cannotOpen(path: path, reason: "cannot create directory \(directory): \(error.localizedDescription)")
            }
        }
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            let code = errno
            if code == EEXIST { return }
            throw StoreError.cannotOpen(path: path, reason: String(cString: strerror(code)))
        }
        close(descriptor)
    }

    /// A short reason for an error from GRDB or the system.
    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.description }
        return String(describing: error)
    }

    /// The one-line message of an SQLite error as a user should see it: never the SQL text or its
    /// arguments (a compiled query's SQL can be hundreds of kilobytes), and SQLite's size limits
    /// (`parser stack overflow`, expression depth, number of bound values) named as such.
    public static func message(of error: DatabaseError) -> String {
        let message = error.message ?? "SQLite error \(error.resultCode.rawValue)"
        return isSizeLimit(error) ? "query too complex for SQLite (\(message)): simplify the nesting or split the query" : message
    }

    /// Whether SQLite refused a statement for its size or depth rather than for its meaning.
    public static func isSizeLimit(_ error: DatabaseError) -> Bool {
        guard let message = error.message else { return false }
        return ["parser stack overflow", "Expression tree is too large", "too many SQL variables", "too many terms",
                "string or blob too big", "too many FROM clause terms", "at most 64 tables in a join"]
            .contains { message.contains($0) }
    }

    // MARK: - Settings

    /// The value of a setting, or nil when it is not set.
    public func setting(_ key: String) throws -> JSONValue? {
        try writer.read { db -> JSONValue? in
            guard let text = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key]) else {
                return nil
            }
            do throws(JSONParseError) {
                return try JSONValue(parsing: text)
            } catch {
                throw StoreError.corruptRow(table: "setting", id: key, reason: error.description)
            }
        }
    }

    /// Sets a setting; nil removes it.
    public func setSetting(_ key: String, _ value: JSONValue?) throws {
        try setSettings([(key, value)])
    }

    // MARK: - History

    /// The change log, oldest first: records at or after `since`, at most the latest `limit` of them.
    public func history(since: Date?, limit: Int?) throws -> [ChangeRecord] {
        try writer.read { db in
            var sql = "SELECT seq, at, change, node_id, kind, name, subgraph, detail FROM change_log"
            var arguments = StatementArguments()
            if let since {
                sql += " WHERE at >= ?"
                arguments += [UnixTime.seconds(of: since)]
            }
            sql += " ORDER BY seq DESC"
            if let limit {
                sql += " LIMIT ?"
                arguments += [max(0, limit)]
            }
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            return try rows.reversed().map(ChangeRecord.init(row:))
        }
    }

    // MARK: - Marks

    /// Merges keys into `desired` / `metadata` of the nodes with the given ids (a JSON null removes
    /// the key) and logs `node_marked` for each node that really changed. Unknown ids are skipped.
    ///
    /// Returns the number of nodes found.
    @discardableResult
    public func mark(ids: [String], desired: JSONObject, metadata: JSONObject, now: Date = Date()) throws -> Int {
        let at = UnixTime.seconds(of: now)
        return try writer.write { db in
            let select = try RawStatement(db, "SELECT nid, kind, name, subgraph, desired, metadata FROM node WHERE id = ?")
            let update = try RawStatement(db, "UPDATE node SET desired = ?, metadata = ? WHERE nid = ?")
            let log = try ChangeLogWriter(db)
            var found = 0
            var seen = Set<String>()
            var detail = JSONObject()
            if !desired.isEmpty { detail["desired"] = .object(desired) }
            if !metadata.isEmpty { detail["metadata"] = .object(metadata) }
            let detailText = detail.jsonText
            for id in ids where seen.insert(id).inserted {
                select.bind(1, id)
                guard try select.step() else {
                    select.reset()
                    continue
                }
                found += 1
                let nid = select.int64(0)
                let kind = select.text(1)
                let name = select.optionalText(2)
                let subgraph = select.text(3)
                let oldDesired = try Self.object(select.bytes(4), id: id, label: "desired")
                let oldMetadata = try Self.object(select.bytes(5), id: id, label: "metadata")
                select.reset()
                let newDesired = Self.merge(oldDesired, desired)
                let newMetadata = Self.merge(oldMetadata, metadata)
                guard newDesired != oldDesired || newMetadata != oldMetadata else { continue }
                update.bind(1, utf8: NodeRecord.canonical(newDesired))
                update.bind(2, utf8: NodeRecord.canonical(newMetadata))
                update.bind(3, nid)
                try update.execute()
                try log.log(at: at, change: .nodeMarked, id: id, kind: kind, name: name, subgraph: subgraph, detail: detailText)
            }
            return found
        }
    }

    /// `base` with `patch` applied: null removes a key, anything else sets it.
    static func merge(_ base: JSONObject, _ patch: JSONObject) -> JSONObject {
        var result = base
        for (key, value) in patch {
            if case .null = value { result.removeValue(forKey: key) } else { result[key] = value }
        }
        return result
    }

    /// Parses a stored section that must be a JSON object.
    static func object(_ bytes: UnsafeBufferPointer<UInt8>, id: String, label: String) throws -> JSONObject {
        do {
            guard case .object(let members) = try JSONValue.parse(bytes) else {
                throw StoreError.corruptRow(table: "node", id: id, reason: "\(label) is not a JSON object")
            }
            return members
        } catch let error as JSONParseError {
            throw StoreError.corruptRow(table: "node", id: id, reason: "\(label): \(error)")
        }
    }
}

/// Applies the schema migrations, tracked by `PRAGMA user_version`.
struct SchemaMigrator {
    let path: String
    let migrations: [(name: String, sql: String)]

    /// Brings the database to the latest version in one transaction; a version newer than the
    /// migrations known here is an error and nothing is touched.
    func migrate(_ writer: any DatabaseWriter) throws {
        try writer.writeWithoutTransaction { db in
            let current = try Self.version(db)
            try check(current)
            if current == migrations.count { return }
            try db.inTransaction(.exclusive) {
                let version = try Self.version(db)   // another process may have migrated meanwhile
                try check(version)
                for index in version..<migrations.count {
                    let migration = migrations[index]
                    do {
                        try db.execute(sql: migration.sql)
                    } catch {
                        throw StoreError.migrationFailed(path: path, migration: migration.name, reason: GraphStore.reason(error))
                    }
                }
                try db.execute(sql: "PRAGMA user_version = \(migrations.count)")
                return .commit
            }
        }
    }

    private func check(_ version: Int) throws {
        if version > migrations.count {
            throw StoreError.newerSchema(path: path, found: version, supported: migrations.count)
        }
    }

    static func version(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
    }
}

/// The schema version this build of Sift writes.
public enum SiftSchemaVersion {
    /// The number of migrations in `SiftSchema.migrations`.
    public static var current: Int { SiftSchema.migrations.count }
}

/// The SQLite backend implements the whole surface (the witnesses are in the files named after
/// each part: NDJSON, Generator, SubgraphReplacement, Settings, JobRecords, CheckRecords,
/// CleanupJournal, GraphStore+Querying).
extension GraphStore: GraphWriting, SettingsStoring, JobRecording {}
