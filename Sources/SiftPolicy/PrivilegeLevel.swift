/// How much a key's owner can do, from its permissions summary: what orders cleanup (most dangerous
/// first) and what `check run` shows beside each failing key.
public enum PrivilegeLevel: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// `*` on `*`.
    case admin = 0
    /// Not admin, but allowed a known privilege escalation.
    case privilegeEscalation
    /// Neither, but allowed to change IAM.
    case iamWrite
    /// No summary (groups and policies were not collected): possibly any of the above, so ranked before
    /// `limited`.
    case unknown
    /// None of the above.
    case limited

    /// The level of a summary's flags; `unknown` when there is no summary (all nil).
    public init(admin: Bool?, privilegeEscalation: Bool?, iamWrite: Bool?) {
        if admin == nil && privilegeEscalation == nil && iamWrite == nil {
            self = .unknown
        } else if admin == true {
            self = .admin
        } else if privilegeEscalation == true {
            self = .privilegeEscalation
        } else if iamWrite == true {
            self = .iamWrite
        } else {
            self = .limited
        }
    }

    /// The level of a summary.
    public init(_ summary: PermissionSummary) {
        self.init(admin: summary.admin, privilegeEscalation: summary.privilegeEscalation, iamWrite: summary.iamWrite)
    }

    /// How reports name it: `admin`, `can escalate`, `iam write`, `unknown`, `limited`.
    public var label: String {
        switch self {
        case .admin: return "admin"
        case .privilegeEscalation: return "can escalate"
        case .iamWrite: return "iam write"
        case .unknown: return "unknown"
        case .limited: return "limited"
        }
    }

    /// Most dangerous first.
    public static func < (lhs: PrivilegeLevel, rhs: PrivilegeLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}
