// Fuzz target: the `=~` matcher. The first line is the pattern, the rest the text: compiling
// either works or throws; matching either answers or throws its step bound.
import SiftQuery

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    guard let regex = try? LinearRegex(String(parts[0])) else { return 0 }
    _ = try? regex.matches(parts.count > 1 ? String(parts[1]) : "", maxSteps: 1_000_000)
    return 0
}
