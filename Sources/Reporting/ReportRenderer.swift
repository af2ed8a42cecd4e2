import Attribution
import Foundation
import Usage

/// What a renderer may show besides the report: the version and clock are injected so output is
/// reproducible (golden files), and colour is decided by the caller (terminal, `NO_COLOR`).
public struct RenderContext: Sendable {
    public var version: String
    public var generatedAt: Date
    public var color: Bool
    public var budget: BudgetProjection?
    /// Links a live page adds (`shipmeter serve`'s dashboard); nil for a file.
    public var navigation: ReportNavigation?

    public init(version: String, generatedAt: Date, color: Bool = false, budget: BudgetProjection? = nil, navigation: ReportNavigation? = nil) {
        self.version = version
        self.generatedAt = generatedAt
        self.color = color
        self.budget = budget
        self.navigation = navigation
    }
}

/// What the dashboard adds to the HTML report: a row of choices per filter (each a plain link:
/// the page runs no script and submits no form), where each group's row leads, and what the
/// page is scoped to.
public struct ReportNavigation: Sendable {
    public struct Choice: Sendable {
        public var text: String
        public var href: String
        public var current: Bool

        public init(text: String, href: String, current: Bool) {
            self.text = text
            self.href = href
            self.current = current
        }
    }

    public struct Filter: Sendable {
        public var name: String
        public var choices: [Choice]

        public init(name: String, choices: [Choice]) {
            self.name = name
            self.choices = choices
        }
    }

    public var filters: [Filter]
    /// Group key → the page it leads to (a team → its people → their deployments).
    public var groupLinks: [String: String]
    /// Pages above this one (e.g. all teams → this team), shown before the filters.
    public var trail: [Choice]
    /// The same report as JSON.
    public var json: String

    public init(filters: [Filter], groupLinks: [String: String], trail: [Choice], json: String) {
        self.filters = filters
        self.groupLinks = groupLinks
        self.trail = trail
        self.json = json
    }
}

/// One output format of `shipmeter report`.
public protocol ReportRenderer {
    func render(_ report: Report, context: RenderContext) -> String
}

/// The formats of `--format`.
public enum ReportFormat: String, CaseIterable, Sendable {
    case table, json, csv, markdown, html

    public var renderer: any ReportRenderer {
        switch self {
        case .table: return TableReportRenderer()
        case .json: return JSONReportRenderer()
        case .csv: return CSVReportRenderer()
        case .markdown: return MarkdownReportRenderer()
        case .html: return HTMLReportRenderer()
        }
    }
}

/// Column definitions shared by the tabular formats, led by yield and shipped work.
enum ReportColumns {
    struct Column: Sendable {
        var title: String
        var value: @Sendable (GroupMetrics) -> String
    }

    static let all: [Column] = [
        Column(title: "ND") { Quantity.figure($0.normalisedDeployments) },
        Column(title: "ND / M tokens") { Quantity.figure($0.ndPerMillionTokens) },
        Column(title: "shipped tokens") { Quantity.percent($0.shippedTokenRatio) },
        Column(title: "deploys") { "\($0.deployments)" },
        Column(title: "eff. lines") { Quantity.short(Int64($0.effectiveLines.rounded())) },
        Column(title: "coverage") { Quantity.percent($0.usageCoverage) },
        Column(title: "ND / eng-week") { Quantity.figure($0.ndPerEngineerWeek) },
        Column(title: "CFR") { Quantity.percent($0.changeFailureRate) },
        Column(title: "rework") { Quantity.percent($0.reworkRate) },
        Column(title: "AI share") { Quantity.percent($0.aiAssistedShare) },
        Column(title: "AI lines") { $0.aiLinesShippedKnown.map { Quantity.short(Int64($0)) } ?? "—" },
        Column(title: "AI line share") { Quantity.percent($0.aiLineShare) },
        Column(title: "lead h (AI / other)") {
            "\(Quantity.figure($0.leadTimeAI.median, digits: 1)) / \(Quantity.figure($0.leadTimeOther.median, digits: 1))"
        },
        Column(title: "engineers") { "\($0.activeEngineers)" },
        Column(title: "cost") { $0.hasUsage ? Money.usd($0.costUSD) : Money.usd(nil as Double?) },
        Column(title: "cost / ND") { Money.usd($0.costPerND) },
        Column(title: "tokens") { Quantity.short($0.tokens.total) },
    ]

    /// The columns a report shows: the AI-written line columns only when a git-ai note or an
    /// Agent Trace record covers some shipped commit (`Report.hiddenColumnsNote` says so otherwise).
    static func columns(for report: Report) -> [Column] {
        report.totals.aiLinesShippedKnown == nil ? all.filter { !$0.title.hasPrefix("AI line") } : all
    }

    /// Per pull request (or branch): what it is, whether it shipped and is final, what it cost.
    static let changeSetHeader = ["title", "merged", "shipped in", "final", "commits", "lead h", "explicit tokens", "inferred tokens", "cost basis"]

    static func changeSetRow(_ group: GroupMetrics) -> [String]? {
        guard let summary = group.changeSet else { return nil }
        let title = summary.pullRequest?.title ?? summary.branch ?? ""
        return [
            title.count > 48 ? String(title.prefix(47)) + "…" : title, summary.mergedAt.map { String(Timestamp.iso8601($0).prefix(10)) } ?? "—",
            summary.shippedIn ?? "not yet", summary.isFinal ? "final" : "open", "\(summary.commits)",
            Quantity.figure(summary.leadTimeHours, digits: 1),
            Quantity.short(summary.explicitTokens), Quantity.short(summary.inferredTokens),
            summary.costBasis == "inferred" ? "inferred only" : summary.costBasis,
        ]
    }
}

extension Report {
    /// The weekly trend as rows: week, tokens, shipped-token ratio, cost, normalised deployments,
    /// deployments and the rework rate.
    var weeklyRows: [[String]] {
        weekly.map { week in
            [
                String(Timestamp.iso8601(week.start).prefix(10)), Quantity.short(week.tokens), Quantity.percent(week.shippedTokenRatio),
                Money.usd(week.costUSD), Quantity.figure(week.normalisedDeployments), "\(week.deployments)", Quantity.percent(week.reworkRate),
            ]
        }
    }

    static let weeklyHeader = ["week", "tokens", "shipped tokens", "cost", "ND", "deploys", "rework"]

    /// Why the AI-written line columns are hidden, when they are.
    var hiddenColumnsNote: String? {
        totals.aiLinesShippedKnown == nil
            ? "AI-written lines: no git-ai note or Agent Trace record covers a shipped commit, so those columns are hidden" : nil
    }

    /// Groups that are pull requests or branches, with their rows.
    var changeSetRows: [(key: String, row: [String])] {
        groups.compactMap { group in ReportColumns.changeSetRow(group).map { (group.key, $0) } }
    }

    /// "2026-03-01 → 2026-03-31 (30 days)"
    var windowText: String {
        let days = Int((until.timeIntervalSince(since) / 86_400).rounded())
        return "\(Timestamp.iso8601(since).prefix(10)) → \(Timestamp.iso8601(until).prefix(10)) (\(days) days)"
    }

    /// The one-paragraph summary every format leads with.
    var summaryLines: [String] {
        var lines = [
            "Window: \(windowText) · environment: \(environment ?? "none") · repositories: \(repositories.joined(separator: ", "))",
            "Yield: \(Quantity.figure(totals.ndPerMillionTokens)) normalised deployments per million tokens · \(Quantity.figure(totals.normalisedDeployments)) normalised deployments from \(totals.deployments) deployments shipping \(Quantity.short(Int64(totals.effectiveLines.rounded()))) effective lines",
            "Shipped-token ratio: \(Quantity.percent(totals.shippedTokenRatio)) of \(Quantity.short(totals.tokens.total)) tokens · cost \(totals.hasUsage ? Money.usd(totals.costUSD) : Money.usd(nil as Double?)) · usage coverage \(Quantity.percent(totals.usageCoverage)) · AI-assisted share \(Quantity.percent(totals.aiAssistedShare))",
            "Change failure rate \(Quantity.percent(totals.changeFailureRate)) · rework rate \(Quantity.percent(totals.reworkRate)) (AI-assisted \(Quantity.percent(totals.reworkRateAI)), other \(Quantity.percent(totals.reworkRateOther)))",
        ]
        if let written = totals.aiLinesShippedKnown {
            lines.append(
                "AI-written lines shipped: \(Quantity.short(Int64(written))) (\(Quantity.percent(totals.aiLineShare)) of effective lines, where git-ai notes or Agent Trace record them)"
            )
        }
        if let counts = changeSetCommits {
            lines.append(
                "Commits shipped in the window: \(counts.shipped), of which \(counts.without) have no \(groupBy == .branch ? "merged branch" : "pull request") (`none`)"
            )
        }
        return lines
    }
}
