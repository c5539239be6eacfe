// Fuzz target: parse, print, parse again. What parses must print to text that parses back to the
// same query, and printing that again must give the same text.
import SiftQuery

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let query = try? QueryParser.parse(text) else { return 0 }
    let printed = query.description
    let again: Query
    do {
        again = try QueryParser.parse(printed)
    } catch {
        preconditionFailure("printed query does not parse: \(text.debugDescription) -> \(printed.debugDescription): \(error)")
    }
    precondition(again == query, "round trip changed the query: \(text.debugDescription) -> \(printed.debugDescription) -> \(again.description.debugDescription)")
    precondition(again.description == printed, "printing is not stable: \(printed.debugDescription)")
    return 0
}
