import Foundation
import Usage

/// What every ledger backend does: the same operations, the same idempotence, one transaction
/// per unit of work. SQLite (`UsageLedger`) is the default; PostgreSQL (`PostgresLedger`) is for
/// a ledger shared by many repositories and CI jobs.
public protocol LedgerStore: LedgerSQL {
    /// Where the ledger is, for messages (never with a password).
    var location: String { get }
    func ingest(_ batch: UsageBatch, version: String) async throws -> UsageLedger.IngestResult
    func batch(since: Date?, until: Date?) async throws -> UsageBatch
    func forget(actor: String, version: String) async throws -> Int
    func close() async
}

extension UsageLedger: LedgerStore {
    public var location: String { path }

    public func ingest(_ batch: UsageBatch, version: String) async throws -> IngestResult {
        try ingestNow(batch, version: version)
    }

    public func batch(since: Date?, until: Date?) async throws -> UsageBatch {
        try batchNow(since: since, until: until)
    }

    public func forget(actor: String, version: String) async throws -> Int {
        try forgetNow(actor: actor, version: version)
    }

    public func close() async {}
}

/// Opens the ledger a `--ledger` value names: a `postgres://` / `postgresql://` URL or a file path.
public enum Ledgers {
    public static func open(_ location: String, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> any LedgerStore {
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            return try await PostgresLedger.open(url: location, environment: environment)
        }
        return try UsageLedger(path: location)
    }
}
