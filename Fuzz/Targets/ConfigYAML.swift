// Fuzz target: the YAML of `config edit`. Any text gives a config or a list of errors with line
// numbers; a config renders to YAML that parses back to itself.
import SiftOpsConfig

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    switch ConfigYAML.parse(text) {
    case .success(let config):
        let rendered = ConfigYAML.render(config)
        guard case .success(let again) = ConfigYAML.parse(rendered) else {
            preconditionFailure("rendered config does not parse: \(rendered.debugDescription)")
        }
        precondition(again.values == config.values, "config changed through YAML: \(text.debugDescription)")
    case .failure(let errors):
        precondition(!errors.errors.isEmpty, "failure without errors")
    }
    return 0
}
