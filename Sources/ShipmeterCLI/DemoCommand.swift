import ArgumentParser
import Attribution
import DemoScenario
import Foundation
import Reporting
import ShipmeterEngine

extension Shipmeter {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a sample repository with usage records in a temporary folder and report on it.",
            discussion:
                "The sample has three teams, a .mailmap, CODEOWNERS, merges and a squash merge, AI-assisted commits, a bot, and production deploys including a redeploy, a failed deploy and a rollback."
        )

        @Option(help: ArgumentHelp("Build the sample here instead of a new temporary folder (must not exist yet).", valueName: "dir"))
        var directory: String?

        @Option(help: "Group by: \(GroupBy.allCases.map(\.rawValue).joined(separator: ", ")).")
        var by: GroupBy = .team

        @Option(help: "Output format: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
        var format: ReportFormat = .table

        @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
        var output: String?

        func run() async throws {
            let now = Date()
            let root: String
            if let directory {
                guard !FileManager.default.fileExists(atPath: directory) else {
                    throw ShipmeterError.usage("--directory \(directory) already exists; name a new folder for the demo")
                }
                root = directory
            } else {
                root = NSTemporaryDirectory() + "shipmeter-demo-\(UUID().uuidString.prefix(8))"
            }
            var scenario = DemoScenario(root: root, now: now)
            let result: DemoScenario.Result
            do {
                result = try scenario.generate()
            } catch {
                throw ShipmeterError.invalidInput("\(error) (is git installed?)")
            }
            let request = ReportRequest(
                source: .history(repository: result.repository, usage: [result.usage]),
                window: ReportWindow(since: "30d", now: now), groupBy: by)
            let report = try await ReportEngine.report(request) { Output.diagnostics([$0]) }
            let context = RenderContext(
                version: Shipmeter.version, generatedAt: now,
                color: format == .table && output == nil && Terminal.wantsColor, budget: report.budget)
            try Output.emit(format.renderer.render(report.report, context: context), to: output)
            Output.diagnostic(
                """

                Sample repository: \(result.repository)
                Usage records:     \(result.usage)
                Try: shipmeter report --repo \(result.repository) --usage \(result.usage) --by person
                     shipmeter deployments --repo \(result.repository)
                """)
        }
    }
}
