import ArgumentParser
import Foundation
import GitKit
import Ledger
import Usage

/// `--ledger`: where usage records are kept between runs.
struct LedgerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The ledger: a SQLite file path, or postgres://user@host:port/database (default <git common dir>/shipmeter/ledger.sqlite, or SHIPMETER_LEDGER).", valueName: "path|url"))
    var ledger: String?

    /// Whether a ledger was named on the command line or in the environment.
    var isGiven: Bool { ledger != nil || ProcessInfo.processInfo.environment["SHIPMETER_LEDGER"].map { !$0.isEmpty } == true }

    /// Opens the ledger. `existing`: a SQLite file must already be there (commands that only read
    /// it say so instead of creating an empty one).
    func open(repository: Repository?, existing: Bool = false) async throws -> any LedgerStore {
        let named = ledger ?? ProcessInfo.processInfo.environment["SHIPMETER_LEDGER"].flatMap { $0.isEmpty ? nil : $0 }
        let path: String
        if let named {
            if named.hasPrefix("postgres://") || named.hasPrefix("postgresql://") {
                do {
                    return try await Ledgers.open(named)
                } catch {
                    throw ShipmeterError.invalidInput(error.localizedDescription)
                }
            }
            path = named.hasPrefix("/") ? named : FileManager.default.currentDirectoryPath + "/" + named
        } else {
            guard let repository else {
                throw ShipmeterError.invalidInput("no ledger: pass --ledger PATH or run inside a git repository (its ledger is <git common dir>/shipmeter/ledger.sqlite)")
            }
            path = repository.commonDirectory + "/shipmeter/ledger.sqlite"
        }
        if existing, !FileManager.default.fileExists(atPath: path) {
            throw ShipmeterError.invalidInput("no ledger at \(path): name an existing one with --ledger, or fill one with `shipmeter ingest` and `shipmeter attribute`")
        }
        do {
            return try UsageLedger(path: path)
        } catch {
            throw ShipmeterError.invalidInput(error.localizedDescription)
        }
    }
}

extension Shipmeter {
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add usage records to the ledger, de-duplicated on (source, key).",
            discussion: "With no PATH, the Claude Code and Codex sessions recorded on this machine for the repository are ingested. Ingesting the same files again adds nothing."
        )

        @Argument(help: ArgumentHelp("Usage files or folders.", valueName: "path"))
        var paths: [String] = []

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var ledgerOptions: LedgerOptions
        @OptionGroup var usage: UsageOptions

        func run() async throws {
            let repo = try? Repository(discovering: repository.repo)
            if paths.isEmpty, repo == nil { _ = try repository.open() }  // the clear "not a repository" error
            let overrides = repo.flatMap { try? Settings.load(for: $0).configuration.priceOverrides } ?? [:]
            let batch = try usage.load(paths: paths, repo: repo, overrides: overrides)
            let ledger = try await ledgerOptions.open(repository: repo)
            let result: UsageLedger.IngestResult
            do {
                result = try await ledger.ingest(batch, version: Shipmeter.version)
                await ledger.close()
            } catch {
                await ledger.close()
                throw ShipmeterError.invalidInput(error.localizedDescription)
            }
            Output.write(result.added == 0 && result.alreadyPresent > 0
                ? "nothing new: all \(result.alreadyPresent) records are already in \(ledger.location)"
                : "ingested \(result.added) new records into \(ledger.location)" + (result.alreadyPresent > 0 ? " (\(result.alreadyPresent) were already there)" : ""))
        }
    }

    struct LedgerCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ledger", abstract: "Look after the ledger.", subcommands: [Forget.self])

        struct Forget: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Delete one person's usage records (a privacy request).")

            @Option(help: ArgumentHelp("The person's email, as their records name them.", valueName: "email"))
            var actor: String

            @OptionGroup var repository: RepositoryOptions
            @OptionGroup var ledgerOptions: LedgerOptions

            func run() async throws {
                let ledger = try await ledgerOptions.open(repository: try? Repository(discovering: repository.repo))
                do {
                    let removed = try await ledger.forget(actor: actor, version: Shipmeter.version)
                    await ledger.close()
                    Output.write("removed \(removed) usage record\(removed == 1 ? "" : "s") of \(actor) from \(ledger.location)")
                } catch {
                    await ledger.close()
                    throw ShipmeterError.invalidInput(error.localizedDescription)
                }
            }
        }
    }
}
