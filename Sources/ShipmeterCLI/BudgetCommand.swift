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
            let now = Date()
            let here = repository.ifAny
            var projection: BudgetProjection?
            var fromLedger = false
            if ledgerOptions.isGiven, usagePaths.isEmpty,
               let loaded = try await ledgerOptions.location(here, existing: true).with({
                   try await LedgerReportReader.read($0, filter: nil, since: now, until: now, fallback: here != nil)
               }) {
                // Across the ledger's repositories, with the teams `attribute` stored.
                let configuration = (try? RepositoryOptions.configuration(of: here, quietly: true)) ?? Configuration()
                projection = loaded.budget(configuration, annual: total, year: year, asOf: now)
                fromLedger = true
            }
            if !fromLedger {
                let context = try repository.context()
                let snapshot = try context.snapshot()
                Output.diagnostics(snapshot.notes.map(Diagnostic.note))
                let ledger = ledgerOptions.isGiven ? try await ledgerOptions.location(context.repository, existing: true).open() : nil
                let (batch, notes) = try await ledger.closing {
                    try await usage.reading.load(paths: usagePaths, ledger: $0, repository: context.repository, overrides: snapshot.configuration.priceOverrides)
                }
                Output.diagnostics(notes)
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
