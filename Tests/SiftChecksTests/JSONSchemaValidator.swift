import Foundation

/// A JSON document as a value, decoded strictly (booleans, integers and other numbers stay apart).
indirect enum JSONDoc: Decodable, Equatable {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONDoc]), object([String: JSONDoc])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .int(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONDoc].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONDoc].self)) }
    }

    static func parse(_ text: String) throws -> JSONDoc {
        try JSONDecoder().decode(JSONDoc.self, from: Data(text.utf8))
    }

    subscript(key: String) -> JSONDoc? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var number: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }
}

/// A validator for the subset of JSON Schema (draft 7) that the report and SARIF schemas use:
/// type, enum, const, properties, required, additionalProperties, items, minItems, minLength,
/// minimum, maximum, pattern, anyOf and local `$ref`s (`#/definitions/NAME`). Any other keyword
/// in a schema is reported as unsupported, so the subset can't silently grow.
struct JSONSchemaValidator {
    let root: JSONDoc
    static let supported: Set<String> = [
        "$schema", "$id", "title", "description", "type", "enum", "const", "properties", "required",
        "additionalProperties", "items", "minItems", "minLength", "minimum", "maximum", "pattern",
        "anyOf", "$ref", "definitions",
    ]

    /// Every violation, as `path: what`; empty when the instance is valid.
    func validate(_ instance: JSONDoc) -> [String] {
        var errors: [String] = []
        check(instance, against: root, at: "$", errors: &errors)
        return errors
    }

    private func check(_ value: JSONDoc, against schema: JSONDoc, at path: String, errors: inout [String]) {
        guard case .object(let keywords) = schema else { errors.append("\(path): schema is not an object"); return }
        for key in keywords.keys where !Self.supported.contains(key) {
            errors.append("\(path): unsupported schema keyword \(key)")
        }
        if case .string(let ref)? = keywords["$ref"] {
            let name = ref.replacingOccurrences(of: "#/definitions/", with: "")
            guard ref.hasPrefix("#/definitions/"), let target = root["definitions"]?[name] else {
                errors.append("\(path): unresolvable $ref \(ref)"); return
            }
            check(value, against: target, at: path, errors: &errors)
        }
        if let type = keywords["type"] {
            let allowed: [String]
            switch type {
            case .string(let one): allowed = [one]
            case .array(let many): allowed = many.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
            default: allowed = []
            }
            if !allowed.contains(where: { matches(value, type: $0) }) {
                errors.append("\(path): expected \(allowed.joined(separator: " or ")), got \(describe(value))")
                return
            }
        }
        if case .array(let options)? = keywords["enum"], !options.contains(value) {
            errors.append("\(path): \(describe(value)) not in enum")
        }
        if let constant = keywords["const"], constant != value {
            errors.append("\(path): \(describe(value)) is not the constant")
        }
        if case .array(let choices)? = keywords["anyOf"] {
            let ok = choices.contains { choice in
                var sub: [String] = []
                check(value, against: choice, at: path, errors: &sub)
                return sub.isEmpty
            }
            if !ok { errors.append("\(path): matches none of anyOf") }
        }
        switch value {
        case .object(let members):
            if case .array(let required)? = keywords["required"] {
                for case .string(let name) in required where members[name] == nil {
                    errors.append("\(path): missing required property \(name)")
                }
            }
            let properties: [String: JSONDoc]
            if case .object(let declared)? = keywords["properties"] { properties = declared } else { properties = [:] }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let propertySchema = properties[name] {
                    check(member, against: propertySchema, at: "\(path).\(name)", errors: &errors)
                } else if let additional = keywords["additionalProperties"] {
                    if case .bool(false) = additional {
                        errors.append("\(path): property \(name) is not allowed")
                    } else if case .object = additional {
                        check(member, against: additional, at: "\(path).\(name)", errors: &errors)
                    }
                }
            }
        case .array(let elements):
            if let minimum = keywords["minItems"]?.number, Double(elements.count) < minimum {
                errors.append("\(path): fewer than \(Int(minimum)) items")
            }
            if let items = keywords["items"] {
                for (index, element) in elements.enumerated() {
                    check(element, against: items, at: "\(path)[\(index)]", errors: &errors)
                }
            }
        case .string(let text):
            if let minimum = keywords["minLength"]?.number, Double(text.count) < minimum {
                errors.append("\(path): shorter than \(Int(minimum))")
            }
            if case .string(let pattern)? = keywords["pattern"] {
                if text.range(of: pattern, options: .regularExpression) == nil {
                    errors.append("\(path): \"\(text)\" does not match \(pattern)")
                }
            }
        case .int, .double:
            if let number = value.number {
                if let minimum = keywords["minimum"]?.number, number < minimum { errors.append("\(path): \(number) < \(minimum)") }
                if let maximum = keywords["maximum"]?.number, number > maximum { errors.append("\(path): \(number) > \(maximum)") }
            }
        case .null, .bool:
            break
        }
    }

    private func matches(_ value: JSONDoc, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("integer", .int), ("number", .int), ("number", .double),
             ("string", .string), ("array", .array), ("object", .object):
            return true
        default:
            return false
        }
    }

    private func describe(_ value: JSONDoc) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return "boolean \(b)"
        case .int(let i): return "integer \(i)"
        case .double(let d): return "number \(d)"
        case .string(let s): return "string \"\(s.prefix(40))\""
        case .array: return "array"
        case .object: return "object"
        }
    }
}
