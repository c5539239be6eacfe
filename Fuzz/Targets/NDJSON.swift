// Fuzz target: NDJSON import. Any file is imported whole (then exported and read back) or refused
// with an ImportError naming its line; never a crash, never a half import.
import Foundation
import SiftStore

let fuzzDirectory = NSTemporaryDirectory() + "sift-fuzz-ndjson-\(getpid())/"
let fuzzStore: GraphStore = {
    try! FileManager.default.createDirectory(atPath: fuzzDirectory, withIntermediateDirectories: true)
    return try! GraphStore(path: fuzzDirectory + "graph.db")
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let store = fuzzStore // creates the directory
    let input = fuzzDirectory + "in.ndjson"
    _ = FileManager.default.createFile(atPath: input, contents: Data(bytes: data, count: size))
    guard let handle = FileHandle(forReadingAtPath: input) else { return 0 }
    defer { try? handle.close() }
    do {
        _ = try store.importNDJSON(from: handle, source: "fuzz")
    } catch let error as ImportError {
        _ = error.description
        return 0
    } catch {
        preconditionFailure("import failed without an ImportError: \(error)")
    }
    let output = fuzzDirectory + "out.ndjson"
    _ = FileManager.default.createFile(atPath: output, contents: nil)
    guard let out = FileHandle(forWritingAtPath: output) else { return 0 }
    _ = try! store.exportNDJSON(to: out)
    try? out.close()
    guard let back = FileHandle(forReadingAtPath: output) else { return 0 }
    defer { try? back.close() }
    do {
        _ = try store.importNDJSON(from: back, source: "export")
    } catch {
        preconditionFailure("the export does not import back: \(error)")
    }
    return 0
}
