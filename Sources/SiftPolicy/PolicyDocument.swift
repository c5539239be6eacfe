import Foundation

/// Allow or Deny.
public enum PolicyEffect: String, Sendable, Hashable {
    /// The statement grants.
    case allow = "Allow"
    /// The statement denies; an explicit deny wins over every allow.
    case deny = "Deny"
}

/// Patterns a statement applies to: the listed ones (`Action`, `Resource`) or every one but them
/// (`NotAction`, `NotResource`).
public enum PatternList: Sendable, Hashable {
    /// `Action` / `Resource`: the statement applies to what one of the patterns matches.
    case only([String])
    /// `NotAction` / `NotResource`: the statement applies to what none of the patterns matches.
    case allBut([String])
}

/// One statement of an identity policy.
public struct PolicyStatement: Sendable, Hashable {
    /// Its `Sid`, if any.
    public var sid: String?
    /// Allow or Deny.
    public var effect: PolicyEffect
    /// `Action` or `NotAction`.
    public var actions: PatternList
    /// `Resource` or `NotResource`.
    public var resources: PatternList
    /// The condition keys of its `Condition` block (`aws:MultiFactorAuthPresent`, ...), sorted; empty when it
    /// has none. The evaluator does not evaluate conditions: a statement with one is reported, never applied.
    public var conditionKeys: [String]

    /// Creates a statement.
    public init(sid: String? = nil, effect: PolicyEffect, actions: PatternList, resources: PatternList,
                conditionKeys: [String] = []) {
        self.sid = sid
        self.effect = effect
        self.actions = actions
        self.resources = resources
        self.conditionKeys = conditionKeys
    }

    /// Whether it has a `Condition` block.
    public var isConditional: Bool { !conditionKeys.isEmpty }
}

/// A policy document that could not be read, with where in it.
public struct PolicyDocumentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where: `Statement[2].Action`, or `document` for the whole.
    public let path: String
    /// What is wrong.
    public let message: String

    /// Creates an error.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}

/// An identity policy document (`{"Version": ..., "Statement": [...]}`).
public struct PolicyDocument: Sendable, Hashable {
    /// The statements in order.
    public var statements: [PolicyStatement]

    /// The most statements read from one document (IAM's size limits allow a few hundred at most).
    public static let maxStatements = 10_000
    /// The most patterns in one `Action`/`Resource` list.
    public static let maxPatterns = 10_000
    /// The longest document accepted, in bytes (IAM allows 6,144 characters per managed policy; inline
    /// policies of all of a user 2,048; the text grows a little when encoded).
    public static let maxBytes = 1_000_000

    /// Creates a document from statements.
    public init(statements: [PolicyStatement]) {
        self.statements = statements
    }

    /// Reads a document from JSON text, or from the URL-encoded JSON that IAM's query API returns
    /// (`%7B%22Version%22...`): text that does not start with `{` is percent-decoded first.
    public init(text: String) throws(PolicyDocumentError) {
        var json = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !json.hasPrefix("{") {
            guard let decoded = json.removingPercentEncoding else {
                throw PolicyDocumentError(path: "document", message: "neither JSON nor URL-encoded JSON")
            }
            json = decoded.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard json.utf8.count <= Self.maxBytes else {
            throw PolicyDocumentError(path: "document", message: "longer than \(Self.maxBytes) bytes")
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        } catch {
            throw PolicyDocumentError(path: "document", message: "not valid JSON (\(error.localizedDescription))")
        }
        try self.init(json: root)
    }

    /// Reads a document from a parsed JSON value (`JSONSerialization` types).
    public init(json root: Any) throws(PolicyDocumentError) {
        guard let object = root as? [String: Any] else {
            throw PolicyDocumentError(path: "document", message: "expected a JSON object")
        }
        guard let statementValue = object["Statement"] else {
            throw PolicyDocumentError(path: "document", message: "no Statement")
        }
        let list: [Any]
        if let array = statementValue as? [Any] {
            list = array
        } else if statementValue is [String: Any] {
            list = [statementValue]
        } else {
            throw PolicyDocumentError(path: "Statement", message: "expected an object or a list of objects")
        }
        guard list.count <= Self.maxStatements else {
            throw PolicyDocumentError(path: "Statement", message: "more than \(Self.maxStatements) statements")
        }
        var statements: [PolicyStatement] = []
        for (index, item) in list.enumerated() {
            statements.append(try Self.statement(item, path: "Statement[\(index)]"))
        }
        self.statements = statements
    }

    private static func statement(_ value: Any, path: String) throws(PolicyDocumentError) -> PolicyStatement {
        guard let object = value as? [String: Any] else {
            throw PolicyDocumentError(path: path, message: "expected an object")
        }
        guard let effectText = object["Effect"] as? String else {
            throw PolicyDocumentError(path: "\(path).Effect", message: "missing or not a string")
        }
        guard let effect = PolicyEffect(rawValue: effectText) else {
            throw PolicyDocumentError(path: "\(path).Effect", message: "'\(effectText)' is neither Allow nor Deny")
        }
        let actions = try patterns(object, "Action", "NotAction", path: path)
        let resources = try patterns(object, "Resource", "NotResource", path: path)
        var keys: [String] = []
        if let condition = object["Condition"] {
            guard let operators = condition as? [String: Any] else {
                throw PolicyDocumentError(path: "\(path).Condition", message: "expected an object")
            }
            for (op, block) in operators {
                guard let entries = block as? [String: Any] else {
                    throw PolicyDocumentError(path: "\(path).Condition.\(op)", message: "expected an object")
                }
                keys.append(contentsOf: entries.keys)
            }
            // An empty Condition block constrains nothing; one with an operator but no key neither.
            keys = Array(Set(keys)).sorted()
        }
        return PolicyStatement(sid: object["Sid"] as? String, effect: effect, actions: actions, resources: resources,
                               conditionKeys: keys)
    }

    private static func patterns(_ object: [String: Any], _ name: String, _ notName: String,
                                 path: String) throws(PolicyDocumentError) -> PatternList {
        switch (object[name], object[notName]) {
        case (nil, nil):
            throw PolicyDocumentError(path: path, message: "neither \(name) nor \(notName)")
        case (.some, .some):
            throw PolicyDocumentError(path: path, message: "both \(name) and \(notName)")
        case (let value?, nil):
            return .only(try strings(value, path: "\(path).\(name)"))
        case (nil, let value?):
            return .allBut(try strings(value, path: "\(path).\(notName)"))
        }
    }

    private static func strings(_ value: Any, path: String) throws(PolicyDocumentError) -> [String] {
        if let text = value as? String { return [text] }
        guard let list = value as? [Any] else {
            throw PolicyDocumentError(path: path, message: "expected a string or a list of strings")
        }
        guard !list.isEmpty else { throw PolicyDocumentError(path: path, message: "empty list") }
        guard list.count <= maxPatterns else {
            throw PolicyDocumentError(path: path, message: "more than \(maxPatterns) entries")
        }
        var result: [String] = []
        for (index, item) in list.enumerated() {
            guard let text = item as? String else {
                throw PolicyDocumentError(path: "\(path)[\(index)]", message: "expected a string")
            }
            result.append(text)
        }
        return result
    }
}
