import Foundation
import SiftTime

/// An inline policy: its name and its document as IAM returned it (URL-encoded JSON).
public struct InlinePolicy: Sendable, Hashable {
    /// The policy's name, unique within its user, group or role.
    public var name: String
    /// The document text (URL-encoded JSON on AWS; moto sends some as plain JSON).
    public var document: String
}

/// A managed policy attached to a user, group or role.
public struct AttachedPolicyRef: Sendable, Hashable {
    /// The policy's name.
    public var name: String
    /// The policy's ARN (`arn:aws:iam::aws:policy/...` for AWS-managed ones).
    public var arn: String
}

/// A user as `GetAccountAuthorizationDetails` describes it.
public struct UserDetail: Sendable, Hashable {
    /// The stable id.
    public var userId: String
    /// The user name.
    public var userName: String
    /// The ARN.
    public var arn: String
    /// Names of its groups.
    public var groups: [String]
    /// Its inline policies.
    public var inlinePolicies: [InlinePolicy]
    /// Managed policies attached to it directly.
    public var attachedPolicies: [AttachedPolicyRef]
    /// Its permissions boundary's ARN.
    public var permissionsBoundary: String?
}

/// A group as `GetAccountAuthorizationDetails` describes it.
public struct GroupDetail: Sendable, Hashable {
    /// The stable id.
    public var groupId: String
    /// The group name.
    public var groupName: String
    /// The ARN.
    public var arn: String
    /// The path.
    public var path: String
    /// When it was created.
    public var createDate: Date?
    /// Its inline policies.
    public var inlinePolicies: [InlinePolicy]
    /// Managed policies attached to it.
    public var attachedPolicies: [AttachedPolicyRef]
}

/// A role as `GetAccountAuthorizationDetails` describes it.
public struct RoleDetail: Sendable, Hashable {
    /// The stable id.
    public var roleId: String
    /// The role name.
    public var roleName: String
    /// The ARN.
    public var arn: String
    /// The path.
    public var path: String
    /// When it was created.
    public var createDate: Date?
    /// Its trust policy document (URL-encoded JSON on AWS).
    public var assumeRolePolicy: String?
    /// When it was last used, if known.
    public var lastUsed: Date?
    /// Its inline policies.
    public var inlinePolicies: [InlinePolicy]
    /// Managed policies attached to it.
    public var attachedPolicies: [AttachedPolicyRef]
    /// Its permissions boundary's ARN.
    public var permissionsBoundary: String?
}

/// A managed policy with its default version's document.
public struct ManagedPolicyDetail: Sendable, Hashable {
    /// The ARN.
    public var arn: String
    /// The name (from the response, or the ARN's last part when the response has none, as on moto).
    public var name: String
    /// The stable id, when given.
    public var policyId: String?
    /// The path.
    public var path: String
    /// The default version's id (`v3`).
    public var defaultVersionId: String?
    /// How many users, groups and roles it is attached to.
    public var attachmentCount: Int
    /// When it was created and last updated.
    public var createDate: Date?
    /// When its default version changed last.
    public var updateDate: Date?
    /// The default version's document (URL-encoded JSON).
    public var document: String?

    /// Whether AWS manages it (`arn:aws:iam::aws:policy/...`, in any partition).
    public var awsManaged: Bool { arn.contains(":iam::aws:policy/") }
}

/// What `GetAccountAuthorizationDetails` returned over all its pages.
public struct AuthorizationDetails: Sendable, Hashable {
    /// Users.
    public var users: [UserDetail] = []
    /// Groups.
    public var groups: [GroupDetail] = []
    /// Roles.
    public var roles: [RoleDetail] = []
    /// Managed policies (customer-managed, and the AWS-managed ones returned).
    public var policies: [ManagedPolicyDetail] = []
    /// Pages read.
    public var pages = 0

    /// Creates an empty value.
    public init() {}
}

/// An MFA device assigned to a user (`ListVirtualMFADevices`, `AssignmentStatus=Assigned`).
public struct MFADevice: Sendable, Hashable {
    /// The serial number (an ARN for virtual devices).
    public var serialNumber: String
    /// The user it is assigned to.
    public var userName: String
    /// When it was enabled.
    public var enableDate: Date?
}

extension IAMClient {
    /// Users, groups, roles and managed policies in few calls, following `Marker` while `IsTruncated`.
    public func getAccountAuthorizationDetails(pageSize: Int = 1000) async throws(AWSError) -> AuthorizationDetails {
        var details = AuthorizationDetails()
        details.pages = try await eachPage("GetAccountAuthorizationDetails", [], pageSize: pageSize) { result throws(AWSError) in
            for member in result.child("UserDetailList")?.children("member") ?? [] {
                details.users.append(try Self.user(member))
            }
            for member in result.child("GroupDetailList")?.children("member") ?? [] {
                details.groups.append(try Self.group(member))
            }
            for member in result.child("RoleDetailList")?.children("member") ?? [] {
                details.roles.append(try Self.role(member))
            }
            for member in result.child("Policies")?.children("member") ?? [] {
                details.policies.append(try Self.managedPolicy(member))
            }
        }
        return details
    }

    /// Every virtual MFA device assigned to a user, following `Marker` while `IsTruncated`.
    public func listAssignedVirtualMFADevices(pageSize: Int = 1000) async throws(AWSError) -> [MFADevice] {
        let operation = "ListVirtualMFADevices"
        var devices: [MFADevice] = []
        try await eachPage(operation, [("AssignmentStatus", "Assigned")], pageSize: pageSize) { result throws(AWSError) in
            for member in result.child("VirtualMFADevices")?.children("member") ?? [] {
                guard let serial = member.value("SerialNumber") else {
                    throw .malformedResponse(operation: operation, message: "device without SerialNumber")
                }
                // An unassigned device has no User; AssignmentStatus=Assigned should leave none, but moto
                // ignores the filter.
                guard let user = member.child("User")?.value("UserName") else { continue }
                devices.append(MFADevice(serialNumber: serial, userName: user,
                                         enableDate: member.value("EnableDate").flatMap(ISO8601.date)))
            }
        }
        return devices
    }

    private static func required(_ member: XMLTree, _ name: String, _ what: String) throws(AWSError) -> String {
        guard let value = member.value(name), !value.isEmpty else {
            throw .malformedResponse(operation: "GetAccountAuthorizationDetails", message: "\(what) without \(name)")
        }
        return value
    }

    private static func inline(_ member: XMLTree, _ list: String) -> [InlinePolicy] {
        (member.child(list)?.children("member") ?? []).compactMap { policy in
            guard let name = policy.value("PolicyName") else { return nil }
            return InlinePolicy(name: name, document: policy.value("PolicyDocument") ?? "")
        }
    }

    private static func attached(_ member: XMLTree) -> [AttachedPolicyRef] {
        (member.child("AttachedManagedPolicies")?.children("member") ?? []).compactMap { policy in
            guard let arn = policy.value("PolicyArn") else { return nil }
            return AttachedPolicyRef(name: policy.value("PolicyName") ?? arn.split(separator: "/").last.map(String.init) ?? arn,
                                     arn: arn)
        }
    }

    private static func user(_ member: XMLTree) throws(AWSError) -> UserDetail {
        UserDetail(userId: try required(member, "UserId", "user"), userName: try required(member, "UserName", "user"),
                   arn: member.value("Arn") ?? "",
                   groups: (member.child("GroupList")?.children("member") ?? []).map {
                       $0.text.trimmingCharacters(in: .whitespacesAndNewlines)
                   },
                   inlinePolicies: inline(member, "UserPolicyList"), attachedPolicies: attached(member),
                   permissionsBoundary: member.child("PermissionsBoundary")?.value("PermissionsBoundaryArn"))
    }

    private static func group(_ member: XMLTree) throws(AWSError) -> GroupDetail {
        GroupDetail(groupId: try required(member, "GroupId", "group"),
                    groupName: try required(member, "GroupName", "group"), arn: member.value("Arn") ?? "",
                    path: member.value("Path") ?? "/", createDate: member.value("CreateDate").flatMap(ISO8601.date),
                    inlinePolicies: inline(member, "GroupPolicyList"), attachedPolicies: attached(member))
    }

    private static func role(_ member: XMLTree) throws(AWSError) -> RoleDetail {
        RoleDetail(roleId: try required(member, "RoleId", "role"), roleName: try required(member, "RoleName", "role"),
                   arn: member.value("Arn") ?? "", path: member.value("Path") ?? "/",
                   createDate: member.value("CreateDate").flatMap(ISO8601.date),
                   assumeRolePolicy: member.value("AssumeRolePolicyDocument"),
                   lastUsed: member.child("RoleLastUsed")?.value("LastUsedDate").flatMap(ISO8601.date),
                   inlinePolicies: inline(member, "RolePolicyList"), attachedPolicies: attached(member),
                   permissionsBoundary: member.child("PermissionsBoundary")?.value("PermissionsBoundaryArn"))
    }

    private static func managedPolicy(_ member: XMLTree) throws(AWSError) -> ManagedPolicyDetail {
        let arn = try required(member, "Arn", "policy")
        let defaultVersion = member.value("DefaultVersionId")
        let versions = member.child("PolicyVersionList")?.children("member") ?? []
        let chosen = versions.first { $0.value("IsDefaultVersion") == "true" }
            ?? versions.first { defaultVersion != nil && $0.value("VersionId") == defaultVersion }
        return ManagedPolicyDetail(arn: arn,
                                   name: member.value("PolicyName") ?? arn.split(separator: "/").last.map(String.init) ?? arn,
                                   policyId: member.value("PolicyId"), path: member.value("Path") ?? "/",
                                   defaultVersionId: defaultVersion,
                                   attachmentCount: member.value("AttachmentCount").flatMap { Int($0) } ?? 0,
                                   createDate: member.value("CreateDate").flatMap(ISO8601.date),
                                   updateDate: member.value("UpdateDate").flatMap(ISO8601.date),
                                   document: chosen?.value("Document"))
    }
}
