import Foundation
import GitKit
import Usage

/// What a report groups by.
public enum GroupBy: String, CaseIterable, Sendable {
    case team, person, model, agent, repository, deployment
    case pullRequest = "pull-request"
    case branch

    /// Whether groups are pull requests or branches (each group then says what it cost and shipped).
    public var isChangeSet: Bool { self == .pullRequest || self == .branch }
}

/// Median and 90th percentile of a set of durations, in hours; nil when there are none.
public struct Percentiles: Sendable, Equatable {
    public var median: Double?
    public var p90: Double?

    public init(_ values: [Double]) {
        let sorted = values.sorted()
        median = Self.percentile(sorted, 0.5)
        p90 = Self.percentile(sorted, 0.9)
    }

    /// Linear interpolation between closest ranks (numpy's default).
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let position = fraction * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = Int(position.rounded(.up))
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}

/// Every metric of DESIGN.md for one group (or the totals). Ratios with a zero denominator are nil.
public struct GroupMetrics: Sendable {
    public var key: String
    public var tokens = TokenCounts()
    public var shippedTokens: Int64 = 0
    public var unshippedTokens: Int64 = 0
    public var uncommittedTokens: Int64 = 0
    public var deployments = 0
    public var rolledBackDeployments = 0
    public var failedDeployments = 0
    public var normalisedDeployments: Double = 0
    /// Effective lines of the group's shipped non-merge commits (churn counts 0), capped per commit.
    public var effectiveLines: Double = 0
    /// Of those, the effective lines and normalised deployments of commits that recorded usage
    /// covers (a usage record is joined to the commit, or a session it names has records): only
    /// these count in the yield and in cost per ND, so usage kept off the record never raises them.
    public var coveredEffectiveLines: Double = 0
    public var coveredNormalisedDeployments: Double = 0
    /// Physical lines the same commits add in files that count, and how many of them were
    /// copies of blocks already in the repository, moves or re-layouts, and same-shape runs.
    public var addedLines = 0
    public var copiedLines = 0
    public var relaidLines = 0
    public var templatedLines = 0
    /// Shipped commits that only moved or re-laid out what was there (under 1 effective line,
    /// four fifths or more of their added lines moved).
    public var layoutOnlyCommits = 0
    /// Added plus deleted lines of the same commits, as git counts them.
    public var changedLines = 0
    /// Lines an agent wrote in the same commits (git-ai notes, Agent Trace), where they record it.
    public var aiLinesShipped = 0
    /// Shipped commits that such a record covers.
    public var aiLineCommits = 0
    public var shippedCommits = 0
    public var aiAssistedCommits = 0
    public var activeEngineers = 0
    public var leadTimeAI = Percentiles([])
    public var leadTimeOther = Percentiles([])
    /// Hours from author time to the shipping deployment, collected before the percentiles.
    var leadTimesAI: [Double] = []
    var leadTimesOther: [Double] = []
    public var weeks: Double = 0
    public var months: Double = 0
    /// Whether this row is the totals (its change failure rate counts failed deployments).
    public var isTotals = false
    /// Deployments the rework rate is over (forward ones and the rollbacks of them) and how many
    /// were rework; split by whether the group's commits they shipped include AI-assisted ones.
    public var rework = ReworkCounts()
    /// For a pull request or branch: what it is, whether it shipped, and what its cost rests on.
    public var changeSet: ChangeSetSummary?

    public init(key: String) { self.key = key }

    public var costUSD: Decimal { tokens.costUSD }

    /// Adds a shipped commit's added, copied, re-laid out and templated lines.
    mutating func countLines(of measure: ChangeMeasure) {
        addedLines += measure.addedLines
        copiedLines += measure.copiedLines
        relaidLines += measure.movedLines
        templatedLines += measure.templatedLines
        if measure.addedLines > 0, measure.effectiveLines < 1, measure.movedLines * 5 >= measure.addedLines * 4 { layoutOnlyCommits += 1 }
    }

    static func ratio(_ numerator: Double, _ denominator: Double) -> Double? {
        denominator == 0 ? nil : numerator / denominator
    }

    /// Whether any usage record counts for the group: without one, every figure derived from
    /// tokens or cost is unknown (nil), never a measured 0.
    public var hasUsage: Bool { tokens.records > 0 || tokens.total > 0 }

    public var shippedTokenRatio: Double? { hasUsage ? Self.ratio(Double(shippedTokens), Double(tokens.total)) : nil }
    public var ndPerEngineerWeek: Double? {
        guard activeEngineers > 0, weeks > 0 else { return nil }
        return normalisedDeployments / Double(activeEngineers) / weeks
    }
    /// The yield: covered normalised deployments per million tokens.
    public var ndPerMillionTokens: Double? { hasUsage ? Self.ratio(coveredNormalisedDeployments, Double(tokens.total) / 1e6) : nil }
    /// Cost over covered normalised deployments.
    public var costPerND: Double? { hasUsage ? Self.ratio(costUSD.doubleValue, coveredNormalisedDeployments) : nil }
    public var costPerEngineerMonth: Double? {
        guard hasUsage, activeEngineers > 0, months > 0 else { return nil }
        return costUSD.doubleValue / Double(activeEngineers) / months
    }
    /// Share of the shipped effective size that recorded usage covers (0–1); nil without shipped work.
    public var usageCoverage: Double? {
        effectiveLines > 0 ? min(1, coveredEffectiveLines / effectiveLines) : nil
    }
    /// AI-written lines shipped; nil when no shipped commit's lines are recorded by git-ai or
    /// Agent Trace (unknown, not 0).
    public var aiLinesShippedKnown: Int? { aiLineCommits > 0 ? aiLinesShipped : nil }
    public var aiAssistedShare: Double? { Self.ratio(Double(aiAssistedCommits), Double(shippedCommits)) }
    /// AI-written lines over effective shipped lines (at most 1); nil when no shipped commit's
    /// lines are recorded by git-ai or Agent Trace (unknown, not 0).
    public var aiLineShare: Double? {
        guard aiLineCommits > 0 else { return nil }
        return Self.ratio(Double(aiLinesShipped), effectiveLines).map { min($0, 1) }
    }
    public var changeFailureRate: Double? {
        if isTotals {
            return Self.ratio(Double(rolledBackDeployments + failedDeployments), Double(deployments + failedDeployments))
        }
        return Self.ratio(Double(rolledBackDeployments), Double(deployments))
    }
    public var reworkRate: Double? { Self.ratio(Double(rework.all.rework), Double(rework.all.counted)) }
    public var reworkRateAI: Double? { Self.ratio(Double(rework.aiAssisted.rework), Double(rework.aiAssisted.counted)) }
    public var reworkRateOther: Double? { Self.ratio(Double(rework.other.rework), Double(rework.other.counted)) }
    public var cacheHitRatio: Double? {
        Self.ratio(Double(tokens.cacheRead), Double(tokens.input + tokens.cacheWrite + tokens.cacheRead))
    }
}

extension Decimal {
    public var doubleValue: Double { NSDecimalNumber(decimal: self).doubleValue }
}

/// One warning sign: what tripped, for whom, and why it matters.
public struct Warning: Sendable {
    public init(kind: String, group: String, message: String, figures: [(String, Double)]) {
        self.kind = kind
        self.group = group
        self.message = message
        self.figures = figures
    }

    public var kind: String
    public var group: String
    public var message: String
    public var figures: [(String, Double)]
}

/// One deployment of the reporting environment in the window, with what it shipped.
public struct DeploymentDetail: Sendable {
    public init(
        deployment: ClassifiedDeployment, shippedCommits: Int, aiAssistedShare: Double?, tokens: Int64, costUSD: Decimal, lines: Int?,
        effectiveLines: Double = 0, normalisedDeployments: Double = 0
    ) {
        self.deployment = deployment
        self.shippedCommits = shippedCommits
        self.aiAssistedShare = aiAssistedShare
        self.tokens = tokens
        self.costUSD = costUSD
        self.lines = lines
        self.effectiveLines = effectiveLines
        self.normalisedDeployments = normalisedDeployments
    }

    public var deployment: ClassifiedDeployment
    public var shippedCommits: Int
    public var aiAssistedShare: Double?
    public var tokens: Int64
    public var costUSD: Decimal
    /// Changed lines of what it shipped; nil when unknown.
    public var lines: Int?
    /// Effective lines of what it shipped (churn counts 0), capped per commit.
    public var effectiveLines: Double
    /// What it is worth (0 unless forward and not rolled back).
    public var normalisedDeployments: Double
    /// Why it is rework; empty when it is not.
    public var rework: [ReworkRule.Reason] = []
}

/// One week of the trend charts.
public struct WeekPoint: Sendable {
    public init(start: Date, tokens: Int64, shippedTokens: Int64, costUSD: Decimal, normalisedDeployments: Double) {
        self.start = start
        self.tokens = tokens
        self.shippedTokens = shippedTokens
        self.costUSD = costUSD
        self.normalisedDeployments = normalisedDeployments
    }

    public var start: Date
    public var tokens: Int64
    public var shippedTokens: Int64
    public var costUSD: Decimal
    public var normalisedDeployments: Double
    /// Forward deployments and rollbacks of the week, and how many were rework.
    public var deployments = 0
    public var reworkDeployments = 0
    public var shippedTokenRatio: Double? { GroupMetrics.ratio(Double(shippedTokens), Double(tokens)) }
    public var reworkRate: Double? { GroupMetrics.ratio(Double(reworkDeployments), Double(deployments)) }
}

/// The report: groups led by yield and shipped work, totals, trends, warning signs.
public struct Report: Sendable {
    public init(
        since: Date, until: Date, environment: String?, groupBy: GroupBy, repositories: [String], groups: [GroupMetrics],
        totals: GroupMetrics, warnings: [Warning], deployments: [DeploymentDetail], weekly: [WeekPoint]
    ) {
        self.since = since
        self.until = until
        self.environment = environment
        self.groupBy = groupBy
        self.repositories = repositories
        self.groups = groups
        self.totals = totals
        self.warnings = warnings
        self.deployments = deployments
        self.weekly = weekly
    }

    public var since: Date
    public var until: Date
    public var environment: String?
    public var groupBy: GroupBy
    public var repositories: [String]
    public var groups: [GroupMetrics]
    public var totals: GroupMetrics
    public var warnings: [Warning]
    public var deployments: [DeploymentDetail]
    public var weekly: [WeekPoint]
    public var notes: [String] = []
    /// Grouped by pull request or branch: the non-merge commits shipped in the window, and how
    /// many of them history links to none (grouped as `none`).
    public var changeSetCommits: (shipped: Int, without: Int)?
    /// Commits the report read whose line counts are unknown (blobs not present): they count
    /// no lines and no effective lines.
    public var unknownLineCommits = 0
    /// How long each phase of building the report took (seconds), for `SHIPMETER_TIMINGS=1`.
    public var phaseTimings: [(phase: String, seconds: Double)] = []
}
