import Foundation
import SiftTime

/// The output formats of `check run`.
public enum ReportFormat: String, Sendable, Hashable, CaseIterable {
    /// Lines for a terminal: PASS/FAIL per check, failing resources, score, changes.
    case text
    /// One JSON document, described by `docs/check-report.schema.json`.
    case json
    /// SARIF 2.1.0, for code-scanning tools.
    case sarif
    /// One self-contained HTML page (inline CSS and SVG, no network).
    case html

    /// Renders a run report in this format.
    public func render(_ report: CheckRunReport) -> String {
        switch self {
        case .text: return TextReport.render(report)
        case .json: return JSONReport.render(report)
        case .sarif: return SARIFReport.render(report)
        case .html: return HTMLReport.render(report)
        }
    }
}

/// Formatting shared by the report renderers.
enum ReportText {
    /// `2026-01-31T12:00:00Z`.
    static func iso(_ date: Date) -> String {
        ISO8601.format(date)
    }

    /// The score with one decimal, `62.5`.
    static func score(_ value: Double) -> String { String(format: "%.1f", value) }

    /// `days=90, grace_days=7`, sorted by name; empty when none.
    static func parameters(_ values: [String: Int]) -> String {
        values.keys.sorted().map { "\($0)=\(values[$0] ?? 0)" }.joined(separator: ", ")
    }

    /// Who and where: `user nancy, account prod (123456789012)`.
    static func owner(_ resource: FailingResource) -> String {
        var parts: [String] = []
        if let user = resource.userName { parts.append("user \(user)") }
        if let account = resource.accountID {
            if let name = resource.accountName, name != account {
                parts.append("account \(name) (\(account))")
            } else {
                parts.append("account \(account)")
            }
        }
        return parts.joined(separator: ", ")
    }

    /// Encodes a value as pretty JSON with sorted keys.
    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
        } catch {
            // Only plain strings, numbers and arrays are encoded: this cannot fail.
            preconditionFailure("report encoding: \(error)")
        }
    }
}
