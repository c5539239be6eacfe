import Foundation
import SiftStore
import SiftTime

/// One access-key slot (`access_key_1_*` or `access_key_2_*`) of a credential report row.
public struct CredentialReportKeySlot: Sendable, Hashable {
    /// `access_key_N_active`.
    public var active: Bool
    /// `access_key_N_last_rotated`: the key's creation, whole seconds; `nil` for `N/A`.
    public var lastRotated: Date?
    /// `access_key_N_last_used_date`; `nil` for `N/A` (never used).
    public var lastUsed: Date?
    /// `access_key_N_last_used_service` as written (`N/A`, `not_supported`, `iam`, ...).
    public var lastUsedService: String?
    /// `access_key_N_last_used_region` as written.
    public var lastUsedRegion: String?

    /// A slot that holds a key: it is active or has a rotation date.
    public var holdsKey: Bool { active || lastRotated != nil }
}

/// One row of the credential report.
public struct CredentialReportRow: Sendable, Hashable {
    /// `user`; `<root_account>` for the root row.
    public var user: String
    /// `arn`.
    public var arn: String
    /// `user_creation_time`.
    public var userCreationTime: Date?
    /// `password_enabled` (`not_supported` for root reads as `nil`).
    public var passwordEnabled: Bool?
    /// `password_last_used`; `nil` for `N/A`, `no_information`, `not_supported`.
    public var passwordLastUsed: Date?
    /// `mfa_active`.
    public var mfaActive: Bool?
    /// The two key slots, in report order.
    public var keySlots: [CredentialReportKeySlot]
    /// `password_last_changed`; `nil` for `N/A` (no password) and `not_supported`.
    public var passwordLastChanged: Date? = nil

    /// The root account's row.
    public var isRoot: Bool { user == "<root_account>" }
}

/// A parsed credential report.
public struct CredentialReport: Sendable, Hashable {
    /// Rows by user name (`<root_account>` included).
    public var rows: [String: CredentialReportRow]
    /// Users whose rows could not be read unambiguously (wrong field count).
    public var unreadableUsers: Set<String>
    /// When AWS generated it.
    public var generated: Date?

    /// The root row, if the report has one.
    public var root: CredentialReportRow? { rows["<root_account>"] }

    /// Parses the CSV. The header names the columns; the ones Sift needs must be present.
    public init(csv: Data, generated: Date?) throws(CredentialReportError) {
        let records = CSVReader.records(String(decoding: csv, as: UTF8.self))
        guard let header = records.first else { throw .missingHeader }
        var column: [String: Int] = [:]
        for (index, name) in header.enumerated() { column[name] = index }
        let required = ["user", "arn", "access_key_1_active", "access_key_1_last_rotated",
                        "access_key_1_last_used_date", "access_key_2_active", "access_key_2_last_rotated",
                        "access_key_2_last_used_date"]
        for name in required where column[name] == nil {
            throw .missingColumn(name)
        }
        var rows: [String: CredentialReportRow] = [:]
        var unreadable: Set<String> = []
        for record in records.dropFirst() where !(record.count == 1 && record[0].isEmpty) {
            guard record.count == header.count else {
                // A user name or ARN that broke the CSV: do not guess which fields are whose.
                if let first = record.first { unreadable.insert(first) }
                continue
            }
            func field(_ name: String) -> String? { column[name].map { record[$0] } }
            func flag(_ name: String) -> Bool? {
                switch field(name) {
                case "true": return true
                case "false": return false
                default: return nil
                }
            }
            func date(_ name: String) -> Date? { field(name).flatMap(ISO8601.date) }
            let slots = (1...2).map { n in
                CredentialReportKeySlot(active: flag("access_key_\(n)_active") ?? false,
                                        lastRotated: date("access_key_\(n)_last_rotated"),
                                        lastUsed: date("access_key_\(n)_last_used_date"),
                                        lastUsedService: field("access_key_\(n)_last_used_service"),
                                        lastUsedRegion: field("access_key_\(n)_last_used_region"))
            }
            let user = field("user") ?? ""
            if rows[user] != nil { unreadable.insert(user) }
            rows[user] = CredentialReportRow(user: user, arn: field("arn") ?? "",
                                             userCreationTime: date("user_creation_time"),
                                             passwordEnabled: flag("password_enabled"),
                                             passwordLastUsed: date("password_last_used"),
                                             mfaActive: flag("mfa_active"), keySlots: slots,
                                             passwordLastChanged: date("password_last_changed"))
        }
        for user in unreadable { rows[user] = nil }
        self.rows = rows
        self.unreadableUsers = unreadable
        self.generated = generated
    }
}

/// A credential report that cannot be used at all.
public enum CredentialReportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The CSV is empty.
    case missingHeader
    /// A column Sift needs is absent.
    case missingColumn(String)

    /// One line.
    public var description: String {
        switch self {
        case .missingHeader: return "credential report: empty CSV"
        case .missingColumn(let name): return "credential report: no column '\(name)'"
        }
    }
}

/// RFC 4180 CSV: quoted fields with doubled quotes, CRLF or LF line ends.
enum CSVReader {
    static func records(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        while let scalar = pending {
            pending = iterator.next()
            if quoted {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = iterator.next()
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"": quoted = true
            case ",":
                record.append(field)
                field = ""
            case "\r": continue
            case "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}

/// Decides, per user, which keys can take their last use from the credential report.
///
/// The report has no AccessKeyId. A slot is paired with a key only when there is no doubt:
/// - one key listed and exactly one slot holding a key, whose `last_rotated` equals the key's CreateDate to
///   the second and whose active flag equals the key's status;
/// - two keys whose CreateDates differ in whole seconds, each matching exactly one slot's `last_rotated`
///   (and active flag), in creation order.
/// Every other key needs `GetAccessKeyLastUsed`.
public enum KeyReportPairing {
    /// Last-use records for the keys that pair unambiguously, by AccessKeyId.
    public static func pair(keys: [AccessKeyMetadata], row: CredentialReportRow?) -> [String: AccessKeyLastUsed] {
        guard let row, !keys.isEmpty, keys.count <= 2 else { return [:] }
        let held = row.keySlots.filter(\.holdsKey)
        guard held.count == keys.count else { return [:] }
        var seconds: [Int64] = []
        for key in keys {
            guard let created = key.createDate else { return [:] }
            seconds.append(UnixTime.seconds(of: created))
        }
        guard Set(seconds).count == keys.count else { return [:] }  // same second: ambiguous
        let byCreation = zip(keys, seconds).sorted { $0.1 < $1.1 }
        let slotsByRotation = held.compactMap { slot in slot.lastRotated.map { (slot, UnixTime.seconds(of: $0)) } }
        guard slotsByRotation.count == held.count else { return [:] }
        let orderedSlots = slotsByRotation.sorted { $0.1 < $1.1 }
        var result: [String: AccessKeyLastUsed] = [:]
        for ((key, keySecond), (slot, slotSecond)) in zip(byCreation, orderedSlots) {
            guard keySecond == slotSecond, slot.active == (key.status == .active) else { return [:] }
            result[key.accessKeyId] = AccessKeyLastUsed(lastUsedDate: slot.lastUsed,
                                                        serviceName: slot.lastUsedService,
                                                        region: slot.lastUsedRegion)
        }
        return result
    }
}
