import Attribution
import Foundation
import Usage

/// `shipmeter report --format json` (and the collector's `/api/report`) as a type: its coding
/// keys are the stable schema of docs/json.md, written by `JSONDocumentEncoder` in this order.
/// `schema_version` 2 added `effective_lines` per group and the window's `deployments` with what
/// each was worth; 3 measures effective size as the information a change adds, adds
/// `usage_coverage`, `covered_normalised_deployments` and the added, copied, re-laid out and
/// templated lines per group, counts only covered work in `nd_per_million_tokens` and
/// `cost_per_nd`, and gives `null` (never a fake 0) for figures derived from tokens where no usage
/// counts for a group, and for `ai_lines_shipped` where no line-level record covers its commits.
/// 4 adds `group_by` `pull-request` and `branch` (each group's `pull_request` or `branch` object,
/// and the report's `change_set_commits`), `rework_rate` and `rework` per group and week, and
/// each deployment's `rework` reasons. Nothing of an earlier version changed name.
public struct ReportDocument: JSONDocument, Sendable {
    public static let schemaVersion: Int64 = 4

    public struct Window: Encodable, Sendable {
        public var since: String
        public var until: String
    }

    public struct ChangeSetCommits: Encodable, Sendable {
        public var shipped: Int
        public var without: Int
    }

    public var schemaVersion = Self.schemaVersion
    public var window: Window
    public var environment: String?
    public var groupBy: String
    public var repositories: [String]
    public var groups: [Group]
    public var totals: Group
    public var warnings: [Warning]
    public var deployments: [Deployment]
    public var weekly: [Week]
    /// Only when grouping by pull request or branch.
    public var changeSetCommits: ChangeSetCommits?
    /// Only when budgets are configured.
    public var budget: BudgetDocument.Projection?

    public init(_ report: Report, budget: BudgetProjection? = nil) {
        window = Window(since: Timestamp.iso8601(report.since), until: Timestamp.iso8601(report.until))
        (environment, groupBy, repositories) = (report.environment, report.groupBy.rawValue, report.repositories)
        groups = report.groups.map(Group.init)
        totals = Group(report.totals)
        warnings = report.warnings.map(Warning.init)
        deployments = report.deployments.map(Deployment.init)
        weekly = report.weekly.map(Week.init)
        changeSetCommits = report.changeSetCommits.map { ChangeSetCommits(shipped: $0.shipped, without: $0.without) }
        self.budget = budget.map(BudgetDocument.Projection.init)
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", window, environment, groupBy = "group_by", repositories, groups, totals
        case warnings, deployments, weekly, changeSetCommits = "change_set_commits", budget
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encode(window, forKey: .window)
        try container.encode(environment, forKey: .environment)
        try container.encode(groupBy, forKey: .groupBy)
        try container.encode(repositories, forKey: .repositories)
        try container.encode(groups, forKey: .groups)
        try container.encode(totals, forKey: .totals)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(deployments, forKey: .deployments)
        try container.encode(weekly, forKey: .weekly)
        // Keys a report without change sets or budgets does not have at all (not null).
        if let changeSetCommits { try container.encode(changeSetCommits, forKey: .changeSetCommits) }
        if let budget { try container.encode(budget, forKey: .budget) }
    }

    /// One week of the report's trend.
    public struct Week: Encodable, Sendable {
        public var weekStart: String
        public var tokens: Int64
        public var shippedTokens: Int64
        public var shippedTokenRatio: Double?
        public var costUSD: Decimal
        public var normalisedDeployments: Double
        public var deployments: Int
        public var reworkDeployments: Int
        public var reworkRate: Double?

        init(_ week: WeekPoint) {
            (weekStart, tokens, shippedTokens) = (Timestamp.iso8601(week.start), week.tokens, week.shippedTokens)
            (shippedTokenRatio, costUSD, normalisedDeployments) = (week.shippedTokenRatio, week.costUSD, week.normalisedDeployments)
            (deployments, reworkDeployments, reworkRate) = (week.deployments, week.reworkDeployments, week.reworkRate)
        }

        enum CodingKeys: String, CodingKey {
            case weekStart = "week_start", tokens, shippedTokens = "shipped_tokens", shippedTokenRatio = "shipped_token_ratio"
            case costUSD = "cost_usd", normalisedDeployments = "normalised_deployments", deployments
            case reworkDeployments = "rework_deployments", reworkRate = "rework_rate"
        }
    }

    /// One deployment of the window: what it shipped and what it is worth.
    public struct Deployment: Encodable, Sendable {
        public var environment: String
        public var id: String
        public var commit: String
        public var time: String
        public var kind: String
        public var status: String
        public var shippedCommits: Int
        public var changedLines: Int?
        public var effectiveLines: Double
        public var normalisedDeployments: Double
        public var rework: [String]

        init(_ detail: DeploymentDetail) {
            let deployment = detail.deployment
            (environment, id, commit) = (deployment.environment, deployment.id, deployment.commit.hex)
            (time, kind, status) = (Timestamp.iso8601(deployment.time), deployment.kind.rawValue, deployment.status.rawValue)
            (shippedCommits, changedLines, effectiveLines) = (detail.shippedCommits, detail.lines, detail.effectiveLines)
            (normalisedDeployments, rework) = (detail.normalisedDeployments, detail.rework.map(\.rawValue))
        }

        enum CodingKeys: String, CodingKey {
            case environment, id, commit, time, kind, status, shippedCommits = "shipped_commits", changedLines = "changed_lines"
            case effectiveLines = "effective_lines", normalisedDeployments = "normalised_deployments", rework
        }
    }

    /// A warning about a group's figures, with the figures it rests on in the order they were named.
    public struct Warning: Encodable, Sendable {
        public var kind: String
        public var group: String
        public var message: String
        public var figures: OrderedFigures

        init(_ warning: Attribution.Warning) {
            (kind, group, message, figures) = (warning.kind, warning.group, warning.message, OrderedFigures(warning.figures))
        }
    }

    /// Named numbers written as one object, keys in their given order.
    public struct OrderedFigures: Encodable, Sendable {
        public var figures: [(name: String, value: Double)]

        init(_ figures: [(String, Double)]) { self.figures = figures.map { (name: $0.0, value: $0.1) } }

        struct Key: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            for figure in figures { try container.encode(figure.value, forKey: Key(stringValue: figure.name)) }
        }
    }
}
