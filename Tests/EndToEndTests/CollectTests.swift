import Foundation
import Testing

/// The AWS emulator of `Tests/Fixtures/emulator.py` (moto on 127.0.0.1), started for a test.
final class Emulator {
    let process = Process()
    let port: Int

    /// Whether python3 with moto is installed.
    static var isAvailable: Bool {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import moto"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        do {
            try check.run()
            check.waitUntilExit()
            return check.terminationStatus == 0
        } catch {
            return false
        }
    }

    init() throws {
        let script = SiftProcess.packageRoot.appendingPathComponent("Tests/Fixtures/emulator.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is `PORT=<n>` once it serves.
        var text = ""
        let handle = output.fileHandleForReading
        while !text.contains("\n") {
            let data = handle.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("PORT="), let port = Int(line.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            throw Fixture.FixtureError(message: "the emulator did not start: \(text)")
        }
        self.port = port
    }

    /// The environment that points sift at the emulator.
    var environment: [String: String] {
        [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)", "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_PROFILE": "", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_EC2_METADATA_DISABLED": "true",
        ]
    }

    /// Kills the emulator (SIGKILL: it may have inherited a mask that blocks SIGTERM).
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// `sift collect` against the emulator, then the walkthrough's query.
@Suite(.enabled(if: Emulator.isAvailable))
struct CollectTests {
    @Test func collectThenCountUnusedKeysByOwner() throws {
        let emulator = try Emulator()
        defer { emulator.stop() }
        let directory = try SiftProcess.temporaryDirectory()
        let db = directory.appendingPathComponent("sift.db").path
        let collect = try SiftProcess.run(["--db", db, "collect"], environment: emulator.environment)
        #expect(collect.status == 0, "\(collect.stderr)")
        #expect(collect.stdout.hasPrefix("source: environment\ncollected 1 account, "), "\(collect.stdout)")
        // The summary never carries the secret.
        #expect(!(collect.stdout + collect.stderr).contains("testing"))
        let count = try SiftProcess.run(["--db", db, "search is(access_key) and last_access > 90days <-- is(user) | count name"])
        #expect(count.status == 0)
        #expect(count.stdout.hasSuffix("total unmatched: 0\n"))
        let keys = try SiftProcess.run(["--db", db, "search is(access_key) | count"])
        #expect(keys.stdout != "total matched: 0\ntotal unmatched: 0\n")
    }

    /// SPEC 11: the IAM graph's checks on the emulator's scenario fail exactly where they should, with exit
    /// status 3 and a SARIF report; the stale keys of administrators come out of one query.
    @Test func iamGraphChecksFailWhereExpected() throws {
        let emulator = try Emulator()
        defer { emulator.stop() }
        let directory = try SiftProcess.temporaryDirectory()
        let db = directory.appendingPathComponent("sift.db").path
        let collect = try SiftProcess.run(["--db", db, "collect"], environment: emulator.environment)
        #expect(collect.status == 0, "\(collect.stderr)")
        // Every node's name by id.
        let all = try SiftProcess.run(["--db", db, "search all | format \"{id} {name}\""])
        var names: [String: String] = [:]
        for line in all.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { names[String(parts[0])] = String(parts[1]) }
        }
        let stale = try SiftProcess.run(["--db", db, "search is(access_key) and access_key_status == Active and last_access > 90d "
            + "with(any, <-- is(user) and permissions.admin == true) | format \"{name}\""])
        #expect(stale.stdout.split(separator: "\n").sorted() == ["bob", "jenkins", "nancy"], "\(stale.stdout)\(stale.stderr)")

        let report = directory.appendingPathComponent("iam.sarif").path
        let run = try SiftProcess.run(["--db", db, "check run iam.admin_keys_unused iam.user_attached_policies "
            + "iam.policy_full_access iam.user_privilege_escalation iam.user_without_mfa --format sarif --output \(report)"])
        #expect(run.status == 3, "\(run.stdout)\(run.stderr)")
        let sarif = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
        let runs = sarif?["runs"] as? [[String: Any]] ?? []
        var failing: [String: Set<String>] = [:]
        for result in runs.first?["results"] as? [[String: Any]] ?? [] {
            guard let rule = result["ruleId"] as? String,
                  let print = (result["partialFingerprints"] as? [String: String])?["siftResource/v1"] else { continue }
            let id = String(print.dropFirst(rule.count + 1))
            failing[rule, default: []].insert(names[id] ?? id)
        }
        #expect(failing["iam.admin_keys_unused"] == ["bob", "jenkins", "nancy"])
        #expect(failing["iam.user_attached_policies"] == ["bob", "ccm-sa", "ci", "mallory", "sam"])
        #expect(failing["iam.policy_full_access"] == ["AdministratorAccess", "unused-full-access"])
        #expect(failing["iam.user_privilege_escalation"] == ["ccm-sa", "ci", "sam"])
        #expect(failing["iam.user_without_mfa"] == ["grace"])

        // The text report names each failing key's risk: its user's privilege.
        let text = try SiftProcess.run(["--db", db, "check run iam.unused_access_keys"])
        #expect(text.status == 3)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        for (user, risk) in [("bob", "admin"), ("nancy", "admin"), ("ccm-sa", "can escalate"), ("ci", "can escalate"),
                             ("mallory", "limited"), ("sam", "can escalate")] {
            #expect(lines.contains { $0.contains("  user \(user), ") && $0.hasSuffix("  risk: \(risk)") }, "\(user): \(text.stdout)")
        }

        // A check with nothing to find passes: exit status 0.
        let pass = try SiftProcess.run(["--db", db, "check run iam.root_access_key"])
        #expect(pass.status == 0, "\(pass.stdout)")
    }

    @Test func collectWithoutCredentialsFailsWithOneLine() throws {
        let directory = try SiftProcess.temporaryDirectory()
        let db = directory.appendingPathComponent("sift.db").path
        let result = try SiftProcess.run(["--db", db, "collect"], environment: [
            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent",
            "HOME": directory.path, "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_EC2_METADATA_DISABLED": "true",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
