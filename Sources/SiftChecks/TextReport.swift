/// The terminal form of a run: one block per check, then the score and the comparison.
enum TextReport {
    static func render(_ report: CheckRunReport) -> String {
        var lines: [String] = []
        for result in report.results {
            let check = result.check
            var head = "\(result.status.rawValue)  \(check.id)  \(check.severity.rawValue)  \(check.title)"
            if !result.parameters.isEmpty { head += "  [\(ReportText.parameters(result.parameters))]" }
            lines.append(head)
            let new = Set(result.changes.new.map(\.id))
            for resource in result.failing {
                let mark = result.changes.previousRunID == nil ? "" : (new.contains(resource.id) ? "  (new)" : "  (still failing)")
                let owner = ReportText.owner(resource)
                let risk = resource.privilege.map { "  risk: \($0)" } ?? ""
                lines.append("    \(resource.id)  \(resource.kind)\(owner.isEmpty ? "" : "  \(owner)")\(risk)\(mark)")
            }
            for resource in result.changes.resolved {
                let owner = ReportText.owner(resource)
                lines.append("    resolved: \(resource.id)  \(resource.kind)\(owner.isEmpty ? "" : "  \(owner)")")
            }
            for resource in result.exempt {
                let owner = ReportText.owner(resource)
                lines.append("    exempt (protected): \(resource.id)  \(resource.kind)\(owner.isEmpty ? "" : "  \(owner)")")
            }
        }
        let score = report.score
        let passed = report.results.filter { $0.status == .pass }.count
        let totals = report.changeTotals
        lines.append("")
        lines.append("score: \(ReportText.score(score.value)) (weight passed \(score.passedWeight) of \(score.totalWeight))")
        lines.append("checks: \(passed) passed, \(report.results.count - passed) failed; findings: \(report.findingCount) (\(report.failingNodeIDs.count) distinct resources)")
        let compared = report.results.contains { $0.changes.previousRunID != nil }
        lines.append(compared
            ? "since the previous run: \(totals.new) new, \(totals.resolved) resolved, \(totals.stillFailing) still failing"
            : "first run of these checks: nothing to compare with")
        lines.append("run: #\(report.runID) at \(ReportText.iso(report.startedAt))")
        return lines.joined(separator: "\n") + "\n"
    }
}
