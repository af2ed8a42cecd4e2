import Foundation
import Usage

/// What each backend implements: SQL with `?` placeholders, one transaction per write, and the
/// three bulk operations each does its own fastest way. Everything else is written once, over
/// this, in `LedgerStore`'s extensions.
protocol LedgerDatabase: AnyObject, Sendable {
    var location: String { get }
    var dialect: SQLDialect { get }
    func select(_ sql: String, _ arguments: [SQLValue]) async throws -> SQLRows
    /// Runs `writes` in one transaction; returns false (writing nothing) when `guard` changed no row.
    func write(guard: SQLWrite?, _ writes: [SQLWrite]) async throws -> Bool
    /// The sequence of the newest usage record, with no record of a lower one still uncommitted.
    func usageMark() async throws -> Int64
    func ingest(_ chunks: UsageChunkQueue, version: String) async throws -> IngestResult
    func batch(since: Date?, until: Date?) async throws -> UsageBatch
    func forget(actor: String, version: String) async throws -> Int
    func close() async
}

/// The ledger: usage records, and what `attribute` stored of each repository. SQLite by default;
/// PostgreSQL for a ledger shared by many repositories and CI jobs. Both give the same
/// operations, the same idempotence and one transaction per unit of work.
public final class LedgerStore: Sendable {
    let database: any LedgerDatabase

    init(_ database: any LedgerDatabase) {
        self.database = database
    }

    /// Opens the ledger a `--ledger` value names: a `postgres://` / `postgresql://` URL, else a
    /// SQLite file path (created when missing).
    public static func open(_ location: String, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> LedgerStore {
        if isPostgres(location) {
            #if PostgreSQL
            return LedgerStore(try await PostgresLedger.open(url: location, environment: environment))
            #else
            throw LedgerError.unsupported(
                "this shipmeter was built without PostgreSQL support (the demo build leaves it out); "
                    + "build it with `make build` or `make install`, or pass --ledger a SQLite file")
            #endif
        }
        return LedgerStore(try SQLiteLedger(path: location))
    }

    /// Opens the ledger at `location`, runs `body` and closes it, whether `body` succeeds or not.
    public static func with<Result>(
        _ location: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        _ body: (LedgerStore) async throws -> Result
    ) async throws -> Result {
        let ledger = try await open(location, environment: environment)
        return try await ledger.closing(body)
    }

    /// Runs `body` and closes the ledger afterwards, whether `body` succeeds or not.
    public func closing<Result>(_ body: (LedgerStore) async throws -> Result) async throws -> Result {
        do {
            let result = try await body(self)
            await close()
            return result
        } catch {
            await close()
            throw error
        }
    }

    /// Whether a `--ledger` value names a PostgreSQL server.
    public static func isPostgres(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// Where the ledger is, for messages (never with a password).
    public var location: String { database.location }

    /// Adds records not yet in the ledger, in one transaction; `(source, key)` already present
    /// adds nothing. Session links are kept the same way.
    public func ingest(_ batch: UsageBatch, version: String) async throws -> IngestResult {
        try await database.ingest(UsageChunkQueue(batch), version: version)
    }

    /// The same, for records still being read on another thread: each chunk is stored as it
    /// arrives, in the one transaction; a reader's failure (or this one's) writes nothing.
    public func ingest(_ chunks: UsageChunkQueue, version: String) async throws -> IngestResult {
        do {
            return try await database.ingest(chunks, version: version)
        } catch let failure as UsageChunkQueue.ReaderFailure {
            throw failure.error
        } catch {
            chunks.cancel()
            throw error
        }
    }

    /// Every record (in `[since, until)` when given) with the session links, as a batch.
    public func batch(since: Date? = nil, until: Date? = nil) async throws -> UsageBatch {
        try await database.batch(since: since, until: until)
    }

    /// Deletes one person's usage records (a privacy request); returns how many went.
    public func forget(actor: String, version: String) async throws -> Int {
        try await database.forget(actor: actor, version: version)
    }

    /// The sequence of the newest usage record (in ingest order) with none below it uncommitted.
    public func usageMark() async throws -> Int64 {
        try await database.usageMark()
    }

    public func close() async {
        await database.close()
    }

    /// Backs the ledger up into `destination` (SQLite: one consistent file, safe while others
    /// write). A PostgreSQL ledger is backed up with `pg_dump`: the error says the command.
    public func backup(to destination: String) async throws {
        guard let sqlite = database as? SQLiteLedger else {
            let url = location.replacingOccurrences(of: #"://([^:@/]+):[^@/]*@"#, with: "://$1@", options: .regularExpression)
            throw LedgerError.unsupported(
                "a PostgreSQL ledger is backed up with PostgreSQL's own tool, which keeps it consistent while collectors write: pg_dump --format=custom --file \(destination) '\(url)' (restore with pg_restore --dbname URL \(destination))"
            )
        }
        try sqlite.backup(to: destination)
    }

    /// SQLite: copies what the write-ahead log holds into the file (a passive checkpoint, which
    /// waits for no one), so a copy of the file alone is as recent. PostgreSQL: nothing to do.
    public func checkpoint() async {
        (database as? SQLiteLedger)?.checkpoint()
    }

    /// SQLite: the tables whose `integrity_check` fails, with the first finding of each.
    public func damagedTables() async throws -> [(table: String, finding: String)] {
        guard let sqlite = database as? SQLiteLedger else { return [] }
        return try sqlite.damagedTables()
    }

    /// The same for the SQLite file at `path`, read without opening it as a ledger (nothing is
    /// written to a damaged file); empty for a PostgreSQL URL.
    public static func damagedTables(at location: String) throws -> [(table: String, finding: String)] {
        isPostgres(location) ? [] : try SQLiteLedger.damagedTables(at: location)
    }

    var dialect: SQLDialect { database.dialect }

    func select(_ sql: String, _ arguments: [SQLValue]) async throws -> SQLRows {
        try await database.select(sql, arguments)
    }

    func write(guard check: SQLWrite?, _ writes: [SQLWrite]) async throws -> Bool {
        try await database.write(guard: check, writes)
    }
}

/// What an ingest added.
public struct IngestResult: Equatable, Sendable {
    public var added: Int
    public var alreadyPresent: Int
    /// Claude Code metric readings removed because their session's events are now stored
    /// (`SupersededReadings`); counted in `added` when this ingest stored them.
    public var superseded: Int

    public init(added: Int, alreadyPresent: Int, superseded: Int = 0) {
        self.added = added
        self.alreadyPresent = alreadyPresent
        self.superseded = superseded
    }
}
