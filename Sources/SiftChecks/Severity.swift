/// How much a failing check matters, from INFO to CRITICAL.
///
/// Ordered: `.info < .low < .medium < .high < .critical`. The weight is what a check counts
/// for in the posture score (see `PostureScore`).
public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    /// Informational: reported, never lowers the score.
    case info = "INFO"
    /// Low.
    case low = "LOW"
    /// Medium.
    case medium = "MEDIUM"
    /// High.
    case high = "HIGH"
    /// Critical.
    case critical = "CRITICAL"

    /// The check's weight in the posture score: CRITICAL 10, HIGH 5, MEDIUM 3, LOW 1, INFO 0.
    public var weight: Int {
        switch self {
        case .info: return 0
        case .low: return 1
        case .medium: return 3
        case .high: return 5
        case .critical: return 10
        }
    }

    private var rank: Int {
        switch self {
        case .info: return 0
        case .low: return 1
        case .medium: return 2
        case .high: return 3
        case .critical: return 4
        }
    }

    /// Orders by rank: INFO is the least, CRITICAL the most.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// Parses a severity written in any case (`high`, `HIGH`); nil for anything else.
    public init?(parsing text: String) {
        self.init(rawValue: text.uppercased())
    }
}
