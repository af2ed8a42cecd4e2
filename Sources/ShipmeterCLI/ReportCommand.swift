import ArgumentParser
import Attribution
import Foundation
import GitKit
import Reporting
import Usage

extension GroupBy: ExpressibleByArgument {}
extension DeploymentWeight: ExpressibleByArgument {}
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

extension Shipmeter {
    struct ReportCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Report normalised deployments per token, per team (or person, model, agent, repository, deployment).",
            discussion: """
                With no --usage, the Claude Code and Codex sessions recorded on this machine for the \
                repository are used. Groups are led by yield and shipped work, never ranked by token \
                volume. A forward deployment is worth min(1, effective lines shipped / \
                report.deployment_unit), split by each group's effective lines; reverted changes and \
                their reverts count 0. JSON output is stable (schema_version 2).
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

        @Option(help: ArgumentHelp("""
            How deployments are worth and split: effective (default: worth what they shipped in \
            effective lines, split by them), lines (worth 1, split by changed lines: gameable by \
            padding and splitting) or commits (worth 1, split by commits: gameable by splitting).
            """, valueName: "effective|lines|commits"))
        var weight: DeploymentWeight?

        @OptionGroup var usage: UsageOptions
        @OptionGroup var ledgerOptions: LedgerOptions
        @OptionGroup var missing: MissingObjectsOptions

        func run() async throws {
            let now = Date()
            if ledgerOptions.isGiven, usagePaths.isEmpty, try await runFromLedger(now: now) { return }
            let repo = try repository.open()
            Output.progress("reading history and deployments…")
            let snapshot = try RepositorySnapshot.open(repo)
            let loaded = Date()
            let configuration = snapshot.configuration
            let (since, until) = try window.resolve(now: now, configuration: configuration)
            let groupBy = try grouping(configuration)
            Output.progress("reading usage…")
            let batch = try await ReportCommand.usage(usage, paths: usagePaths, ledger: ledgerOptions, repo: repo, overrides: configuration.priceOverrides)
            let read = Date()
            Output.progress("attributing \(batch.records.count) usage records to \(snapshot.history.graph.count) commits…")
            if let env = window.env, !snapshot.timeline.environments.contains(env) {
                Output.diagnostic("warning: no deployments in environment '\(env)' (found: \(snapshot.timeline.environments.isEmpty ? "none" : snapshot.timeline.environments.joined(separator: ", ")))")
            }
            let report = snapshot.report(batch, since: since, until: until, environment: window.env, groupBy: groupBy, weight: weight,
                                         fetchMissing: missing.fetchMissing)
            let context = RenderContext(
                version: Shipmeter.version, generatedAt: now,
                color: format == .table && output == nil && Terminal.wantsColor,
                budget: snapshot.budget(batch.records, annual: nil, year: nil, asOf: until))
            let rendered = Date()
            Output.progressDone()
            missing.report(unknown: report.unknownLineCommits, in: repo)
            try Output.emit(format.renderer.render(report, context: context), to: output)
            if let output { Output.diagnostic("wrote \(output)") }
            if ProcessInfo.processInfo.environment["SHIPMETER_TIMINGS"] == "1" {
                var phases = [("history and deployments", loaded.timeIntervalSince(now)), ("usage", read.timeIntervalSince(loaded))]
                phases += report.phaseTimings.map { ($0.phase, $0.seconds) }
                phases.append(("render", Date().timeIntervalSince(rendered)))
                Output.diagnostic("timings: " + phases.map { String(format: "%@ %.2f s", $0.0, $0.1) }.joined(separator: ", "))
            }
        }
    }
}

extension Shipmeter.ReportCommand {
    /// How to group: the option, else `.shipmeter.yml`, else by team.
    func grouping(_ configuration: Configuration) throws -> GroupBy {
        try by ?? configuration.reportGroupBy.map { value in
            guard let parsed = GroupBy(rawValue: value) else { throw ShipmeterError.invalidInput(".shipmeter.yml report.by '\(value)' is unknown") }
            return parsed
        } ?? .team
    }

    /// The report from what `attribute` stored, across the ledger's repositories (`--repo`
    /// picks some). False when the ledger holds no attribution yet: the caller reads the
    /// repository's history itself, with the ledger's usage.
    func runFromLedger(now: Date) async throws -> Bool {
        let repo = try? Repository(discovering: repository.repo)
        let settings = repo.flatMap { try? Settings.load(for: $0) }?.configuration ?? Configuration()
        let (since, until) = try window.resolve(now: now, configuration: settings)
        guard let loaded = try await LedgerReport.read(ledgerOptions, repo: repo, filter: repository.given, since: since, until: until) else {
            return false
        }
        guard !loaded.names.isEmpty else {
            throw ShipmeterError.invalidInput("\(loaded.location) holds no attributed repository yet: run `shipmeter attribute` (with the same --ledger) in each repository, or run report inside one")
        }
        let groupBy = try grouping(settings)
        if let env = window.env, !loaded.timeline.environments.contains(env) {
            Output.diagnostic("warning: no deployments in environment '\(env)' in the ledger (found: \(loaded.timeline.environments.isEmpty ? "none" : loaded.timeline.environments.joined(separator: ", ")))")
        }
        let report = loaded.report(since: since, until: until, environment: window.env, configured: settings.reportEnvironment,
                                   groupBy: groupBy, worth: settings.deploymentWorth(weight: weight))
        let context = RenderContext(version: Shipmeter.version, generatedAt: now, color: format == .table && output == nil && Terminal.wantsColor,
                                    budget: loaded.budget(settings, annual: nil, year: nil, asOf: until))
        try Output.emit(format.renderer.render(report, context: context), to: output)
        if let output { Output.diagnostic("wrote \(output)") }
        return true
    }

    /// Usage for a report: the ledger's records when a ledger is named, with any `--usage`
    /// files added; else the files, or the repository's local sessions.
    static func usage(_ options: UsageOptions, paths: [String], ledger: LedgerOptions, repo: Repository, overrides: [String: ModelPrice]) async throws -> UsageBatch {
        guard ledger.isGiven else { return try options.load(paths: paths, repo: repo, overrides: overrides) }
        var batch: UsageBatch
        let store = try await ledger.open(repository: repo, existing: true)
        do {
            batch = try await store.batch(since: nil, until: nil)
            await store.close()
        } catch {
            await store.close()
            throw ShipmeterError.invalidInput(error.localizedDescription)
        }
        if !paths.isEmpty { batch.merge(try options.load(paths: paths, repo: repo, overrides: overrides)) }
        return batch
    }
}

enum Terminal {
    /// Colour only on a terminal, and never with `NO_COLOR` set.
    static var wantsColor: Bool {
        guard ProcessInfo.processInfo.environment["NO_COLOR"].map({ $0.isEmpty }) ?? true else { return false }
        return isatty(STDOUT_FILENO) == 1
    }
}
