/// A failed benchmark precondition or child run.
struct BenchError: Error, CustomStringConvertible {
    /// What went wrong.
    let message: String
    var description: String { message }

    init(message: String) { self.message = message }
    init(_ message: String) { self.message = message }
}
