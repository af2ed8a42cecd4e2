import ArgumentParser
import Attribution
import Foundation
import GitKit
import Ledger
import Usage

extension Shipmeter {
    struct Attribute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the repository's deployments, shipped sets and usage→commit attributions in the ledger.",
            discussion: """
                Usually run in CI after `deploy mark`. --usage files are ingested first. Every run \
                recomputes this repository's attribution from its history and replaces the stored one \
                in one transaction, so running it twice changes nothing.
                """
        )

        @OptionGroup var repository: RepositoryOptions

        @Option(name: .customLong("usage"), parsing: .upToNextOption, help: ArgumentHelp("Usage files or folders to ingest first.", valueName: "path"))
        var usagePaths: [String] = []

        @Option(help: ArgumentHelp("The environment whose shipped commits decide between a session's commits (default: production, else release, else the busiest).", valueName: "env"))
        var env: String?

        @OptionGroup var usage: UsageOptions
        @OptionGroup var ledgerOptions: LedgerOptions

        func run() async throws {
            let repo = try repository.open()
            let snapshot = try RepositorySnapshot.open(repo)
            let ledger = try await ledgerOptions.open(repository: repo)
            do {
                if !usagePaths.isEmpty {
                    let batch = try usage.load(paths: usagePaths, repo: repo, overrides: snapshot.configuration.priceOverrides)
                    let ingested = try await ledger.ingest(batch, version: Shipmeter.version)
                    Output.write("ingested \(ingested.added) new records (\(ingested.alreadyPresent) already there)")
                }
                let batch = try await ledger.batch(since: nil, until: nil)
                let now = Date()
                let joins = snapshot.join(batch, environment: snapshot.environment(requested: env), until: now)
                let graph = snapshot.history.graph
                let timeline = snapshot.timeline
                let deployments = timeline.deployments.indices.map { index in
                    let d = timeline.deployments[index]
                    return UsageLedger.Attribution.StoredDeployment(
                        environment: d.environment, id: d.id, ref: d.ref, commit: d.commit.hex, time: d.time,
                        status: d.status.rawValue, kind: d.kind.rawValue, shipped: timeline.shipped[index].map { graph.ids[$0].hex }.sorted())
                }
                let stored = zip(batch.records, joins).compactMap { record, join -> UsageLedger.Attribution.Join? in
                    guard let commit = join.commit, let confidence = join.confidence else { return nil }
                    return .init(source: record.source, key: record.key, commit: graph.ids[commit].hex, confidence: confidence.rawValue)
                }
                let attribution = UsageLedger.Attribution(identity: snapshot.identity, name: snapshot.name, deployments: deployments, joins: stored)
                let result = try await ledger.store(attribution, version: Shipmeter.version)
                await ledger.close()
                Output.write("""
                    \(snapshot.name): \(result.deployments) deployments (\(result.newDeployments) new), \
                    \(result.attributions) of \(batch.records.count) usage records attributed to commits (\(result.changedAttributions) changed) in \(ledger.location)
                    """)
            } catch {
                await ledger.close()
                throw error as? ShipmeterError ?? ShipmeterError.invalidInput(error.localizedDescription)
            }
        }
    }
}
