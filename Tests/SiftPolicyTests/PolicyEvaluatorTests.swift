import Foundation
import Testing
@testable import SiftPolicy

/// The evaluator against the table (PolicyTable.swift), and against policyuniverse and principalmapper.
@Suite struct PolicyEvaluatorTests {
    static func evaluator(_ policyCase: PolicyCase) throws -> PolicyEvaluator {
        PolicyEvaluator(policies: [NamedPolicy(name: policyCase.name,
                                               document: try PolicyDocument(text: policyCase.document))])
    }

    @Test func tableHasEnoughCases() {
        #expect(policyTable.count >= 40)
        #expect(Set(policyTable.map(\.name)).count == policyTable.count)
    }

    @Test(arguments: policyTable.map(\.name))
    func summaryMatchesTheTable(_ name: String) throws {
        let policyCase = try #require(policyTable.first { $0.name == name })
        let summary = try Self.evaluator(policyCase).summary()
        #expect(summary.admin == policyCase.admin, "admin")
        #expect(summary.iamWrite == policyCase.iamWrite, "iam_write")
        #expect(summary.escalationActions == policyCase.escalation, "escalation")
        #expect(summary.privilegeEscalation == !policyCase.escalation.isEmpty)
        let services = summary.services == ["*"] ? ActionCatalogue.servicePrefixes : summary.services
        #expect(services == policyCase.services.prefixes, "services")
        let conditions = summary.notEvaluated.filter { $0.contains("with a condition on") }
        #expect(conditions.count == policyCase.conditions, "\(summary.notEvaluated)")
        // SCPs are always listed as not evaluated, never assumed away.
        #expect(summary.notEvaluated.contains("service control policies"))
        for (action, resource, expected) in policyCase.decisions {
            let got = PolicyDecisionKind(try Self.evaluator(policyCase).decide(action: action, resource: resource))
            #expect(got == expected, "\(action) on \(resource)")
        }
    }

    @Test func documentErrorsSayWhere() {
        func error(_ text: String) -> String? {
            do {
                _ = try PolicyDocument(text: text)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(error(#"{"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}"#) == "Statement[0].Action: empty list")
        #expect(error(#"{"Statement": [{"Action": "*", "Resource": "*"}]}"#) == "Statement[0].Effect: missing or not a string")
        #expect(error(#"{"Statement": {"Effect": "allow", "Action": "*", "Resource": "*"}}"#) == "Statement[0].Effect: 'allow' is neither Allow nor Deny")
        #expect(error(#"{"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}]}"#) == "Statement[0]: both Action and NotAction")
        #expect(error(#"{"Statement": [{"Effect": "Allow", "Action": "*"}]}"#) == "Statement[0]: neither Resource nor NotResource")
        #expect(error(#"{"Statement": [{"Effect": "Allow", "Action": ["s3:*", 3], "Resource": "*"}]}"#) == "Statement[0].Action[1]: expected a string")
        #expect(error(#"{"Version": "2012-10-17"}"#) == "document: no Statement")
        #expect(error("[1]") == "document: expected a JSON object")
        #expect(error("{not json") != nil)
        #expect(error(String(repeating: "[", count: 100_000)) != nil)
        // An unreadable document is reported, not dropped: the summary names it.
        let summary = PolicyEvaluator(policies: [NamedPolicy(name: "broken", text: "{")]).summary()
        #expect(summary.notEvaluated.contains { $0.hasPrefix("broken: unreadable document") })
        #expect(!summary.admin && summary.services.isEmpty)
    }

    @Test func boundariesAreReportedNotApplied() throws {
        let admin = try PolicyDocument(text: #"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#)
        let summary = PolicyEvaluator(policies: [NamedPolicy(name: "a", document: admin)],
                                      permissionsBoundary: "arn:aws:iam::123456789012:policy/boundary").summary()
        #expect(summary.admin)
        #expect(summary.notEvaluated.contains("permissions boundary arn:aws:iam::123456789012:policy/boundary"))
    }

    @Test func wildcards() {
        #expect(Wildcard.matches("s3:Get*", "s3:GetObject", caseInsensitive: true))
        #expect(Wildcard.matches("S3:get*", "s3:GetObject", caseInsensitive: true))
        #expect(!Wildcard.matches("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x", caseInsensitive: false))
        #expect(Wildcard.matches("a?c", "abc", caseInsensitive: false) && !Wildcard.matches("a?c", "ac", caseInsensitive: false))
        #expect(Wildcard.matches("*", "", caseInsensitive: false))
        #expect(Wildcard.matches("a*b*c", "aXXbYYc", caseInsensitive: false))
        #expect(!Wildcard.matches("a*b*c", "aXXbYY", caseInsensitive: false))
        #expect(Wildcard.matchesEveryAction("*:*") && Wildcard.matchesEveryAction("**") && !Wildcard.matchesEveryAction("s3:*"))
        // Linear: a pathological pattern on a long text answers at once.
        let text = String(repeating: "a", count: 20_000)
        let start = Date()
        #expect(!Wildcard.matches(String(repeating: "*a", count: 200) + "b", text, caseInsensitive: false))
        #expect(Date().timeIntervalSince(start) < 2)
    }

    // MARK: - The oracles

    static let oracle = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/policy_oracle.py")

    /// Whether python3 can import both oracle packages.
    static let oraclesAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import policyuniverse, principalmapper"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    struct OracleAnswer: Decodable {
        let name: String
        let services: [String]
        let iam_write: Bool
        let decisions: [String]
        let pmapper_admin: Bool
    }

    static func askOracle() throws -> [OracleAnswer] {
        var input: [[String: Any]] = []
        for policyCase in policyTable {
            let text = policyCase.document.hasPrefix("{") ? policyCase.document
                : (policyCase.document.removingPercentEncoding ?? "")
            input.append(["name": policyCase.name,
                          "document": try JSONSerialization.jsonObject(with: Data(text.utf8)),
                          "probes": commonProbes.map { [$0.0, $0.1] }])
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", oracle.path]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OracleError(message: String(decoding: errors, as: UTF8.self))
        }
        return try JSONDecoder().decode([OracleAnswer].self, from: output)
    }

    struct OracleError: Error, CustomStringConvertible {
        let message: String
        var description: String { "policy_oracle.py failed: \(message)" }
    }

    @Test(.enabled(if: oraclesAvailable,
                   "needs python3 with policyuniverse and principalmapper: pip install policyuniverse principalmapper"))
    func agreesWithPolicyuniverseAndPrincipalmapper() throws {
        let answers = try Self.askOracle()
        #expect(answers.count == policyTable.count)
        var compared = 0
        for (policyCase, answer) in zip(policyTable, answers) {
            let evaluator = try Self.evaluator(policyCase)
            let summary = evaluator.summary()
            // policyuniverse: the services reached, by expanding wildcards and NotAction over its catalogue.
            let services = summary.services == ["*"] ? ActionCatalogue.servicePrefixes : summary.services
            #expect(services == answer.services, "\(policyCase.name): services")
            // policyuniverse expands `*` only: an action with `?` stays a literal it has no category for
            // (principalmapper, below, matches `?` as IAM does).
            if !policyCase.document.contains("?") {
                #expect(summary.iamWrite == answer.iam_write, "\(policyCase.name): iam_write")
            }
            // principalmapper: each probe's decision where ours does not depend on a condition.
            for ((action, resource), theirs) in zip(commonProbes, answer.decisions) {
                let ours = PolicyDecisionKind(evaluator.decide(action: action, resource: resource))
                guard ours != .notEvaluated else { continue }
                compared += 1
                #expect(ours.rawValue == theirs, "\(policyCase.name): \(action) on \(resource)")
            }
            // principalmapper's admin (it can make itself admin) is one kind of privilege escalation: where it
            // says so, we do too, or we report the condition that decides it.
            if answer.pmapper_admin {
                let conditional = summary.notEvaluated.contains { $0.contains("with a condition on") }
                #expect(summary.privilegeEscalation || conditional, "\(policyCase.name): escalation")
            }
            // Our admin implies theirs.
            if summary.admin { #expect(answer.pmapper_admin, "\(policyCase.name): admin") }
        }
        #expect(compared > 300)
    }
}

/// The level that orders cleanup and labels failing keys.
@Suite struct PrivilegeLevelTests {
    @Test func levels() throws {
        func level(_ document: String) throws -> PrivilegeLevel {
            PrivilegeLevel(PolicyEvaluator(policies: [NamedPolicy(name: "p", document: try PolicyDocument(text: document))]).summary())
        }
        #expect(try level(#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#) == .admin)
        #expect(try level(#"{"Statement": {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"}}"#) == .privilegeEscalation)
        #expect(try level(#"{"Statement": {"Effect": "Allow", "Action": "iam:TagUser", "Resource": "*"}}"#) == .iamWrite)
        #expect(try level(#"{"Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}"#) == .limited)
        #expect(PrivilegeLevel(admin: nil, privilegeEscalation: nil, iamWrite: nil) == .unknown)
        #expect(PrivilegeLevel.allCases.sorted() == [.admin, .privilegeEscalation, .iamWrite, .unknown, .limited])
        #expect(PrivilegeLevel.admin.label == "admin")
    }
}

/// Trust policies: who may assume a role.
@Suite struct TrustPolicyTests {
    let account = "123456789012"
    let ann = "arn:aws:iam::123456789012:user/ann"

    @Test func principals() throws {
        let root = try TrustPolicy(text: #"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}"#)
        #expect(root.trusts(principalArn: ann, account: account))
        #expect(!root.trusts(principalArn: "arn:aws:iam::999999999999:user/x", account: "999999999999"))
        let user = try TrustPolicy(text: #"{"Statement": {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:user/bob"]}, "Action": ["sts:AssumeRole", "sts:TagSession"]}}"#)
        #expect(!user.trusts(principalArn: ann, account: account))
        #expect(user.trusts(principalArn: "arn:aws:iam::123456789012:user/bob", account: account))
        let service = try TrustPolicy(text: #"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#)
        #expect(!service.trusts(principalArn: ann, account: account))
        let withMFA = try TrustPolicy(text: #"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}"#)
        #expect(!withMFA.trusts(principalArn: ann, account: account) && withMFA.conditional == ["Statement[0]"])
        let encoded = try TrustPolicy(text: "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22123456789012%22%7D%2C%22Action%22%3A%22sts%3A%2A%22%7D%7D")
        #expect(encoded.trusts(principalArn: ann, account: account))
        #expect(throws: PolicyDocumentError.self) { try TrustPolicy(text: "[") }
    }
}
