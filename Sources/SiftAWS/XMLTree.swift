import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML element with its text and children: just enough structure for AWS query-protocol responses.
public struct XMLTree: Sendable, Hashable {
    /// The element's local name (namespace prefix removed).
    public var name: String
    /// The concatenated character data directly inside the element, untrimmed.
    public var text: String
    /// The child elements in document order.
    public var children: [XMLTree]

    /// The first child named `name`.
    public func child(_ name: String) -> XMLTree? {
        children.first { $0.name == name }
    }

    /// Every child named `name`.
    public func children(_ name: String) -> [XMLTree] {
        children.filter { $0.name == name }
    }

    /// Follows first children along `path`.
    public func find(_ path: String...) -> XMLTree? {
        var node: XMLTree? = self
        for step in path { node = node?.child(step) }
        return node
    }

    /// The trimmed text of the child `name`, `nil` when absent.
    public func value(_ name: String) -> String? {
        child(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The deepest element nesting accepted (AWS responses nest fewer than 10 deep); deeper input is
    /// an error, so that building, comparing and freeing the tree stay shallow.
    public static let maxDepth = 64

    /// Parses a document; errors give the parser's line and column.
    public static func parse(_ data: Data) throws(XMLTreeError) -> XMLTree {
        // FoundationXML crashes on an element name that is not UTF-8 (found by Fuzz/Targets/IAMXML):
        // AWS answers in UTF-8, so anything else is refused before the parser sees it.
        guard String(validating: data, as: UTF8.self) != nil else {
            throw XMLTreeError(line: 1, column: 1, message: "the response is not UTF-8")
        }
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        guard parser.parse(), let root = builder.root else {
            let message = builder.tooDeep ? "elements nested deeper than \(maxDepth)" : parser.parserError.map { "\($0)" } ?? "no root element"
            throw XMLTreeError(line: parser.lineNumber, column: parser.columnNumber, message: message)
        }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [XMLTree] = []
        var root: XMLTree?
        var tooDeep = false

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            guard stack.count < XMLTree.maxDepth else {
                tooDeep = true
                parser.abortParsing()
                return
            }
            stack.append(XMLTree(name: local, text: "", children: []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            guard let done = stack.popLast() else { return }
            if stack.isEmpty {
                root = done
            } else {
                stack[stack.count - 1].children.append(done)
            }
        }
    }
}

/// A response body that is not well-formed XML.
public struct XMLTreeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The parser's line.
    public let line: Int
    /// The parser's column.
    public let column: Int
    /// What went wrong.
    public let message: String

    /// `line:column: message`.
    public var description: String { "XML \(line):\(column): \(message)" }
}
