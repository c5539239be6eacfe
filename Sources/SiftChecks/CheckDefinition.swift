/// One posture check of the catalogue, as kept in `Schema/checks/*.json`.
///
/// Texts (title, queries, remediation, verification) may hold `{{name}}` placeholders for the
/// check's parameters; `CheckTemplate` fills them with validated whole numbers.
public struct CheckDefinition: Sendable, Hashable, Codable {
    /// The check's id, `category.name` in lower case (`iam.unused_access_keys`).
    public var id: String
    /// A one-line title.
    public var title: String
    /// The category (from the catalogue file), e.g. `IAM`.
    public var category: String
    /// How much a failure matters.
    public var severity: Severity
    /// Queries in Sift's language that find the failing resources; their union is the failing set.
    public var queries: [String]
    /// The parameters the texts refer to, with defaults and ranges.
    public var parameters: [CheckParameter]
    /// Why a failure matters.
    public var risk: String
    /// How to fix a failure, step by step.
    public var remediation: [String]
    /// How to verify the fix, step by step.
    public var verification: [String]
    /// Benchmarks and documents the check follows.
    public var references: [String]
    /// Anything worth knowing about how the check decides.
    public var notes: String?

    /// Creates a check.
    public init(
        id: String, title: String, category: String, severity: Severity, queries: [String],
        parameters: [CheckParameter] = [], risk: String, remediation: [String], verification: [String],
        references: [String] = [], notes: String? = nil
    ) {
        self.id = id
        self.title = title
        self.category = category
        self.severity = severity
        self.queries = queries
        self.parameters = parameters
        self.risk = risk
        self.remediation = remediation
        self.verification = verification
        self.references = references
        self.notes = notes
    }

    /// The default value of every parameter.
    public var defaultValues: [String: Int] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.defaultValue) })
    }

    /// The parameter with this name, if the check takes it.
    public func parameter(named name: String) -> CheckParameter? {
        parameters.first { $0.name == name }
    }
}

/// A parameter of a check: a whole number with a default and an allowed range.
///
/// Only whole numbers exist, so a substituted value can never carry query syntax.
public struct CheckParameter: Sendable, Hashable, Codable {
    /// The name used in `{{name}}` and in `--param name=value`.
    public var name: String
    /// What the parameter means.
    public var description: String
    /// The value used when none is given.
    public var defaultValue: Int
    /// The smallest allowed value.
    public var minimum: Int
    /// The largest allowed value.
    public var maximum: Int

    /// Creates a parameter.
    public init(name: String, description: String, defaultValue: Int, minimum: Int, maximum: Int) {
        self.name = name
        self.description = description
        self.defaultValue = defaultValue
        self.minimum = minimum
        self.maximum = maximum
    }

    private enum CodingKeys: String, CodingKey {
        case name, description, defaultValue = "default", minimum, maximum
    }

    /// Validates a value written by a user: a whole number within the range.
    public func validate(_ text: String) throws(CheckError) -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw .invalidParameterValue(name: name, value: text, reason: "not a whole number")
        }
        guard (minimum...maximum).contains(value) else {
            throw .invalidParameterValue(name: name, value: text, reason: "must be between \(minimum) and \(maximum)")
        }
        return value
    }
}

import Foundation
