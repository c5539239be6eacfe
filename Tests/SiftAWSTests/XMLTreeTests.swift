import Foundation
import Testing
@testable import SiftAWS

/// Response bodies a broken or hostile endpoint might send (issue 13).
@Suite struct XMLTreeTests {
    @Test func deepNestingIsAnError() {
        let deep = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
        #expect {
            _ = try XMLTree.parse(Data(deep.utf8))
        } throws: { error in
            (error as? XMLTreeError)?.message == "elements nested deeper than \(XMLTree.maxDepth)"
        }
    }

    @Test func nestingWithinTheLimitParses() throws {
        let depth = XMLTree.maxDepth
        let text = String(repeating: "<a>", count: depth) + "x" + String(repeating: "</a>", count: depth)
        var node: XMLTree? = try XMLTree.parse(Data(text.utf8))
        var levels = 0
        while let current = node {
            levels += 1
            node = current.children.first
        }
        #expect(levels == depth)
    }

    /// Found by Fuzz/Targets/IAMXML: FoundationXML crashed on an element name with invalid UTF-8.
    @Test func invalidUTF8IsAnError() {
        let body = Data("<ErrorResponse><Err".utf8) + Data([0xFF, 0xFF]) + Data("or></Err\u{FF}or></ErrorResponse>".utf8)
        #expect(throws: XMLTreeError(line: 1, column: 1, message: "the response is not UTF-8")) { _ = try XMLTree.parse(body) }
    }
}
