import ArgumentParser
import Attribution
import Foundation
import Reporting
import ShipmeterEngine

extension Shipmeter {
    struct Budget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Project when the AI budget runs out at the current burn rate, overall and per team.",
            discussion: "Burn is the trailing 30 days' cost. Team budgets come from teams.<name>.budget_usd in .shipmeter.yml."
        )

        @Option(help: ArgumentHelp("Annual budget in USD (default: budget.annual_usd in .shipmeter.yml).", valueName: "usd"))
        var annual: Double?

        @Option(help: ArgumentHelp("The budget year (default: the current one).", valueName: "year"))
        var year: Int?

        @OptionGroup var repository: RepositoryOptions

        @Option(name: .customLong("usage"), parsing: .upToNextOption, help: ArgumentHelp("Usage files or folders.", valueName: "path"))
        var usagePaths: [String] = []

        @Option(help: "Output format: table, json.")
        var format: ListFormat = .table

        @OptionGroup var usage: UsageOptions
        @OptionGroup var ledgerOptions: LedgerOptions

        func run() async throws {
            if let annual, !(annual > 0) || !annual.isFinite { throw ShipmeterError.usage("--annual must be a positive amount in USD") }
            let total = annual.map { Decimal(string: String($0)) ?? Decimal($0) }
            let source: ReportSource
            if ledgerOptions.isGiven {
                let location = try ledgerOptions.location(repository.ifAny, existing: true)
                source =
                    usagePaths.isEmpty
                    ? .ledger(location, fallback: repository.ifAny != nil ? repository.path : nil)
                    : .history(repository: repository.path, usage: usagePaths, ledger: location)
            } else {
                source = .history(repository: repository.path, usage: usagePaths)
            }
            let request = BudgetRequest(source: source, annual: total, year: year, reading: usage.reading)
            let projection = try await ReportEngine.budget(request) { Output.diagnostics([$0]) }.projection
            switch format {
            case .json: Output.write(projection.json)
            case .table: Output.write(projection.summaryLines.joined(separator: "\n"))
            }
        }
    }
}
