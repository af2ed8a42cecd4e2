import Foundation

/// Usage totals and groups, as `shipmeter usage` reports them.
public struct UsageSummary: Sendable {
    public enum Grouping: String, CaseIterable, Sendable {
        case day, month, session, model, source, actor, agent
    }

    public var totals = TokenCounts()
    public var groups: [(key: String, counts: TokenCounts)] = []

    public init(records: [UsageRecord], by grouping: Grouping?) {
        var table = [String: TokenCounts]()
        for record in records {
            totals.add(record)
            guard let grouping else { continue }
            table[Self.key(record, grouping), default: TokenCounts()].add(record)
        }
        groups = table.map { (key: $0.key, counts: $0.value) }
        switch grouping {
        case .day?, .month?: groups.sort { $0.key < $1.key }
        default: groups.sort { ($0.counts.total, $1.key) > ($1.counts.total, $0.key) }
        }
    }

    static func key(_ record: UsageRecord, _ grouping: Grouping) -> String {
        switch grouping {
        case .day: return String(Timestamp.format(record.timestamp).prefix(10))
        case .month: return String(Timestamp.format(record.timestamp).prefix(7))
        case .session: return record.session ?? "(none)"
        case .model: return record.model
        case .source: return record.source
        case .actor: return record.actor ?? "(unknown)"
        case .agent: return record.agent ?? "(unknown)"
        }
    }
}
