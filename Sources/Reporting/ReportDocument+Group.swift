import Attribution
import Foundation
import Usage

extension ReportDocument {
    /// Every metric of one group (or of the totals).
    public struct Group: Encodable, Sendable {
        public struct Tokens: Encodable, Sendable {
            public var input: Int64
            public var output: Int64
            public var cacheWrite: Int64
            public var cacheRead: Int64
            public var total: Int64

            enum CodingKeys: String, CodingKey {
                case input, output, cacheWrite = "cache_write", cacheRead = "cache_read", total
            }
        }

        /// Median and 90th percentile, in hours.
        public struct Lead: Encodable, Sendable {
            public var median: Double?
            public var p90: Double?
        }

        public struct LeadTimes: Encodable, Sendable {
            public var aiAssisted: Lead
            public var other: Lead

            enum CodingKeys: String, CodingKey { case aiAssisted = "ai_assisted", other }
        }

        public struct Rework: Encodable, Sendable {
            public var deployments: Int
            public var reworkDeployments: Int
            public var aiAssisted: Double?
            public var other: Double?

            enum CodingKeys: String, CodingKey {
                case deployments, reworkDeployments = "rework_deployments", aiAssisted = "ai_assisted", other
            }
        }

        public var key: String
        public var tokens: Tokens
        public var costUSD: Decimal
        public var shippedTokens: Int64
        public var unshippedTokens: Int64
        public var uncommittedTokens: Int64
        public var shippedTokenRatio: Double?
        public var deployments: Int
        public var normalisedDeployments: Double
        public var effectiveLines: Double
        public var changedLines: Int
        public var addedLines: Int
        public var copiedLines: Int
        public var relaidLines: Int
        public var templatedLines: Int
        public var usageCoverage: Double?
        public var coveredNormalisedDeployments: Double
        public var ndPerEngineerWeek: Double?
        public var ndPerMillionTokens: Double?
        public var costPerND: Double?
        public var activeEngineers: Int
        public var costPerEngineerMonth: Double?
        public var aiAssistedShare: Double?
        public var aiLinesShipped: Int?
        public var aiLineShare: Double?
        public var leadTimeHours: LeadTimes
        public var changeFailureRate: Double?
        public var cacheHitRatio: Double?
        public var reworkRate: Double?
        public var rework: Rework
        /// A pull request's or a branch's group: written under `pull_request` or `branch`.
        public var changeSet: ChangeSet?

        init(_ group: GroupMetrics) {
            let counts = group.tokens
            key = group.key
            tokens = Tokens(
                input: counts.input, output: counts.output, cacheWrite: counts.cacheWrite, cacheRead: counts.cacheRead, total: counts.total)
            (costUSD, shippedTokens, unshippedTokens) = (group.costUSD, group.shippedTokens, group.unshippedTokens)
            (uncommittedTokens, shippedTokenRatio, deployments) = (group.uncommittedTokens, group.shippedTokenRatio, group.deployments)
            (normalisedDeployments, effectiveLines, changedLines) = (group.normalisedDeployments, group.effectiveLines, group.changedLines)
            (addedLines, copiedLines, relaidLines, templatedLines) = (group.addedLines, group.copiedLines, group.relaidLines, group.templatedLines)
            (usageCoverage, coveredNormalisedDeployments) = (group.usageCoverage, group.coveredNormalisedDeployments)
            (ndPerEngineerWeek, ndPerMillionTokens, costPerND) = (group.ndPerEngineerWeek, group.ndPerMillionTokens, group.costPerND)
            (activeEngineers, costPerEngineerMonth, aiAssistedShare) = (group.activeEngineers, group.costPerEngineerMonth, group.aiAssistedShare)
            (aiLinesShipped, aiLineShare) = (group.aiLinesShippedKnown, group.aiLineShare)
            leadTimeHours = LeadTimes(
                aiAssisted: Lead(median: group.leadTimeAI.median, p90: group.leadTimeAI.p90),
                other: Lead(median: group.leadTimeOther.median, p90: group.leadTimeOther.p90))
            (changeFailureRate, cacheHitRatio, reworkRate) = (group.changeFailureRate, group.cacheHitRatio, group.reworkRate)
            rework = Rework(
                deployments: group.rework.all.counted, reworkDeployments: group.rework.all.rework, aiAssisted: group.reworkRateAI,
                other: group.reworkRateOther)
            changeSet = group.changeSet.map(ChangeSet.init)
        }

        enum CodingKeys: String, CodingKey {
            case key, tokens, costUSD = "cost_usd", shippedTokens = "shipped_tokens", unshippedTokens = "unshipped_tokens"
            case uncommittedTokens = "uncommitted_tokens", shippedTokenRatio = "shipped_token_ratio", deployments
            case normalisedDeployments = "normalised_deployments", effectiveLines = "effective_lines", changedLines = "changed_lines"
            case addedLines = "added_lines", copiedLines = "copied_lines", relaidLines = "relaid_lines", templatedLines = "templated_lines"
            case usageCoverage = "usage_coverage", coveredNormalisedDeployments = "covered_normalised_deployments"
            case ndPerEngineerWeek = "nd_per_engineer_week", ndPerMillionTokens = "nd_per_million_tokens", costPerND = "cost_per_nd"
            case activeEngineers = "active_engineers", costPerEngineerMonth = "cost_per_engineer_month"
            case aiAssistedShare = "ai_assisted_share", aiLinesShipped = "ai_lines_shipped", aiLineShare = "ai_line_share"
            case leadTimeHours = "lead_time_hours", changeFailureRate = "change_failure_rate", cacheHitRatio = "cache_hit_ratio"
            case reworkRate = "rework_rate", rework, pullRequest = "pull_request", branch
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
            try container.encode(tokens, forKey: .tokens)
            try container.encode(costUSD, forKey: .costUSD)
            try container.encode(shippedTokens, forKey: .shippedTokens)
            try container.encode(unshippedTokens, forKey: .unshippedTokens)
            try container.encode(uncommittedTokens, forKey: .uncommittedTokens)
            try container.encode(shippedTokenRatio, forKey: .shippedTokenRatio)
            try container.encode(deployments, forKey: .deployments)
            try container.encode(normalisedDeployments, forKey: .normalisedDeployments)
            try container.encode(effectiveLines, forKey: .effectiveLines)
            try container.encode(changedLines, forKey: .changedLines)
            try container.encode(addedLines, forKey: .addedLines)
            try container.encode(copiedLines, forKey: .copiedLines)
            try container.encode(relaidLines, forKey: .relaidLines)
            try container.encode(templatedLines, forKey: .templatedLines)
            try container.encode(usageCoverage, forKey: .usageCoverage)
            try container.encode(coveredNormalisedDeployments, forKey: .coveredNormalisedDeployments)
            try container.encode(ndPerEngineerWeek, forKey: .ndPerEngineerWeek)
            try container.encode(ndPerMillionTokens, forKey: .ndPerMillionTokens)
            try container.encode(costPerND, forKey: .costPerND)
            try container.encode(activeEngineers, forKey: .activeEngineers)
            try container.encode(costPerEngineerMonth, forKey: .costPerEngineerMonth)
            try container.encode(aiAssistedShare, forKey: .aiAssistedShare)
            try container.encode(aiLinesShipped, forKey: .aiLinesShipped)
            try container.encode(aiLineShare, forKey: .aiLineShare)
            try container.encode(leadTimeHours, forKey: .leadTimeHours)
            try container.encode(changeFailureRate, forKey: .changeFailureRate)
            try container.encode(cacheHitRatio, forKey: .cacheHitRatio)
            try container.encode(reworkRate, forKey: .reworkRate)
            try container.encode(rework, forKey: .rework)
            if let changeSet { try container.encode(changeSet, forKey: changeSet.number == nil ? .branch : .pullRequest) }
        }
    }

    /// A pull request's (or branch's) identity, whether it shipped and is final, and what its cost rests on.
    public struct ChangeSet: Encodable, Sendable {
        public struct Spend: Encodable, Sendable {
            public var tokens: Int64
            public var costUSD: Decimal

            enum CodingKeys: String, CodingKey { case tokens, costUSD = "cost_usd" }
        }

        public struct Usage: Encodable, Sendable {
            public var explicit: Spend
            public var inferred: Spend
            public var unmatchedSessions: Int
            public var recordsOutsideWindow: Int
            public var basis: String

            enum CodingKeys: String, CodingKey {
                case explicit, inferred, unmatchedSessions = "unmatched_sessions", recordsOutsideWindow = "records_outside_window", basis
            }
        }

        /// The pull request's number, forge and title; absent (not null) for a branch.
        public var number: Int?
        public var forge: String?
        public var title: String?
        public var branch: String?
        public var mergedAt: String?
        public var shippedIn: String?
        public var shippedAt: String?
        public var final: Bool
        public var commits: Int
        public var leadTimeHours: Double?
        public var usage: Usage

        init(_ summary: ChangeSetSummary) {
            (number, forge, title) = (summary.pullRequest?.number, summary.pullRequest?.forge.rawValue, summary.pullRequest?.title)
            (branch, mergedAt, shippedIn) = (summary.branch, summary.mergedAt.map(Timestamp.iso8601), summary.shippedIn)
            (shippedAt, final, commits, leadTimeHours) = (
                summary.shippedAt.map(Timestamp.iso8601), summary.isFinal, summary.commits, summary.leadTimeHours
            )
            usage = Usage(
                explicit: Spend(tokens: summary.explicitTokens, costUSD: summary.explicitCost),
                inferred: Spend(tokens: summary.inferredTokens, costUSD: summary.inferredCost),
                unmatchedSessions: summary.unmatchedSessions, recordsOutsideWindow: summary.recordsOutsideWindow, basis: summary.costBasis)
        }

        enum CodingKeys: String, CodingKey {
            case number, forge, title, branch, mergedAt = "merged_at", shippedIn = "shipped_in", shippedAt = "shipped_at"
            case final, commits, leadTimeHours = "lead_time_hours", usage
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            if let number {
                try container.encode(number, forKey: .number)
                try container.encode(forge, forKey: .forge)
                try container.encode(title, forKey: .title)
            }
            try container.encode(branch, forKey: .branch)
            try container.encode(mergedAt, forKey: .mergedAt)
            try container.encode(shippedIn, forKey: .shippedIn)
            try container.encode(shippedAt, forKey: .shippedAt)
            try container.encode(final, forKey: .final)
            try container.encode(commits, forKey: .commits)
            try container.encode(leadTimeHours, forKey: .leadTimeHours)
            try container.encode(usage, forKey: .usage)
        }
    }
}
