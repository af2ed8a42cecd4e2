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
                their reverts count 0. JSON output is stable (schema_version \(ReportDocument.schemaVersion)); its keys are in docs/json.md.
                """
        )

        @OptionGroup var repository: RepositoryOptions

        @Option(
            name: .customLong("usage"), parsing: .upToNextOption,
            help: ArgumentHelp("Usage files or folders (any supported format).", valueName: "path"))
        var usagePaths: [String] = []

        @OptionGroup var window: WindowOptions

        @Option(help: "Group by: \(GroupBy.allCases.map(\.rawValue).joined(separator: ", ")).")
        var by: GroupBy?

        @Option(help: "Output format: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
        var format: ReportFormat = .table

        @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
        var output: String?

        @Option(
            help: ArgumentHelp(
                """
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
            let source: ReportSource
            if ledgerOptions.isGiven {
                let location = try ledgerOptions.location(repository.ifAny, existing: true)
                // Usage files are read with the history; without them, what `attribute` stored.
                source =
                    usagePaths.isEmpty
                    ? .ledger(location, filter: repository.given, fallback: repository.ifAny != nil ? repository.path : nil)
                    : .history(repository: repository.path, usage: usagePaths, ledger: location)
            } else {
                source = .history(repository: repository.path, usage: usagePaths)
            }
            let request = ReportRequest(
                source: source, window: window.request(now: now), environment: window.env, groupBy: by, weight: weight,
                fetchMissing: missing.fetchMissing, reading: usage.reading)
            let result = try await ReportEngine.report(request) { Output.diagnostics([$0]) }
            let rendered = Date()
            progress.finish(summary(result.report, commits: result.commits, records: result.records))
            try emit(result.report, budget: result.budget, now: now)
            if ProcessInfo.processInfo.environment["SHIPMETER_TIMINGS"] == "1" {
                let phases = result.timings + [("render", Date().timeIntervalSince(rendered))]
                Output.diagnostic("timings: " + phases.map { String(format: "%@ %.2f s", $0.0, $0.1) }.joined(separator: ", "))
            }
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
            let context = RenderContext(
                version: Shipmeter.version, generatedAt: now, color: format == .table && output == nil && Terminal.wantsColor,
                budget: budget)
            try Output.emit(format.renderer.render(report, context: context), to: output)
            if let output { Output.diagnostic("wrote \(output)") }
        }
    }
}
