import Foundation
import SiftTime

/// Who the caller is, per STS `GetCallerIdentity`.
public struct CallerIdentity: Sendable, Hashable {
    /// The 12-digit account id.
    public var account: String
    /// The caller's ARN.
    public var arn: String
    /// The caller's unique id.
    public var userId: String
}

/// STS over the query protocol.
public struct STSClient: Sendable {
    let client: ServiceClient

    /// Creates a client on `endpoint`, signing for `region`.
    public init(credentials: AWSCredentials, endpoint: URL, region: String, transport: AWSTransport) {
        self.init(provider: CredentialProvider(fixed: credentials), endpoint: endpoint, region: region,
                  transport: transport)
    }

    /// Creates a client on `endpoint` signing with `provider`'s current credentials for `region`.
    public init(provider: CredentialProvider, endpoint: URL, region: String, transport: AWSTransport) {
        client = ServiceClient(transport: transport, endpoint: endpoint, credentials: provider, region: region,
                               service: "sts", apiVersion: "2011-06-15")
    }

    /// The caller's account, ARN and id.
    public func getCallerIdentity() async throws(AWSError) -> CallerIdentity {
        let result = try await client.query("GetCallerIdentity")
        guard let account = result.value("Account") else {
            throw .malformedResponse(operation: "GetCallerIdentity", message: "no Account")
        }
        return CallerIdentity(account: account, arn: result.value("Arn") ?? "", userId: result.value("UserId") ?? "")
    }

    /// Temporary credentials for `roleArn` (`AssumeRole`), with the optional settings of a `role_arn` profile.
    public func assumeRole(roleArn: String, sessionName: String, durationSeconds: Int? = 3600,
                           externalId: String? = nil, serialNumber: String? = nil,
                           tokenCode: String? = nil) async throws(AWSError) -> AWSCredentials {
        var parameters = [("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        if let externalId { parameters.append(("ExternalId", externalId)) }
        if let serialNumber { parameters.append(("SerialNumber", serialNumber)) }
        if let tokenCode { parameters.append(("TokenCode", tokenCode)) }
        let result = try await client.query("AssumeRole", parameters)
        return try Self.credentials(in: result, operation: "AssumeRole", source: "AssumeRole \(roleArn)")
    }

    /// The `<Credentials>` of an `AssumeRole*Result`.
    static func credentials(in result: XMLTree, operation: String, source: String) throws(AWSError) -> AWSCredentials {
        guard let credentials = result.child("Credentials"),
              let id = credentials.value("AccessKeyId"), let secret = credentials.value("SecretAccessKey")
        else {
            throw .malformedResponse(operation: operation, message: "no Credentials")
        }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: credentials.value("SessionToken"),
                              source: source, expiration: credentials.value("Expiration").flatMap(ISO8601.date))
    }

    /// The credentials of an unsigned `operation` answer (`AssumeRoleWithWebIdentity`).
    static func credentials(from body: Data, status: Int, operation: String) throws(AWSError) -> AWSCredentials {
        guard (200..<300).contains(status) else {
            throw ServiceClient.queryError(operation: operation, status: status, body: body)
        }
        let root: XMLTree
        do { root = try XMLTree.parse(body) } catch {
            throw .malformedResponse(operation: operation, message: "\(error)")
        }
        guard let result = root.child("\(operation)Result") ?? (root.name == "\(operation)Result" ? root : nil) else {
            throw .malformedResponse(operation: operation, message: "no \(operation)Result")
        }
        return try credentials(in: result, operation: operation, source: operation)
    }
}

/// An account of the organisation.
public struct OrganizationAccount: Sendable, Hashable {
    /// The 12-digit id.
    public var id: String
    /// The account's name.
    public var name: String
    /// `ACTIVE`, `SUSPENDED`, ...
    public var status: String
}

/// AWS Organizations over the JSON 1.1 protocol.
public struct OrganizationsClient: Sendable {
    let client: ServiceClient

    /// Creates a client on `endpoint` (Organizations signs for its partition's home region, `us-east-1` in `aws`).
    public init(credentials: AWSCredentials, endpoint: URL, transport: AWSTransport) {
        self.init(provider: CredentialProvider(fixed: credentials), endpoint: endpoint, transport: transport)
    }

    /// Creates a client on `endpoint` signing with `provider`'s current credentials for `signingRegion`.
    public init(provider: CredentialProvider, endpoint: URL, signingRegion: String = "us-east-1",
                transport: AWSTransport) {
        client = ServiceClient(transport: transport, endpoint: endpoint, credentials: provider, region: signingRegion,
                               service: "organizations", apiVersion: "")
    }

    /// Every account, following `NextToken`.
    public func listAccounts() async throws(AWSError) -> [OrganizationAccount] {
        var accounts: [OrganizationAccount] = []
        var token: String?
        repeat {
            var payload: [String: Any] = [:]
            if let token { payload["NextToken"] = token }
            let page = try await client.json("ListAccounts", target: "AWSOrganizationsV20161128.ListAccounts", payload)
            for case let entry as [String: Any] in (page["Accounts"] as? [Any]) ?? [] {
                guard let id = entry["Id"] as? String else {
                    throw .malformedResponse(operation: "ListAccounts", message: "account without Id")
                }
                accounts.append(OrganizationAccount(id: id, name: entry["Name"] as? String ?? id,
                                                    status: entry["Status"] as? String ?? "ACTIVE"))
            }
            let next = page["NextToken"] as? String
            token = (next?.isEmpty ?? true) ? nil : next
        } while token != nil
        return accounts
    }
}
