import Foundation
import Testing
@testable import SiftAWS
import SiftTime

/// Credential report parsing and the rule that pairs report slots with AccessKeyIds only without doubt.
struct ReportPairingTests {
    static let header = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
        + "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
        + "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
        + "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,"
        + "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"

    static func row(_ user: String, key1: (Bool, String, String)?, key2: (Bool, String, String)? = nil,
                    password: String = "false", mfa: String = "false") -> String {
        func slot(_ s: (Bool, String, String)?) -> String {
            guard let s else { return "false,N/A,N/A,N/A,N/A" }
            return "\(s.0),\(s.1),\(s.2),us-east-1,iam"
        }
        return "\(user),arn:aws:iam::123456789012:user/\(user),2020-01-01T00:00:00+00:00,\(password),N/A,N/A,N/A,"
            + "\(mfa),\(slot(key1)),\(slot(key2)),false,N/A,false,N/A"
    }

    static func key(_ id: String, _ created: String, _ status: AccessKeyStatus = .active) -> AccessKeyMetadata {
        AccessKeyMetadata(accessKeyId: id, userName: "u", status: status, createDate: ISO8601.date(created))
    }

    static func report(_ rows: [String]) throws -> CredentialReport {
        try CredentialReport(csv: Data(([header] + rows).joined(separator: "\n").utf8), generated: nil)
    }

    @Test func parsesRowsAndRoot() throws {
        let rootRow = "<root_account>,arn:aws:iam::123456789012:root,2019-01-01T00:00:00+00:00,not_supported,"
            + "2024-05-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,"
            + "false,N/A,false,N/A"
        let parsed = try Self.report([rootRow, Self.row("alice", key1: (true, "2024-01-01T00:00:00+00:00", "N/A"),
                                                        password: "true", mfa: "true")])
        #expect(parsed.root?.mfaActive == true)
        #expect(parsed.root?.passwordEnabled == nil)
        #expect(parsed.root?.passwordLastUsed == ISO8601.date("2024-05-01T10:00:00Z"))
        let alice = try #require(parsed.rows["alice"])
        #expect(alice.passwordEnabled == true)
        #expect(alice.keySlots[0].active && alice.keySlots[0].lastUsed == nil)
        #expect(!alice.keySlots[1].holdsKey)
    }

    @Test func missingColumnIsAnError() {
        #expect(throws: CredentialReportError.missingColumn("access_key_1_active")) {
            try CredentialReport(csv: Data("user,arn\nbob,x\n".utf8), generated: nil)
        }
    }

    @Test func quotedFieldsAndBrokenRows() throws {
        let records = CSVReader.records("a,\"b,c\",\"d\"\"e\"\r\n1,2,3\n")
        #expect(records == [["a", "b,c", "d\"e"], ["1", "2", "3"]])
        // A row with an extra field (a comma in a name, unquoted) is not guessed at.
        let parsed = try Self.report([Self.row("x,y", key1: (true, "2024-01-01T00:00:00+00:00", "N/A"))])
        #expect(parsed.rows.isEmpty)
        #expect(parsed.unreadableUsers == ["x"])
    }

    @Test func oneKeyOneMatchingSlotPairs() throws {
        let parsed = try Self.report([Self.row("u", key1: (true, "2024-01-01T00:00:00+00:00", "2024-06-01T08:00:00+00:00"))])
        let paired = KeyReportPairing.pair(keys: [Self.key("AKIA1", "2024-01-01T00:00:00.654321Z")], row: parsed.rows["u"])
        #expect(paired["AKIA1"]?.lastUsedDate == ISO8601.date("2024-06-01T08:00:00Z"))
    }

    @Test func oneKeyWithStaleOrOddReportDoesNotPair() throws {
        let rotatedDiffers = try Self.report([Self.row("u", key1: (true, "2024-01-01T00:00:01+00:00", "N/A"))])
        #expect(KeyReportPairing.pair(keys: [Self.key("AKIA1", "2024-01-01T00:00:00Z")],
                                      row: rotatedDiffers.rows["u"]).isEmpty)
        let statusDiffers = try Self.report([Self.row("u", key1: (false, "2024-01-01T00:00:00+00:00", "N/A"))])
        #expect(KeyReportPairing.pair(keys: [Self.key("AKIA1", "2024-01-01T00:00:00Z")],
                                      row: statusDiffers.rows["u"]).isEmpty)
        let twoSlots = try Self.report([Self.row("u", key1: (true, "2024-01-01T00:00:00+00:00", "N/A"),
                                                 key2: (false, "2023-01-01T00:00:00+00:00", "N/A"))])
        #expect(KeyReportPairing.pair(keys: [Self.key("AKIA1", "2024-01-01T00:00:00Z")], row: twoSlots.rows["u"]).isEmpty)
        #expect(KeyReportPairing.pair(keys: [Self.key("AKIA1", "2024-01-01T00:00:00Z")], row: nil).isEmpty)
    }

    @Test func twoKeysPairByRotationSecond() throws {
        let parsed = try Self.report([Self.row("u", key1: (false, "2023-03-01T00:00:00+00:00", "2023-04-01T00:00:00+00:00"),
                                               key2: (true, "2024-03-01T00:00:00+00:00", "N/A"))])
        // Listed newest first: pairing goes by time, not by position.
        let keys = [Self.key("AKIANEW", "2024-03-01T00:00:00.5Z"), Self.key("AKIAOLD", "2023-03-01T00:00:00Z", .inactive)]
        let paired = KeyReportPairing.pair(keys: keys, row: parsed.rows["u"])
        #expect(paired["AKIAOLD"]?.lastUsedDate == ISO8601.date("2023-04-01T00:00:00Z"))
        #expect(paired["AKIANEW"] != nil && paired["AKIANEW"]?.lastUsedDate == nil)
    }

    @Test func twoKeysInTheSameSecondNeverPair() throws {
        let parsed = try Self.report([Self.row("u", key1: (true, "2024-03-01T00:00:00+00:00", "2024-04-01T00:00:00+00:00"),
                                               key2: (true, "2024-03-01T00:00:00+00:00", "N/A"))])
        let keys = [Self.key("AKIAA", "2024-03-01T00:00:00.1Z"), Self.key("AKIAB", "2024-03-01T00:00:00.9Z")]
        #expect(KeyReportPairing.pair(keys: keys, row: parsed.rows["u"]).isEmpty)
    }

    @Test func datesParseAndFormat() {
        #expect(ISO8601.date("2015-08-30T12:36:00Z")?.timeIntervalSince1970 == 1_440_938_160)
        #expect(ISO8601.date("2015-08-30T12:36:00.250000Z")?.timeIntervalSince1970 == 1_440_938_160.25)
        #expect(ISO8601.date("2015-08-30T14:36:00+02:00")?.timeIntervalSince1970 == 1_440_938_160)
        #expect(ISO8601.date("N/A") == nil)
        #expect(ISO8601.date("no_information") == nil)
        #expect(ISO8601.format(Date(timeIntervalSince1970: 1_440_938_160.9)) == "2015-08-30T12:36:00Z")
        #expect(ISO8601.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }

    @Test func retryDelaysStayUnderTheCeiling() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: 0.1, maxDelay: 1)
        var random = SystemRandomNumberGenerator()
        for retry in 0..<10 {
            let delay = policy.delay(retry: retry, using: &random)
            #expect(delay >= 0 && delay <= min(1, 0.1 * pow(2, Double(retry))))
        }
    }
}
