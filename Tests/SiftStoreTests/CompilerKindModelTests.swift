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

    /// SPEC section 11: the IAM graph around a key.
    @Test func iamGraphKinds() {
        #expect(model.subkinds(of: "group") == ["aws_iam_group", "group"])
        #expect(model.subkinds(of: "role") == ["aws_iam_role", "role"])
        #expect(model.subkinds(of: "policy") == ["aws_iam_inline_policy", "aws_iam_policy", "policy"])
        #expect(model.subkinds(of: "mfa_device") == ["aws_iam_mfa_device", "mfa_device"])
        #expect(model.subkinds(of: "login_profile") == ["aws_iam_login_profile", "login_profile"])
        #expect(model.propertyType(["permissions", "admin"]) == .boolean)
        #expect(model.propertyType(["permissions", "privilege_escalation"]) == .boolean)
        #expect(model.propertyType(["permissions", "services"]) == .array)
        for kind in ["aws_iam_user", "aws_iam_group", "aws_iam_role", "aws_iam_policy", "aws_iam_inline_policy"] {
            #expect(model.properties(of: kind)["permissions.iam_write"] == .boolean, "\(kind)")
        }
        #expect(model.properties(of: "aws_iam_policy")["attachment_count"] == .int)
        #expect(model.properties(of: "aws_iam_mfa_device")["enable_date"] == .datetime)
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
