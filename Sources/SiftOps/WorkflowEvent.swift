/// The events workflows emit, in the order SPEC section 6 gives; jobs added with
/// `--wait-for-event EVENT` run when their event fires.
public enum WorkflowEvent: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Before a collect.
    case preCollect = "pre_collect"
    /// After a collect.
    case postCollect = "post_collect"
    /// Before cleanup decides what to do.
    case preCleanupPlan = "pre_cleanup_plan"
    /// After cleanup decided what to do.
    case postCleanupPlan = "post_cleanup_plan"
    /// Before cleanup acts.
    case preCleanup = "pre_cleanup"
    /// After cleanup acted.
    case postCleanup = "post_cleanup"

    /// The event's name.
    public var description: String { rawValue }

    /// The event named `name`, or an error listing the events.
    public static func named(_ name: String) throws(OpsValueError) -> WorkflowEvent {
        if let event = WorkflowEvent(rawValue: name) { return event }
        throw OpsValueError("unknown event '\(name)'; events: \(allCases.map(\.rawValue).joined(separator: ", "))")
    }
}
