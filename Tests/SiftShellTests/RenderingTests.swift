import Foundation
import SiftQuery
import SiftStore
import Testing
@testable import SiftShell

/// Output rendering: JSON, YAML, cells, durations, templates, CSV and Markdown escaping.
struct RenderingTests {
    @Test func jsonIsSortedAndEscaped() {
        let value = JSONValue.object(["b": .int(1), "a": .array([.string("x\"y\n"), .null, .bool(true), .double(1.5)])])
        #expect(ValueRendering.json(value) == #"{"a":["x\"y\n",null,true,1.5],"b":1}"#)
        #expect(ValueRendering.json(value, indent: 2) == "{\n  \"a\": [\n    \"x\\\"y\\n\",\n    null,\n    true,\n    1.5\n  ],\n  \"b\": 1\n}")
        #expect(ValueRendering.json(.object([:])) == "{}")
    }

    @Test func yamlQuotesWhatCouldBeMisread() {
        let value = JSONValue.object([
            "id": .string("450846773551"), "name": .string("acme"), "flag": .string("true"),
            "tags": .object(["owner": .string("sec")]), "list": .array([.string("a"), .int(2)]), "empty": .object([:]),
        ])
        #expect(ValueRendering.yaml(value) == """
            empty: {}
            flag: "true"
            id: "450846773551"
            list:
              - a
              - 2
            name: acme
            tags:
              owner: sec

            """)
    }

    @Test func cells() {
        #expect(ValueRendering.cell(nil) == "")
        #expect(ValueRendering.cell(.null) == "")
        #expect(ValueRendering.cell(.string("x")) == "x")
        #expect(ValueRendering.cell(.object(["k": .int(1)])) == #"{"k":1}"#)
    }

    @Test func durationsForPeople() {
        #expect(NodeValues.durationText(seconds: 0) == "0s")
        #expect(NodeValues.durationText(seconds: 45) == "45s")
        #expect(NodeValues.durationText(seconds: 3 * 3600 + 25 * 60 + 10) == "3h25min")
        #expect(NodeValues.durationText(seconds: 2 * 86_400 + 5 * 3600 + 17) == "2d5h")
        #expect(NodeValues.durationText(seconds: 97 * 86_400 + 5 * 3600) == "97d")
        #expect(NodeValues.durationText(seconds: -3 * 86_400) == "-3d")
    }

    @Test func templates() throws {
        let pieces = try FormatSink.parseTemplate("{name} {{x}} {/desired.clean}", at: SourcePosition(line: 1, column: 1))
        #expect(pieces.count == 3)
        #expect(pieces[0] == .path(Path(components: [.key("name")])))
        #expect(pieces[1] == .text(" {x} "))
        #expect(pieces[2] == .path(Path(root: .desired, components: [.key("clean")])))
        #expect(throws: ShellError.self) { try FormatSink.parseTemplate("{name", at: SourcePosition(line: 1, column: 1)) }
        #expect(throws: ShellError.self) { try FormatSink.parseTemplate("{name ==}", at: SourcePosition(line: 1, column: 1)) }
    }

    @Test func csvAndMarkdownEscaping() {
        #expect(ListSink.csvField("plain") == "plain")
        #expect(ListSink.csvField("a,b") == "\"a,b\"")
        #expect(ListSink.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(ListSink.markdownCell("a|b\nc") == "a\\|b<br>c")
        #expect(ListSink.pad(["a", "bb", "c"], [3, 3, 3]) == "a    bb   c")
    }

    @Test func nodeJSONPutsColumnsBackIntoReported() {
        let node = Node(id: "AKIA1", kind: "aws_iam_access_key", name: "nancy",
                        ctime: Date(timeIntervalSince1970: 0), reported: ["access_key_status": .string("Active")])
        let json = NodeValues.json(of: node)
        #expect(ValueRendering.json(json) == #"{"desired":{},"id":"AKIA1","metadata":{},"reported":{"access_key_status":"Active","ctime":"1970-01-01T00:00:00Z","id":"AKIA1","kind":"aws_iam_access_key","name":"nancy"}}"#)
    }
}

/// Folding the steps of a pipeline into the query and the SQL output.
struct PipelinePlanTests {
    func plan(_ line: String) throws -> QueryPipeline.Plan {
        let pipeline = try LineGrammar.parse(line)[0]
        let registry = CommandRegistry.standard
        var steps: [(PipelineStep, CommandSegment)] = []
        for segment in pipeline.commands {
            guard let command = registry.command(named: segment.name) else { throw ShellError("unknown") }
            steps.append((try command.spec.step(for: segment), segment))
        }
        guard case .query(let source) = steps[0].0 else { throw ShellError("not a query") }
        let context = ShellContext(options: ShellOptions(databasePath: "/nonexistent/never-opened.db"))
        return try QueryPipeline(source: source, steps: Array(steps.dropFirst()), context: context).plan()
    }

    @Test func sortAndLimitGoIntoTheLastPart() throws {
        let result = try plan("search is(user) --> is(access_key) | sort name desc | limit 2, 5 | limit 1, 10")
        #expect(result.query.parts.last?.sort == [Sort(path: Path(components: [.key("name")]), order: .desc)])
        #expect(result.query.parts.last?.limit == Limit(offset: 3, count: 4))
        #expect(result.query.parts.first?.sort.isEmpty == true)
    }

    @Test func headAndTailBecomeTheOutput() throws {
        let result = try plan("search all | head -5 | head 3 | tail 2")
        #expect(result.head == 3)
        #expect(result.tail == 2)
        #expect(result.sink == nil)
        let afterList = try plan("search all | list --csv id | head -4")
        #expect(afterList.head == 4)
        #expect(afterList.textStages.isEmpty)
        let afterTail = try plan("search all | tail 10 | head 2")
        #expect(afterTail.tail == 10)
        #expect(afterTail.headAfterTail == 2)
    }

    @Test func countFoldsHeadIntoTheLimit() throws {
        let result = try plan("search all | head 7 | count kind")
        #expect(result.query.parts.last?.limit == Limit(offset: 0, count: 7))
        #expect(result.head == nil)
        #expect(result.count == .some(Path(components: [.key("kind")])))
    }

    @Test func textStagesAfterUniq() throws {
        let result = try plan("search all | format {name} | uniq | head 2")
        #expect(result.textStages.count == 2)
    }

    @Test func badOrders() {
        #expect(throws: ShellError.self) { try plan("search all | count | head 2") }
        #expect(throws: ShellError.self) { try plan("search all | head 2 | sort name") }
        #expect(throws: ShellError.self) { try plan("search all | format {name} | list") }
        #expect(throws: ShellError.self) { try plan("search all | search all") }
        #expect(throws: ShellError.self) { try plan("search all | help") }
        #expect(throws: ShellError.self) { try plan("search all | tail 3 | count") }
    }
}
