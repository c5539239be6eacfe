import Testing
@testable import SiftChecks

@Suite struct CatalogueTests {
    let catalogue = CheckCatalogue.builtin

    @Test func requiredChecksExistWithTheirSeverities() throws {
        let expected: [String: Severity] = [
            "iam.unused_access_keys": .medium, "iam.access_key_rotation": .medium,
            "iam.user_multiple_active_keys": .low, "iam.root_access_key": .critical,
            "iam.inactive_keys_not_deleted": .low, "iam.unused_console_password": .medium,
            "iam.user_without_mfa": .high,
        ]
        for (id, severity) in expected {
            let check = try catalogue.check(id: id)
            #expect(check.severity == severity, "\(id)")
            #expect(check.category == "IAM")
            #expect(!check.remediation.isEmpty && !check.verification.isEmpty && !check.risk.isEmpty)
        }
        #expect(try catalogue.check(id: "iam.unused_access_keys").defaultValues == ["days": 90])
        #expect(try catalogue.check(id: "iam.unused_console_password").defaultValues == ["days": 45])
        #expect(try catalogue.check(id: "iam.inactive_keys_not_deleted").defaultValues == ["grace_days": 7])
    }

    @Test func everyTextRendersWithDefaults() throws {
        for check in catalogue.checks {
            for text in [check.title] + check.queries + check.remediation + check.verification {
                let rendered = try CheckTemplate.render(text, values: check.defaultValues)
                #expect(!rendered.contains("{{"), "\(check.id): \(rendered)")
            }
        }
        let query = try CheckTemplate.render(catalogue.check(id: "iam.unused_access_keys").queries[0], values: ["days": 45])
        #expect(query == "is(access_key) and access_key_status == Active and last_access > 45d")
    }

    @Test func unknownIdListsCloseOnes() {
        #expect(throws: CheckError.unknownCheck(id: "iam.unused_acess_keys", suggestions: ["iam.unused_access_keys"])) {
            try catalogue.check(id: "iam.unused_acess_keys")
        }
        do {
            _ = try catalogue.check(id: "iam.root")
            Issue.record("no error")
        } catch {
            guard case .unknownCheck(_, let suggestions) = error else { Issue.record("\(error)"); return }
            #expect(suggestions == ["iam.root_access_key"])
            #expect(error.description == "unknown check 'iam.root' (did you mean iam.root_access_key?)")
        }
        #expect(catalogue.suggestions(for: "user_without_mfa") == ["iam.user_without_mfa"])
        #expect(catalogue.suggestions(for: "s3.public_buckets").isEmpty)
    }

    @Test func listAndShowTexts() throws {
        let list = CatalogueText.list(catalogue.checks)
        #expect(list.split(separator: "\n").count == catalogue.checks.count)
        #expect(list.contains("iam.unused_access_keys         MEDIUM    IAM  Active access keys unused for 90 days"))
        let show = CatalogueText.show(try catalogue.check(id: "iam.unused_access_keys"), values: ["days": 45])
        #expect(show.hasPrefix("iam.unused_access_keys: Active access keys unused for 45 days\nseverity: MEDIUM\n"))
        #expect(show.contains("  days = 45 (default 90, 1...3650): "))
        #expect(show.contains("  search is(access_key) and access_key_status == Active and last_access > 45d\n"))
        #expect(show.contains("remediation:\n  1. Find out who owns the key"))
        #expect(show.contains("verification:\n  1. Collect again"))
    }

    @Test func selectionBySeverityAndIds() throws {
        let high = try catalogue.select(ids: [], minimumSeverity: .high).map(\.id)
        #expect(Set(high) == ["iam.root_access_key", "iam.user_without_mfa", "iam.admin_keys_unused",
                              "iam.policy_full_access", "iam.user_privilege_escalation"])
        let some = try catalogue.select(ids: ["iam.user_without_mfa", "iam.unused_access_keys", "iam.user_without_mfa"], minimumSeverity: nil)
        #expect(some.map(\.id) == ["iam.user_without_mfa", "iam.unused_access_keys"])
        #expect(throws: CheckError.self) { try catalogue.select(ids: ["iam.unused_access_keys"], minimumSeverity: .critical) }
        #expect(Severity(parsing: "critical") == .critical && Severity(parsing: "urgent") == nil)
    }

    @Test func malformedCatalogueIsRejected() {
        func load(_ json: String) throws(CheckError) -> CheckCatalogue {
            try CheckCatalogue(files: [("checks/test.json", Array(json.utf8))])
        }
        let base = #"{"id": "t.one", "title": "T {{days}}", "severity": "LOW", "queries": ["all"], "risk": "r", "remediation": ["a"], "verification": ["b"]"#
        #expect(throws: CheckError.invalidCatalogue(file: "checks/test.json", check: "t.one", message: "'{{days}}' names no parameter of the check")) {
            _ = try load(#"{"category": "T", "checks": [\#(base)}]}"#)
        }
        #expect(throws: CheckError.self) {  // unknown severity
            _ = try load(#"{"category": "T", "checks": [{"id": "t.x", "title": "x", "severity": "SEVERE", "queries": ["all"], "risk": "r", "remediation": ["a"], "verification": ["b"]}]}"#)
        }
        #expect(throws: CheckError.self) {  // default outside its range
            _ = try load(#"{"category": "T", "checks": [\#(base), "parameters": [{"name": "days", "description": "d", "default": 0, "minimum": 1, "maximum": 9}]}]}"#)
        }
        #expect(throws: CheckError.self) {  // duplicate id
            let good = #"\#(base), "parameters": [{"name": "days", "description": "d", "default": 2, "minimum": 1, "maximum": 9}]}"#
            _ = try load(#"{"category": "T", "checks": [\#(good), \#(good)]}"#)
        }
        #expect(throws: CheckError.self) {  // bad id shape
            _ = try load(#"{"category": "T", "checks": [{"id": "NoDots", "title": "x", "severity": "LOW", "queries": ["all"], "risk": "r", "remediation": ["a"], "verification": ["b"]}]}"#)
        }
    }
}

@Suite struct ParameterTests {
    let checks = try! CheckCatalogue.builtin.select(ids: ["iam.unused_access_keys", "iam.inactive_keys_not_deleted", "iam.user_without_mfa"], minimumSeverity: nil)

    @Test func overridesApplyToTheChecksThatTakeThem() throws {
        let values = try ParameterOverrides(arguments: ["days=45"]).resolve(for: checks)
        #expect(values["iam.unused_access_keys"] == ["days": 45])
        #expect(values["iam.inactive_keys_not_deleted"] == ["grace_days": 7])
        #expect(values["iam.user_without_mfa"] == [:])
        #expect(try ParameterOverrides.none.resolve(for: checks)["iam.unused_access_keys"] == ["days": 90])
    }

    @Test func badParametersAreErrors() throws {
        #expect(throws: CheckError.unknownParameter(name: "dayz", known: ["days", "grace_days"])) {
            try ParameterOverrides(arguments: ["dayz=4"]).resolve(for: checks)
        }
        #expect(throws: CheckError.malformedParameter("days")) { try ParameterOverrides(arguments: ["days"]) }
        #expect(throws: CheckError.malformedParameter("=3")) { try ParameterOverrides(arguments: ["=3"]) }
        #expect(throws: CheckError.invalidParameterValue(name: "days", value: "45d) or all", reason: "not a whole number")) {
            try ParameterOverrides(arguments: ["days=45d) or all"]).resolve(for: checks)
        }
        #expect(throws: CheckError.invalidParameterValue(name: "days", value: "0", reason: "must be between 1 and 3650")) {
            try ParameterOverrides(arguments: ["days=0"]).resolve(for: checks)
        }
        #expect(throws: CheckError.self) { try ParameterOverrides(arguments: ["grace_days=-1"]).resolve(for: checks) }
    }

    @Test func templates() throws {
        #expect(try CheckTemplate.render("a {{ x }} b {{y}}", values: ["x": 1, "y": 22]) == "a 1 b 22")
        #expect(throws: CheckTemplateError.unterminated) { try CheckTemplate.render("a {{x", values: ["x": 1]) }
        #expect(throws: CheckTemplateError.unknownPlaceholder("z")) { try CheckTemplate.render("{{z}}", values: [:]) }
        #expect(throws: CheckTemplateError.badName("a b")) { try CheckTemplate.placeholders(in: "{{a b}}") }
    }

    @Test func scoreIsWeightedBySeverity() throws {
        func result(_ severity: Severity, failing: Bool) -> CheckResult {
            let check = CheckDefinition(id: "t.\(severity.rawValue.lowercased())", title: "t", category: "T", severity: severity,
                                        queries: ["all"], risk: "r", remediation: ["a"], verification: ["b"])
            let failed = failing ? [FailingResource(id: "x", kind: "k")] : []
            return CheckResult(check: check, parameters: [:], failing: failed,
                               changes: CheckChanges(previousRunID: nil, previous: [], current: failed))
        }
        let score = PostureScore(results: [result(.critical, failing: false), result(.high, failing: true),
                                           result(.medium, failing: false), result(.low, failing: true), result(.info, failing: true)])
        #expect(score.passedWeight == 13 && score.totalWeight == 19)
        #expect(abs(score.value - 100 * 13.0 / 19.0) < 1e-9)
        #expect(PostureScore(results: [result(.info, failing: true)]).value == 100)
        #expect(PostureScore(results: []).value == 100)
    }
}
