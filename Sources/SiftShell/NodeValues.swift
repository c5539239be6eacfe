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
    private var relatedCache: [RelatedKey: ResultRow?] = [:]

    private struct RelatedKey: Hashable {
        let nid: Int64
        let kind: String
        let upward: Bool
    }

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

    /// The value of a path on a row; `session` is needed for paths through related nodes.
    public func value(_ path: Path, of row: ResultRow, session: ReadSession?) throws -> JSONValue? {
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
            guard let session, let related = try related(of: row.nid, kind: kind, upward: upward, session: session) else { return nil }
            return try value(Path(root: Self.root(of: section), components: path.components), of: related, session: session)
        case .shortcut(let kind):
            guard let session, let related = try related(of: row.nid, kind: kind, upward: true, session: session) else { return nil }
            return related.node.name.map(JSONValue.string)
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

    /// The nearest node of the kind (or a subkind) above (`upward`) or below the node over
    /// default edges, level by level (ties by nid). Each step is one indexed lookup with a cached
    /// statement; the answer is remembered for every node of a single chain walked (so the keys
    /// of one user share the user's walk up to the account).
    func related(of nid: Int64, kind: String, upward: Bool, session: ReadSession) throws -> ResultRow? {
        if let cached = relatedCache[RelatedKey(nid: nid, kind: kind, upward: upward)] { return cached }
        let wanted = Set(kinds.subkinds(of: kind))
        var frontier: [Int64] = [nid]
        var seen: Set<Int64> = [nid]
        var chain: [Int64] = [nid]   // the start and the nodes of its single path so far
        var singlePath = true
        var found: ResultRow?
        walk: for _ in 0..<64 where !frontier.isEmpty {
            var next: [Int64] = []
            for current in frontier {
                for neighbour in try session.neighbours(of: current, upward: upward) where seen.insert(neighbour).inserted {
                    next.append(neighbour)
                }
            }
            next.sort()
            for candidate in next {
                if let candidateKind = try session.kind(of: candidate), wanted.contains(candidateKind) {
                    found = try session.node(nid: candidate)
                    break walk
                }
            }
            if next.count == 1 && singlePath {
                if let known = relatedCache[RelatedKey(nid: next[0], kind: kind, upward: upward)] {
                    found = known
                    break walk
                }
                chain.append(next[0])
            } else {
                singlePath = false
            }
            frontier = next
        }
        if relatedCache.count > 10_000 { relatedCache.removeAll(keepingCapacity: true) }
        for member in chain { relatedCache[RelatedKey(nid: member, kind: kind, upward: upward)] = found }
        relatedCache[RelatedKey(nid: nid, kind: kind, upward: upward)] = found
        return found
    }
}
