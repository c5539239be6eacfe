import Foundation
import SiftQuery
import SiftStore
import SiftTime

/// Values of a result node for output: property paths (as in queries), the computed durations
/// `age`, `last_access`, `last_update`, and properties of related nodes (`account`,
/// `/ancestors.account.reported.id`) looked up in the graph.
public final class NodeValues {
    /// The time durations are computed against.
    public let now: Date
    /// The kind model, for the subkinds of `/ancestors.KIND`.
    public let kinds: KindModel

    /// Creates an evaluator.
    public init(now: Date, kinds: KindModel) {
        self.now = now
        self.kinds = kinds
    }

    /// The node as the export/NDJSON form: `{"id", "reported": {...incl. kind, name, times}, "desired", "metadata"}`.
    public static func json(of node: Node) -> JSONValue {
        .object([
            "id": .string(node.id),
            "reported": .object(fullReported(node)),
            "desired": .object(node.desired),
            "metadata": .object(node.metadata),
        ])
    }

    /// `reported` with id, kind, name and the times put back (the store keeps them as columns).
    public static func fullReported(_ node: Node) -> JSONObject {
        var reported = node.reported
        reported["id"] = .string(node.id)
        reported["kind"] = .string(node.kind)
        if let name = node.name { reported["name"] = .string(name) }
        if let ctime = node.ctime { reported["ctime"] = .string(ISO8601.format(ctime)) }
        if let mtime = node.mtime { reported["mtime"] = .string(ISO8601.format(mtime)) }
        if let atime = node.atime { reported["atime"] = .string(ISO8601.format(atime)) }
        return reported
    }

    /// A duration for people: whole days from a day up (days and hours under ten days),
    /// hours and minutes under a day, in the query language's notation (`97d`, `3d4h`, `2h5min`).
    public static func durationText(seconds: Int64) -> String {
        let sign: Int64 = seconds < 0 ? -1 : 1
        let magnitude = abs(seconds)
        let day: Int64 = 86_400
        let rounded: Int64
        if magnitude >= 10 * day {
            rounded = magnitude / day * day
        } else if magnitude >= day {
            rounded = magnitude / 3600 * 3600
        } else if magnitude >= 3600 {
            rounded = magnitude / 60 * 60
        } else {
            rounded = magnitude
        }
        if rounded == 0 { return "0s" }
        return DurationText.format(seconds: sign * rounded)
    }

    /// The value of a path on a row; paths through related nodes read the related nodes the row
    /// was fetched with (`related(for:)` says which to ask for).
    public func value(_ path: Path, of row: ResultRow) -> JSONValue? {
        let node = row.node
        switch path.root {
        case .reported(let explicit):
            guard case .key(let first)? = path.components.first else {
                return Self.walk(.object(Self.fullReported(node)), path.components[...])
            }
            if !explicit, let computed = computed(first, node), path.components.count == 1 {
                return computed
            }
            return Self.walk(.object(Self.fullReported(node)), path.components[...])
        case .desired:
            return Self.walk(.object(node.desired), path.components[...])
        case .metadata:
            return Self.walk(.object(node.metadata), path.components[...])
        case .ancestors(let kind, let section), .descendants(let kind, let section):
            let upward: Bool
            if case .ancestors = path.root { upward = true } else { upward = false }
            guard let related = row.related[RelatedNodes(kind: kind, upward: upward)] else { return nil }
            return value(Path(root: Self.root(of: section), components: path.components), of: ResultRow(nid: 0, node: related))
        case .shortcut(let kind):
            guard let related = row.related[RelatedNodes(kind: kind, upward: true)] else { return nil }
            return related.name.map(JSONValue.string)
        }
    }

    /// `age`, `last_access` (from creation for never-used nodes), `last_update`.
    private func computed(_ name: String, _ node: Node) -> JSONValue? {
        let since: Date?
        switch name {
        case "age": since = node.ctime
        case "last_access":
            // Shown as "never" for nodes never used (queries count those from creation).
            guard let atime = node.atime else { return .string("never") }
            since = atime
        case "last_update": since = node.mtime
        default: return nil
        }
        guard let since else { return .null }
        return .string(Self.durationText(seconds: Int64(now.timeIntervalSince(since).rounded(.down))))
    }

    private static func root(of section: Section) -> PathRoot {
        switch section {
        case .reported: return .reported(explicit: true)
        case .desired: return .desired
        case .metadata: return .metadata
        }
    }

    /// Follows path components through a JSON value; `[*]` collects every element.
    static func walk(_ value: JSONValue, _ components: ArraySlice<PathComponent>) -> JSONValue? {
        guard let component = components.first else { return value }
        let rest = components.dropFirst()
        switch (component, value) {
        case (.key(let key), .object(let members)):
            guard let member = members[key] else { return nil }
            return walk(member, rest)
        case (.index(let index), .array(let items)):
            guard index >= 0, index < items.count else { return nil }
            return walk(items[index], rest)
        case (.wildcard, .array(let items)):
            return .array(items.compactMap { walk($0, rest) })
        default:
            return nil
        }
    }

    /// The related nodes that `paths` reach, to be fetched with the rows.
    public static func related(for paths: [Path]) -> Set<RelatedNodes> {
        var wanted: Set<RelatedNodes> = []
        for path in paths {
            switch path.root {
            case .ancestors(let kind, _): wanted.insert(RelatedNodes(kind: kind, upward: true))
            case .descendants(let kind, _): wanted.insert(RelatedNodes(kind: kind, upward: false))
            case .shortcut(let kind): wanted.insert(RelatedNodes(kind: kind, upward: true))
            case .reported, .desired, .metadata: break
            }
        }
        return wanted
    }
}
