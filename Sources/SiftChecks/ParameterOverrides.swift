/// Parameter values given on the command line (`--param days=45`), validated against the checks they apply to.
///
/// A value applies to every selected check that takes a parameter of that name. A name that no
/// selected check takes, or a value outside a check's range, is an error.
public struct ParameterOverrides: Sendable, Hashable {
    /// The raw `name -> value` pairs, last one wins.
    public let values: [String: String]

    /// No overrides: every check runs with its defaults.
    public static let none = ParameterOverrides(values: [:])

    /// Overrides from `name=value` arguments.
    public init(arguments: [String]) throws(CheckError) {
        var values: [String: String] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else { throw .malformedParameter(argument) }
            let name = argument[..<equals].trimmingCharacters(in: .whitespaces)
            let value = String(argument[argument.index(after: equals)...])
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !value.isEmpty else {
                throw .malformedParameter(argument)
            }
            values[name] = value
        }
        self.init(values: values)
    }

    /// Overrides from already split pairs.
    public init(values: [String: String]) {
        self.values = values
    }

    /// The parameter values of each check: defaults, replaced by the validated overrides.
    public func resolve(for checks: [CheckDefinition]) throws(CheckError) -> [String: [String: Int]] {
        let known = Set(checks.flatMap { $0.parameters.map(\.name) })
        for name in values.keys.sorted() where !known.contains(name) {
            throw .unknownParameter(name: name, known: known.sorted())
        }
        var resolved: [String: [String: Int]] = [:]
        for check in checks {
            var parameterValues = check.defaultValues
            for parameter in check.parameters {
                if let text = values[parameter.name] {
                    parameterValues[parameter.name] = try parameter.validate(text)
                }
            }
            resolved[check.id] = parameterValues
        }
        return resolved
    }
}
