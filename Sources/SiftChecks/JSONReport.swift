/// The JSON form of a run; its shape is `docs/check-report.schema.json`.
enum JSONReport {
    static func render(_ report: CheckRunReport) -> String {
        let score = report.score
        let totals = report.changeTotals
        let document = Document(
            format: "sift-check-report/1",
            runID: report.runID,
            startedAt: ReportText.iso(report.startedAt),
            score: (score.value * 10).rounded() / 10,
            passedWeight: score.passedWeight,
            totalWeight: score.totalWeight,
            passed: report.results.filter { $0.status == .pass }.count,
            failed: report.results.filter { $0.status == .fail }.count,
            changes: Totals(new: totals.new, resolved: totals.resolved, stillFailing: totals.stillFailing),
            checks: report.results.map(Check.init),
            history: report.history.map { Point(runID: $0.runID, at: ReportText.iso($0.at), score: ($0.score * 10).rounded() / 10) })
        return ReportText.json(document)
    }

    struct Document: Encodable {
        var format: String
        var runID: Int64
        var startedAt: String
        var score: Double
        var passedWeight: Int
        var totalWeight: Int
        var passed: Int
        var failed: Int
        var changes: Totals
        var checks: [Check]
        var history: [Point]

        enum CodingKeys: String, CodingKey {
            case format, runID = "run_id", startedAt = "started_at", score, passedWeight = "passed_weight"
            case totalWeight = "total_weight", passed, failed, changes, checks, history
        }
    }

    struct Totals: Encodable {
        var new: Int
        var resolved: Int
        var stillFailing: Int

        enum CodingKeys: String, CodingKey { case new, resolved, stillFailing = "still_failing" }
    }

    struct Point: Encodable {
        var runID: Int64
        var at: String
        var score: Double

        enum CodingKeys: String, CodingKey { case runID = "run_id", at, score }
    }

    struct Resource: Encodable {
        var id: String
        var kind: String
        var name: String?
        var userName: String?
        var accountID: String?
        var accountName: String?
        var arn: String?
        var risk: String?

        init(_ resource: FailingResource) {
            id = resource.id
            kind = resource.kind
            name = resource.name
            userName = resource.userName
            accountID = resource.accountID
            accountName = resource.accountName
            arn = resource.arn
            risk = resource.privilege
        }

        enum CodingKeys: String, CodingKey {
            case id, kind, name, userName = "user_name", accountID = "account_id", accountName = "account_name", arn, risk
        }
    }

    struct Check: Encodable {
        var id: String
        var title: String
        var category: String
        var severity: String
        var status: String
        var parameters: [String: Int]
        var queries: [String]
        var failing: [Resource]
        var previousRunID: Int64?
        var new: [String]
        var stillFailing: [String]
        var resolved: [Resource]
        var exempt: [Resource]
        var risk: String
        var remediation: [String]
        var verification: [String]

        init(_ result: CheckResult) {
            id = result.check.id
            title = result.check.title
            category = result.check.category
            severity = result.check.severity.rawValue
            status = result.status.rawValue
            parameters = result.parameters
            queries = result.check.queries
            failing = result.failing.map(Resource.init)
            previousRunID = result.changes.previousRunID
            new = result.changes.new.map(\.id)
            stillFailing = result.changes.stillFailing.map(\.id)
            resolved = result.changes.resolved.map(Resource.init)
            exempt = result.exempt.map(Resource.init)
            risk = result.check.risk
            remediation = result.check.remediation
            verification = result.check.verification
        }

        enum CodingKeys: String, CodingKey {
            case id, title, category, severity, status, parameters, queries, failing
            case previousRunID = "previous_run_id", new, stillFailing = "still_failing", resolved, exempt, risk, remediation, verification
        }
    }
}
