import ArgumentParser
import Foundation
import ShipmeterEngine
import WorkProgress

extension Shipmeter {
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add usage records to the ledger, de-duplicated on (source, key).",
            discussion:
                "With no PATH, the agent sessions recorded on this machine (Claude Code, Codex, Gemini CLI, Qwen Code, Copilot CLI, OpenCode, Crush, Goose, Amp) for the repository are ingested. Ingesting the same files again adds nothing."
        )

        @Argument(help: ArgumentHelp("Usage files or folders.", valueName: "path"))
        var paths: [String] = []

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var ledgerOptions: LedgerOptions
        @OptionGroup var usage: UsageOptions
        @OptionGroup var progressOptions: ProgressOptions

        func run() async throws {
            let progress = progressOptions.start()
            defer { progress.finish() }
            let repo = paths.isEmpty ? try repository.open() : repository.ifAny
            let overrides = (try? RepositoryOptions.configuration(of: repo))?.priceOverrides ?? [:]
            let location = try ledgerOptions.location(repo)
            let (result, notes, place) = try await location.with { ledger in
                let (result, notes) = try await usage.reading.ingest(
                    paths: paths, repository: repo, overrides: overrides, into: ledger, version: Shipmeter.version)
                return (result, notes, ledger.location)
            }
            progress.finish(
                "ingested \(ProgressText.count(result.added + result.alreadyPresent, "usage record")) (\(ProgressText.count(result.added)) new)")
            Output.diagnostics(notes)
            Output.write(
                result.added == 0 && result.alreadyPresent > 0
                    ? "nothing new: all \(result.alreadyPresent) records are already in \(place)"
                    : "ingested \(result.added) new records into \(place)"
                        + (result.alreadyPresent > 0 ? " (\(result.alreadyPresent) were already there)" : ""))
        }
    }

    struct LedgerCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ledger", abstract: "Look after the ledger.", subcommands: [Forget.self, Check.self, Backup.self])

        struct Forget: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Delete one person's usage records (a privacy request).")

            @Option(help: ArgumentHelp("The person's email, as their records name them.", valueName: "email"))
            var actor: String

            @OptionGroup var repository: RepositoryOptions
            @OptionGroup var ledgerOptions: LedgerOptions

            func run() async throws {
                let location = try ledgerOptions.location(repository.ifAny)
                let (removed, place) = try await location.with { (try await $0.forget(actor: actor, version: Shipmeter.version), $0.location) }
                Output.write("removed \(removed) usage record\(removed == 1 ? "" : "s") of \(actor) from \(place)")
            }
        }

        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check the ledger: the database's integrity check (SQLite) and the usage rollup against the records summed afresh.",
                discussion: "Prints what is wrong and exits 1, or prints one line and exits 0. Safe while other runs write.")

            @OptionGroup var repository: RepositoryOptions
            @OptionGroup var ledgerOptions: LedgerOptions

            func run() async throws {
                // Checking a ledger never creates one.
                let location = try ledgerOptions.location(repository.ifAny, existing: true)
                // Table by table first: a damaged table names itself instead of failing the whole check.
                // Read-only first: a damaged file is reported without a byte of it written.
                let damagedFirst = try LedgerStoreHandle.damagedTables(at: location.value)
                let (checked, damaged, place) =
                    damagedFirst.isEmpty
                    ? try await location.with { ledger in (try await ledger.check(), [(table: String, finding: String)](), ledger.location) }
                    : (nil, damagedFirst, location.value)
                guard let result = checked else {
                    for (table, finding) in damaged { Output.diagnostic("table \(table) fails SQLite's integrity check: \(finding)") }
                    Output.diagnostic(
                        "\(place) is damaged: \(damaged.count) table\(damaged.count == 1 ? " fails" : "s fail") SQLite's integrity check; restore it from a backup (put the file `shipmeter ledger backup --to FILE` made in its place)"
                    )
                    throw ExitCode(1)
                }
                guard result.problems.isEmpty else {
                    for problem in result.problems.prefix(20) { Output.diagnostic(problem) }
                    if result.problems.count > 20 { Output.diagnostic("… and \(result.problems.count - 20) more") }
                    throw ExitCode(1)
                }
                Output.write("\(place): ok (\(result.records) usage records, \(result.attributions) attributions; integrity and rollup checked)")
            }
        }

        struct Backup: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Copy the ledger into one consistent file (SQLite), safe while other runs write.",
                discussion: """
                    SQLite: VACUUM INTO a new file, which holds the ledger as of one moment; restore by putting that file \
                    in the ledger's place. PostgreSQL: prints the pg_dump command to use instead.
                    """)

            @Option(help: ArgumentHelp("The backup file to create (must not exist).", valueName: "file"))
            var to: String

            @OptionGroup var repository: RepositoryOptions
            @OptionGroup var ledgerOptions: LedgerOptions

            func run() async throws {
                let location = try ledgerOptions.location(repository.ifAny, existing: true)
                let destination = to.hasPrefix("/") ? to : FileManager.default.currentDirectoryPath + "/" + to
                let place = try await location.with { ledger in
                    try await ledger.backup(to: destination)
                    return ledger.location
                }
                Output.write("backed up \(place) into \(destination); restore by putting that file in the ledger's place")
            }
        }
    }
}
