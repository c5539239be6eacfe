// Fuzz target: the credential report's CSV (as GetCredentialReport returns it, base64-decoded)
// and the pairing of its rows with a user's keys. Any body parses or throws; never a crash.
import Foundation
@testable import SiftAWS

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let report = try? CredentialReport(csv: Data(bytes: data, count: size), generated: nil) else { return 0 }
    let created = Date(timeIntervalSince1970: 1_609_459_200) // 2021-01-01, the seed's key 1
    let keys = [AccessKeyMetadata(accessKeyId: "AKIA1", userName: "u", status: .active, createDate: created),
                AccessKeyMetadata(accessKeyId: "AKIA2", userName: "u", status: .inactive, createDate: created.addingTimeInterval(86_400))]
    for row in report.rows.values {
        _ = KeyReportPairing.pair(keys: Array(keys.prefix(1)), row: row)
        _ = KeyReportPairing.pair(keys: keys, row: row)
    }
    _ = report.root
    return 0
}
