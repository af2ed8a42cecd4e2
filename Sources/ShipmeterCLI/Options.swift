import ArgumentParser
import Foundation
import GitKit

/// `--repo`: which repository to read; any folder inside it works.
struct RepositoryOptions: ParsableArguments {
    @Option(name: .customLong("repo"), help: ArgumentHelp("A folder inside the repository to read (default: the current folder). With a ledger report, a repository's folder or its name in the ledger.", valueName: "path"))
    var given: String?

    var repo: String { given ?? "." }

    func open() throws -> Repository {
        do {
            return try Repository(discovering: repo)
        } catch {
            throw ShipmeterError.notARepository(path: repo, detail: error.message)
        }
    }
}

/// Output formats of listing commands.
enum ListFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// `--fetch-missing`, and the one line that says how many commits' line counts are unknown.
struct MissingObjectsOptions: ParsableArguments {
    @Flag(help: "In a partial clone (git clone --filter=blob:none), let git fetch the blobs line counts need, as git log --numstat does.")
    var fetchMissing = false

    /// Says once, on stderr, that `unknown` commits' line counts are unknown, and what to do.
    func report(unknown: Int, in repo: Repository) {
        guard unknown > 0 else { return }
        var text = "warning: line counts unknown for \(unknown) commit\(unknown == 1 ? "" : "s"): blobs not present (partial clone?)"
        if repo.isPartialClone, !fetchMissing {
            text += "; pass --fetch-missing to let git fetch them"
        } else if !repo.isPartialClone {
            text += "; they count no lines"
        }
        Output.diagnostic(text)
    }
}
