import Foundation
import GRDB
@testable import SiftStore
import Testing
@testable import SiftChecks

/// Writes the reports of a generated organisation that is cleaned up over four runs, for
/// `Benchmarks/report_screenshot.sh` (which opens the HTML in headless Chromium). Runs only when
/// `SIFT_REPORT_DIR` names the directory to write report.html, report.json and report.sarif to.
@Suite struct ReportScreenshotTests {
    static let outputDirectory = ProcessInfo.processInfo.environment["SIFT_REPORT_DIR"]

    @Test(.enabled(if: outputDirectory != nil, "set SIFT_REPORT_DIR to write the sample reports"))
    func writeReportsOfAGeneratedOrganisation() async throws {
        let directory = try TemporaryDirectory()
        let store = try GraphStore(path: directory.path("graph.sqlite"))
        let start = Date(timeIntervalSince1970: 1_780_272_000)
        try store.generate(GeneratorOptions(accounts: 3, users: 200, seed: 7, now: start))
        let runner = CheckRunner(store: store)
        let day: TimeInterval = 86_400

        var report = try await runner.run(CheckRunRequest(), now: start)
        // Cleanup 1: unused keys disabled, root keys removed.
        let unused = Set(report.results.first { $0.check.id == "iam.unused_access_keys" }?.failing.map(\.id) ?? [])
        try rewrite(store, now: start + day) { node in
            if unused.contains(node.id) {
                node.reported["access_key_status"] = .string("Inactive")
                node.mtime = start + day
            }
            if node.kind == "aws_root_user" {
                node.reported["access_key_1_active"] = .bool(false)
                node.reported["access_key_2_active"] = .bool(false)
            }
            return true
        }
        report = try await runner.run(CheckRunRequest(), now: start + day)
        // Cleanup 2 (ten days later): the disabled keys deleted after the grace period, MFA for console users.
        try rewrite(store, now: start + 10 * day) { node in
            if node.kind == "aws_iam_user" { node.reported["mfa_active"] = .bool(true) }
            return !(node.kind == "aws_iam_access_key" && node.reported["access_key_status"] == .string("Inactive"))
        }
        report = try await runner.run(CheckRunRequest(), now: start + 10 * day)
        // Cleanup 3: unused console passwords removed.
        try rewrite(store, now: start + 11 * day) { node in
            if node.kind == "aws_iam_user" { node.reported["password_enabled"] = .bool(false) }
            return true
        }
        report = try await runner.run(CheckRunRequest(), now: start + 11 * day)
        #expect(report.history.count == 4)

        let output = URL(fileURLWithPath: try #require(Self.outputDirectory))
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        for format in [ReportFormat.html, .json, .sarif] {
            try Data(format.render(report).utf8).write(to: output.appendingPathComponent("report.\(format.rawValue)"))
        }
    }

    /// Rewrites every account subgraph: `transform` edits a node and says whether to keep it.
    func rewrite(_ store: GraphStore, now: Date, _ transform: (inout Node) -> Bool) throws {
        let subgraphs = try store.writer.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT subgraph FROM node WHERE subgraph != 'cloud:aws' ORDER BY 1")
        }
        for name in subgraphs {
            let (nodes, edges) = try store.writer.read { db -> ([Node], [Edge]) in
                let nodes = try Row.fetchAll(db, sql: "SELECT \(NodeColumns.sql) FROM node WHERE subgraph = ?", arguments: [name])
                    .map { try Node(row: $0) }
                let edges = try Row.fetchAll(db, sql: """
                    SELECT f.id, t.id, e.type FROM edge e JOIN node f ON f.nid = e.from_nid JOIN node t ON t.nid = e.to_nid
                    WHERE t.subgraph = ?
                    """, arguments: [name]).map { row in
                    Edge(from: row[0], to: row[1], type: EdgeType(rawValue: row[2]) ?? .default)
                }
                return (nodes, edges)
            }
            var kept: [Node] = []
            for var node in nodes where transform(&node) { kept.append(node) }
            let ids = Set(kept.map(\.id))
            let keptEdges = edges.filter { (ids.contains($0.from) || $0.from == "aws") && ids.contains($0.to) }
            try store.replaceSubgraph(Subgraph(name: name, nodes: kept, edges: keptEdges), now: now)
        }
    }
}
