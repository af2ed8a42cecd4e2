import ArgumentParser
import Attribution
import Foundation
import GitKit
import Reporting
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
            let snapshot = try RepositorySnapshot.open(try repository.open())
            let timeline = snapshot.timeline
            let graph = snapshot.history.graph
            if let env, !timeline.environments.contains(env) {
                let known = timeline.environments.isEmpty ? "none" : timeline.environments.joined(separator: ", ")
                throw ShipmeterError.invalidInput("no deployments in environment '\(env)'. Environments found: \(known).")
            }
            let indices = timeline.deployments.indices
                .filter { env == nil || timeline.deployments[$0].environment == env }
                .sorted { (timeline.deployments[$0].time, timeline.deployments[$0].environment, $0) < (timeline.deployments[$1].time, timeline.deployments[$1].environment, $1) }
            switch format {
            case .json:
                Output.write(JSONValue.object([
                    ("schema_version", .int(1)),
                    ("deployments", .array(indices.map { index in
                        let d = timeline.deployments[index]
                        return .object([
                            ("environment", .string(d.environment)),
                            ("id", .string(d.id)),
                            ("ref", .string(d.ref)),
                            ("commit", .string(d.commit.hex)),
                            ("time", .string(Timestamp.iso8601(d.time))),
                            ("status", .string(d.status.rawValue)),
                            ("kind", .string(d.kind.rawValue)),
                            ("shipped_commits", .array(timeline.shipped[index].map { .string(graph.ids[$0].hex) })),
                        ])
                    })),
                ]).serialized())
            case .table:
                let rows = indices.map { index -> [String] in
                    let d = timeline.deployments[index]
                    return [d.environment, d.id, String(Timestamp.iso8601(d.time)), d.commit.short(), d.kind.rawValue, d.status.rawValue, "\(timeline.shipped[index].count)"]
                }
                if rows.isEmpty {
                    Output.write("No deployments found. Tag deploys as deploy/<env>/<time> (shipmeter deploy mark --env production), use release tags, or list deploy logs in .shipmeter.yml.")
                } else {
                    Output.write(TextTable(header: ["environment", "deployment", "time", "commit", "kind", "status", "shipped"], rows: rows, rightAligned: [6]).render())
                }
            }
        }
    }
}
