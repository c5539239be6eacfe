import Foundation
import SiftStore
import Testing
@testable import SiftShell

/// `check list|show|run|history` through the shell: exit status 3, piping into `clean`, formats.
@Suite struct CheckCommandTests {
    let directory: URL
    let databasePath: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sift-check-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        databasePath = directory.appendingPathComponent("graph.sqlite").path
        let store = try GraphStore(path: databasePath)
        let now = Date()
        func daysAgo(_ days: Double) -> Date { now.addingTimeInterval(-days * 86_400) }
        try store.replaceSubgraph(Subgraph(name: "cloud:aws", nodes: [Node(id: "aws", kind: "cloud", name: "aws")]))
        try store.replaceSubgraph(Subgraph(name: "111111111111", nodes: [
            Node(id: "111111111111", kind: "aws_account", name: "prod"),
            Node(id: "AIDABOB", kind: "aws_iam_user", name: "bob", ctime: daysAgo(500),
                 reported: ["password_enabled": .bool(false), "mfa_active": .bool(false),
                            "permissions": .object(["admin": .bool(true), "privilege_escalation": .bool(true),
                                                    "iam_write": .bool(true)])]),
            Node(id: "AKIAOLD", kind: "aws_iam_access_key", name: "bob", ctime: daysAgo(400),
                 reported: ["access_key_status": .string("Active"), "user_name": .string("bob")]),
            Node(id: "AKIANEW", kind: "aws_iam_access_key", name: "bob", ctime: daysAgo(1),
                 reported: ["access_key_status": .string("Active"), "user_name": .string("bob")]),
        ], edges: [
            Edge(from: "aws", to: "111111111111"), Edge(from: "111111111111", to: "AIDABOB"),
            Edge(from: "AIDABOB", to: "AKIAOLD"), Edge(from: "AIDABOB", to: "AKIANEW"),
        ]))
    }

    /// Runs one line in a fresh shell; returns whether it succeeded, its stdout, stderr and requested exit status.
    func run(_ line: String) async throws -> (ok: Bool, out: String, err: String, status: Int32) {
        let outPath = directory.appendingPathComponent("out-\(UUID().uuidString)").path
        let errPath = directory.appendingPathComponent("err-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let context = ShellContext(
            options: ShellOptions(databasePath: databasePath),
            out: OutputWriter(descriptor: outHandle.fileDescriptor), err: OutputWriter(descriptor: errHandle.fileDescriptor),
            environment: [:])
        let ok = await Shell(context: context).run(line: line)
        context.out.flush()
        context.err.flush()
        try outHandle.close()
        try errHandle.close()
        return (ok, try String(contentsOfFile: outPath, encoding: .utf8), try String(contentsOfFile: errPath, encoding: .utf8),
                context.requestedExitStatus)
    }

    @Test func runReportsAndAsksForStatus3() async throws {
        let result = try await run("check run iam.unused_access_keys iam.root_access_key")
        #expect(result.ok && result.status == 3)
        #expect(result.out.contains("FAIL  iam.unused_access_keys  MEDIUM  Active access keys unused for 90 days  [days=90]\n    AKIAOLD  aws_iam_access_key  user bob, account prod (111111111111)  risk: admin\n"))
        #expect(result.out.contains("PASS  iam.root_access_key"))
        #expect(!result.out.contains("AKIANEW"))
        let passing = try await run("check run iam.root_access_key")
        #expect(passing.ok && passing.status == 0)
        await #expect(try run("check run --param days=500 iam.unused_access_keys").status == 0)
    }

    @Test func pipedFailingResourcesAreCleaned() async throws {
        let result = try await run(#"check run iam.unused_access_keys | clean "unused for 90 days""#)
        #expect(result.ok && result.status == 3)
        #expect(result.out.contains("AKIAOLD") && !result.out.contains("AKIANEW"))
        #expect(result.err.contains("check run #1: 1 of 1 checks failed, 1 failing resources"))
        let marked = try await run("search /desired.clean == true | count")
        #expect(marked.out.contains("total matched: 1"))
        let nothing = try await run("check run iam.root_access_key | count")
        #expect(nothing.ok && nothing.out.contains("total matched: 0"))
        let second = try await run("check run iam.unused_access_keys")
        #expect(second.out.contains("(still failing)") && second.out.contains("0 new, 0 resolved, 1 still failing"))
    }

    @Test func protectedKeysAreExemptUnlessIncluded() async throws {
        await #expect(try run("search id(AKIAOLD) | protect").ok)
        let exempt = try await run("check run iam.unused_access_keys")
        #expect(exempt.ok && exempt.status == 0)
        #expect(exempt.out.contains("PASS  iam.unused_access_keys") && exempt.out.contains("    exempt (protected): AKIAOLD  aws_iam_access_key"))
        let included = try await run("check run --include-protected iam.unused_access_keys")
        #expect(included.ok && included.status == 3 && included.out.contains("FAIL  iam.unused_access_keys"))
        await #expect(!(try run("check list --include-protected")).ok)
    }

    /// SPEC 11: `kinds` and the REPL's completion know the IAM graph's kinds and the permissions summary.
    @Test func kindsAndCompletionKnowTheIAMGraph() async throws {
        let policy = try await run("kinds policy")
        #expect(policy.ok && policy.out.contains("subkinds: aws_iam_inline_policy, aws_iam_policy"), "\(policy.out)")
        let user = try await run("kinds aws_iam_user")
        #expect(user.out.contains("permissions.admin") && user.out.contains("permissions.privilege_escalation"))
        let context = ShellContext(options: ShellOptions(databasePath: databasePath),
                                   out: OutputWriter(descriptor: 1), err: OutputWriter(descriptor: 2), environment: [:])
        let completion = await REPL.liveCompletion(context, openingDatabase: false)
        func complete(_ line: String) -> [String] { completion.complete(line: line, cursor: line.count).candidates }
        #expect(complete("search is(aws_iam_g") == ["aws_iam_group"])
        #expect(complete("search is(mfa") == ["mfa_device"])
        #expect(complete("search is(aws_iam_role) and permissions.a").contains("permissions.admin"))
        #expect(complete("check run iam.user_p") == ["iam.user_privilege_escalation"])
    }

    /// The JSON report carries each failing key's risk too.
    @Test func jsonReportCarriesTheRisk() async throws {
        let result = try await run("check run iam.unused_access_keys --format json")
        #expect(result.status == 3)
        let report = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
        let checks = report?["checks"] as? [[String: Any]] ?? []
        let failing = checks.first?["failing"] as? [[String: Any]] ?? []
        #expect(failing.map { $0["id"] as? String } == ["AKIAOLD"])
        #expect(failing.first?["risk"] as? String == "admin")
    }

    @Test func listShowHistoryAndErrors() async throws {
        let list = try await run("check list")
        #expect(list.ok && list.out.split(separator: "\n").count == 11)
        let show = try await run("check show iam.user_without_mfa")
        #expect(show.ok && show.out.contains("remediation:\n  1. ") && show.out.contains("severity: HIGH"))
        let unknown = try await run("check show iam.user_without_mf")
        #expect(!unknown.ok && unknown.err.contains("unknown check 'iam.user_without_mf' (did you mean iam.user_without_mfa?)"))
        let badParameter = try await run("check run --param days=abc")
        #expect(!badParameter.ok && badParameter.err.contains("days=abc: not a whole number"))
        let badFormat = try await run("check run --format pdf")
        #expect(!badFormat.ok && badFormat.err.contains("unknown format 'pdf'"))
        await #expect(!(try run("check frobnicate")).ok)
        _ = try await run("check run --format sarif --output \(directory.appendingPathComponent("r.sarif").path)")
        let sarif = try Data(contentsOf: directory.appendingPathComponent("r.sarif"))
        #expect((try JSONSerialization.jsonObject(with: sarif) as? [String: Any])?["version"] as? String == "2.1.0")
        let history = try await run("check history")
        #expect(history.out.hasPrefix("#1  ") && history.out.contains(" failed  iam.access_key_rotation,iam.admin_keys_unused,iam.inactive_keys_not_deleted,"))
    }
}
