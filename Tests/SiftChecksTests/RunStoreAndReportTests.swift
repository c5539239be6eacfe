import Foundation
import GRDB
import SiftSchema
@testable import SiftStore
import Testing
@testable import SiftChecks

/// A new store in a temporary directory, with the run tables.
func migratedDatabase() throws -> GraphStore {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sift-checks-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return try GraphStore(path: directory.appendingPathComponent("graph.db").path)
}

/// The fixture file's path in the source tree.
func fixturePath(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(relative).path
}

/// The repository's root.
func repositoryRoot() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

func key(_ id: String, user: String, account: String = "111111111111") -> FailingResource {
    FailingResource(id: id, kind: "aws_iam_access_key", name: user, userName: user, accountID: account, accountName: "prod")
}

@Suite struct RunStoreTests {
    let catalogue = CheckCatalogue.builtin

    func outcome(_ id: String, _ failing: [FailingResource]) throws -> CheckOutcome {
        let check = try catalogue.check(id: id)
        return CheckOutcome(check: check, parameters: check.defaultValues, failing: failing)
    }

    @Test func secondRunSaysWhatIsNewResolvedAndStillFailing() async throws {
        let store = CheckRunStore(store: try migratedDatabase())
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let first = try await store.record(startedAt: t0, outcomes: [
            try outcome("iam.unused_access_keys", [key("AKIA2", user: "bob"), key("AKIA1", user: "alice")]),
            try outcome("iam.root_access_key", []),
        ])
        #expect(first.runID == 1)
        #expect(first.results[0].failing.map(\.id) == ["AKIA1", "AKIA2"])  // sorted by account, user, id
        #expect(first.results[0].changes.previousRunID == nil)
        #expect(first.results[0].changes.new.map(\.id) == ["AKIA1", "AKIA2"])
        #expect(first.anyFailed)
        #expect(first.failingNodeIDs == ["AKIA1", "AKIA2"])

        let second = try await store.record(startedAt: t0.addingTimeInterval(3600), outcomes: [
            try outcome("iam.unused_access_keys", [key("AKIA2", user: "bob"), key("AKIA3", user: "carol")]),
            try outcome("iam.root_access_key", []),
        ])
        let changes = second.results[0].changes
        #expect(changes.previousRunID == first.runID)
        #expect(changes.new.map(\.id) == ["AKIA3"])
        #expect(changes.resolved.map(\.id) == ["AKIA1"])
        #expect(changes.resolved.first?.userName == "alice")
        #expect(changes.stillFailing.map(\.id) == ["AKIA2"])
        #expect(second.changeTotals == (1, 1, 1))
        #expect(second.history.map(\.runID) == [1, 2])

        // A run of another check set does not join the history, but compares per check.
        let third = try await store.record(startedAt: t0.addingTimeInterval(7200), outcomes: [try outcome("iam.unused_access_keys", [])])
        #expect(third.results[0].changes.resolved.map(\.id) == ["AKIA2", "AKIA3"])
        #expect(third.history.map(\.runID) == [3])
        #expect(!third.anyFailed)
        await #expect(try store.runs(limit: 2).map(\.runID) == [3, 2])
    }

    @Test func failingResourcesAreKeptForTheLatestRunsOfEachCheck() async throws {
        let database = try migratedDatabase()
        let store = CheckRunStore(store: database, keptFailureRuns: 2)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for run in 0..<4 {
            let failing = [key("AKIA\(run)", user: "u")]
            _ = try await store.record(startedAt: t0 + Double(run), outcomes: [try outcome("iam.unused_access_keys", failing)])
            _ = try await store.record(startedAt: t0 + Double(run), outcomes: [try outcome("iam.root_access_key", [key("R\(run)", user: "root")])])
        }
        let kept = try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT check_id || ':' || run_id FROM check_failure ORDER BY run_id")
        }
        #expect(kept == ["iam.unused_access_keys:5", "iam.root_access_key:6", "iam.unused_access_keys:7", "iam.root_access_key:8"])
        await #expect(try store.runs(limit: 10).count == 8)  // every run's summary stays
        let next = try await store.record(startedAt: t0 + 9, outcomes: [try outcome("iam.unused_access_keys", [])])
        #expect(next.results[0].changes.resolved.map(\.id) == ["AKIA3"])
    }
}

@Suite struct ReportFormatTests {
    /// Two stored runs with a change between them: the second is rendered.
    func sampleReport() async throws -> CheckRunReport {
        let store = CheckRunStore(store: try migratedDatabase())
        let catalogue = CheckCatalogue.builtin
        func outcomes(_ keys: [FailingResource], mfa: [FailingResource]) throws -> [CheckOutcome] {
            try catalogue.checks.map { check in
                let failing: [FailingResource]
                switch check.id {
                case "iam.unused_access_keys": failing = keys
                case "iam.user_without_mfa": failing = mfa
                default: failing = []
                }
                let values = check.defaultValues
                var filled = check
                filled.title = try CheckTemplate.render(check.title, values: values)
                let exempt = check.id == "iam.unused_access_keys" ? [key("AKIAJENKINS", user: "jenkins")] : []
                return CheckOutcome(check: filled, parameters: values, failing: failing, exempt: exempt)
            }
        }
        let user = FailingResource(id: "AIDA<script>", kind: "aws_iam_user", name: "eve & co", userName: "eve & co",
                                   accountID: "111111111111", accountName: "prod", arn: "arn:aws:iam::111111111111:user/eve")
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await store.record(startedAt: t0, outcomes: outcomes([key("AKIA1", user: "alice"), key("AKIA2", user: "bob")], mfa: []))
        return try await store.record(startedAt: t0.addingTimeInterval(60), outcomes: outcomes([key("AKIA2", user: "bob")], mfa: [user]))
    }

    func schema(_ path: String) throws -> JSONSchemaValidator {
        JSONSchemaValidator(root: try JSONDoc.parse(String(contentsOfFile: path, encoding: .utf8)))
    }

    @Test func jsonValidatesAgainstItsSchema() async throws {
        let report = try await sampleReport()
        let text = ReportFormat.json.render(report)
        let document = try JSONDoc.parse(text)
        let validator = try schema(repositoryRoot().appendingPathComponent("docs/check-report.schema.json").path)
        #expect(validator.validate(document) == [])
        #expect(document["failed"] == .int(2))
        #expect(document["changes"] == .object(["new": .int(1), "resolved": .int(1), "still_failing": .int(1)]))
        guard case .array(let checks)? = document["checks"] else { Issue.record("no checks"); return }
        #expect(checks.count == CheckCatalogue.builtin.checks.count)
        #expect(checks.first?["new"] == .array([]) && checks.first?["still_failing"] == .array([.string("AKIA2")]))
        guard case .array(let exempt)? = checks.first?["exempt"] else { Issue.record("no exempt"); return }
        #expect(exempt.first?["id"] == .string("AKIAJENKINS"))

        // The validator really rejects: a wrong status, a missing property, an extra property.
        var broken = text.replacingOccurrences(of: "\"status\" : \"FAIL\"", with: "\"status\" : \"BROKEN\"")
        #expect(!validator.validate(try JSONDoc.parse(broken)).isEmpty)
        broken = text.replacingOccurrences(of: "\"run_id\" : 2,", with: "\"runid\" : 2,")
        #expect(validator.validate(try JSONDoc.parse(broken)).contains("$: missing required property run_id"))
    }

    @Test func sarifValidatesAgainstTheSubsetSchema() async throws {
        let report = try await sampleReport()
        let text = ReportFormat.sarif.render(report)
        let document = try JSONDoc.parse(text)
        let validator = try schema(fixturePath("Fixtures/sarif-2.1.0-subset.schema.json"))
        #expect(validator.validate(document) == [])
        #expect(document["version"] == .string("2.1.0"))
        guard case .array(let runs)? = document["runs"], let run = runs.first,
              case .array(let results)? = run["results"], case .array(let rules)? = run["tool"]?["driver"]?["rules"] else {
            Issue.record("no run"); return
        }
        #expect(rules.count == CheckCatalogue.builtin.checks.count)
        #expect(results.count == 3)
        let suppressed = results.filter { $0["suppressions"] != nil }
        #expect(suppressed.count == 1 && suppressed.first?["locations"] != nil)
        #expect(suppressed.first?["suppressions"] == .array([.object([
            "kind": .string("external"), "status": .string("accepted"), "justification": .string("protected in Sift (/metadata.protected)")])]))
        let unused = results.first { $0["ruleId"] == .string("iam.unused_access_keys") && $0["suppressions"] == nil }
        #expect(unused?["level"] == .string("warning"))
        #expect(unused?["baselineState"] == .string("unchanged"))
        #expect(unused?["locations"] == .array([.object([
            "physicalLocation": .object(["artifactLocation": .object(["uri": .string("aws/111111111111/bob/AKIA2")]),
                                         "region": .object(["startLine": .int(1)])]),
            "logicalLocations": .array([.object([
                "name": .string("AKIA2"), "fullyQualifiedName": .string("111111111111/bob/AKIA2"), "kind": .string("resource")])])])]))
        let eve = results.first { $0["ruleId"] == .string("iam.user_without_mfa") }
        guard case .array(let eveLocations)? = eve?["locations"] else { Issue.record("no locations"); return }
        #expect(eveLocations.first?["physicalLocation"]?["artifactLocation"]?["uri"] == .string("aws/111111111111/eve%20%26%20co/AIDA%3Cscript%3E"))
        let mfa = results.first { $0["ruleId"] == .string("iam.user_without_mfa") }
        #expect(mfa?["level"] == .string("error"))
        #expect(mfa?["baselineState"] == .string("new"))
        // ruleIndex points at the rule of the same id.
        for result in results {
            guard case .int(let index)? = result["ruleIndex"] else { Issue.record("no ruleIndex"); continue }
            #expect(rules[Int(index)]["id"] == result["ruleId"])
        }
        let broken = text.replacingOccurrences(of: "\"level\" : \"warning\"", with: "\"level\" : \"severe\"")
        #expect(!validator.validate(try JSONDoc.parse(broken)).isEmpty)
    }

    @Test func textSaysPassFailScoreAndChanges() async throws {
        let text = ReportFormat.text.render(try await sampleReport())
        #expect(text.contains("FAIL  iam.unused_access_keys  MEDIUM  Active access keys unused for 90 days  [days=90]"))
        #expect(text.contains("    AKIA2  aws_iam_access_key  user bob, account prod (111111111111)  (still failing)"))
        #expect(text.contains("    resolved: AKIA1  aws_iam_access_key  user alice, account prod (111111111111)"))
        #expect(text.contains("PASS  iam.root_access_key  CRITICAL  Root user has an access key"))
        #expect(text.contains("since the previous run: 1 new, 1 resolved, 1 still failing"))
        // 11 checks, weights 3+3+1+10+1+3+5 and the IAM graph's 5+1+5+5 = 42; failing MEDIUM (3) and HIGH (5):
        // 34 of 42 (the sample has no groups or policies: the IAM graph's checks pass).
        #expect(text.contains("score: 81.0 (weight passed 34 of 42)"))
    }

    @Test func htmlIsSelfContainedAndEscaped() async throws {
        let html = ReportFormat.html.render(try await sampleReport())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=") && !html.contains("@import") && !html.contains("url("))
        #expect(!html.contains("href=\"http"))
        #expect(html.contains("AIDA&lt;script&gt;") && html.contains("eve &amp; co"))
        #expect(html.contains("<svg") && html.contains("<polyline"))  // the severity chart and the score line
        #expect(html.contains(">81.0<"))
        #expect(html.contains("Remediation") && html.contains("<code>aws iam update-access-key --user-name USER --access-key-id KEY --status Inactive</code>"))
    }
}
