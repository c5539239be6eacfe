import Foundation
import Testing
@testable import SiftOps

/// `sift daemon` as a process: it runs collect_and_cleanup at once, then stops cleanly on SIGTERM / SIGINT.
@Suite(.serialized) struct DaemonBinaryTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func theDaemonStopsCleanlyOnASignal(signalNumber: Int32) async throws {
        let sift = SiftBinary.path
        #expect(FileManager.default.isExecutableFile(atPath: sift), "build the sift executable first")
        let emulator = try OpsEmulator()
        let temp = try TemporaryStore()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sift)
        process.arguments = ["daemon"]
        var environment = emulator.environment
        environment["SIFT_DB"] = temp.directory + "/daemon.db"
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        process.environment = environment
        let output = temp.directory + "/daemon.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var text = ""
        for _ in 0..<300 where !text.contains("daemon: next collect_and_cleanup at") {
            try await Task.sleep(nanoseconds: 100_000_000)
            text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        }
        #expect(text.contains("cleanup (dry run):"), "the first collect_and_cleanup ran: \(text)")
        kill(process.processIdentifier, signalNumber)
        for _ in 0..<100 where process.isRunning { try await Task.sleep(nanoseconds: 100_000_000) }
        #expect(!process.isRunning)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(text.contains("daemon: signal \(signalNumber == SIGINT ? "SIGINT" : "SIGTERM"), stopping"))
        #expect(text.hasSuffix("daemon: stopped\n"))
    }
}

/// The `sift` executable built next to the test bundle.
enum SiftBinary {
    static var path: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sift").path
    }
}
