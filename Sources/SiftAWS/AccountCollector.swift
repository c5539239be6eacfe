import Foundation

/// Reads one account's users, keys, last use and credential report.
struct AccountCollector: Sendable {
    let accountId: String
    let iam: IAMClient
    let pageSize: Int
    let reportTimeout: Double
    let progress: @Sendable (CollectProgress) -> Void

    /// Lists users and keys while the credential report is generated, then resolves every key's last use.
    func collect(organizationAccount: OrganizationAccount?) async throws(AWSError) -> (AccountSnapshot, [String]) {
        let iam = self.iam
        let reportTimeout = self.reportTimeout
        async let reportOutcome = Self.fetchReport(iam: iam, timeout: reportTimeout)
        async let aliasOutcome = Self.outcome { () throws(AWSError) in try await iam.listAccountAliases() }
        let pageSize = self.pageSize
        async let authorizationOutcome = Self.outcome { () throws(AWSError) in
            try await iam.getAccountAuthorizationDetails(pageSize: pageSize)
        }
        async let mfaOutcome = Self.outcome { () throws(AWSError) in
            try await iam.listAssignedVirtualMFADevices(pageSize: pageSize)
        }

        let users = try await iam.listUsers(pageSize: pageSize)
        progress(.usersListed(account: accountId, users: users.count))
        let keys = try await listKeys(users: users)

        var warnings: [String] = []
        let report: CredentialReport?
        switch await reportOutcome {
        case .success(let parsed):
            report = parsed
        case .failure(let error):
            report = nil
            warnings.append("\(accountId): credential report unavailable (\(error)); "
                + "last use from GetAccessKeyLastUsed, no password/MFA facts")
        }
        let alias: String?
        switch await aliasOutcome {
        case .success(let value): alias = value
        case .failure(let error):
            alias = nil
            warnings.append("\(accountId): \(error)")
        }

        // Groups, roles and policies: without them the keys are still collected, and the warning says what
        // is missing (no permissions summary, no IAM checks).
        let authorization: AuthorizationDetails?
        switch await authorizationOutcome {
        case .success(let details): authorization = details
        case .failure(let error):
            authorization = nil
            warnings.append("\(accountId): groups, roles and policies unavailable (\(error)); no permissions summary")
        }
        let mfaDevices: [MFADevice]?
        switch await mfaOutcome {
        case .success(let devices): mfaDevices = devices
        case .failure(let error):
            mfaDevices = nil
            warnings.append("\(accountId): MFA devices unavailable (\(error))")
        }

        var lastUsed: [String: (AccessKeyLastUsed, LastUseSource)] = [:]
        var unresolved: [AccessKeyMetadata] = []
        for user in users {
            let userKeys = keys[user.userName] ?? []
            let paired = KeyReportPairing.pair(keys: userKeys, row: report?.rows[user.userName])
            for key in userKeys {
                if let used = paired[key.accessKeyId] {
                    lastUsed[key.accessKeyId] = (used, .credentialReport)
                } else {
                    unresolved.append(key)
                }
            }
        }
        for (id, used) in try await lookUpLastUse(unresolved) {
            lastUsed[id] = (used, .getAccessKeyLastUsed)
        }
        let snapshot = AccountSnapshot(accountId: accountId, alias: alias, organizationAccount: organizationAccount,
                                       users: users, keys: keys, lastUsed: lastUsed, report: report,
                                       authorization: authorization, mfaDevices: mfaDevices)
        return (snapshot, warnings)
    }

    private func listKeys(users: [IAMUser]) async throws(AWSError) -> [String: [AccessKeyMetadata]] {
        let iam = self.iam
        let pageSize = self.pageSize
        let total = users.count
        do {
            return try await withThrowingTaskGroup(of: (String, [AccessKeyMetadata]).self) { group in
                for user in users {
                    group.addTask { (user.userName, try await iam.listAccessKeys(userName: user.userName,
                                                                                  pageSize: pageSize)) }
                }
                var keys: [String: [AccessKeyMetadata]] = [:]
                var done = 0
                for try await (name, userKeys) in group {
                    keys[name] = userKeys
                    done += 1
                    if done % 100 == 0 || done == total {
                        progress(.keysListed(account: accountId, users: done, of: total))
                    }
                }
                return keys
            }
        } catch let error as AWSError {
            throw error
        } catch {
            throw .transport(operation: "ListAccessKeys", message: "\(error)")
        }
    }

    private func lookUpLastUse(_ keys: [AccessKeyMetadata]) async throws(AWSError) -> [String: AccessKeyLastUsed] {
        let iam = self.iam
        do {
            return try await withThrowingTaskGroup(of: (String, AccessKeyLastUsed).self) { group in
                for key in keys {
                    group.addTask { (key.accessKeyId, try await iam.getAccessKeyLastUsed(accessKeyId: key.accessKeyId)) }
                }
                var result: [String: AccessKeyLastUsed] = [:]
                for try await (id, used) in group { result[id] = used }
                return result
            }
        } catch let error as AWSError {
            throw error
        } catch {
            throw .transport(operation: "GetAccessKeyLastUsed", message: "\(error)")
        }
    }

    /// Generates the report, waits for it with backoff, fetches and parses it.
    static func fetchReport(iam: IAMClient, timeout: Double) async -> Result<CredentialReport, AWSError> {
        let start = Date()
        var wait = 0.1
        var random = SystemRandomNumberGenerator()
        while true {
            do {
                let state = try await iam.generateCredentialReport()
                if state == .complete {
                    let (csv, generated) = try await iam.getCredentialReport()
                    do {
                        return .success(try CredentialReport(csv: csv, generated: generated))
                    } catch {
                        return .failure(.malformedResponse(operation: "GetCredentialReport", message: error.description))
                    }
                }
            } catch let error {
                guard let code = error.code, ["ReportInProgress", "ReportNotPresent", "ReportExpired"].contains(code)
                else { return .failure(error) }
            }
            guard Date().timeIntervalSince(start) < timeout else { return .failure(.reportTimeout(seconds: timeout)) }
            // Exponential backoff with jitter in [wait/2, wait]: the report takes seconds on AWS.
            let pause = Double.random(in: (wait / 2)...wait, using: &random)
            try? await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
            wait = min(wait * 2, 4)
        }
    }

    static func outcome<T: Sendable>(_ body: () async throws(AWSError) -> T) async -> Result<T, AWSError> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}
