/// The flags of the permissions summary (`reported.permissions`) that rank a finding or a key marked
/// for cleanup: the node's own summary (users, groups, roles, policies), else that of the nearest node
/// above it over one default edge that has one (an access key's user). `nil` flags: no summary there
/// (groups and policies were not collected).
public struct OwnerPrivileges: Sendable, Hashable {
    /// `permissions.admin`.
    public var admin: Bool?
    /// `permissions.privilege_escalation`.
    public var privilegeEscalation: Bool?
    /// `permissions.iam_write`.
    public var iamWrite: Bool?

    /// Creates the flags.
    public init(admin: Bool? = nil, privilegeEscalation: Bool? = nil, iamWrite: Bool? = nil) {
        self.admin = admin
        self.privilegeEscalation = privilegeEscalation
        self.iamWrite = iamWrite
    }

    /// The SQL expression (over the node alias `alias`) for the summary object these flags are read
    /// from, as JSON text or NULL.
    static func summarySQL(_ alias: String) -> String {
        """
        coalesce(json_extract(\(alias).reported, '$.permissions'),
                 (SELECT json_extract(o.reported, '$.permissions') FROM edge oe JOIN node o ON o.nid = oe.from_nid
                   WHERE oe.to_nid = \(alias).nid AND oe.type = 'default'
                     AND json_type(o.reported, '$.permissions') = 'object' ORDER BY o.nid LIMIT 1))
        """
    }

    /// Reads the flags from the summary's JSON text.
    init(summary: String?) {
        guard let summary, case .object(let object)? = try? JSONValue(parsing: summary) else {
            self.init()
            return
        }
        func flag(_ key: String) -> Bool? {
            if case .bool(let value)? = object[key] { return value }
            return nil
        }
        self.init(admin: flag("admin"), privilegeEscalation: flag("privilege_escalation"), iamWrite: flag("iam_write"))
    }
}
