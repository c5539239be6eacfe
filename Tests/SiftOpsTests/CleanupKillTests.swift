import Foundation
import Testing
import GRDB
import SiftAWS
@testable import SiftStore
@testable import SiftOps

/// A cleanup of 1,000 keys run by a child process (`sift-ops-crashtest`) that is killed with SIGKILL at
/// random moments, then run to completion: exactly the marked keys are gone, each deleted by exactly one
/// DeleteAccessKey the server answered, no other key touched, and the journal agrees with the server.
@Suite(.serialized) struct CleanupKillTests {
    static var tool: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sift-ops-crashtest").path
    }

    /// Runs the tool; kills it with SIGKILL after `killAfter` seconds unless it ended first.
    /// Returns true when it was killed.
    func runTool(db: String, environment: [String: String], offset: TimeInterval, killAfter: Double?) throws -> (killed: Bool, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.tool)
        process.arguments = [db, "--now-offset", String(offset)]
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var killed = false
        if let killAfter {
            let deadline = Date().addingTimeInterval(killAfter)
            while process.isRunning && Date() < deadline { usleep(5_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed = true
            }
        }
        process.waitUntilExit()
        return (killed, process.terminationStatus)
    }

    @Test func killedAtRandomMomentsThenRerunDoesEveryActionExactlyOnce() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.tool), "build sift-ops-crashtest first (swift build)")
        let emulator = try OpsEmulator(arguments: ["--users", "1000", "--keys", "1300", "--seed", "7"])
        let temp = try TemporaryStore()
        _ = try await emulator.collect(into: temp.store)
        let all = emulator.scenarioKeys
        #expect(all.count == 1300)
        var generator = SystemRandomNumberGenerator()
        let marked = Set(all.keys.sorted().shuffled(using: &generator).prefix(1000))
        try temp.store.mark(ids: Array(marked), desired: ["clean": .bool(true), "clean_reason": .string("kill test")], metadata: [:])
        try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true", "cleanup_dry_run=false", "cleanup_pool_size=16"])
        let before = try await emulator.serverKeys()
        var environment = emulator.environment
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"]

        // Phase 1: disable (killed at least 10 times), then to completion.
        var kills = 0
        for _ in 0..<40 where kills < 10 {
            if try runTool(db: temp.store.path, environment: environment, offset: 0, killAfter: Double.random(in: 0.05...1.2)).killed { kills += 1 }
        }
        #expect(try runTool(db: temp.store.path, environment: environment, offset: 0, killAfter: nil).status == 0)
        var server = try await emulator.serverKeys()
        for (key, status) in before { #expect(server[key] == (marked.contains(key) ? "Inactive" : status), "\(key)") }

        // Phase 2: eight days later, delete (killed at least 10 more times), then to completion.
        let later: TimeInterval = 8 * 86_400
        for _ in 0..<40 where kills < 20 {
            if try runTool(db: temp.store.path, environment: environment, offset: later, killAfter: Double.random(in: 0.05...1.2)).killed { kills += 1 }
        }
        #expect(try runTool(db: temp.store.path, environment: environment, offset: later, killAfter: nil).status == 0)
        #expect(kills >= 20)

        // The server: exactly the marked keys gone, the others as they were.
        server = try await emulator.serverKeys()
        #expect(Set(server.keys) == Set(before.keys).subtracting(marked))
        for (key, status) in server { #expect(before[key] == status, "untouched \(key)") }
        // Each marked key got exactly one DeleteAccessKey, answered 200; no call named another key.
        let calls = emulator.calls()
        let deletes = Dictionary(grouping: calls.filter { $0.action == "DeleteAccessKey" }, by: \.key)
        #expect(Set(deletes.keys) == marked)
        let twice = deletes.filter { $0.value.count != 1 || $0.value[0].http != 200 }
        #expect(twice.isEmpty, "deleted more than once or not answered 200: \(twice.keys.sorted().prefix(5))")
        #expect(Set(calls.map(\.key)).isSubset(of: marked), "a call named a key that was not marked")
        #expect(calls.allSatisfy { $0.action != "UpdateAccessKey" || $0.status == "Inactive" })
        #expect(calls.allSatisfy { all[$0.key]?.user == $0.user }, "the exact UserName of each key")

        // The journal agrees: no open intent, one done delete per marked key, no done action on another key.
        let entries = try await temp.store.entries()
        #expect(entries.allSatisfy { $0.result != nil })
        let doneDeletes = entries.filter { $0.action == .delete && $0.result == .done }
        #expect(doneDeletes.count == marked.count && Set(doneDeletes.map(\.nodeId)) == marked)
        #expect(Set(entries.map(\.nodeId)).isSubset(of: marked))
        let settled = entries.filter { $0.detail == "found deleted after an interrupted run" }.count
        let updates = calls.filter { $0.action == "UpdateAccessKey" }.count
        let failedRows = entries.filter { $0.result == .failed }.count
        print("kill test: \(kills) kills, \(entries.count) journal rows, \(updates) UpdateAccessKey calls for \(marked.count) keys, "
              + "\(settled) deletes settled by ListAccessKeys after a kill, \(failedRows) failed rows")
        // The graph agrees with the server.
        let graphKeys = try await temp.store.writer.read { db in
            try Set(String.fetchAll(db, sql: "SELECT id FROM node WHERE kind = 'aws_iam_access_key'"))
        }
        #expect(graphKeys == Set(server.keys))
    }
}
