import ArgumentParser
import Foundation
import Reporting
import ShipmeterEngine
import Usage

extension Shipmeter {
    struct Deployments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List deployments with their kind, status and the commits each shipped.",
            discussion: """
                Deployments come from tags matching the configured patterns (default deploy/<env>/*), \
                else release tags (v1.2.3 as 'release', v1.2.3-rc.1 as 'prerelease'), and from the \
                deploy logs named in .shipmeter.yml. Without --env: every environment.
                """
        )

        @OptionGroup var repository: RepositoryOptions

        @Option(help: ArgumentHelp("Only this environment.", valueName: "env"))
        var env: String?

        @Option(help: "Output format: table, json.")
        var format: ListFormat = .table

        func run() async throws {
            let snapshot = try repository.context().snapshot()
            Output.diagnostics(snapshot.notes.map(Diagnostic.note))
            let listing = try DeploymentListing(snapshot, environment: env)
            switch format {
            case .json:
                let document = DeploymentsDocument(
                    deployments: listing.rows.map { row in
                        DeploymentsDocument.Deployment(
                            environment: row.environment, id: row.id, ref: row.ref, commit: row.commit, time: row.time, status: row.status.rawValue,
                            kind: row.kind.rawValue, shippedCommits: row.shipped)
                    })
                Output.write(document.json)
            case .table:
                let rows = listing.rows.map { row -> [String] in
                    [
                        row.environment, row.id, Timestamp.iso8601(row.time), row.shortCommit, row.kind.rawValue, row.status.rawValue,
                        "\(row.shipped.count)",
                    ]
                }
                if rows.isEmpty {
                    Output.write(
                        "No deployments found. Tag deploys as deploy/<env>/<time> (shipmeter deploy mark --env production), use release tags, or list deploy logs in .shipmeter.yml."
                    )
                } else {
                    Output.write(
                        TextTable(
                            header: ["environment", "deployment", "time", "commit", "kind", "status", "shipped"], rows: rows, rightAligned: [6]
                        ).render())
                }
            }
        }
    }
}
