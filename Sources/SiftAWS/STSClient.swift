import Foundation

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
        client = ServiceClient(transport: transport, endpoint: endpoint,
                               signer: SigV4Signer(credentials: credentials, region: region, service: "sts"),
                               apiVersion: "2011-06-15")
    }

    /// The caller's account, ARN and id.
    public func getCallerIdentity() async throws(AWSError) -> CallerIdentity {
        let result = try await client.query("GetCallerIdentity")
        guard let account = result.value("Account") else {
            throw .malformedResponse(operation: "GetCallerIdentity", message: "no Account")
        }
        return CallerIdentity(account: account, arn: result.value("Arn") ?? "", userId: result.value("UserId") ?? "")
    }

    /// Temporary credentials for `roleArn`.
    public func assumeRole(roleArn: String, sessionName: String,
                           durationSeconds: Int = 3600) async throws(AWSError) -> AWSCredentials {
        let result = try await client.query("AssumeRole", [("RoleArn", roleArn), ("RoleSessionName", sessionName),
                                                           ("DurationSeconds", String(durationSeconds))])
        guard let credentials = result.child("Credentials"),
              let id = credentials.value("AccessKeyId"), let secret = credentials.value("SecretAccessKey")
        else {
            throw .malformedResponse(operation: "AssumeRole", message: "no Credentials")
        }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: credentials.value("SessionToken"),
                              source: "AssumeRole \(roleArn)")
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

    /// Creates a client on `endpoint` (Organizations signs for `us-east-1`).
    public init(credentials: AWSCredentials, endpoint: URL, transport: AWSTransport) {
        client = ServiceClient(transport: transport, endpoint: endpoint,
                               signer: SigV4Signer(credentials: credentials, region: "us-east-1",
                                                   service: "organizations"),
                               apiVersion: "")
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
