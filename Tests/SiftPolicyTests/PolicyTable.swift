import SiftPolicy

/// What a case expects of the summary's services.
enum ExpectedServices: Sendable {
    /// Exactly these prefixes.
    case list([String])
    /// Every known prefix (`["*"]`).
    case all
    /// Every known prefix but these.
    case allExcept([String])

    var prefixes: [String] {
        switch self {
        case .list(let list): return list.sorted()
        case .all: return ActionCatalogue.servicePrefixes
        case .allExcept(let gone): return ActionCatalogue.servicePrefixes.filter { !gone.contains($0) }
        }
    }
}

/// One policy document and the summary it must give.
struct PolicyCase: Sendable {
    let name: String
    let document: String
    let admin: Bool
    let iamWrite: Bool
    /// The escalation actions, sorted.
    let escalation: [String]
    let services: ExpectedServices
    /// How many conditional statements are reported as not evaluated.
    let conditions: Int
    /// Hand-checked decisions: (action, resource, expected).
    let decisions: [(String, String, PolicyDecisionKind)]

    init(_ name: String, _ document: String, admin: Bool = false, iamWrite: Bool = false, escalation: [String] = [],
         services: ExpectedServices, conditions: Int = 0, decisions: [(String, String, PolicyDecisionKind)] = []) {
        self.name = name
        self.document = document
        self.admin = admin
        self.iamWrite = iamWrite
        self.escalation = escalation.sorted()
        self.services = services
        self.conditions = conditions
        self.decisions = decisions
    }
}

/// A decision without its reasons, for comparisons.
enum PolicyDecisionKind: String, Sendable {
    case allowed, denied, implicit, notEvaluated

    init(_ decision: PolicyDecision) {
        switch decision {
        case .allowed: self = .allowed
        case .explicitlyDenied: self = .denied
        case .implicitlyDenied: self = .implicit
        case .notEvaluated: self = .notEvaluated
        }
    }
}

/// Every escalation a full admin has.
let allEscalations = PolicyEvaluator.escalationActions + PolicyEvaluator.passRoleTargets.map { "iam:PassRole+\($0)" }
let iamEscalations = PolicyEvaluator.escalationActions.filter { $0.hasPrefix("iam:") }
let nonIAMEscalations = ["glue:UpdateDevEndpoint", "lambda:UpdateFunctionCode"]
let me = "arn:aws:iam::123456789012:user/probe"

func doc(_ statements: String) -> String { #"{"Version": "2012-10-17", "Statement": \#(statements)}"# }

/// Probes sent to both this evaluator and principalmapper for every case.
let commonProbes: [(String, String)] = [
    ("iam:CreateAccessKey", "arn:aws:iam::123456789012:user/admin"),
    ("iam:PutUserPolicy", me),
    ("iam:GetUser", me),
    ("iam:PassRole", "arn:aws:iam::123456789012:role/app"),
    ("s3:GetObject", "arn:aws:s3:::bucket/key"),
    ("s3:GetObject", "arn:aws:s3:::secret/x"),
    ("s3:DeleteBucket", "arn:aws:s3:::secret"),
    ("ec2:RunInstances", "arn:aws:ec2:us-east-1:123456789012:instance/*"),
    ("lambda:UpdateFunctionCode", "arn:aws:lambda:us-east-1:123456789012:function:f"),
    ("sts:AssumeRole", "arn:aws:iam::123456789012:role/app"),
]

/// The table: 46 documents (wildcards, NotAction, NotResource, Deny over Allow, single statement objects,
/// service prefixes, conditions) with their expected summaries.
let policyTable: [PolicyCase] = [
    PolicyCase("admin star", doc(#"[{"Effect": "Allow", "Action": "*", "Resource": "*"}]"#),
               admin: true, iamWrite: true, escalation: allEscalations, services: .all,
               decisions: [("s3:GetObject", "arn:aws:s3:::any", .allowed)]),
    PolicyCase("admin star colon star", doc(#"[{"Effect": "Allow", "Action": "*:*", "Resource": "*"}]"#),
               admin: true, iamWrite: true, escalation: allEscalations, services: .all),
    PolicyCase("admin single statement object", doc(#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#),
               admin: true, iamWrite: true, escalation: allEscalations, services: .all),
    PolicyCase("admin lists", doc(#"[{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]"#),
               admin: true, iamWrite: true, escalation: allEscalations, services: .all),
    PolicyCase("admin with a specific resource beside *", doc(#"[{"Effect": "Allow", "Action": "*", "Resource": ["arn:aws:s3:::b", "*"]}]"#),
               admin: true, iamWrite: true, escalation: allEscalations, services: .all),
    PolicyCase("admin minus iam by Deny", doc(#"[{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]"#),
               escalation: nonIAMEscalations, services: .allExcept(["iam"]),
               decisions: [("iam:CreateAccessKey", "arn:aws:iam::1:user/x", .denied), ("s3:GetObject", "arn:aws:s3:::b/k", .allowed)]),
    PolicyCase("admin only with MFA (condition)", doc(#"[{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]"#),
               services: .list([]), conditions: 1,
               decisions: [("s3:GetObject", "arn:aws:s3:::b/k", .notEvaluated)]),
    PolicyCase("admin with a conditional Deny", doc(#"[{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]"#),
               admin: true, iamWrite: true, escalation: allEscalations, services: .all, conditions: 1,
               decisions: [("s3:GetObject", "arn:aws:s3:::b/k", .notEvaluated)]),
    PolicyCase("NotAction is not admin", doc(#"[{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]"#),
               escalation: nonIAMEscalations, services: .allExcept(["iam"]),
               decisions: [("iam:PutUserPolicy", me, .implicit), ("ec2:RunInstances", "*", .allowed)]),
    PolicyCase("PowerUserAccess", doc(#"[{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}, {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization", "account:ListRegions", "account:GetAccountInformation"], "Resource": "*"}]"#),
               iamWrite: true, escalation: nonIAMEscalations, services: .all),
    PolicyCase("NotAction several services", doc(#"[{"Effect": "Allow", "NotAction": ["iam:*", "sts:*", "s3:*"], "Resource": "*"}]"#),
               escalation: nonIAMEscalations, services: .allExcept(["iam", "sts", "s3"])),
    PolicyCase("NotAction partial keeps the service", doc(#"[{"Effect": "Allow", "NotAction": "iam:Get*", "Resource": "*"}]"#),
               iamWrite: true, escalation: allEscalations, services: .all),
    PolicyCase("S3 read", doc(#"[{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}]"#),
               services: .list(["s3"]), decisions: [("s3:PutObject", "arn:aws:s3:::b/k", .implicit)]),
    PolicyCase("S3 on one bucket", doc(#"{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]}"#),
               services: .list(["s3"]),
               decisions: [("s3:GetObject", "arn:aws:s3:::bucket/a/b", .allowed), ("s3:GetObject", "arn:aws:s3:::bucket2/a", .implicit)]),
    PolicyCase("S3 NotResource", doc(#"[{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}]"#),
               services: .list(["s3"])),
    PolicyCase("NotResource star reaches nothing", doc(#"[{"Effect": "Allow", "Action": "*", "NotResource": "*"}]"#),
               services: .list([]), decisions: [("s3:GetObject", "arn:aws:s3:::b/k", .implicit)]),
    PolicyCase("Deny overrides Allow", doc(#"[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]"#),
               services: .list([]), decisions: [("s3:GetObject", "arn:aws:s3:::b/k", .denied)]),
    PolicyCase("Deny of one action keeps the service", doc(#"[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]"#),
               services: .list(["s3"]), decisions: [("s3:deletebucket", "arn:aws:s3:::b", .denied)]),
    PolicyCase("Deny on one user only", doc(#"[{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}, {"Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::123456789012:user/admin"}]"#),
               iamWrite: true, escalation: iamEscalations, services: .list(["iam"])),
    PolicyCase("Deny NotAction keeps only S3", doc(#"[{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}]"#),
               services: .list(["s3"])),
    PolicyCase("Deny of CreateAccessKey", doc(#"[{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}, {"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "*"}]"#),
               iamWrite: true, escalation: iamEscalations.filter { $0 != "iam:CreateAccessKey" }, services: .list(["iam"])),
    PolicyCase("IAM read only", doc(#"[{"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "iam:GenerateCredentialReport"], "Resource": "*"}]"#),
               services: .list(["iam"])),
    PolicyCase("IAM full", doc(#"[{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]"#),
               iamWrite: true, escalation: iamEscalations, services: .list(["iam"])),
    PolicyCase("CreateAccessKey", doc(#"[{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"}]"#),
               iamWrite: true, escalation: ["iam:CreateAccessKey"], services: .list(["iam"])),
    PolicyCase("PutUserPolicy on itself", doc(#"[{"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": "arn:aws:iam::123456789012:user/probe"}]"#),
               iamWrite: true, escalation: ["iam:PutUserPolicy"], services: .list(["iam"])),
    PolicyCase("AttachUserPolicy", doc(#"[{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"}]"#),
               iamWrite: true, escalation: ["iam:AttachUserPolicy"], services: .list(["iam"])),
    PolicyCase("AttachUserPolicy only for a named policy (condition)", doc(#"[{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*", "Condition": {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}}}]"#),
               services: .list([]), conditions: 1),
    PolicyCase("CreateRole and AttachRolePolicy", doc(#"[{"Effect": "Allow", "Action": ["iam:CreateRole", "iam:AttachRolePolicy"], "Resource": "*"}]"#),
               iamWrite: true, escalation: ["iam:AttachRolePolicy"], services: .list(["iam"])),
    PolicyCase("PutRolePolicy", doc(#"[{"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "*"}]"#),
               iamWrite: true, escalation: ["iam:PutRolePolicy"], services: .list(["iam"])),
    PolicyCase("CreatePolicyVersion", doc(#"[{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"}]"#),
               iamWrite: true, escalation: ["iam:CreatePolicyVersion"], services: .list(["iam"])),
    PolicyCase("SetDefaultPolicyVersion", doc(#"[{"Effect": "Allow", "Action": "iam:SetDefaultPolicyVersion", "Resource": "*"}]"#),
               iamWrite: true, escalation: ["iam:SetDefaultPolicyVersion"], services: .list(["iam"])),
    PolicyCase("AddUserToGroup", doc(#"[{"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": "*"}]"#),
               iamWrite: true, escalation: ["iam:AddUserToGroup"], services: .list(["iam"])),
    PolicyCase("UpdateAssumeRolePolicy", doc(#"[{"Effect": "Allow", "Action": "iam:UpdateAssumeRolePolicy", "Resource": "*"}]"#),
               iamWrite: true, escalation: ["iam:UpdateAssumeRolePolicy"], services: .list(["iam"])),
    PolicyCase("Login profiles", doc(#"[{"Effect": "Allow", "Action": ["iam:CreateLoginProfile", "iam:UpdateLoginProfile"], "Resource": "*"}]"#),
               iamWrite: true, escalation: ["iam:CreateLoginProfile", "iam:UpdateLoginProfile"], services: .list(["iam"])),
    PolicyCase("PassRole on * with RunInstances", doc(#"[{"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}]"#),
               iamWrite: true, escalation: ["iam:PassRole+ec2:RunInstances"], services: .list(["ec2", "iam"])),
    PolicyCase("PassRole on one role with RunInstances", doc(#"[{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/app"}, {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}]"#),
               iamWrite: true, services: .list(["ec2", "iam"])),
    PolicyCase("PassRole alone", doc(#"[{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]"#),
               iamWrite: true, services: .list(["iam"])),
    PolicyCase("PassRole with lambda and cloudformation", doc(#"[{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "cloudformation:CreateStack"], "Resource": "*"}]"#),
               iamWrite: true, escalation: ["iam:PassRole+cloudformation:CreateStack", "iam:PassRole+lambda:CreateFunction"],
               services: .list(["cloudformation", "iam", "lambda"])),
    PolicyCase("lambda UpdateFunctionCode", doc(#"[{"Effect": "Allow", "Action": "lambda:UpdateFunctionCode", "Resource": "*"}]"#),
               escalation: ["lambda:UpdateFunctionCode"], services: .list(["lambda"])),
    PolicyCase("glue UpdateDevEndpoint", doc(#"[{"Effect": "Allow", "Action": "glue:UpdateDevEndpoint", "Resource": "*"}]"#),
               escalation: ["glue:UpdateDevEndpoint"], services: .list(["glue"])),
    PolicyCase("actions without case", doc(#"[{"Effect": "Allow", "Action": "IAM:createaccesskey", "Resource": "*"}]"#),
               iamWrite: true, escalation: ["iam:CreateAccessKey"], services: .list(["iam"]),
               decisions: [("iam:CreateAccessKey", "arn:aws:iam::1:user/x", .allowed)]),
    PolicyCase("question mark", doc(#"[{"Effect": "Allow", "Action": "iam:?reateAccessKey", "Resource": "*"}]"#),
               iamWrite: true, escalation: ["iam:CreateAccessKey"], services: .list(["iam"])),
    PolicyCase("tagging is IAM write", doc(#"[{"Effect": "Allow", "Action": "iam:TagUser", "Resource": "*"}]"#),
               iamWrite: true, services: .list(["iam"])),
    PolicyCase("ChangePassword is IAM write", doc(#"[{"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": "*"}]"#),
               iamWrite: true, services: .list(["iam"])),
    PolicyCase("service prefix wildcard", doc(#"[{"Effect": "Allow", "Action": "s3*:*", "Resource": "*"}]"#),
               services: .list(["s3", "s3-object-lambda", "s3-outposts"])),
    PolicyCase("two services in two statements", doc(#"[{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}, {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q"}]"#),
               services: .list(["ec2", "sqs"])),
    PolicyCase("conditional deny of iam on top of iam full", doc(#"[{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}, {"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]"#),
               iamWrite: true, escalation: iamEscalations, services: .list(["iam"]), conditions: 1,
               decisions: [("iam:CreateAccessKey", "arn:aws:iam::1:user/x", .notEvaluated)]),
    PolicyCase("URL-encoded document",
               "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22s3%3AGet%2A%22%2C%20%22Resource%22%3A%20%22%2A%22%7D%7D",
               services: .list(["s3"])),
]
