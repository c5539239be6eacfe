import Foundation
import Testing
import SiftStore
@testable import SiftOps

@Suite struct ConfigTests {
    @Test func defaultsAreThoseOfTheSpec() async throws {
        let temp = try TemporaryStore()
        let config = try await ConfigStore(store: temp.store).load()
        #expect(config.cleanup == false)
        #expect(config.cleanupDryRun == true)
        #expect(config.isDryRun)
        #expect(config.cleanupPoolSize == 16)
        #expect(config.cleanupDisableFirst == true)
        #expect(config.cleanupGrace.seconds == 7 * 86_400)
        #expect(config.collectInterval.seconds == 3600)
        #expect(config.collectAccounts == [])
        #expect(config.collectRole == nil)
        #expect(config.explicitlySet.isEmpty)
    }

    @Test func setWritesTypedValuesToTheSettingTable() async throws {
        let temp = try TemporaryStore()
        let configs = ConfigStore(store: temp.store)
        try await configs.set(assignments: ["cleanup=true", "cleanup_dry_run=false", "cleanup_grace=2d12h",
                                      "collect_accounts=[111111111111, 222222222222]", "collect_role=SiftAudit"])
        let config = try await configs.load()
        #expect(config.cleanup && !config.cleanupDryRun && !config.isDryRun)
        #expect(config.cleanupGrace.seconds == 2 * 86_400 + 12 * 3600)
        #expect(config.collectAccounts == ["111111111111", "222222222222"])
        #expect(config.collectRole == "SiftAudit")
        #expect(try temp.store.setting("cleanup") == .bool(true))
        #expect(try temp.store.setting("cleanup_grace") == .string("2d12h"))
        #expect(try temp.store.setting("collect_role") == .string("SiftAudit"))
    }

    @Test func oneBadValueRefusesTheWholeLine() async throws {
        let temp = try TemporaryStore()
        let configs = ConfigStore(store: temp.store)
        await #expect(throws: ConfigError.self) { try await configs.set(assignments: ["cleanup=true", "cleanup_pool_size=0"]) }
        #expect(try await configs.load().cleanup == false, "the valid first assignment was not written")
        do {
            try await configs.set(assignments: ["cleanup_pool_size=many"])
            Issue.record("accepted a word as a number")
        } catch {
            #expect(error.description.contains("cleanup_pool_size must be a whole number, not 'many'"))
        }
    }

    @Test(arguments: [
        ("cleanup=maybe", "must be true or false"),
        ("cleanup_pool_size=300", "between 1 and 256"),
        ("cleanup_grace=7x", "unknown unit 'x' at character 2"),
        ("cleanup_grace=d", "a number expected, found 'd' at character 1"),
        ("cleanup_grace=0s", "cleanup_grace must be at least 1h, not 0s"),
        ("cleanup_grace=59min", "cleanup_grace must be at least 1h, not 59min"),
        ("collect_interval=30s", "at least 1min"),
        ("collect_accounts=[12345]", "not an AWS account id"),
        ("collect_accounts=[111111111111,111111111111]", "listed twice"),
        ("collect_role=bad/role", "not an IAM role name"),
        ("clenup=true", "did you mean cleanup?"),
        ("cleanup", "expected key=value"),
        ("cleanup=true cleanup=false", "must be true or false"),
    ])
    func badValuesSayWhy(assignment: String, why: String) async throws {
        let temp = try TemporaryStore()
        do {
            try await ConfigStore(store: temp.store).set(assignments: [assignment])
            Issue.record("accepted \(assignment)")
        } catch {
            #expect(error.description.contains(why), "\(error.description)")
        }
    }

    @Test func forceAcceptsAShortGraceAndItLoadsBack() async throws {
        let temp = try TemporaryStore()
        let configs = ConfigStore(store: temp.store)
        try await configs.set(assignments: ["cleanup_grace=0s"], force: true)
        #expect(try await configs.load().cleanupGrace.seconds == 0)
        try await configs.set(assignments: ["cleanup_grace=1h"])
        #expect(try await configs.load().cleanupGrace.seconds == 3600)
    }

    @Test func theSameKeyTwiceIsRefused() async throws {
        let temp = try TemporaryStore()
        await #expect(throws: ConfigError.self) { try await ConfigStore(store: temp.store).set(assignments: ["cleanup=true", "cleanup=false"]) }
    }

    @Test func durationsParseAndPrint() throws {
        #expect(try OpsDuration(parsing: "7d").seconds == 604_800)
        #expect(try OpsDuration(parsing: "1h30min").seconds == 5400)
        #expect(try OpsDuration(parsing: "90days").seconds == 90 * 86_400)
        #expect(try OpsDuration(parsing: "P7D").seconds == 604_800)
        #expect(try OpsDuration(parsing: "PT1H30M").seconds == 5400)
        #expect(OpsDuration(seconds: 5400).description == "1h30min")
        #expect(OpsDuration(seconds: 604_800 + 3600).description == "7d1h")
        #expect(throws: OpsValueError.self) { try OpsDuration(parsing: "") }
        #expect(throws: OpsValueError.self) { try OpsDuration(parsing: "P") }
        #expect(throws: OpsValueError.self) { try OpsDuration(parsing: "5 d") }
        // The query language's reader: fractions, its other unit names, any case but `M` alone; `p7d` as before.
        #expect(try OpsDuration(parsing: "1.5h").seconds == 5400)
        #expect(try OpsDuration(parsing: "30m").seconds == 1800)
        #expect(try OpsDuration(parsing: " 7D ").seconds == 604_800)
        #expect(try OpsDuration(parsing: "p7d").seconds == 604_800)
        #expect(throws: OpsValueError.self) { try OpsDuration(parsing: "1M") }
        #expect(throws: OpsValueError.self) { try OpsDuration(parsing: "P1D1Y") }
        do {
            _ = try OpsDuration(parsing: "-3d")
            Issue.record("a negative duration was accepted")
        } catch {
            #expect(error.message == "'-3d' is not a duration here: a length of time cannot be negative")
        }
    }

    @Test func yamlRoundTripsAndKeepsComments() throws {
        var config = OpsConfig()
        config.set(.cleanupPoolSize, .int(4))
        config.set(.collectAccounts, .strings(["111111111111"]))
        let text = ConfigYAML.render(config)
        #expect(text.contains("cleanup_pool_size: 4\n"))
        #expect(text.contains("collect_role: null\n"))
        #expect(text.contains("# resources cleaned at once (1-256) (default: 16)"))
        let parsed = try ConfigYAML.parse(text).get()
        for key in ConfigKey.allCases { #expect(parsed[key] == config[key], "\(key)") }
    }

    @Test func yamlErrorsNameEveryBadLine() throws {
        let text = """
            # comment
            cleanup: yes   # trailing comment
            cleanup_pool_size: lots
            cleanup_grace 7d
            collect_role: "Sift Audit"
              nested: 1
            unknown_key: 3
            cleanup: false
            """
        guard case .failure(let errors) = ConfigYAML.parse(text) else {
            Issue.record("accepted bad YAML")
            return
        }
        let lines = errors.errors.compactMap { error -> Int? in
            if case .invalidLine(let line, _, _) = error { return line } else { return nil }
        }
        #expect(lines == [3, 4, 5, 6, 7, 8])
        #expect(errors.description.contains("line 3: cleanup_pool_size: lots\n  cleanup_pool_size must be a whole number"))
        #expect(errors.description.contains("line 8: cleanup: false\n  cleanup is already set on line 2"))
    }

    @Test func yamlLeavingAKeyOutMeansItsDefault() throws {
        let parsed = try ConfigYAML.parse("cleanup: true\n").get()
        #expect(parsed.cleanup)
        #expect(parsed.cleanupPoolSize == 16)
        #expect(parsed.explicitlySet == [.cleanup])
    }

    @Test func editRunsTheEditorAndSavesValidChanges() async throws {
        let temp = try TemporaryStore()
        let configs = ConfigStore(store: temp.store)
        let editor = ConfigEditor(editor: "sed -i -e 's/^cleanup_pool_size: 16/cleanup_pool_size: 4/' -e 's/^cleanup: false/cleanup: true/'",
                                  askReopen: { _ in Issue.record("asked to re-open"); return false })
        let changed = try await editor.edit(configs)
        #expect(Set(changed) == [.cleanup, .cleanupPoolSize])
        let config = try await configs.load()
        #expect(config.cleanupPoolSize == 4 && config.cleanup)
    }

    @Test func editKeepsAGraceForcedEarlierButRefusesANewShortOne() async throws {
        let temp = try TemporaryStore()
        let configs = ConfigStore(store: temp.store)
        try await configs.set(assignments: ["cleanup_grace=30min"], force: true)
        // Another key is edited; the forced grace is written back unchanged and kept.
        let other = ConfigEditor(editor: "sed -i -e 's/^cleanup: false/cleanup: true/'",
                                 askReopen: { _ in Issue.record("asked to re-open"); return false })
        #expect(try await other.edit(configs) == [.cleanup])
        #expect(try await configs.load().cleanupGrace.seconds == 1800)
        // A different short grace typed in the editor still needs config set --force.
        var refused: [String] = []
        let shorter = ConfigEditor(editor: "sed -i -e 's/^cleanup_grace: 30min/cleanup_grace: 10min/'",
                                   askReopen: { errors in refused.append(errors.description); return false })
        await #expect(throws: ConfigError.self) { try await shorter.edit(configs) }
        #expect(refused.first?.contains("cleanup_grace must be at least 1h, not 10min") == true, "\(refused)")
        #expect(try await configs.load().cleanupGrace.seconds == 1800)
    }

    @Test func editRefusesBadValuesReopensAndCanAbort() async throws {
        let temp = try TemporaryStore()
        let configs = ConfigStore(store: temp.store)
        // First pass writes a bad value; the re-opened editor (second pass) fixes it.
        let counter = temp.directory + "/passes"
        let script = temp.directory + "/editor.sh"
        try """
            #!/bin/sh
            echo x >> \(counter)
            if [ "$(wc -l < \(counter))" -eq 1 ]; then
              sed -i 's/^cleanup_grace: 7d/cleanup_grace: soon/' "$1"
            else
              sed -i 's/^cleanup_grace: soon/cleanup_grace: 3d/' "$1"
            fi
            """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        var refused: [String] = []
        let editor = ConfigEditor(editor: script, askReopen: { errors in refused.append(errors.description); return true })
        #expect(try await editor.edit(configs) == [.cleanupGrace])
        #expect(refused.count == 1)
        #expect(refused.first?.contains("line ") == true && refused.first?.contains("cleanup_grace: soon") == true)
        #expect(try await configs.load().cleanupGrace.seconds == 3 * 86_400)

        let aborting = ConfigEditor(editor: "sed -i 's/^cleanup: false/cleanup: perhaps/'", askReopen: { _ in false })
        await #expect(throws: ConfigError.self) { try await aborting.edit(configs) }
        #expect(try await configs.load().cleanup == false)
        let failingEditor = ConfigEditor(editor: "false", askReopen: { _ in false })
        await #expect(throws: ConfigError.self) { try await failingEditor.edit(configs) }
    }
}
