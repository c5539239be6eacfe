// Fuzz target: the XML of AWS query-protocol responses (XMLTree). Any body parses into a tree or
// throws an XMLTreeError; never a crash, however deep or broken.
import Foundation
import SiftAWSXML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let tree = try? XMLTree.parse(Data(bytes: data, count: size)) else { return 0 }
    _ = tree.find("ListUsersResult", "Users")?.children("member").map { $0.value("UserName") }
    _ = tree == tree
    return 0
}
