// Fuzz target: IAM policy documents (SiftPolicy) as IAM's query API returns them (JSON or URL-encoded
// JSON), also read as a trust policy. Any text reads into a document or throws a PolicyDocumentError with its path; the summary and
// decisions of whatever reads finish in bounded time (wildcards are matched in linear time).
import Foundation
import SiftPolicy

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let policy = NamedPolicy(name: "fuzz", text: text)
    let evaluator = PolicyEvaluator(policies: [policy], permissionsBoundary: nil)
    _ = evaluator.summary()
    _ = evaluator.decide(action: "iam:CreateAccessKey", resource: "arn:aws:iam::123456789012:user/admin")
    _ = evaluator.decide(action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key")
    // The same text as a role's trust policy.
    if let trust = try? TrustPolicy(text: text) {
        _ = trust.trusts(principalArn: "arn:aws:iam::123456789012:user/ann", account: "123456789012")
    }
    return 0
}
