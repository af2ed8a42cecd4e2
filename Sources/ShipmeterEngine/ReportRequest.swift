import Attribution
import Foundation
import Ledger
import Usage

/// The window a report covers, as people write it: `30d`, `12w`, `2026-03-01` or an ISO 8601
/// time, resolved against `now` (and the repository's `report.since`) by the engine.
public struct ReportWindow: Sendable {
    public enum Edge: String, Sendable {
        case start = "since", end = "until"
    }

    /// The start; nil: the settings' `report.since`, else 30 days before the end.
    public var since: String?
    /// The end, exclusive; nil: `now`.
    public var until: String?
    public var now: Date

    public init(since: String? = nil, until: String? = nil, now: Date = Date()) {
        (self.since, self.until, self.now) = (since, until, now)
    }

    /// The dates, the start defaulting to `configured`, else 30 days.
    public func resolve(configured: String? = nil) throws(EngineError) -> (since: Date, until: Date) {
        var end = now
        if let until {
            guard let date = Timestamp.parseWindowEdge(until, now: now) else { throw .badDate(.end, until) }
            end = date
        }
        let sinceText = since ?? configured ?? "30d"
        guard let start = Timestamp.parseWindowEdge(sinceText, now: end) else { throw .badDate(.start, sinceText) }
        guard start < end else { throw .emptyWindow(since: start, until: end) }
        return (start, end)
    }
}

/// Where a report's commits, deployments and usage come from.
public enum ReportSource: Sendable {
    /// A repository's history (any folder inside it), with usage from `usage` files or folders —
    /// none: this machine's agent sessions of the repository — and, with `ledger`, the ledger's
    /// usage records as well.
    case history(repository: String, usage: [String] = [], ledger: LedgerLocation? = nil)
    /// What `attribute` stored in the ledger, for the repositories `filter` names (a name, an
    /// identity or a folder; nil: all). `fallback`, a folder inside a repository: read its
    /// history, with the ledger's usage, when the ledger holds no attribution yet.
    case ledger(LedgerLocation, filter: String? = nil, fallback: String? = nil)
    /// The same from a ledger already open (the collector's); it is left open.
    case openLedger(LedgerStore, filter: String? = nil)
}

/// One report: what it covers, how it is grouped and weighed, where it comes from.
public struct ReportRequest: Sendable {
    public var source: ReportSource
    public var window: ReportWindow
    /// The environment whose deployments count; nil: the settings', else production, release,
    /// the busiest.
    public var environment: String?
    /// nil: the settings' `report.by`, else by team.
    public var groupBy: GroupBy?
    public var scope: ReportScope
    /// nil: the settings' `report.weight`, else effective.
    public var weight: DeploymentWeight?
    /// In a partial clone, let git fetch the blobs line counts need.
    public var fetchMissing: Bool
    /// How usage files are read (format, prices, strictness).
    public var reading: UsageReading
    /// Whether to read the repository's `.shipmeter.yml` for a ledger report (the command line
    /// does when one is at hand; the collector reports with defaults).
    public var settingsOf: String?

    public init(
        source: ReportSource, window: ReportWindow = ReportWindow(), environment: String? = nil, groupBy: GroupBy? = nil,
        scope: ReportScope = ReportScope(), weight: DeploymentWeight? = nil, fetchMissing: Bool = false,
        reading: UsageReading = UsageReading(), settingsOf: String? = nil
    ) {
        (self.source, self.window, self.environment, self.groupBy, self.scope) = (source, window, environment, groupBy, scope)
        (self.weight, self.fetchMissing, self.reading, self.settingsOf) = (weight, fetchMissing, reading, settingsOf)
    }
}

/// A report and what came with it.
public struct ReportResult: Sendable {
    public var report: Report
    /// The budget projection of the settings (nil when none is set).
    public var budget: BudgetProjection?
    /// Everything worth telling, in the order it arose (also passed to `notify` as it did).
    public var diagnostics: [Diagnostic]
    /// The environments that have deployments.
    public var environments: [String]
    /// Every repository the ledger holds (from a ledger; empty from history).
    public var ledgerRepositories: [String] = []
    /// People as `attribute` stored them (from a ledger; nil from history).
    public var roster: LedgerRoster?
    /// Commits and usage records read (from history; nil from a ledger).
    public var commits: Int?
    public var records: Int?
    /// Seconds per phase: reading, joining, computing.
    public var timings: [(phase: String, seconds: Double)]

    /// Whether input was left out (exit status 3 on the command line).
    public var isPartial: Bool { diagnostics.contains(where: \.isPartial) }
}

/// A budget projection: the report's sources, the budget's terms.
public struct BudgetRequest: Sendable {
    public var source: ReportSource
    /// Overrides `budget.annual_usd` of the settings.
    public var annual: Decimal?
    /// The budget year (default: the current one).
    public var year: Int?
    public var now: Date
    public var reading: UsageReading
    public var settingsOf: String?

    public init(
        source: ReportSource, annual: Decimal? = nil, year: Int? = nil, now: Date = Date(), reading: UsageReading = UsageReading(),
        settingsOf: String? = nil
    ) {
        (self.source, self.annual, self.year, self.now, self.reading, self.settingsOf) = (source, annual, year, now, reading, settingsOf)
    }
}

public struct BudgetResult: Sendable {
    public var projection: BudgetProjection
    public var diagnostics: [Diagnostic]
}
