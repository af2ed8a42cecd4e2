import ArgumentParser
import Foundation
import ShipmeterEngine

extension Shipmeter {
    struct Deploy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record deployments.",
            subcommands: [Mark.self]
        )

        enum Status: String, ExpressibleByArgument, CaseIterable {
            case success, failure
        }

        struct Mark: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Mark a deployment: an annotated tag deploy/<env>/<UTC time> whose message records the status.",
                discussion: "Run it after each deploy (usually in CI), then push the tag it prints."
            )

            @Option(help: ArgumentHelp("The environment deployed to, e.g. production.", valueName: "env"))
            var env: String

            @Option(help: ArgumentHelp("What was deployed (default: HEAD).", valueName: "ref"))
            var ref: String = "HEAD"

            @Option(help: "success or failure.")
            var status: Status = .success

            @OptionGroup var repository: RepositoryOptions
            @OptionGroup var ledgerOptions: LedgerOptions

            @Flag(help: "Only create the tag; leave the ledger alone.")
            var noLedger = false

            func validate() throws {
                guard DeployMark.isValidEnvironment(env) else {
                    throw ValidationError("--env must be a simple name such as production or eu-staging (letters, digits, - _ .)")
                }
            }

            func run() async throws {
                let repo = try repository.open()
                let marked = try DeployMark(repository: repo, environment: env, ref: ref, failed: status == .failure).mark()
                Output.diagnostics(marked.diagnostics)
                Output.write(
                    """
                    marked \(env) deployment of \(marked.shortCommit) (\(status.rawValue)) as tag \(marked.tag)
                    push it: git push origin refs/tags/\(marked.tag)
                    """)
                if !noLedger { try await record(repo, tag: marked.tag) }
            }

            /// The deployment's ledger row (with what it shipped, and whatever else is new since the
            /// last `attribute`). The tag stays the record of truth: when this fails, `attribute`
            /// writes the row later.
            func record(_ repo: RepositoryHandle, tag: String) async throws {
                do {
                    let context = try RepositoryContext.load(repo)
                    let (outcome, place) = try await ledgerOptions.location(repo).with { ledger in
                        (
                            try await AttributionRun(context: context, ledger: ledger, environment: nil, version: Shipmeter.version).run(),
                            ledger.location
                        )
                    }
                    Output.write("recorded in the ledger \(place) (\(outcome.name): \(outcome.deployments) deployments)")
                } catch {
                    let reason = ShipmeterError.presenting(error).localizedDescription
                    throw ShipmeterError.invalidInput(
                        "tag \(tag) was created, but the ledger was not updated: \(reason). Run `shipmeter attribute` once the ledger is reachable.")
                }
            }
        }
    }
}
