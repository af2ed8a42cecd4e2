import Attribution
import Foundation
import Usage

/// An aligned terminal table; colour only when the caller says the terminal wants it.
public struct TableReportRenderer: ReportRenderer {
    public init() {}

    public func render(_ report: Report, context: RenderContext) -> String {
        func bold(_ text: String) -> String { context.color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
        func yellow(_ text: String) -> String { context.color ? "\u{1B}[33m\(text)\u{1B}[0m" : text }
        var lines = [bold("shipmeter report — by \(report.groupBy.rawValue)")]
        lines += report.summaryLines
        lines.append("")
        let columns = ReportColumns.columns(for: report)
        var rows = report.groups.map { group in [group.key] + columns.map { $0.value(group) } }
        rows.append(["total"] + columns.map { $0.value(report.totals) })
        lines.append(TextTable(header: [report.groupBy.rawValue] + columns.map(\.title), rows: rows, rightAligned: Set(1...columns.count)).render())
        if let note = report.hiddenColumnsNote { lines.append(note) }
        let changeSets = report.changeSetRows
        if !changeSets.isEmpty {
            lines.append("")
            lines.append(bold(report.groupBy == .branch ? "Branches" : "Pull requests"))
            lines.append(
                TextTable(
                    header: [report.groupBy.rawValue] + ReportColumns.changeSetHeader, rows: changeSets.map { [$0.key] + $0.row },
                    rightAligned: [5, 6, 7, 8]
                ).render())
        }
        if !report.weekly.isEmpty {
            lines.append("")
            lines.append(bold("Weekly trend"))
            lines.append(TextTable(header: Report.weeklyHeader, rows: report.weeklyRows, rightAligned: [1, 2, 3, 4, 5, 6]).render())
        }
        if let budget = context.budget {
            lines.append("")
            lines.append(bold("Budget"))
            lines += budget.summaryLines
        }
        lines.append("")
        if report.warnings.isEmpty {
            lines.append("Warning signs: none.")
        } else {
            lines.append(bold("Warning signs"))
            for warning in report.warnings {
                lines.append(yellow("! [\(warning.kind)] \(warning.group): ") + warning.message)
            }
        }
        for note in report.notes { lines.append("note: \(note)") }
        return lines.joined(separator: "\n")
    }
}

/// RFC 4180, one row per group (then totals), headed by the JSON field names.
public struct CSVReportRenderer: ReportRenderer {
    public init() {}

    static let header = [
        "key", "input", "output", "cache_write", "cache_read", "total", "cost_usd", "shipped_tokens", "unshipped_tokens",
        "uncommitted_tokens", "shipped_token_ratio", "deployments", "normalised_deployments", "nd_per_engineer_week",
        "nd_per_million_tokens", "cost_per_nd", "active_engineers", "cost_per_engineer_month", "ai_assisted_share",
        "ai_lines_shipped", "ai_line_share", "lead_time_hours_ai_assisted_median", "lead_time_hours_ai_assisted_p90", "lead_time_hours_other_median",
        "lead_time_hours_other_p90", "change_failure_rate", "cache_hit_ratio", "effective_lines", "usage_coverage",
        "covered_normalised_deployments", "added_lines", "copied_lines", "relaid_lines", "templated_lines",
        "rework_rate", "rework_rate_ai_assisted", "rework_rate_other",
    ]

    /// Added when grouping by pull request or branch (empty in the totals row).
    static let changeSetHeader = [
        "pull_request_number", "forge", "title", "branch", "merged_at", "shipped_in", "final", "commits", "pull_request_lead_time_hours",
        "explicit_tokens", "explicit_cost_usd", "inferred_tokens", "inferred_cost_usd", "unmatched_sessions", "cost_basis",
    ]

    public func render(_ report: Report, context: RenderContext) -> String {
        let changeSets = report.groupBy.isChangeSet
        var csv = CSVWriter(header: Self.header + (changeSets ? Self.changeSetHeader : []))
        func number(_ value: Double?) -> String { value.map { JSONValue.format($0) } ?? "" }
        for group in report.groups + [report.totals] {
            let t = group.tokens
            csv.append(
                [
                    group.key, "\(t.input)", "\(t.output)", "\(t.cacheWrite)", "\(t.cacheRead)", "\(t.total)", Money.plain(group.costUSD),
                    "\(group.shippedTokens)", "\(group.unshippedTokens)", "\(group.uncommittedTokens)", number(group.shippedTokenRatio),
                    "\(group.deployments)", number(group.normalisedDeployments), number(group.ndPerEngineerWeek), number(group.ndPerMillionTokens),
                    number(group.costPerND), "\(group.activeEngineers)", number(group.costPerEngineerMonth), number(group.aiAssistedShare),
                    group.aiLinesShippedKnown.map { "\($0)" } ?? "", number(group.aiLineShare), number(group.leadTimeAI.median),
                    number(group.leadTimeAI.p90), number(group.leadTimeOther.median), number(group.leadTimeOther.p90),
                    number(group.changeFailureRate), number(group.cacheHitRatio), number(group.effectiveLines), number(group.usageCoverage),
                    number(group.coveredNormalisedDeployments), "\(group.addedLines)", "\(group.copiedLines)", "\(group.relaidLines)",
                    "\(group.templatedLines)", number(group.reworkRate), number(group.reworkRateAI), number(group.reworkRateOther),
                ] + (changeSets ? Self.changeSetCells(group.changeSet) : []), numeric: Set(1..<Self.header.count))
        }
        return csv.text
    }

    static func changeSetCells(_ summary: ChangeSetSummary?) -> [String] {
        guard let summary else { return Array(repeating: "", count: changeSetHeader.count) }
        return [
            summary.pullRequest.map { "\($0.number)" } ?? "", summary.pullRequest?.forge.rawValue ?? "", summary.pullRequest?.title ?? "",
            summary.branch ?? "", summary.mergedAt.map(Timestamp.iso8601) ?? "", summary.shippedIn ?? "", summary.isFinal ? "true" : "false",
            "\(summary.commits)", summary.leadTimeHours.map { JSONValue.format($0) } ?? "", "\(summary.explicitTokens)",
            Money.plain(summary.explicitCost),
            "\(summary.inferredTokens)", Money.plain(summary.inferredCost), "\(summary.unmatchedSessions)", summary.costBasis,
        ]
    }
}
