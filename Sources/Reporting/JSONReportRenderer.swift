import Attribution
import Foundation
import Usage

/// The stable JSON schema of DESIGN.md. `schema_version` 2 added `effective_lines` per group
/// and the window's `deployments` with what each was worth; 3 measures effective size as the
/// information a change adds, adds `usage_coverage`, `covered_normalised_deployments` and the
/// added, copied, re-laid out and templated lines per group, counts only covered work in
/// `nd_per_million_tokens` and `cost_per_nd`, and gives `null` (never a fake 0) for figures
/// derived from tokens where no usage counts for a group, and for `ai_lines_shipped` where no
/// line-level record covers its commits. Nothing of versions 1 and 2 changed name. 4 adds
/// `group_by` `pull-request` and `branch` (each group's `pull_request` or `branch` object, and the
/// report's `change_set_commits`), `rework_rate` and `rework` per group and week, and each
/// deployment's `rework` reasons; nothing earlier changed.
public struct JSONReportRenderer: ReportRenderer {
    public static let schemaVersion: Int64 = 4

    public init() {}

    public func render(_ report: Report, context: RenderContext) -> String {
        document(report, context: context).serialized()
    }

    public func document(_ report: Report, context: RenderContext) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("schema_version", .int(Self.schemaVersion)),
            ("window", .object([("since", .string(Timestamp.iso8601(report.since))), ("until", .string(Timestamp.iso8601(report.until)))])),
            ("environment", .optional(report.environment)),
            ("group_by", .string(report.groupBy.rawValue)),
            ("repositories", .array(report.repositories.map(JSONValue.string))),
            ("groups", .array(report.groups.map(Self.metrics))),
            ("totals", Self.metrics(report.totals)),
            ("warnings", .array(report.warnings.map(Self.warning))),
            ("deployments", .array(report.deployments.map(Self.deployment))),
            (
                "weekly",
                .array(
                    report.weekly.map { week in
                        .object([
                            ("week_start", .string(Timestamp.iso8601(week.start))),
                            ("tokens", .int(week.tokens)),
                            ("shipped_tokens", .int(week.shippedTokens)),
                            ("shipped_token_ratio", .number(week.shippedTokenRatio)),
                            ("cost_usd", .decimal(week.costUSD)),
                            ("normalised_deployments", .number(week.normalisedDeployments)),
                            ("deployments", .int(Int64(week.deployments))),
                            ("rework_deployments", .int(Int64(week.reworkDeployments))),
                            ("rework_rate", .number(week.reworkRate)),
                        ])
                    })
            ),
        ]
        if let counts = report.changeSetCommits {
            members.append(("change_set_commits", .object([("shipped", .int(Int64(counts.shipped))), ("without", .int(Int64(counts.without)))])))
        }
        if let budget = context.budget { members.append(("budget", BudgetJSON.document(budget))) }
        return .object(members)
    }

    static func metrics(_ group: GroupMetrics) -> JSONValue {
        func lead(_ percentiles: Percentiles) -> JSONValue {
            .object([("median", .number(percentiles.median)), ("p90", .number(percentiles.p90))])
        }
        var members: [(String, JSONValue)] = [
            ("key", .string(group.key)),
            (
                "tokens",
                .object([
                    ("input", .int(group.tokens.input)),
                    ("output", .int(group.tokens.output)),
                    ("cache_write", .int(group.tokens.cacheWrite)),
                    ("cache_read", .int(group.tokens.cacheRead)),
                    ("total", .int(group.tokens.total)),
                ])
            ),
            ("cost_usd", .decimal(group.costUSD)),
            ("shipped_tokens", .int(group.shippedTokens)),
            ("unshipped_tokens", .int(group.unshippedTokens)),
            ("uncommitted_tokens", .int(group.uncommittedTokens)),
            ("shipped_token_ratio", .number(group.shippedTokenRatio)),
            ("deployments", .int(Int64(group.deployments))),
            ("normalised_deployments", .double(group.normalisedDeployments)),
            ("effective_lines", .double(group.effectiveLines)),
            ("changed_lines", .int(Int64(group.changedLines))),
            ("added_lines", .int(Int64(group.addedLines))),
            ("copied_lines", .int(Int64(group.copiedLines))),
            ("relaid_lines", .int(Int64(group.relaidLines))),
            ("templated_lines", .int(Int64(group.templatedLines))),
            ("usage_coverage", .number(group.usageCoverage)),
            ("covered_normalised_deployments", .double(group.coveredNormalisedDeployments)),
            ("nd_per_engineer_week", .number(group.ndPerEngineerWeek)),
            ("nd_per_million_tokens", .number(group.ndPerMillionTokens)),
            ("cost_per_nd", .number(group.costPerND)),
            ("active_engineers", .int(Int64(group.activeEngineers))),
            ("cost_per_engineer_month", .number(group.costPerEngineerMonth)),
            ("ai_assisted_share", .number(group.aiAssistedShare)),
            ("ai_lines_shipped", group.aiLinesShippedKnown.map { .int(Int64($0)) } ?? .null),
            ("ai_line_share", .number(group.aiLineShare)),
            ("lead_time_hours", .object([("ai_assisted", lead(group.leadTimeAI)), ("other", lead(group.leadTimeOther))])),
            ("change_failure_rate", .number(group.changeFailureRate)),
            ("cache_hit_ratio", .number(group.cacheHitRatio)),
            ("rework_rate", .number(group.reworkRate)),
            (
                "rework",
                .object([
                    ("deployments", .int(Int64(group.rework.all.counted))),
                    ("rework_deployments", .int(Int64(group.rework.all.rework))),
                    ("ai_assisted", .number(group.reworkRateAI)),
                    ("other", .number(group.reworkRateOther)),
                ])
            ),
        ]
        if let summary = group.changeSet {
            members.append(summary.pullRequest == nil ? ("branch", changeSet(summary)) : ("pull_request", changeSet(summary)))
        }
        return .object(members)
    }

    /// A pull request's (or branch's) identity, whether it shipped and is final, and what its cost rests on.
    static func changeSet(_ summary: ChangeSetSummary) -> JSONValue {
        var members = [(String, JSONValue)]()
        if let pullRequest = summary.pullRequest {
            members += [
                ("number", .int(Int64(pullRequest.number))), ("forge", .string(pullRequest.forge.rawValue)), ("title", .string(pullRequest.title)),
            ]
        }
        members += [
            ("branch", .optional(summary.branch)),
            ("merged_at", summary.mergedAt.map { .string(Timestamp.iso8601($0)) } ?? .null),
            ("shipped_in", .optional(summary.shippedIn)),
            ("shipped_at", summary.shippedAt.map { .string(Timestamp.iso8601($0)) } ?? .null),
            ("final", .bool(summary.isFinal)),
            ("commits", .int(Int64(summary.commits))),
            ("lead_time_hours", .number(summary.leadTimeHours)),
            (
                "usage",
                .object([
                    ("explicit", .object([("tokens", .int(summary.explicitTokens)), ("cost_usd", .decimal(summary.explicitCost))])),
                    ("inferred", .object([("tokens", .int(summary.inferredTokens)), ("cost_usd", .decimal(summary.inferredCost))])),
                    ("unmatched_sessions", .int(Int64(summary.unmatchedSessions))),
                    ("records_outside_window", .int(Int64(summary.recordsOutsideWindow))),
                    ("basis", .string(summary.costBasis)),
                ])
            ),
        ]
        return .object(members)
    }

    /// One deployment of the window: what it shipped and what it is worth.
    static func deployment(_ detail: DeploymentDetail) -> JSONValue {
        .object([
            ("environment", .string(detail.deployment.environment)),
            ("id", .string(detail.deployment.id)),
            ("commit", .string(detail.deployment.commit.hex)),
            ("time", .string(Timestamp.iso8601(detail.deployment.time))),
            ("kind", .string(detail.deployment.kind.rawValue)),
            ("status", .string(detail.deployment.status.rawValue)),
            ("shipped_commits", .int(Int64(detail.shippedCommits))),
            ("changed_lines", detail.lines.map { .int(Int64($0)) } ?? .null),
            ("effective_lines", .double(detail.effectiveLines)),
            ("normalised_deployments", .double(detail.normalisedDeployments)),
            ("rework", .array(detail.rework.map { .string($0.rawValue) })),
        ])
    }

    static func warning(_ warning: Warning) -> JSONValue {
        .object([
            ("kind", .string(warning.kind)),
            ("group", .string(warning.group)),
            ("message", .string(warning.message)),
            ("figures", .object(warning.figures.map { ($0.0, .number($0.1)) })),
        ])
    }
}
