import Foundation
import Testing

/// Every script of `Examples/` runs without an error on a generated graph.
struct ExamplesTests {
    static let scripts: [String] = {
        let directory = SiftProcess.packageRoot.appendingPathComponent("Examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".sift") }.sorted()
    }()

    @Test func thereAreExamples() {
        #expect(Self.scripts.count >= 5)
    }

    @Test(arguments: scripts)
    func exampleRuns(_ name: String) throws {
        let directory = try SiftProcess.temporaryDirectory()
        let db = directory.appendingPathComponent("sift.db").path
        let generated = try SiftProcess.run(["--db", db, "generate --accounts 3 --users 200 --seed 7"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let script = SiftProcess.packageRoot.appendingPathComponent("Examples/\(name)").path
        let result = try SiftProcess.run(["--db", db, "-f", script])
        #expect(result.status == 0, "\(name): \(result.stderr)")
        #expect(result.stderr == "")
        #expect(!result.stdout.isEmpty)
    }
}
