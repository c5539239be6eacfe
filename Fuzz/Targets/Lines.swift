// Fuzz target: the line grammar and the script reader. Any text must split into logical lines and
// parse into pipelines or throw a LineSyntaxError placed inside the text, never crash.
import SiftShellLines

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = LineGrammar.needsMoreInput(text)
    for line in ScriptReader.lines(of: text) {
        precondition(line.firstLine >= 1, "line number \(line.firstLine)")
        do {
            _ = try LineGrammar.parse(line.text)
        } catch {
            precondition(error.position.line >= 1 && error.position.column >= 1, "error outside the text: \(error)")
        }
    }
    return 0
}
