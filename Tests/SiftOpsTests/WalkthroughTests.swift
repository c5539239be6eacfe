import Foundation
import Testing
import GRDB
@testable import SiftStore
@testable import SiftOps

/// SPEC section 1 typed as a user types it, with the real `sift` binary against the emulator.
@Suite(.serialized) struct WalkthroughTests {
    static let query = "search is(access_key) and last_access > 90days and name not in [jenkins, ci]"

    /// Runs `sift LINE` and returns (status, stdout, stderr).
    func sift(_ line: String, db: String, emulator: OpsEmulator) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SiftBinary.path)
        process.arguments = [line]
        var environment = emulator.environment
        environment["SIFT_DB"] = db
        environment["NO_COLOR"] = "1"
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// The main account's keys unused for more than 90 days (never-used keys from creation), by user.
    func staleKeys(_ emulator: OpsEmulator) -> [String: String] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let accounts = emulator.manifest["accounts"] as? [String: Any] ?? [:]
        let main = accounts["123456789012"] as? [String: Any] ?? [:]
        var stale: [String: String] = [:]
        let limit = Date().addingTimeInterval(-90 * 86_400)
        for user in main["users"] as? [[String: Any]] ?? [] {
            for key in user["keys"] as? [[String: Any]] ?? [] {
                let used = (key["last_used"] as? String) ?? (key["create_date"] as? String) ?? ""
                if let date = formatter.date(from: used), date < limit { stale[key["id"] as? String ?? ""] = user["name"] as? String }
            }
        }
        return stale
    }

    @Test func theWalkthroughWorksAsWritten() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: SiftBinary.path), "build the sift executable first")
        let emulator = try OpsEmulator()
        let temp = try TemporaryStore()
        let db = temp.directory + "/walkthrough.db"
        let stale = staleKeys(emulator)
        let marked = Set(stale.filter { !["jenkins", "ci"].contains($0.value) }.keys)
        #expect(marked.count >= 5 && stale.count > marked.count)
        let before = try await emulator.serverKeys()

        var run = try sift("collect", db: db, emulator: emulator)
        #expect(run.status == 0, "\(run.err)")
        run = try sift("search is(access_key) and last_access > 90days <-- is(user) | count name", db: db, emulator: emulator)
        #expect(run.status == 0, "\(run.err)")
        for user in Set(stale.values) { #expect(run.out.contains("\(user): "), "\(user) counted") }
        #expect(run.out.contains("total matched: \(Set(stale.values).count)"))
        #expect(run.out.contains("total unmatched: 0"))

        run = try sift("\(Self.query) | clean \"unused for 90 days\"", db: db, emulator: emulator)
        #expect(run.status == 0, "\(run.err)")

        // The default configuration is a dry run: it says what it would do and no key changes.
        run = try sift("workflow run cleanup", db: db, emulator: emulator)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.components(separatedBy: "\n").filter { $0.hasPrefix("would disable") }.count == marked.count)
        #expect(try await emulator.serverKeys() == before)
        #expect(emulator.calls().isEmpty)

        run = try sift("config set cleanup=true cleanup_dry_run=false", db: db, emulator: emulator)
        #expect(run.status == 0, "\(run.err)")
        run = try sift("workflow run cleanup", db: db, emulator: emulator)
        #expect(run.status == 0, "\(run.err)")
        var calls = emulator.calls()
        #expect(Set(calls.map(\.key)) == marked && calls.count == marked.count)
        #expect(calls.allSatisfy { $0.action == "UpdateAccessKey" && $0.status == "Inactive" && stale[$0.key] == $0.user })
        var server = try await emulator.serverKeys()
        for (key, status) in before { #expect(server[key] == (marked.contains(key) ? "Inactive" : status), "\(key)") }

        // Within the grace nothing more happens; once it has passed (the journal aged by 8 days),
        // the disabled keys are deleted.
        run = try sift("workflow run cleanup", db: db, emulator: emulator)
        #expect(emulator.calls().count == marked.count)
        let store = try GraphStore(path: db)
        try await store.writer.write { db in try db.execute(sql: "UPDATE cleanup_action SET result_at = result_at - 8 * 86400, intent_at = intent_at - 8 * 86400") }
        run = try sift("workflow run cleanup", db: db, emulator: emulator)
        #expect(run.status == 0, "\(run.err)")
        calls = emulator.calls()
        let deletes = calls.filter { $0.action == "DeleteAccessKey" }
        #expect(Set(deletes.map(\.key)) == marked && deletes.count == marked.count)
        server = try await emulator.serverKeys()
        #expect(Set(server.keys) == Set(before.keys).subtracting(marked))
        run = try sift("cleanup log", db: db, emulator: emulator)
        #expect(run.out.components(separatedBy: "\n").filter { $0.contains("reason=\"unused for 90 days\"") }.count == 2 * marked.count)

        // On a fresh collect, a job waiting for post_collect marks the keys and the same run cleans them.
        let second = try OpsEmulator()
        let freshDB = temp.directory + "/jobs.db"
        let secondStale = staleKeys(second)
        let secondMarked = Set(secondStale.filter { !["jenkins", "ci"].contains($0.value) }.keys)
        run = try sift("config set cleanup=true cleanup_dry_run=false", db: freshDB, emulator: second)
        run = try sift("jobs add --id clean_outdated_access_keys --wait-for-event post_collect \"\(Self.query) | clean\"",
                       db: freshDB, emulator: second)
        #expect(run.status == 0, "\(run.err)")
        run = try sift("workflow run collect_and_cleanup", db: freshDB, emulator: second)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("job clean_outdated_access_keys: ok"))
        let secondCalls = second.calls()
        #expect(Set(secondCalls.map(\.key)) == secondMarked && secondCalls.allSatisfy { $0.action == "UpdateAccessKey" })
        run = try sift("jobs show clean_outdated_access_keys", db: freshDB, emulator: second)
        #expect(run.out.contains("last status:    ok"))
    }
}
