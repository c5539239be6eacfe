import Foundation
import SiftQuery
import SiftSchema

/// The posture-check catalogue: every check, in file order, looked up by id.
public struct CheckCatalogue: Sendable {
    /// Every check, in the order of the catalogue files.
    public let checks: [CheckDefinition]
    private let byID: [String: Int]

    /// The catalogue embedded from `Schema/checks/`.
    ///
    /// The data is validated by the tests; a malformed file stops the program at start-up
    /// rather than running half a catalogue.
    public static let builtin: CheckCatalogue = {
        do {
            return try CheckCatalogue(files: SiftSchema.checkCatalogues)
        } catch {
            fatalError("embedded check catalogue: \(error)")
        }
    }()

    /// Loads and validates catalogue files (`{"category": ..., "checks": [...]}` each).
    public init(files: [(file: String, json: [UInt8])]) throws(CheckError) {
        var checks: [CheckDefinition] = []
        for (file, json) in files {
            let decoded: CatalogueFile
            do {
                decoded = try JSONDecoder().decode(CatalogueFile.self, from: Data(json))
            } catch {
                throw .invalidCatalogue(file: file, check: nil, message: "\(error)")
            }
            for entry in decoded.checks {
                let check = entry.definition(category: decoded.category)
                try Self.validate(check, file: file)
                checks.append(check)
            }
        }
        try self.init(checks: checks)
    }

    /// A catalogue of the given checks; ids must be unique.
    public init(checks: [CheckDefinition]) throws(CheckError) {
        var byID: [String: Int] = [:]
        for (index, check) in checks.enumerated() {
            guard byID[check.id] == nil else {
                throw .invalidCatalogue(file: "catalogue", check: check.id, message: "duplicate id")
            }
            byID[check.id] = index
        }
        self.checks = checks
        self.byID = byID
    }

    /// The check with this id, or `CheckError.unknownCheck` listing the close ids.
    public func check(id: String) throws(CheckError) -> CheckDefinition {
        if let index = byID[id] { return checks[index] }
        throw .unknownCheck(id: id, suggestions: suggestions(for: id))
    }

    /// Ids close to `text`: ids it is a prefix or part of, and ids within a small edit distance.
    public func suggestions(for text: String) -> [String] {
        let wanted = text.lowercased()
        guard !wanted.isEmpty else { return [] }
        let limit = max(2, wanted.count / 3)
        let scored: [(String, Int)] = checks.compactMap { check in
            let id = check.id
            if id.hasPrefix(wanted) || id.contains(wanted) { return (id, 0) }
            if Self.wordsMatch(wanted, id) { return (id, 1) }
            let short = id.split(separator: ".").last.map(String.init) ?? id
            let distance = min(Suggestion.editDistance(wanted, id), Suggestion.editDistance(wanted, short))
            return distance <= limit ? (id, distance) : nil
        }
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(5).map(\.0)
    }

    /// Whether every word of `text` (split at `.` and `_`) starts a word of `id`: `iam.unused_key`
    /// matches `iam.unused_access_keys`.
    static func wordsMatch(_ text: String, _ id: String) -> Bool {
        func words(_ s: String) -> [Substring] { s.split(whereSeparator: { $0 == "." || $0 == "_" }) }
        let idWords = words(id)
        let textWords = words(text)
        return textWords.count >= 2 && textWords.allSatisfy { word in idWords.contains { $0.hasPrefix(word) } }
    }

    /// The checks to run: the given ids (all checks when empty), then those of at least `minimumSeverity`.
    public func select(ids: [String], minimumSeverity: Severity?) throws(CheckError) -> [CheckDefinition] {
        var chosen: [CheckDefinition] = []
        if ids.isEmpty {
            chosen = checks
        } else {
            var seen = Set<String>()
            for id in ids where seen.insert(id).inserted {
                chosen.append(try check(id: id))
            }
        }
        if let minimumSeverity {
            chosen = chosen.filter { $0.severity >= minimumSeverity }
            if chosen.isEmpty {
                throw .nothingSelected("severity \(minimumSeverity.rawValue) or higher"
                    + (ids.isEmpty ? "" : " among \(ids.joined(separator: ", "))"))
            }
        }
        return chosen
    }

    private static func validate(_ check: CheckDefinition, file: String) throws(CheckError) {
        func fail(_ message: String) -> CheckError { .invalidCatalogue(file: file, check: check.id, message: message) }
        let idShape = check.id.split(separator: ".", omittingEmptySubsequences: false)
        guard idShape.count >= 2, idShape.allSatisfy({ part in
            !part.isEmpty && part.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }
        }) else { throw fail("id must be lower-case words joined by dots (category.name)") }
        guard !check.queries.isEmpty else { throw fail("no query") }
        guard !check.remediation.isEmpty, !check.verification.isEmpty else { throw fail("remediation and verification steps are required") }
        var names = Set<String>()
        for parameter in check.parameters {
            guard names.insert(parameter.name).inserted else { throw fail("parameter \(parameter.name) declared twice") }
            guard parameter.minimum <= parameter.defaultValue, parameter.defaultValue <= parameter.maximum else {
                throw fail("parameter \(parameter.name): default \(parameter.defaultValue) outside \(parameter.minimum)...\(parameter.maximum)")
            }
        }
        let texts = [check.title] + check.queries + check.remediation + check.verification
        for text in texts {
            let found: [String]
            do { found = try CheckTemplate.placeholders(in: text) } catch { throw fail("\(error) in `\(text)`") }
            if let unknown = found.first(where: { !names.contains($0) }) {
                throw fail("'{{\(unknown)}}' names no parameter of the check")
            }
        }
    }
}

/// One catalogue file as stored.
private struct CatalogueFile: Decodable {
    var category: String
    var checks: [Entry]

    struct Entry: Decodable {
        var id: String
        var title: String
        var severity: Severity
        var queries: [String]
        var parameters: [CheckParameter]?
        var risk: String
        var remediation: [String]
        var verification: [String]
        var references: [String]?
        var notes: String?

        func definition(category: String) -> CheckDefinition {
            CheckDefinition(
                id: id, title: title, category: category, severity: severity, queries: queries,
                parameters: parameters ?? [], risk: risk, remediation: remediation,
                verification: verification, references: references ?? [], notes: notes)
        }
    }
}
