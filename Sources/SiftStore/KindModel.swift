import Foundation
import SiftQuery
import SiftSchema

/// The type of a property, as declared in `Schema/kinds.json`.
public enum PropertyType: String, Sendable, Hashable, CaseIterable {
    /// Text.
    case string
    /// A whole number.
    case int
    /// A floating-point number.
    case float
    /// `true` / `false`.
    case boolean
    /// A point in time (an ISO-8601 string in `reported`, unix seconds in the time columns).
    case datetime
    /// A length of time (`age`, `last_access`, `last_update`).
    case duration
    /// A free-form object of string keys (`tags`).
    case dictionary
    /// A JSON array.
    case array
    /// A JSON object with typed members (declared with dotted names).
    case object
}

/// Why `kinds.json` could not be read.
public struct KindModelError: Error, Hashable, CustomStringConvertible {
    /// What is wrong, naming the kind or property.
    public let message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { "kinds.json: \(message)" }
}

/// The kind hierarchy and the typed properties the query compiler knows.
///
/// Built from `Schema/kinds.json`: each kind has bases and properties; a kind inherits the
/// properties of its bases. `is(user)` matches `user` and every kind that descends from it.
public struct KindModel: Sendable {
    /// One kind as declared.
    public struct Kind: Sendable, Hashable {
        /// The kind's name.
        public let name: String
        /// The kinds it directly descends from.
        public let bases: [String]
        /// Its own properties (dotted names for nested members), without inherited ones.
        public let properties: [String: PropertyType]
    }

    /// Every kind by name.
    public let kinds: [String: Kind]
    /// For each kind: itself and every kind that descends from it, sorted.
    private let subkindTable: [String: [String]]
    /// Every declared property (dotted name) with its type; the first declaration wins.
    private let propertyTable: [String: PropertyType]

    /// The built-in model from `Schema/kinds.json` (checked by the tests).
    public static let builtin: KindModel = {
        do {
            return try KindModel(json: SiftSchema.kindsJSON)
        } catch {
            preconditionFailure("the embedded Schema/kinds.json is invalid: \(error)")
        }
    }()

    /// Reads a model from `kinds.json` text: `{"kinds": [{"name", "bases", "properties"}]}`.
    public init(json: [UInt8]) throws {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(json))
        } catch {
            throw KindModelError("not valid JSON: \(error.localizedDescription)")
        }
        guard let object = root as? [String: Any], let list = object["kinds"] as? [Any] else {
            throw KindModelError("expected an object with a \"kinds\" array")
        }
        var order: [String] = []
        var kinds: [String: Kind] = [:]
        for (index, entry) in list.enumerated() {
            guard let entry = entry as? [String: Any], let name = entry["name"] as? String, !name.isEmpty else {
                throw KindModelError("kind #\(index + 1) has no name")
            }
            guard kinds[name] == nil else { throw KindModelError("kind '\(name)' is declared twice") }
            let bases = entry["bases"] as? [String] ?? []
            var properties: [String: PropertyType] = [:]
            for (property, typeName) in entry["properties"] as? [String: Any] ?? [:] {
                guard let typeName = typeName as? String, let type = PropertyType(rawValue: typeName) else {
                    throw KindModelError("kind '\(name)': property '\(property)' has an unknown type '\(typeName)'")
                }
                properties[property] = type
            }
            kinds[name] = Kind(name: name, bases: bases, properties: properties)
            order.append(name)
        }
        try self.init(kinds: kinds, order: order)
    }

    private init(kinds: [String: Kind], order: [String]) throws {
        for kind in kinds.values {
            for base in kind.bases where kinds[base] == nil {
                throw KindModelError("kind '\(kind.name)' has an unknown base '\(base)'")
            }
        }
        // All ancestors of each kind (cycle check included).
        var ancestors: [String: Set<String>] = [:]
        func collect(_ name: String, _ visiting: inout [String]) throws -> Set<String> {
            if let known = ancestors[name] { return known }
            if visiting.contains(name) {
                throw KindModelError("the bases of '\(name)' form a cycle: \((visiting + [name]).joined(separator: " > "))")
            }
            visiting.append(name)
            var result: Set<String> = []
            for base in kinds[name]?.bases ?? [] {
                result.insert(base)
                result.formUnion(try collect(base, &visiting))
            }
            visiting.removeLast()
            ancestors[name] = result
            return result
        }
        var subkinds: [String: [String]] = [:]
        for name in order {
            var visiting: [String] = []
            subkinds[name, default: []].append(name)
            for ancestor in try collect(name, &visiting) {
                subkinds[ancestor, default: []].append(name)
            }
        }
        var properties: [String: PropertyType] = [:]
        for name in order {
            for (property, type) in (kinds[name]?.properties ?? [:]).sorted(by: { $0.key < $1.key })
            where properties[property] == nil {
                properties[property] = type
            }
        }
        self.kinds = kinds
        self.subkindTable = subkinds.mapValues { $0.sorted() }
        self.propertyTable = properties
    }

    /// The kind itself and every kind that descends from it, sorted; empty for an unknown kind.
    public func subkinds(of kind: String) -> [String] {
        subkindTable[kind] ?? []
    }

    /// Whether the kind is declared.
    public func isKnown(_ kind: String) -> Bool {
        kinds[kind] != nil
    }

    /// The declared kind closest to a misspelt name (edit distance at most a third of its length,
    /// at least 1, at most 3), or `nil`.
    public func suggestion(for name: String) -> String? {
        Suggestion.closest(to: name, among: kindNames, within: .proportional)
    }

    /// The type of a property given by its path components (`["access_key_last_used", "last_used"]`),
    /// declared by any kind (inherited declarations included); `nil` when unknown. Members of a
    /// `dictionary` property are `nil` too: they can be anything.
    public func propertyType(_ path: [String]) -> PropertyType? {
        propertyTable[path.joined(separator: ".")]
    }

    /// The properties of one kind, its own and inherited, by dotted name; empty for an unknown kind.
    public func properties(of kind: String) -> [String: PropertyType] {
        guard let declared = kinds[kind] else { return [:] }
        var result: [String: PropertyType] = [:]
        for base in declared.bases {
            result.merge(properties(of: base)) { own, _ in own }
        }
        result.merge(declared.properties) { _, own in own }
        return result
    }

    /// Every kind name, sorted (for completion).
    public var kindNames: [String] {
        kinds.keys.sorted()
    }

    /// Every property name (dotted for nested members), sorted (for completion).
    public var propertyNames: [String] {
        propertyTable.keys.sorted()
    }
}
