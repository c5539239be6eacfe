import Foundation

/// A role's trust policy, reduced to what decides whether an IAM principal of the account may assume it:
/// the AWS principals its unconditional `Allow` statements for `sts:AssumeRole` name.
public struct TrustPolicy: Sendable, Hashable {
    /// AWS principals trusted without a condition: ARNs (`arn:aws:iam::123456789012:root`,
    /// `arn:aws:iam::123456789012:user/ann`), account ids, or `*`.
    public var principals: [String]
    /// Statements that would trust someone under a condition (not evaluated), by index.
    public var conditional: [String]

    /// Reads a trust policy from JSON or URL-encoded JSON; statements without AWS principals (services,
    /// federated) or for other actions are left out. A document that is not readable throws.
    public init(text: String) throws(PolicyDocumentError) {
        var json = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !json.hasPrefix("{") { json = json.removingPercentEncoding ?? json }
        guard json.utf8.count <= PolicyDocument.maxBytes,
              let root = try? JSONSerialization.jsonObject(with: Data(json.utf8)),
              let object = root as? [String: Any] else {
            throw PolicyDocumentError(path: "document", message: "not a JSON object")
        }
        let statements: [Any]
        if let list = object["Statement"] as? [Any] {
            statements = list
        } else if let one = object["Statement"] as? [String: Any] {
            statements = [one]
        } else {
            throw PolicyDocumentError(path: "Statement", message: "expected an object or a list of objects")
        }
        var principals: [String] = []
        var conditional: [String] = []
        for (index, item) in statements.prefix(PolicyDocument.maxStatements).enumerated() {
            guard let statement = item as? [String: Any], statement["Effect"] as? String == "Allow" else { continue }
            let actions = Self.strings(statement["Action"])
            guard actions.contains(where: { Wildcard.matches($0, "sts:AssumeRole", caseInsensitive: true) }) else { continue }
            let aws: [String]
            if let principal = statement["Principal"] as? String {
                aws = principal == "*" ? ["*"] : []
            } else if let principal = statement["Principal"] as? [String: Any] {
                aws = Self.strings(principal["AWS"])
            } else {
                aws = []
            }
            guard !aws.isEmpty else { continue }
            if statement["Condition"] != nil {
                conditional.append("Statement[\(index)]")
            } else {
                principals.append(contentsOf: aws)
            }
        }
        self.principals = principals
        self.conditional = conditional
    }

    private static func strings(_ value: Any?) -> [String] {
        if let text = value as? String { return [text] }
        return (value as? [Any])?.compactMap { $0 as? String } ?? []
    }

    /// Whether a principal of `account` with ARN `principalArn` is trusted (the account's root or its id
    /// trusts every principal of the account that its own policies allow `sts:AssumeRole`).
    public func trusts(principalArn: String, account: String) -> Bool {
        principals.contains { trusted in
            trusted == "*" || trusted == account || trusted == principalArn
                || trusted.hasSuffix(":iam::\(account):root")
        }
    }
}
