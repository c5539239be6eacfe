import Foundation

/// The SARIF 2.1.0 form of a run: one rule per check run, one result per failing resource.
///
/// Resources are cloud objects, not files, so each result's location is a logical location
/// (`kind: resource`, `fullyQualifiedName`: the ARN, or `account/user/id`) together with a
/// repository-relative physical location `aws/ACCOUNT/USER/ID` (line 1), because GitHub code
/// scanning rejects results without one; the path names the resource and is stable across runs. Levels: CRITICAL and
/// HIGH are `error`, MEDIUM `warning`, LOW and INFO `note`; `properties.security-severity` carries the
/// numeric severity code-scanning tools sort by. `baselineState` says new or unchanged since the previous run.
/// Protected resources (accepted exceptions) are results with an external, accepted suppression.
enum SARIFReport {
    static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

    static func render(_ report: CheckRunReport) -> String {
        var rules: [Rule] = []
        var results: [Result] = []
        for (index, checkResult) in report.results.enumerated() {
            let check = checkResult.check
            rules.append(Rule(check))
            let new = Set(checkResult.changes.new.map(\.id))
            let compared = checkResult.changes.previousRunID != nil
            for resource in checkResult.failing {
                results.append(result(check, index: index, resource, baselineState: compared ? (new.contains(resource.id) ? "new" : "unchanged") : nil))
            }
            for resource in checkResult.exempt {
                var exempted = result(check, index: index, resource, baselineState: nil)
                exempted.suppressions = [Suppression(kind: "external", status: "accepted",
                                                     justification: "protected in Sift (/metadata.protected)")]
                results.append(exempted)
            }
        }
        let log = Log(
            schema: schemaURI, version: "2.1.0",
            runs: [Run(
                tool: Tool(driver: Driver(name: "Sift", semanticVersion: "0.1.0", rules: rules)),
                automationDetails: AutomationDetails(id: "sift/check-run/\(report.runID)"),
                invocations: [Invocation(executionSuccessful: true, endTimeUtc: ReportText.iso(report.startedAt))],
                results: results)])
        return ReportText.json(log)
    }

    static func result(_ check: CheckDefinition, index: Int, _ resource: FailingResource, baselineState: String?) -> Result {
        let owner = ReportText.owner(resource)
        return Result(
            ruleId: check.id, ruleIndex: index, level: level(check.severity),
            message: Message(text: "\(check.title): \(resource.kind) \(resource.id)\(owner.isEmpty ? "" : " (\(owner))")"),
            locations: [Location(
                physicalLocation: PhysicalLocation(
                    artifactLocation: ArtifactLocation(uri: artifactPath(resource)), region: Region(startLine: 1)),
                logicalLocations: [LogicalLocation(
                    name: resource.id, fullyQualifiedName: resource.qualifiedName, kind: "resource")])],
            partialFingerprints: ["siftResource/v1": "\(check.id):\(resource.id)"],
            baselineState: baselineState, suppressions: nil)
    }

    /// `aws/ACCOUNT/USER/ID`, each segment percent-encoded (a relative URI reference).
    static func artifactPath(_ resource: FailingResource) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let segments = ["aws", resource.accountID ?? "unknown-account", resource.userName, resource.id].compactMap { $0 }
        return segments.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }.joined(separator: "/")
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: return "error"
        case .medium: return "warning"
        case .low, .info: return "note"
        }
    }

    static func securitySeverity(_ severity: Severity) -> String {
        switch severity {
        case .critical: return "9.5"
        case .high: return "7.5"
        case .medium: return "5.0"
        case .low: return "2.0"
        case .info: return "0.0"
        }
    }

    struct Log: Encodable {
        var schema: String
        var version: String
        var runs: [Run]
        enum CodingKeys: String, CodingKey { case schema = "$schema", version, runs }
    }

    struct Run: Encodable {
        var tool: Tool
        var automationDetails: AutomationDetails
        var invocations: [Invocation]
        var results: [Result]
    }

    struct Tool: Encodable { var driver: Driver }

    struct Driver: Encodable {
        var name: String
        var semanticVersion: String
        var rules: [Rule]
    }

    struct AutomationDetails: Encodable { var id: String }

    struct Invocation: Encodable {
        var executionSuccessful: Bool
        var endTimeUtc: String
    }

    struct Message: Encodable { var text: String }

    struct MultiformatMessage: Encodable {
        var text: String
        var markdown: String?
    }

    struct Rule: Encodable {
        var id: String
        var name: String
        var shortDescription: MultiformatMessage
        var fullDescription: MultiformatMessage
        var help: MultiformatMessage
        var defaultConfiguration: Configuration
        var properties: Properties

        init(_ check: CheckDefinition) {
            id = check.id
            name = check.id.split(separator: ".").last.map { part in
                part.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            } ?? check.id
            shortDescription = MultiformatMessage(text: check.title)
            fullDescription = MultiformatMessage(text: check.risk)
            let remediation = check.remediation.enumerated().map { "\($0.offset + 1). \($0.element)" }
            let verification = check.verification.enumerated().map { "\($0.offset + 1). \($0.element)" }
            help = MultiformatMessage(
                text: (["Remediation:"] + remediation + ["Verification:"] + verification).joined(separator: "\n"),
                markdown: (["**Remediation**", ""] + remediation + ["", "**Verification**", ""] + verification).joined(separator: "\n"))
            defaultConfiguration = Configuration(level: SARIFReport.level(check.severity))
            properties = Properties(
                tags: ["security", check.category.lowercased()],
                securitySeverity: SARIFReport.securitySeverity(check.severity),
                severity: check.severity.rawValue)
        }
    }

    struct Configuration: Encodable { var level: String }

    struct Properties: Encodable {
        var tags: [String]
        var securitySeverity: String
        var severity: String
        enum CodingKeys: String, CodingKey { case tags, securitySeverity = "security-severity", severity }
    }

    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Message
        var locations: [Location]
        var partialFingerprints: [String: String]
        var baselineState: String?
        var suppressions: [Suppression]?
    }

    struct Suppression: Encodable {
        var kind: String
        var status: String
        var justification: String
    }

    struct Location: Encodable {
        var physicalLocation: PhysicalLocation
        var logicalLocations: [LogicalLocation]
    }

    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region
    }

    struct ArtifactLocation: Encodable { var uri: String }

    struct Region: Encodable { var startLine: Int }

    struct LogicalLocation: Encodable {
        var name: String
        var fullyQualifiedName: String
        var kind: String
    }
}
