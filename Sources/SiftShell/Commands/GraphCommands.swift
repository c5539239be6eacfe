import Foundation
import SiftQuery
import SiftStore
import SiftTime

/// `kinds [name]`: the kind hierarchy, or one kind with its bases, subkinds and properties.
public struct KindsCommand: ShellCommand, StandaloneCommand {
    public static let spec = CommandSpec(
        name: "kinds", summary: "list the kinds, or show one kind and its properties",
        arguments: [ArgumentSpec("name", .optional, help: "the kind to show", candidates: .kinds)]
    ) { arguments throws(ShellError) in
        .standalone(KindsCommand(name: arguments.positionals.first))
    }

    let name: Word?

    public func run(in context: ShellContext) async throws {
        let model = context.kinds
        let out = context.out
        guard let name else {
            let names = model.kindNames
            let width = names.map(\.count).max() ?? 0
            for kind in names {
                let bases = model.kinds[kind]?.bases ?? []
                let line = kind.padding(toLength: width, withPad: " ", startingAt: 0)
                out.line(bases.isEmpty ? kind : line + "  < " + bases.joined(separator: ", "))
            }
            return
        }
        guard model.isKnown(name.text) else {
            var message = "kinds: unknown kind '\(name.text)'"
            if let near = model.suggestion(for: name.text) { message += " (did you mean \(near)?)" }
            throw ShellError(message, at: name.position)
        }
        out.line(out.styled(name.text, .bold))
        out.line("bases:    " + ancestry(of: name.text, in: model).joined(separator: " > "))
        let subkinds = model.subkinds(of: name.text).filter { $0 != name.text }
        out.line("subkinds: " + (subkinds.isEmpty ? "-" : subkinds.joined(separator: ", ")))
        out.line("properties:")
        let properties = model.properties(of: name.text)
        let width = properties.keys.map(\.count).max() ?? 0
        for key in properties.keys.sorted() {
            out.line("  " + key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + (properties[key]?.rawValue ?? ""))
        }
    }

    /// The chain of bases from the root down to the kind.
    func ancestry(of kind: String, in model: KindModel) -> [String] {
        var chain = [kind]
        var current = kind
        while let base = model.kinds[current]?.bases.first, !chain.contains(base) {
            chain.insert(base, at: 0)
            current = base
        }
        return chain
    }
}

/// `history [--since 7d] [--limit N]`: what appeared, changed, disappeared or was marked.
public struct HistoryCommand: ShellCommand, StandaloneCommand {
    public static let spec = CommandSpec(
        name: "history", summary: "show what appeared, changed, disappeared or was marked",
        options: [
            .single("--since", value: "7d|DATE", help: "only changes since a duration ago (7d) or a date (2026-01-31)"),
            .single("--limit", "-n", value: "N", help: "at most N changes"),
        ]
    ) { arguments throws(ShellError) in
        var since: SiftQuery.Value?
        if let word = arguments.value("--since") {
            do {
                since = try QueryParser.parseValue(word.text)
            } catch {
                throw ShellError("history: --since takes a duration (7d) or a date (2026-01-31)", at: word.position)
            }
            switch since {
            case .duration?, .datetime?, .placeholder?: break
            default: throw ShellError("history: --since takes a duration (7d) or a date (2026-01-31)", at: word.position)
            }
        }
        return .standalone(HistoryCommand(since: since, limit: try arguments.int("--limit")))
    }

    let since: SiftQuery.Value?
    let limit: Int?

    public func run(in context: ShellContext) async throws {
        let now = Date()
        var start: Date?
        switch since {
        case .duration(let duration)?: start = now.addingTimeInterval(-Double(abs(duration.seconds)))
        case .datetime(let time)?: start = UnixTime.date(time.secondsSince1970)
        case .placeholder(let placeholder)?:
            let midnight = UnixTime.startOfDay(UnixTime.seconds(of: now))
            switch placeholder {
            case .now: start = now
            case .today: start = UnixTime.date(midnight)
            case .yesterday: start = UnixTime.date(midnight - UnixTime.secondsPerDay)
            case .tomorrow: start = UnixTime.date(midnight + UnixTime.secondsPerDay)
            }
        default: start = nil
        }
        let records = try await context.store().history(since: start, limit: limit)
        for record in records {
            var line = "\(ISO8601.format(record.at))  \(record.change.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))  \(record.kind)  \(record.nodeId)"
            if let name = record.name { line += "  " + name }
            if let detail = record.detail { line += "  " + detail.jsonText }
            context.out.line(line)
        }
    }
}

