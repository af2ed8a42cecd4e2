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
            if ledgerOptions.isGiven, usagePaths.isEmpty, let fromLedger = try await fromLedger(annual: total) {
                projection = fromLedger
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

        /// The projection from the ledger's records and the teams `attribute` stored, across its
        /// repositories; nil when the ledger holds no attribution and a repository is at hand.
        func fromLedger(annual: Decimal?) async throws -> BudgetProjection?? {
            let repo = try? Repository(discovering: repository.repo)
            let settings = repo.flatMap { try? Settings.load(for: $0) }?.configuration ?? Configuration()
            let ledger = try await ledgerOptions.open(repository: repo, existing: true)
            let now = Date()
            do {
                let attributed = try await ledger.attributedRepositories()
                guard !attributed.isEmpty || repo == nil else {
                    await ledger.close()
                    return nil
                }
                let loaded = try await LedgerReport.load(ledger, repositories: attributed.map(\.id), since: now, until: now, filtered: false)
                await ledger.close()
                let teamBudgets = Dictionary(uniqueKeysWithValues: settings.teams.compactMap { team in team.annualBudgetUSD.map { (team.name, $0) } })
                let total = annual ?? settings.annualBudgetUSD
                guard total != nil || !teamBudgets.isEmpty else { return .some(nil) }
                return loaded.budget(annual: total, teamBudgets: teamBudgets, year: year, asOf: now)
            } catch {
                await ledger.close()
                throw error as? ShipmeterError ?? ShipmeterError.invalidInput(error.localizedDescription)
            }
        }
    }
}
