import Foundation
import SiftStore
import SiftTime

/// `cleanup log`: what cleanup did, when, why (the clean reason) and the result, one line per action.
public enum CleanupLog {
    /// The lines for `entries` (oldest first).
    public static func lines(_ entries: [CleanupEntry]) -> [String] {
        if entries.isEmpty { return ["no cleanup actions yet"] }
        return entries.map { entry in
            let at = ISO8601.format(entry.resultAt ?? entry.intentAt)
            let result = entry.result?.rawValue ?? "INTERRUPTED"
            var line = "\(at)  \(entry.action.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) "
                + "\(entry.nodeId)  user=\(entry.userName ?? "-")  account=\(entry.account ?? "-")  \(result)"
            if let reason = entry.reason { line += "  reason=\"\(reason)\"" }
            if let detail = entry.detail { line += "  (\(detail))" }
            return line
        }
    }
}
