import Foundation
import Usage
import Yams

/// `.shipmeter.yml`: every setting optional, every default sensible.
public struct Configuration: Sendable {
    /// Tag patterns for deployments; `{env}` marks the environment segment.
    public var deployTagPatterns: [String] = ["deploy/{env}/*"]
    /// Deploy logs (JSONL or CSV), relative to the repository root.
    public var deployLogs: [String] = []
    /// The environment reports are about when `--env` is not given.
    public var reportEnvironment: String?
    public var teams: [Team] = []
    /// Canonical email → other emails or names of the same person.
    public var identities: [String: [String]] = [:]
    public var botPatterns: [String] = ["*[bot]@*", "*[bot]", "*dependabot*", "*renovate*", "*github-actions*"]
    public var inferenceWindowHours: Double = 24
    public var aiTrailers: [String] = []
    public var aiCoAuthors: [String] = []
    public var aiDisabledSignals: [String] = []
    public var priceOverrides: [String: ModelPrice] = [:]
    public var reportSince: String?
    public var reportGroupBy: String?
    /// How deployments are worth and split (`report.weight`).
    public var weight = DeploymentWeight.effective
    /// Most lines one commit counts for (`report.line_cap`).
    public var lineWeightCap = DeploymentWorth.defaultLineCap
    /// Effective lines that make a deployment worth 1 (`report.deployment_unit`).
    public var deploymentUnit = DeploymentWorth.defaultUnit
    /// Usage coverage under which a group is warned about (`report.usage_coverage_floor`).
    public var usageCoverageFloor = DeploymentWorth.defaultCoverageFloor
    /// Paths left out of effective sizes besides the defaults (`report.exclude`).
    public var excludePatterns: [String] = []
    public var annualBudgetUSD: Decimal?
    /// What makes a deployment rework (`rework.window_hours`, `rework.hotfix_patterns`).
    public var rework = ReworkRule()

    public struct Team: Sendable, Equatable {
        public var name: String
        public var members: [String]
        public var annualBudgetUSD: Decimal?

        public init(name: String, members: [String], annualBudgetUSD: Decimal? = nil) {
            self.name = name
            self.members = members
            self.annualBudgetUSD = annualBudgetUSD
        }
    }

    public init() {}

    /// The deployment rule these settings ask for (`weight` overrides `report.weight`).
    public func deploymentWorth(weight: DeploymentWeight? = nil) -> DeploymentWorth {
        DeploymentWorth(weight: weight ?? self.weight, unit: deploymentUnit, lineCap: lineWeightCap, coverageFloor: usageCoverageFloor)
    }

    /// Which paths count nothing toward effective sizes, with the repository's `.gitattributes`.
    public func changeFilter(gitattributes: String?) -> ChangeFilter {
        ChangeFilter(patterns: ChangeFilter.defaultPatterns + excludePatterns, gitattributes: gitattributes)
    }

    public var aiDetector: AISignalDetector {
        AISignalDetector(extraTrailerKeys: aiTrailers, extraCoAuthors: aiCoAuthors, disabled: Set(aiDisabledSignals))
    }

    /// Whether a path the settings name stays inside the repository: relative (not `/…` or
    /// `~…`) and without a `..` component. Symlinks are the reader's to check.
    public static func staysInside(_ path: String) -> Bool {
        !path.hasPrefix("/") && !path.hasPrefix("~") && !path.split(separator: "/").contains("..")
    }

    /// A malformed `.shipmeter.yml`: the message names the line.
    public struct ParseError: Error, LocalizedError, Sendable {
        public var message: String
        public var errorDescription: String? { message }
    }

    /// Parses YAML text. Unknown keys are returned as warnings, never silently ignored.
    public static func parse(_ text: String, file: String = ".shipmeter.yml") throws(ParseError) -> (Configuration, warnings: [String]) {
        var configuration = Configuration()
        var warnings = [String]()
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ParseError(message: "\(file): malformed YAML: \(error)")
        }
        guard let root else { return (configuration, []) }
        let reader = NodeReader(file: file)
        guard let mapping = root.mapping else {
            throw ParseError(message: "\(file):\(root.mark?.line ?? 1): expected a mapping of settings at the top level")
        }
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            switch key {
            case "deployments":
                for (subKey, subValue) in try reader.mapping(value, "deployments") {
                    switch subKey {
                    case "tags": configuration.deployTagPatterns = try reader.strings(subValue, "deployments.tags")
                    case "logs":
                        configuration.deployLogs = try reader.strings(subValue, "deployments.logs")
                        // The file comes with a clone: it may name only files inside the repository.
                        if let escaping = configuration.deployLogs.first(where: { !Self.staysInside($0) }) {
                            throw ParseError(
                                message:
                                    "\(file):\(reader.line(subValue)): deployments.logs names '\(escaping)', outside the repository; deploy logs must be paths inside it, without '..'"
                            )
                        }
                    case "environment": configuration.reportEnvironment = try reader.string(subValue, "deployments.environment")
                    default: warnings.append(reader.unknown("deployments.\(subKey)", subValue))
                    }
                }
            case "teams":
                for (name, teamNode) in try reader.mapping(value, "teams") {
                    var team = Team(name: name, members: [])
                    if let list = teamNode.sequence {
                        team.members = try reader.strings(Node(list.map { $0 }), "teams.\(name)")
                    } else {
                        for (teamKey, teamValue) in try reader.mapping(teamNode, "teams.\(name)") {
                            switch teamKey {
                            case "members": team.members = try reader.strings(teamValue, "teams.\(name).members")
                            case "budget_usd", "annual_budget_usd": team.annualBudgetUSD = try reader.decimal(teamValue, "teams.\(name).\(teamKey)")
                            default: warnings.append(reader.unknown("teams.\(name).\(teamKey)", teamValue))
                            }
                        }
                    }
                    configuration.teams.append(team)
                }
            case "identities":
                for (canonical, aliases) in try reader.mapping(value, "identities") {
                    configuration.identities[canonical.lowercased()] = try reader.strings(aliases, "identities.\(canonical)")
                }
            case "bots":
                configuration.botPatterns = try reader.strings(value, "bots")
            case "attribution":
                for (subKey, subValue) in try reader.mapping(value, "attribution") {
                    switch subKey {
                    case "window_hours": configuration.inferenceWindowHours = try reader.double(subValue, "attribution.window_hours")
                    default: warnings.append(reader.unknown("attribution.\(subKey)", subValue))
                    }
                }
            case "ai_signals":
                for (subKey, subValue) in try reader.mapping(value, "ai_signals") {
                    switch subKey {
                    case "trailers": configuration.aiTrailers = try reader.strings(subValue, "ai_signals.trailers")
                    case "co_authors": configuration.aiCoAuthors = try reader.strings(subValue, "ai_signals.co_authors")
                    case "disabled": configuration.aiDisabledSignals = try reader.strings(subValue, "ai_signals.disabled")
                    default: warnings.append(reader.unknown("ai_signals.\(subKey)", subValue))
                    }
                }
            case "prices":
                for (model, priceNode) in try reader.mapping(value, "prices") {
                    var price = ModelPrice(input: 0, output: 0, cacheWrite: nil, cacheRead: nil)
                    for (field, fieldValue) in try reader.mapping(priceNode, "prices.\(model)") {
                        let amount = try reader.decimal(fieldValue, "prices.\(model).\(field)")
                        switch field {
                        case "input": price.input = amount
                        case "output": price.output = amount
                        case "cache_write": price.cacheWrite = amount
                        case "cache_read": price.cacheRead = amount
                        default: warnings.append(reader.unknown("prices.\(model).\(field)", fieldValue))
                        }
                    }
                    configuration.priceOverrides[model] = price
                }
            case "report":
                for (subKey, subValue) in try reader.mapping(value, "report") {
                    switch subKey {
                    case "environment": configuration.reportEnvironment = try reader.string(subValue, "report.environment")
                    case "since": configuration.reportSince = try reader.string(subValue, "report.since")
                    case "by": configuration.reportGroupBy = try reader.string(subValue, "report.by")
                    case "weight":
                        let weight = try reader.string(subValue, "report.weight")
                        guard let parsed = DeploymentWeight(rawValue: weight) else {
                            let names = DeploymentWeight.allCases.map(\.rawValue).joined(separator: ", ")
                            throw ParseError(message: "\(file):\(reader.line(subValue)): report.weight must be one of \(names)")
                        }
                        configuration.weight = parsed
                    case "line_cap": configuration.lineWeightCap = try reader.int(subValue, "report.line_cap")
                    case "deployment_unit":
                        let unit = try reader.double(subValue, "report.deployment_unit")
                        guard unit > 0 else { throw ParseError(message: "\(file):\(reader.line(subValue)): report.deployment_unit must be above 0") }
                        configuration.deploymentUnit = unit
                    case "usage_coverage_floor":
                        let floor = try reader.double(subValue, "report.usage_coverage_floor")
                        guard (0...1).contains(floor) else {
                            throw ParseError(message: "\(file):\(reader.line(subValue)): report.usage_coverage_floor must be between 0 and 1")
                        }
                        configuration.usageCoverageFloor = floor
                    case "exclude": configuration.excludePatterns = try reader.strings(subValue, "report.exclude")
                    default: warnings.append(reader.unknown("report.\(subKey)", subValue))
                    }
                }
            case "rework":
                for (subKey, subValue) in try reader.mapping(value, "rework") {
                    switch subKey {
                    case "window_hours":
                        configuration.rework.windowHours = try reader.double(subValue, "rework.window_hours")
                        guard configuration.rework.windowHours >= 0 else {
                            throw ParseError(message: "\(file):\(reader.line(subValue)): rework.window_hours must be 0 or more hours")
                        }
                    case "hotfix_patterns": configuration.rework.hotfixPatterns = try reader.strings(subValue, "rework.hotfix_patterns")
                    default: warnings.append(reader.unknown("rework.\(subKey)", subValue))
                    }
                }
            case "budget":
                for (subKey, subValue) in try reader.mapping(value, "budget") {
                    switch subKey {
                    case "annual_usd": configuration.annualBudgetUSD = try reader.decimal(subValue, "budget.annual_usd")
                    default: warnings.append(reader.unknown("budget.\(subKey)", subValue))
                    }
                }
            default:
                warnings.append(reader.unknown(key, keyNode))
            }
        }
        return (configuration, warnings)
    }
}

/// Reads typed values out of YAML nodes, with errors that name the file, line and key.
private struct NodeReader {
    var file: String

    func line(_ node: Node) -> Int { node.mark?.line ?? 1 }

    func fail(_ node: Node, _ key: String, _ expected: String) -> Configuration.ParseError {
        Configuration.ParseError(message: "\(file):\(line(node)): \(key) must be \(expected)")
    }

    func unknown(_ key: String, _ node: Node) -> String {
        "\(file):\(line(node)): unknown setting '\(key)' ignored"
    }

    func mapping(_ node: Node, _ key: String) throws(Configuration.ParseError) -> [(String, Node)] {
        if node.null != nil { return [] }
        guard let mapping = node.mapping else { throw fail(node, key, "a mapping") }
        return mapping.map { ($0.key.string ?? "", $0.value) }
    }

    func string(_ node: Node, _ key: String) throws(Configuration.ParseError) -> String {
        guard let scalar = node.scalar else { throw fail(node, key, "a string") }
        return scalar.string
    }

    func strings(_ node: Node, _ key: String) throws(Configuration.ParseError) -> [String] {
        if let scalar = node.scalar { return [scalar.string] }
        guard let sequence = node.sequence else { throw fail(node, key, "a list of strings") }
        var values = [String]()
        for item in sequence {
            guard let scalar = item.scalar else { throw fail(item, key, "a list of strings") }
            values.append(scalar.string)
        }
        return values
    }

    func double(_ node: Node, _ key: String) throws(Configuration.ParseError) -> Double {
        guard let value = node.float ?? node.int.map(Double.init), value >= 0 else { throw fail(node, key, "a non-negative number") }
        return value
    }

    func int(_ node: Node, _ key: String) throws(Configuration.ParseError) -> Int {
        guard let value = node.int, value > 0 else { throw fail(node, key, "a positive whole number") }
        return value
    }

    func decimal(_ node: Node, _ key: String) throws(Configuration.ParseError) -> Decimal {
        guard let text = node.scalar?.string, let value = Decimal(string: text.replacingOccurrences(of: "_", with: "")), value >= 0 else {
            throw fail(node, key, "a non-negative amount")
        }
        return value
    }
}
