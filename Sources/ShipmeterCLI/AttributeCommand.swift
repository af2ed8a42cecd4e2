import ArgumentParser
import Foundation
import ShipmeterEngine
import WorkProgress

extension Shipmeter {
    struct Attribute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the repository's commits, deployments, shipped sets and usage→commit attributions in the ledger.",
            discussion: """
                Usually run in CI after `deploy mark`. --usage files are ingested first. The first run \
                reads the whole history; later runs read only what is new since the last one (new \
                commits, new deployments, new usage records and the records those can re-attribute) \
                and give the same ledger as reading everything again. A change to .shipmeter.yml, \
                .mailmap or CODEOWNERS, a rewritten or back-dated deployment, or --full starts over. \
                Each run is one transaction: running it twice changes nothing.
                """
        )

        @OptionGroup var repository: RepositoryOptions

        @Option(
            name: .customLong("usage"), parsing: .upToNextOption, help: ArgumentHelp("Usage files or folders to ingest first.", valueName: "path"))
        var usagePaths: [String] = []

        @Option(
            help: ArgumentHelp(
                "The environment whose shipped commits decide between a session's commits (default: production, else release, else the busiest).",
                valueName: "env"))
        var env: String?

        @Flag(help: "Read the whole history again instead of what is new since the last run.")
        var full = false

        @OptionGroup var usage: UsageOptions
        @OptionGroup var ledgerOptions: LedgerOptions
        @OptionGroup var missing: MissingObjectsOptions
        @OptionGroup var progressOptions: ProgressOptions

        func run() async throws {
            let progress = progressOptions.start()
            defer { progress.finish() }
            let context = try repository.context()
            let location = try ledgerOptions.location(context.repository)
            let (outcome, place) = try await location.with { ledger in
                if !usagePaths.isEmpty {
                    let (ingested, notes) = try await usage.reading.ingest(
                        paths: usagePaths, repository: context.repository,
                        overrides: context.configuration.priceOverrides, into: ledger, version: Shipmeter.version)
                    Output.diagnostics(notes)
                    Output.write("ingested \(ingested.added) new records (\(ingested.alreadyPresent) already there)")
                }
                var run = AttributionRun(context: context, ledger: ledger, environment: env, version: Shipmeter.version)
                run.full = full
                run.fetchMissing = missing.fetchMissing
                return (try await run.run(), ledger.location)
            }
            progress.finish(
                """
                attributed \(ProgressText.count(outcome.commitsRead, outcome.incremental ? "new commit" : "commit")), \
                \(ProgressText.count(outcome.deployments, "deployment")), \(ProgressText.count(outcome.recordsConsidered, "usage record"))
                """)
            Output.diagnostics(outcome.diagnostics)
            missing.report(unknown: outcome.unknownLines, in: context)
            let how =
                outcome.incremental
                ? "read \(outcome.commitsRead) new commits and re-joined \(outcome.recordsConsidered) usage records"
                : "read the whole history (\(outcome.commitsRead) commits) and \(outcome.recordsConsidered) usage records"
            Output.write(
                """
                \(outcome.name): \(outcome.deployments) deployments (\(outcome.newDeployments) new), \
                \(outcome.attributions) usage records attributed to commits (\(outcome.changedAttributions) changed); \
                \(how); ledger \(place)
                """)
        }
    }
}
