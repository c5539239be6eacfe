import Foundation
import SiftTime

/// An IAM user as `ListUsers` gives it.
public struct IAMUser: Sendable, Hashable {
    /// The stable id (`AIDA...`).
    public var userId: String
    /// The user name.
    public var userName: String
    /// The ARN.
    public var arn: String
    /// The path, e.g. `/`.
    public var path: String
    /// When the user was created.
    public var createDate: Date?
    /// When the password was last used, if ever.
    public var passwordLastUsed: Date?
    /// Tags when the listing carries them.
    public var tags: [String: String]
}

/// Access key status.
public enum AccessKeyStatus: String, Sendable, Hashable {
    /// The key authenticates.
    case active = "Active"
    /// The key is disabled.
    case inactive = "Inactive"
}

/// One access key as `ListAccessKeys` gives it.
public struct AccessKeyMetadata: Sendable, Hashable {
    /// The key's identity: `AKIA...`.
    public var accessKeyId: String
    /// The owning user.
    public var userName: String
    /// Active or Inactive.
    public var status: AccessKeyStatus
    /// When the key was created (AWS keeps sub-second parts on some keys).
    public var createDate: Date?
}

/// What `GetAccessKeyLastUsed` (or an unambiguous credential report row) says about a key.
public struct AccessKeyLastUsed: Sendable, Hashable {
    /// When the key was last used; `nil` when never.
    public var lastUsedDate: Date?
    /// The service it was last used with (`N/A` when never).
    public var serviceName: String?
    /// The region it was last used in (`N/A` when never).
    public var region: String?

    /// Creates a last-use record.
    public init(lastUsedDate: Date?, serviceName: String?, region: String?) {
        self.lastUsedDate = lastUsedDate
        self.serviceName = serviceName
        self.region = region
    }
}

/// State of a credential report generation.
public enum CredentialReportState: String, Sendable, Hashable {
    /// Generation began.
    case started = "STARTED"
    /// Still running.
    case inProgress = "INPROGRESS"
    /// Ready to fetch.
    case complete = "COMPLETE"
}

/// IAM over the query protocol. IAM is global: requests are signed for the partition's home region.
public struct IAMClient: Sendable {
    let client: ServiceClient

    /// Creates a client on `endpoint` with `credentials`, sending through `transport`.
    public init(credentials: AWSCredentials, endpoint: URL, transport: AWSTransport) {
        self.init(provider: CredentialProvider(fixed: credentials), endpoint: endpoint, transport: transport)
    }

    /// Creates a client on `endpoint` signing with `provider`'s current credentials for `signingRegion`
    /// (`us-east-1` in `aws`, `cn-north-1` in `aws-cn`, `us-gov-west-1` in `aws-us-gov`).
    public init(provider: CredentialProvider, endpoint: URL, signingRegion: String = "us-east-1",
                transport: AWSTransport) {
        client = ServiceClient(transport: transport, endpoint: endpoint, credentials: provider, region: signingRegion,
                               service: "iam", apiVersion: "2010-05-08")
    }

    /// Every user, following `Marker` while `IsTruncated`.
    public func listUsers(pageSize: Int = 1000) async throws(AWSError) -> [IAMUser] {
        try await paginate("ListUsers", [], listElement: "Users", pageSize: pageSize) { member throws(AWSError) in
            guard let userId = member.value("UserId"), let userName = member.value("UserName") else {
                throw .malformedResponse(operation: "ListUsers", message: "user without UserId or UserName")
            }
            var tags: [String: String] = [:]
            for tag in member.child("Tags")?.children("member") ?? [] {
                if let key = tag.value("Key") { tags[key] = tag.value("Value") ?? "" }
            }
            return IAMUser(userId: userId, userName: userName, arn: member.value("Arn") ?? "",
                           path: member.value("Path") ?? "/",
                           createDate: member.value("CreateDate").flatMap(ISO8601.date),
                           passwordLastUsed: member.value("PasswordLastUsed").flatMap(ISO8601.date),
                           tags: tags)
        }
    }

    /// Every access key of `userName`, following `Marker` while `IsTruncated`.
    public func listAccessKeys(userName: String, pageSize: Int = 1000) async throws(AWSError) -> [AccessKeyMetadata] {
        try await paginate("ListAccessKeys", [("UserName", userName)], listElement: "AccessKeyMetadata",
                           pageSize: pageSize) { member throws(AWSError) in
            guard let id = member.value("AccessKeyId"),
                  let status = member.value("Status").flatMap(AccessKeyStatus.init(rawValue:))
            else {
                throw .malformedResponse(operation: "ListAccessKeys",
                                         message: "key of \(userName) without AccessKeyId or a valid Status")
            }
            return AccessKeyMetadata(accessKeyId: id, userName: member.value("UserName") ?? userName, status: status,
                                     createDate: member.value("CreateDate").flatMap(ISO8601.date))
        }
    }

    /// Last use of one key, by its AccessKeyId.
    public func getAccessKeyLastUsed(accessKeyId: String) async throws(AWSError) -> AccessKeyLastUsed {
        let result = try await client.query("GetAccessKeyLastUsed", [("AccessKeyId", accessKeyId)])
        let used = result.child("AccessKeyLastUsed")
        return AccessKeyLastUsed(lastUsedDate: used?.value("LastUsedDate").flatMap(ISO8601.date),
                                 serviceName: used?.value("ServiceName"), region: used?.value("Region"))
    }

    /// Starts (or finds) a credential report.
    public func generateCredentialReport() async throws(AWSError) -> CredentialReportState {
        let result = try await client.query("GenerateCredentialReport")
        guard let state = result.value("State").flatMap(CredentialReportState.init(rawValue:)) else {
            throw .malformedResponse(operation: "GenerateCredentialReport", message: "no State")
        }
        return state
    }

    /// The report's CSV bytes and when it was generated. `ReportNotPresent`, `ReportInProgress`,
    /// `ReportExpired` come back as `AWSError.service`.
    public func getCredentialReport() async throws(AWSError) -> (csv: Data, generated: Date?) {
        let result = try await client.query("GetCredentialReport")
        guard let content = result.value("Content"),
              let csv = Data(base64Encoded: content, options: .ignoreUnknownCharacters)
        else {
            throw .malformedResponse(operation: "GetCredentialReport", message: "no base64 Content")
        }
        return (csv, result.value("GeneratedTime").flatMap(ISO8601.date))
    }

    /// The account's alias, if it has one.
    public func listAccountAliases() async throws(AWSError) -> String? {
        let result = try await client.query("ListAccountAliases")
        return result.child("AccountAliases")?.children("member").first
            .map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Sets a key Active or Inactive; the exact user and key are named.
    public func updateAccessKey(userName: String, accessKeyId: String,
                                status: AccessKeyStatus) async throws(AWSError) {
        _ = try await client.query("UpdateAccessKey", [("UserName", userName), ("AccessKeyId", accessKeyId),
                                                       ("Status", status.rawValue)])
    }

    /// Deletes a key. A key already gone throws `AWSError.noSuchEntity`.
    public func deleteAccessKey(userName: String, accessKeyId: String) async throws(AWSError) {
        _ = try await client.query("DeleteAccessKey", [("UserName", userName), ("AccessKeyId", accessKeyId)])
    }

    private func paginate<T>(_ operation: String, _ parameters: [(String, String)], listElement: String,
                             pageSize: Int,
                             _ transform: (XMLTree) throws(AWSError) -> T) async throws(AWSError) -> [T] {
        var items: [T] = []
        try await eachPage(operation, parameters, pageSize: pageSize) { result throws(AWSError) in
            for member in result.child(listElement)?.children("member") ?? [] {
                items.append(try transform(member))
            }
        }
        return items
    }

    /// Calls `operation` page by page (`MaxItems`, then `Marker` while `IsTruncated`), giving each
    /// page's result to `body`; a truncated page without a marker, or a marker seen before, is a
    /// malformed response (never a loop). Returns the number of pages.
    @discardableResult
    func eachPage(_ operation: String, _ parameters: [(String, String)], pageSize: Int,
                  _ body: (XMLTree) throws(AWSError) -> Void) async throws(AWSError) -> Int {
        var marker: String?
        var seenMarkers: Set<String> = []
        var pages = 0
        repeat {
            var page = parameters + [("MaxItems", String(pageSize))]
            if let marker { page.append(("Marker", marker)) }
            let result = try await client.query(operation, page)
            pages += 1
            try body(result)
            marker = nil
            if result.value("IsTruncated") == "true" {
                guard let next = result.value("Marker"), !next.isEmpty else {
                    throw .malformedResponse(operation: operation, message: "IsTruncated without Marker")
                }
                guard seenMarkers.insert(next).inserted else {
                    throw .malformedResponse(operation: operation, message: "Marker \(next) repeated")
                }
                marker = next
            }
        } while marker != nil
        return pages
    }
}
