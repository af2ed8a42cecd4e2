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
