import ArgumentParser
import Attribution
import Foundation
import GitKit
import Ledger
import Reporting
import Usage

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
            if let annual, !(annual > 0) || !annual.isFinite { throw ShipmeterError.invalidInput("--annual must be a positive amount in USD") }
            let total = annual.map { Decimal(string: String($0)) ?? Decimal($0) }
            let projection: BudgetProjection?
            let now = Date()
            let here = try? Repository(discovering: repository.repo)
            if ledgerOptions.isGiven, usagePaths.isEmpty,
               let loaded = try await LedgerReport.read(ledgerOptions, repo: here, filter: nil, since: now, until: now) {
                // Across the ledger's repositories, with the teams `attribute` stored.
                let settings = here.flatMap { try? Settings.load(for: $0) }?.configuration ?? Configuration()
                projection = loaded.budget(settings, annual: total, year: year, asOf: now)
            } else {
                let repo = try repository.open()
                let snapshot = try RepositorySnapshot.open(repo)
                let batch = try await ReportCommand.usage(usage, paths: usagePaths, ledger: ledgerOptions, repo: repo, overrides: snapshot.configuration.priceOverrides)
                projection = snapshot.budget(batch.records, annual: total, year: year, asOf: Date())
            }
            guard let projection else {
                throw ShipmeterError.invalidInput("no budget: pass --annual USD or set budget.annual_usd / teams.<name>.budget_usd in .shipmeter.yml")
            }
            switch format {
            case .json: Output.write(projection.json)
            case .table: Output.write(projection.summaryLines.joined(separator: "\n"))
            }
        }
    }
}
