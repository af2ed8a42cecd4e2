import Foundation
import GitKit
import Ledger

/// Where the ledger is: a PostgreSQL URL, or a SQLite file (by default the repository's
/// `<git common dir>/shipmeter/ledger.sqlite`).
public struct LedgerLocation: Sendable, Equatable {
    /// The URL, or the file's absolute path.
    public var value: String

    public var isPostgres: Bool { LedgerStore.isPostgres(value) }

    /// `named` (a URL or a path, relative to the current folder), else the repository's default.
    /// `existing`: a SQLite file must already be there (for commands that only read it).
    public static func resolve(named: String?, repository: Repository?, existing: Bool) throws(EngineError) -> LedgerLocation {
        let path: String
        if let named {
            if LedgerStore.isPostgres(named) { return LedgerLocation(value: named) }
            path = named.hasPrefix("/") ? named : FileManager.default.currentDirectoryPath + "/" + named
        } else {
            guard let repository else { throw .noLedger }
            path = repository.commonDirectory + "/shipmeter/ledger.sqlite"
        }
        if existing, !FileManager.default.fileExists(atPath: path) {
            throw .missingLedger(path: path)
        }
        return LedgerLocation(value: path)
    }

    /// Opens the ledger (creating a SQLite file when missing).
    public func open() async throws(EngineError) -> LedgerStore {
        do {
            return try await LedgerStore.open(value)
        } catch let error as LedgerError {
            throw .ledger(error)
        } catch {
            throw .ledger(.database(error.localizedDescription))
        }
    }

    /// Opens the ledger, runs `body` and closes it, whether `body` succeeds or not.
    public func with<Result>(_ body: (LedgerStore) async throws -> Result) async throws -> Result {
        try await open().closing(body)
    }
}

/// The ledger, as commands pass it to the engine.
public typealias LedgerStoreHandle = LedgerStore
