import Foundation
import Testing
import SiftAWS
@testable import SiftOps

/// The comparison behind "never act on a key used since it was marked", to the graph's whole seconds.
struct LastUseGuardTests {
    let known = Date(timeIntervalSince1970: 1_700_000_000)

    func used(_ date: Date?) -> AccessKeyLastUsed { AccessKeyLastUsed(lastUsedDate: date, serviceName: "s3", region: "us-east-1") }

    @Test func aKeyNeverUsedMayGoOn() {
        #expect(LastUseGuard.useSince(used(nil), baseline: .graph(nil)) == nil)
        #expect(LastUseGuard.useSince(used(nil), baseline: .graph(known)) == nil)
        #expect(LastUseGuard.useSince(used(nil), baseline: .disabled(known)) == nil)
    }

    @Test func anyUseOfAKeyTheGraphKnewAsNeverUsedStopsIt() {
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        #expect(LastUseGuard.useSince(used(old), baseline: .graph(nil)) == old)
    }

    @Test func theSameSecondIsNoNewUseTheNextSecondIs() {
        // The graph keeps whole seconds; AWS (and moto) may answer with a fraction.
        #expect(LastUseGuard.useSince(used(known.addingTimeInterval(0.7)), baseline: .graph(known)) == nil)
        #expect(LastUseGuard.useSince(used(known.addingTimeInterval(-5)), baseline: .graph(known)) == nil)
        let later = known.addingTimeInterval(1.2)
        #expect(LastUseGuard.useSince(used(later), baseline: .graph(known)) == later)
        #expect(LastUseGuard.useSince(used(later), baseline: .disabled(known)) == later)
    }

    @Test func theNotesSayWhatWasSeen() {
        let later = Date(timeIntervalSince1970: 1_700_003_600)
        #expect(LastUseGuard.note(action: .disable, used: later, baseline: .graph(nil))
                == "used at 2023-11-14T23:13:20Z since it was marked (known as never used); not disabled, mark withdrawn")
        #expect(LastUseGuard.note(action: .delete, used: later, baseline: .graph(known))
                == "used at 2023-11-14T23:13:20Z since it was marked (last use known 2023-11-14T22:13:20Z); not deleted, mark withdrawn")
        #expect(LastUseGuard.note(action: .delete, used: later, baseline: .disabled(known))
                == "used at 2023-11-14T23:13:20Z after it was disabled 2023-11-14T22:13:20Z; not deleted")
    }
}
