import Foundation
import SiftStore
import SiftAWS
import SiftTime

/// Cleanup's safety rule: never disable or delete a key used since the data that marked it was
/// collected. AWS may serve a credential report up to four hours old and a key may be used between
/// `collect` and the cleanup, so the graph's `atime` can be stale: just before each `UpdateAccessKey
/// Inactive` and each `DeleteAccessKey`, AWS's own `GetAccessKeyLastUsed` for that AccessKeyId decides.
public enum LastUseGuard {
    /// What the cleanup compares AWS's last use with, for one action.
    public enum Baseline: Sendable, Hashable {
        /// The last use the graph knew when the key was marked (nil: never used): for a disable, and
        /// for a delete without a disable first.
        case graph(Date?)
        /// When cleanup disabled the key (`metadata.disabled_at`): for a delete after the grace.
        case disabled(Date)
    }

    /// The use AWS reports that is later than `baseline` (whole seconds, the graph's precision), or nil
    /// when the action may go on.
    public static func useSince(_ reported: AccessKeyLastUsed, baseline: Baseline) -> Date? {
        guard let used = reported.lastUsedDate else { return nil }
        let known: Date?
        switch baseline {
        case .graph(let date): known = date
        case .disabled(let date): known = date
        }
        guard let known else { return used }
        return UnixTime.seconds(of: used) > UnixTime.seconds(of: known) ? used : nil
    }

    /// Why the action is skipped without a call: a collect after the mark saw the use at `used`.
    public static func seenNote(action: CleanupActionKind, used: Date) -> String {
        "used at \(ISO8601.format(used)) since it was marked (seen by a collect after the mark); "
            + "not \(action == .disable ? "disabled" : "deleted"), mark withdrawn"
    }

    /// Why the action is skipped, for the run's output and `cleanup log`.
    public static func note(action: CleanupActionKind, used: Date, baseline: Baseline) -> String {
        let at = ISO8601.format(used)
        switch baseline {
        case .graph(let known):
            let knew = known.map { "last use known \(ISO8601.format($0))" } ?? "known as never used"
            return "used at \(at) since it was marked (\(knew)); not \(action == .disable ? "disabled" : "deleted"), mark withdrawn"
        case .disabled(let disabledAt):
            return "used at \(at) after it was disabled \(ISO8601.format(disabledAt)); not deleted"
        }
    }

}
