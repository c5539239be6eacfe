// Fuzz target: the lexer and the parser. Any input must parse or throw a QueryError, never crash,
// and an error must point inside the input.
import SiftQuery

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? Lexer(text).tokens()
    do {
        _ = try QueryParser.parse(text)
    } catch {
        precondition(error.line >= 1 && error.column >= 1, "error outside the text: \(error)")
    }
    _ = try? QueryParser.parseValue(text)
    _ = try? QueryParser.parsePath(text)
    return 0
}
