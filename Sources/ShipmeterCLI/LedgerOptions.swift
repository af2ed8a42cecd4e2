import ArgumentParser
import Foundation
import ShipmeterEngine

/// `--ledger`: where usage records are kept between runs.
struct LedgerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The ledger: a SQLite file path, or postgres://user@host:port/database (default <git common dir>/shipmeter/ledger.sqlite, or SHIPMETER_LEDGER).",
            valueName: "path|url"))
    var ledger: String?

    /// The ledger named on the command line, else in `SHIPMETER_LEDGER`.
    var named: String? {
        ledger ?? ProcessInfo.processInfo.environment["SHIPMETER_LEDGER"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether a ledger was named on the command line or in the environment.
    var isGiven: Bool { named != nil }

    /// Where the ledger is: the one named, else `repository`'s. `existing`: a SQLite file must
    /// already be there (commands that only read it say so instead of creating one).
    func location(_ repository: RepositoryHandle?, existing: Bool = false) throws -> LedgerLocation {
        try LedgerLocation.resolve(named: named, repository: repository, existing: existing)
    }
}
