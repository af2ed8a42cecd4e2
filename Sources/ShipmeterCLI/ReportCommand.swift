import ArgumentParser
import Attribution
import Foundation
import Reporting
import ShipmeterEngine
import WorkProgress

extension ReportFormat: ExpressibleByArgument {}

extension Shipmeter {
    struct ReportCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Report normalised deployments per token, per team (or person, model, agent, repository, deployment).",
            discussion: """
                With no --usage, the agent sessions recorded on this machine (Claude Code, Codex, Gemini CLI, Qwen Code, Copilot CLI, OpenCode, Crush, Goose, Amp) for the \
                repository are used. Groups are led by yield and shipped work, never ranked by token \
                volume. A forward deployment is worth min(1, effective lines shipped / \
                report.deployment_unit), split by each group's effective lines; reverted changes and \
                their reverts count 0. JSON output is stable (schema_version 3).
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
        @OptionGroup var progressOptions: ProgressOptions

        func run() async throws {
            let now = Date()
            let progress = progressOptions.start()
            defer { progress.finish() }
            if ledgerOptions.isGiven, usagePaths.isEmpty, try await runFromLedger(now: now, progress: progress) { return }
            let context = try repository.context()
            let snapshot = try context.snapshot()
            Output.diagnostics(snapshot.notes.map(Diagnostic.note))
            let loaded = Date()
            let configuration = snapshot.configuration
            let (since, until) = try window.resolve(now: now, configuration: configuration)
            let groupBy = try grouping(configuration)
            let ledger = ledgerOptions.isGiven ? try await ledgerOptions.location(context.repository, existing: true).open() : nil
            let (batch, notes) = try await ledger.closing {
                try await usage.reading.load(paths: usagePaths, ledger: $0, repository: context.repository, overrides: configuration.priceOverrides)
            }
            Output.diagnostics(notes)
            let read = Date()
            WorkProgress.begin("attributing \(ProgressText.count(batch.records.count)) usage records to \(ProgressText.count(snapshot.history.count)) commits")
            window.checkEnvironment(in: snapshot.timeline.environments, where: "")
            let report = snapshot.report(batch, since: since, until: until, environment: window.env, groupBy: groupBy, weight: weight,
                                         fetchMissing: missing.fetchMissing)
            let budget = snapshot.budget(batch.records, annual: nil, year: nil, asOf: until)
            let rendered = Date()
            progress.finish(summary(report, commits: snapshot.history.count, records: batch.records.count))
            missing.report(unknown: report.unknownLineCommits, in: context)
            try emit(report, budget: budget, now: now)
            if ProcessInfo.processInfo.environment["SHIPMETER_TIMINGS"] == "1" {
                var phases = [("history and deployments", loaded.timeIntervalSince(now)), ("usage", read.timeIntervalSince(loaded))]
                phases += report.phaseTimings.map { ($0.phase, $0.seconds) }
                phases.append(("render", Date().timeIntervalSince(rendered)))
                Output.diagnostic("timings: " + phases.map { String(format: "%@ %.2f s", $0.0, $0.1) }.joined(separator: ", "))
            }
        }

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
        func runFromLedger(now: Date, progress: ProgressLine) async throws -> Bool {
            let here = repository.ifAny
            let configuration = (try? RepositoryOptions.configuration(of: here, quietly: true)) ?? Configuration()
            let (since, until) = try window.resolve(now: now, configuration: configuration)
            let location = try ledgerOptions.location(here, existing: true)
            WorkProgress.begin("reading the ledger")
            guard let loaded = try await location.with({
                try await LedgerReportReader.read($0, filter: repository.given, since: since, until: until, fallback: here != nil)
            }) else { return false }
            guard !loaded.names.isEmpty else {
                throw ShipmeterError.invalidInput("\(loaded.location) holds no attributed repository yet: run `shipmeter attribute` (with the same --ledger) in each repository, or run report inside one")
            }
            let groupBy = try grouping(configuration)
            window.checkEnvironment(in: loaded.timeline.environments, where: " in the ledger")
            let report = loaded.report(since: since, until: until, environment: window.env, configured: configuration.reportEnvironment,
                                       groupBy: groupBy, worth: configuration.deploymentWorth(weight: weight), rework: configuration.rework)
            let budget = loaded.budget(configuration, annual: nil, year: nil, asOf: until)
            progress.finish(summary(report, commits: nil, records: nil))
            try emit(report, budget: budget, now: now)
            return true
        }

        /// The closing line on the terminal; none when the report itself is drawn there.
        func summary(_ report: Report, commits: Int?, records: Int?) -> String? {
            guard output != nil || isatty(STDOUT_FILENO) != 1 else { return nil }
            var parts = [ProgressText.count(report.totals.deployments, "deployment")]
            if let commits { parts.append(ProgressText.count(commits, "commit")) }
            if let records { parts.append(ProgressText.count(records, "usage record")) }
            return "reported on " + parts.joined(separator: ", ")
        }

        func emit(_ report: Report, budget: BudgetProjection?, now: Date) throws {
            let context = RenderContext(version: Shipmeter.version, generatedAt: now, color: format == .table && output == nil && Terminal.wantsColor,
                                        budget: budget)
            try Output.emit(format.renderer.render(report, context: context), to: output)
            if let output { Output.diagnostic("wrote \(output)") }
        }
    }
}

extension Optional where Wrapped == LedgerStoreHandle {
    /// Runs `body` with the ledger (or nil) and closes the ledger afterwards.
    func closing<Result>(_ body: (LedgerStoreHandle?) async throws -> Result) async throws -> Result {
        guard let ledger = self else { return try await body(nil) }
        return try await ledger.closing { try await body($0) }
    }
}
