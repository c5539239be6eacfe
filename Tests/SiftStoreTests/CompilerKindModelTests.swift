import Foundation
import Testing
@testable import SiftStore

/// The kind model read from Schema/kinds.json and from hand-written JSON.
@Suite struct CompilerKindModelTests {
    let model = KindModel.builtin

    @Test func hierarchy() {
        #expect(model.subkinds(of: "user") == ["aws_iam_user", "aws_root_user", "user"])
        #expect(model.subkinds(of: "access_key") == ["access_key", "aws_iam_access_key"])
        #expect(model.subkinds(of: "resource").count == model.kindNames.count)
        #expect(model.subkinds(of: "nope") == [])
        #expect(model.isKnown("aws_account") && !model.isKnown("aws_acount"))
    }

    @Test func suggestions() {
        #expect(model.suggestion(for: "acces_key") == "access_key")
        #expect(model.suggestion(for: "aws_iam_usr") == "aws_iam_user")
        #expect(model.suggestion(for: "User") == "user")
        #expect(model.suggestion(for: "banana") == nil)
    }

    @Test func propertyTypes() {
        #expect(model.propertyType(["ctime"]) == .datetime)
        #expect(model.propertyType(["last_access"]) == .duration)
        #expect(model.propertyType(["access_key_last_used", "last_used"]) == .datetime)
        #expect(model.propertyType(["access_key_status"]) == .string)
        #expect(model.propertyType(["tags", "owner"]) == nil)
        #expect(model.properties(of: "aws_iam_access_key")["age"] == .duration) // inherited from resource
        #expect(model.properties(of: "aws_iam_user")["access_key_status"] == nil)
        #expect(model.propertyNames.contains("password_last_used"))
        #expect(model.kindNames.first == "access_key")
    }

    @Test func badModels() {
        func load(_ text: String) throws { _ = try KindModel(json: Array(text.utf8)) }
        #expect(throws: KindModelError("kind 'a' has an unknown base 'b'")) { try load(#"{"kinds": [{"name": "a", "bases": ["b"]}]}"#) }
        #expect(throws: KindModelError.self) { try load(#"{"kinds": [{"name": "a", "bases": ["b"]}, {"name": "b", "bases": ["a"]}]}"#) }
        #expect(throws: KindModelError.self) { try load(#"{"kinds": [{"name": "a", "properties": {"x": "strng"}}]}"#) }
        #expect(throws: KindModelError.self) { try load(#"{"kinds": [{"name": "a"}, {"name": "a"}]}"#) }
        #expect(throws: KindModelError.self) { try load("[1]") }
    }
}
