import Foundation
@testable import SiftStore
@testable import SiftOps

/// A fresh database in a temporary directory, removed by `cleanup()`.
final class TemporaryStore: Sendable {
    let directory: String
    let store: GraphStore

    init() throws {
        directory = NSTemporaryDirectory() + "sift-ops-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try GraphStore(path: directory + "/graph.db")
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) { current = start }

    var now: Date { lock.withLock { current } }

    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }

    var function: @Sendable () -> Date { { [self] in now } }
}

/// Collects output lines from concurrent writers.
final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    func append(_ line: String) { lock.withLock { stored.append(line) } }

    var all: [String] { lock.withLock { stored } }

    var sink: @Sendable (String) -> Void { { [self] line in append(line) } }
}

/// `2026-01-31T12:00:00Z` as a date.
func utc(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: text)!
}
