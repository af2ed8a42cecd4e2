import ArgumentParser
import Attribution
import Foundation
import GitKit
import Reporting
import Usage

extension GroupBy: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

/// `--since`, `--until`, `--env`: the window and environment a report is about.
struct WindowOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start of the window: 30d, 12w, 2026-03-01 or an ISO 8601 time (default: .shipmeter.yml's report.since, else 30d).", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("End of the window, exclusive (default: now). States are as of this moment.", valueName: "date"))
    var until: String?

    @Option(help: ArgumentHelp("The environment whose deployments count (default: production, else release, else the busiest).", valueName: "env"))
    var env: String?

    func resolve(now: Date, configuration: Configuration) throws -> (since: Date, until: Date) {
        let until = try self.until.map { try DateArgument.parse($0, now: now, option: "--until") } ?? now
        let since = try DateArgument.parse(self.since ?? configuration.reportSince ?? "30d", now: until, option: "--since")
        guard since < until else {
            throw ShipmeterError.invalidInput("--since must be before --until (got \(Timestamp.iso8601(since)) and \(Timestamp.iso8601(until))).")
        }
        return (since, until)
    }
}

/// Builds the report of one repository from git and usage files; shared by `report` and `demo`.
struct ReportRun {
    var analysis: Analysis
    var batch: UsageBatch

    func report(since: Date, until: Date, env: String?, groupBy: GroupBy, weightByLines: Bool) throws -> Report {
        let configuration = analysis.settings.configuration
        let timeline = analysis.timeline
        let environment = env ?? ReportBuilder.defaultEnvironment(timeline, configured: configuration.reportEnvironment)
        if let env, !timeline.environments.contains(env) {
            Output.diagnostic("warning: no deployments in environment '\(env)' (found: \(timeline.environments.isEmpty ? "none" : timeline.environments.joined(separator: ", ")))")
        }
        let joiner = UsageJoiner(
            history: analysis.history, people: analysis.people, scope: analysis.scope,
            windowHours: configuration.inferenceWindowHours
        ) { commit in
            guard let environment, let index = timeline.shippingDeployment(of: commit, environment: environment) else { return false }
            return timeline.deployments[index].time < until
        }
        let joins = joiner.join(batch.records, links: batch.links)
        var builder = ReportBuilder(
            history: analysis.history, timeline: timeline, records: batch.records, joins: joins, people: analysis.people,
            codeOwners: analysis.codeOwners, diffs: RepositoryDiffs(repository: analysis.repo, graph: analysis.history.graph),
            repositoryName: analysis.name)
        builder.weightByLines = weightByLines
        builder.lineCap = configuration.lineWeightCap
        var report = builder.build(since: since, until: until, environment: environment, groupBy: groupBy)
        if environment == nil { report.notes.append("no deployments found: tag deploys as deploy/<env>/<time> (shipmeter deploy mark) or list deploy logs in .shipmeter.yml") }
        if batch.records.isEmpty { report.notes.append("no usage records: pass --usage files or folders, or run where Claude Code or Codex sessions of this repository are recorded") }
        return report
    }

    func budget(annual: Decimal?, year: Int?, now: Date) -> BudgetProjection? {
        let configuration = analysis.settings.configuration
        let teamBudgets = Dictionary(uniqueKeysWithValues: configuration.teams.compactMap { team in team.annualBudgetUSD.map { (team.name, $0) } })
        let total = annual ?? configuration.annualBudgetUSD
        guard total != nil || !teamBudgets.isEmpty else { return nil }
        let people = analysis.people
        return BudgetProjection.compute(records: batch.records, annual: total, teamBudgets: teamBudgets, year: year, asOf: now) { record in
            guard let actor = record.actor else { return People.unassigned }
            return people.team(of: people.canonical(email: actor)) ?? People.unassigned
        }
    }
}

extension Shipmeter {
    struct ReportCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Report normalised deployments per token, per team (or person, model, agent, repository, deployment).",
            discussion: """
                With no --usage, the Claude Code and Codex sessions recorded on this machine for the \
                repository are used. Groups are led by yield and shipped work, never ranked by token \
                volume. JSON output is stable (schema_version 1).
                """
        )

        @OptionGroup var repository: RepositoryOptions

        @Option(name: .customLong("usage"), parsing: .upToNextOption, help: ArgumentHelp("Usage files or folders (any supported format).", valueName: "path"))
        var usagePaths: [String] = []

        @OptionGroup var window: WindowOptions

        @Option(help: "Group by: \(GroupBy.allCases.map(\.rawValue).joined(separator: ", ")).")
        var by: GroupBy?

        @Option(help: "Output format: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
        var format: ReportFormat = .table

        @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
        var output: String?

        @Option(help: ArgumentHelp("How a deployment is split across groups: commits (1 each) or lines (changed lines, capped per commit).", valueName: "commits|lines"))
        var weight: String?

        @OptionGroup var usage: UsageOptions

        func run() async throws {
            let now = Date()
            let repo = try repository.open()
            let analysis = try Analysis.load(repo)
            let configuration = analysis.settings.configuration
            let (since, until) = try window.resolve(now: now, configuration: configuration)
            let groupBy = try by ?? configuration.reportGroupBy.map { value in
                guard let parsed = GroupBy(rawValue: value) else { throw ShipmeterError.invalidInput(".shipmeter.yml report.by '\(value)' is unknown") }
                return parsed
            } ?? .team
            var weightByLines = configuration.weightByLines
            if let weight {
                guard ["commits", "lines"].contains(weight) else { throw ShipmeterError.invalidInput("--weight must be commits or lines") }
                weightByLines = weight == "lines"
            }
            let batch = try usage.load(paths: usagePaths, repo: repo, overrides: configuration.priceOverrides)
            let run = ReportRun(analysis: analysis, batch: batch)
            let report = try run.report(since: since, until: until, env: window.env, groupBy: groupBy, weightByLines: weightByLines)
            let context = RenderContext(
                version: Shipmeter.version, generatedAt: now,
                color: format == .table && output == nil && Terminal.wantsColor,
                budget: run.budget(annual: nil, year: nil, now: until))
            try Output.emit(format.renderer.render(report, context: context), to: output)
            if let output { Output.diagnostic("wrote \(output)") }
        }
    }
}

enum Terminal {
    /// Colour only on a terminal, and never with `NO_COLOR` set.
    static var wantsColor: Bool {
        guard ProcessInfo.processInfo.environment["NO_COLOR"].map({ $0.isEmpty }) ?? true else { return false }
        return isatty(STDOUT_FILENO) == 1
    }
}
