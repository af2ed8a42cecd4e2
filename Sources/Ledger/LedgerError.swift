import Foundation

/// Why a ledger could not be opened, read or written. Messages say what happened and to what
/// ledger; commands add what to run next.
public enum LedgerError: Error, LocalizedError, Equatable {
    /// The file or database holds something other than a shipmeter ledger.
    case notALedger(String)
    /// Written by a newer shipmeter whose schema this one does not know.
    case newerSchema(location: String, version: Int)
    /// A location this binary cannot open (a malformed URL, say).
    case unsupported(String)
    /// Another run held the ledger past the busy timeout.
    case locked(String)
    /// The server could not be reached or refused the connection.
    case unreachable(location: String, detail: String)
    /// A read or write failed inside the database.
    case database(String)
    /// The SQLite file is damaged (SQLite's own words in `detail`).
    case damaged(location: String, detail: String)
    /// The file is not a SQLite database at all.
    case notSQLite(String)

    public var errorDescription: String? {
        switch self {
        case .notALedger(let location):
            return "\(location) is not a shipmeter ledger. Pass --ledger with a new file name or an existing ledger."
        case .newerSchema(let location, let version):
            return
                "\(location) was written by a newer shipmeter (schema \(version), this one knows up to \(LedgerMigrations.latest)). Upgrade shipmeter to use it."
        case .locked(let location):
            return "\(location) is locked by another shipmeter run and stayed locked past the timeout; try again when it finishes"
        case .unreachable(_, let detail):
            return detail
        case .unsupported(let message), .database(let message):
            return message
        case .damaged(let location, let detail):
            return
                "\(location) is damaged (SQLite reports: \(detail)). Run `shipmeter ledger check --ledger \(location)` to see which tables, and restore it from a backup (put the file `shipmeter ledger backup --to FILE` made in its place)"
        case .notSQLite(let location):
            return "\(location) is not a SQLite database, so not a shipmeter ledger. Pass --ledger with a new file name or an existing ledger"
        }
    }
}
