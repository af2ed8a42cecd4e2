import ArgumentParser
import Attribution
import Foundation
import GitKit
import Ledger
import Usage

extension Shipmeter {
    struct Deploy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record deployments.",
            subcommands: [Mark.self]
        )

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
            var status: String = "success"

            @OptionGroup var repository: RepositoryOptions
            @OptionGroup var ledgerOptions: LedgerOptions

            @Flag(help: "Only create the tag; leave the ledger alone.")
            var noLedger = false

            func validate() throws {
                guard DeploymentSources.status(status) != nil, ["success", "failure"].contains(status) else {
                    throw ValidationError("--status must be success or failure")
                }
                let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
                guard !env.isEmpty, env.unicodeScalars.allSatisfy(allowed.contains), !env.hasPrefix("."), !env.hasSuffix(".lock") else {
                    throw ValidationError("--env must be a simple name such as production or eu-staging (letters, digits, - _ .)")
                }
            }

            func run() async throws {
                let repo = try repository.open()
                let commit: ObjectID
                do {
                    commit = try repo.resolveCommit(ref)
                } catch {
                    throw ShipmeterError.badRevision(ref, detail: error.message)
                }
                let now = Date()
                let tagger: Signature
                if let configured = try? repo.defaultSignature() {
                    tagger = Signature(name: configured.name, email: configured.email, time: GitTime(now))
                } else {
                    let environment = ProcessInfo.processInfo.environment
                    tagger = Signature(
                        name: environment["GIT_COMMITTER_NAME"] ?? environment["GITHUB_ACTOR"] ?? "shipmeter",
                        email: environment["GIT_COMMITTER_EMAIL"] ?? "shipmeter@localhost", time: GitTime(now))
                }
                let stamp = Self.stamp(now)
                let message = "status: \(status)\nref: \(ref)\ncommit: \(commit.hex)\n"
                var name = "deploy/\(env)/\(stamp)"
                var attempt = 1
                while true {
                    do {
                        try repo.createAnnotatedTag(name: name, target: commit, message: message, tagger: tagger)
                        break
                    } catch where error.isAlreadyExisting && attempt < 100 {
                        // Two marks in the same second: keep both, in order.
                        attempt += 1
                        name = "deploy/\(env)/\(stamp)-\(attempt)"
                    } catch {
                        throw ShipmeterError.git("cannot create tag \(name): \(error.message)")
                    }
                }
                let settings = try Settings.load(for: repo)
                if !settings.configuration.deployTagPatterns.contains(where: { DeploymentSources.environment(of: name, pattern: $0) != nil }) {
                    Output.diagnostic("warning: \(name) matches none of deployments.tags in .shipmeter.yml, so reports will not see it")
                }
                Output.write("""
                    marked \(env) deployment of \(commit.short()) (\(status)) as tag \(name)
                    push it: git push origin refs/tags/\(name)
                    """)
                if !noLedger { try await record(repo, tag: name) }
            }

            /// The deployment's ledger row (with what it shipped, and whatever else is new since the
            /// last `attribute`). The tag stays the record of truth: when this fails, `attribute`
            /// writes the row later.
            func record(_ repo: Repository, tag: String) async throws {
                do {
                    let ledger = try await ledgerOptions.open(repository: repo)
                    do {
                        let outcome = try await LedgerAttribution(repo: repo, ledger: ledger, environment: nil).run()
                        await ledger.close()
                        Output.write("recorded in the ledger \(ledger.location) (\(outcome.name): \(outcome.deployments) deployments)")
                    } catch {
                        await ledger.close()
                        throw error
                    }
                } catch {
                    let reason = error.localizedDescription
                    throw ShipmeterError.invalidInput("tag \(tag) was created, but the ledger was not updated: \(reason). Run `shipmeter attribute` once the ledger is reachable.")
                }
            }

            /// `20260302T081500Z`
            static func stamp(_ date: Date) -> String {
                Timestamp.iso8601(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
                    .replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
            }
        }
    }
}
