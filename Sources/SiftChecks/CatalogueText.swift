/// The text of `check list` and `check show ID`.
public enum CatalogueText {
    /// One line per check: id, severity, category, title (with default parameter values).
    public static func list(_ checks: [CheckDefinition]) -> String {
        let idWidth = checks.map(\.id.count).max() ?? 0
        let lines = checks.map { check in
            let title = (try? CheckTemplate.render(check.title, values: check.defaultValues)) ?? check.title
            return check.id.padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  "
                + check.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                + check.category + "  " + title
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Everything about one check: texts with the given parameter values filled in (defaults when nil).
    public static func show(_ check: CheckDefinition, values: [String: Int]? = nil) -> String {
        let values = values ?? check.defaultValues
        func fill(_ text: String) -> String { (try? CheckTemplate.render(text, values: values)) ?? text }
        var lines = [
            "\(check.id): \(fill(check.title))",
            "severity: \(check.severity.rawValue)",
            "category: \(check.category)",
        ]
        if check.parameters.isEmpty {
            lines.append("parameters: none")
        } else {
            lines.append("parameters:")
            for parameter in check.parameters {
                lines.append("  \(parameter.name) = \(values[parameter.name] ?? parameter.defaultValue)"
                    + " (default \(parameter.defaultValue), \(parameter.minimum)...\(parameter.maximum)): \(parameter.description)")
            }
        }
        lines.append(check.queries.count == 1 ? "query:" : "queries (failing = union):")
        lines += check.queries.map { "  search \(fill($0))" }
        lines.append("risk: \(check.risk)")
        lines.append("remediation:")
        lines += check.remediation.enumerated().map { "  \($0.offset + 1). \(fill($0.element))" }
        lines.append("verification:")
        lines += check.verification.enumerated().map { "  \($0.offset + 1). \(fill($0.element))" }
        if !check.references.isEmpty {
            lines.append("references:")
            lines += check.references.map { "  - \($0)" }
        }
        if let notes = check.notes { lines.append("notes: \(notes)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

import Foundation
