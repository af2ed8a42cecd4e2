import ArgumentParser
import Foundation
import Reporting
import ShipmeterEngine
import Usage

extension Shipmeter {
    struct UsageCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "usage",
            abstract: "Show what token usage was read: records, tokens by kind, cost, skipped lines.",
            discussion: """
                Reads usage files or folders (any supported format, detected from content). With no \
                PATH, reads the agent sessions on this machine (Claude Code, Codex, Gemini CLI, Qwen Code, Copilot CLI, OpenCode, Crush, Goose, Amp) whose working \
                directory lies inside the repository. Only counts and identifiers are read: prompt \
                and response text never leaves a transcript.
                """
        )

        @Argument(help: ArgumentHelp("Usage files or folders.", valueName: "path"))
        var paths: [String] = []

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var usage: UsageOptions

        @Option(help: "Group by: \(UsageSummary.Grouping.allCases.map(\.rawValue).joined(separator: ", ")).")
        var by: UsageSummary.Grouping?

        @Option(help: ArgumentHelp("Only records at or after this time (30d, 2026-03-01, ISO 8601).", valueName: "date"))
        var since: String?

        @Option(help: ArgumentHelp("Only records before this time.", valueName: "date"))
        var until: String?

        @Option(help: "Output format: table, json, csv.")
        var format: UsageFormatOption = .table

        enum UsageFormatOption: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

        func run() async throws {
            let request = UsageRequest(paths: paths, repository: repository.path, since: since, until: until, grouping: by, reading: usage.reading)
            let result = try ReportEngine.usage(request) { Output.diagnostics([$0]) }
            if result.noLocalSessions, format == .table {
                Output.diagnostic("no local agent sessions found for this repository; pass usage files or folders as arguments")
            }
            Output.write(UsageRendering.render(result.summary, skipped: result.malformedLines, format: format))
        }
    }
}
