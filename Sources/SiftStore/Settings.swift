import Foundation
import GRDB

extension GraphStore {
    /// Sets (or, for nil, removes) several settings in ONE transaction: a config line is written
    /// whole or not at all.
    public func setSettings(_ changes: [(key: String, value: JSONValue?)]) throws {
        try writer.write { db in
            for (key, value) in changes {
                if let value {
                    try db.execute(
                        sql: "INSERT INTO setting(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        arguments: [key, value.jsonText])
                } else {
                    try db.execute(sql: "DELETE FROM setting WHERE key = ?", arguments: [key])
                }
            }
        }
    }
}
