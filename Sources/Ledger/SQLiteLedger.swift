import CSQLiteTuning
import Foundation
import GRDB
import Synchronization
import Usage

/// The SQLite backend of the ledger, through GRDB (WAL, busy timeout): every write is one
/// transaction and idempotent on `(source, key)`.
final class SQLiteLedger: Sendable {
    /// The schema this binary writes; a ledger at a higher version is refused.
    static var schemaVersion: Int { LedgerMigrations.latest }
    static let marker = "shipmeter-ledger"

    let pool: DatabasePool
    let path: String
    var location: String { path }
    /// The descriptor `init` locked the file through, open for as long as the pool is: closing
    /// any descriptor of a file drops every POSIX lock this process holds on it, SQLite's
    /// included, and another process would then take the ledger for unused and delete the WAL
    /// this one still writes to (a long-running `serve` beside `attribute` runs, say).
    let opening: Int32
    /// Whether `close` ran (it runs once: from a command, at exit, or at deinit).
    let closed = Mutex(false)

    /// How long a run waits for another's write to finish: CI jobs that end together queue on
    /// the ledger rather than fail (`SHIPMETER_LEDGER_TIMEOUT`, in seconds, changes it).
    static var defaultBusyTimeout: TimeInterval {
        ProcessInfo.processInfo.environment["SHIPMETER_LEDGER_TIMEOUT"].flatMap(TimeInterval.init) ?? 600
    }

    /// SQLite's process-wide options, set before the first ledger opens (where nothing opened a
    /// database before it: otherwise SQLite keeps its defaults, which are as correct, only slower).
    /// A big ingest calls SQLite a few dozen times per record, each call taking the connection's
    /// mutex in SQLite's default mode.
    private static let tuned = shipmeter_sqlite_tune() != 0

    /// Opens (creating when missing) the ledger at `path`, migrating it to this binary's schema.
    init(path: String, busyTimeout: TimeInterval = SQLiteLedger.defaultBusyTimeout) throws {
        _ = Self.tuned
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "shipmeter-ledger"
        configuration.prepareDatabase { db in
            // A new ledger's pages are 16 KiB (SQLite's default is 4): a shallower B-tree and a
            // quarter of the page writes into the WAL and back, 6–14% off a big ingest into a new
            // ledger. Only a file without tables takes it; an existing ledger keeps its size.
            try db.execute(sql: "PRAGMA page_size = 16384")
            // Pages a big ingest dirties stay in memory up to 256 MB (allocated only when used),
            // then spill to the WAL: an ingest of any size keeps memory bounded.
            try db.execute(sql: "PRAGMA cache_size = -262144")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        // Two runs opening a new ledger at once would both create its tables: the first opens and
        // migrates while the other waits, on a lock SQLite's own locks do not see.
        let opening = open(path, O_RDWR | O_CREAT, 0o644)
        self.opening = opening
        defer { if opening >= 0 { flock(opening, LOCK_UN) } }
        if opening >= 0 {
            let deadline = Date().addingTimeInterval(busyTimeout)
            while flock(opening, LOCK_EX | LOCK_NB) != 0 {
                guard Date() < deadline else {
                    Self.closeDescriptor(opening)
                    throw LedgerError.locked(path)
                }
                usleep(10_000)
            }
        }
        // An existing file is looked at read-only first: another SQLite database, or a damaged or
        // foreign file, is refused without a byte of it written.
        try Self.inspect(path)
        if opening < 0, errno == EACCES || errno == EPERM {
            throw LedgerError.database(
                "\(path) cannot be read or written: permission denied. Run as a user who may write it, or pass --ledger with another file")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            Self.closeDescriptor(opening)
            throw Self.describeOpening(error, path: path)
        }
        do {
            try prepare()
        } catch {
            closeNow()  // deinit, which runs after a failed init, finds it closed
            throw error
        }
        OpenSQLiteLedgers.add(self)
    }

    private func prepare() throws {
        do {
            // Reads only, unless a migration is due: a report does not queue behind an ingest.
            let current = try pool.read { db in try Self.version(db, path: path) }
            if current < Self.schemaVersion {
                try pool.write { db in try Self.migrate(db, from: try Self.version(db, path: path)) }
            }
        } catch let failure as LedgerError {
            throw failure
        } catch {
            throw Self.describeOpening(error, path: path)
        }
    }

    /// The schema version of an open ledger: 0 for an empty file; a foreign database or a newer
    /// schema is refused.
    static func version(_ db: Database, path: String) throws -> Int {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        guard !tables.isEmpty else { return 0 }
        guard tables.contains("shipmeter_meta") else { throw LedgerError.notALedger(path) }
        let version = Int(try String.fetchOne(db, sql: "SELECT value FROM shipmeter_meta WHERE key = 'schema_version'") ?? "0") ?? 0
        if version > schemaVersion { throw LedgerError.newerSchema(location: path, version: version) }
        return version
    }

    /// Runs the schema steps after `version` up to `target` (all of them by default; earlier ones
    /// to test upgrades), inside the caller's transaction.
    static func migrate(_ db: Database, from version: Int, through target: Int = schemaVersion) throws {
        for step in LedgerMigrations.pending(after: version, through: target) {
            for statement in step.statements(.sqlite) { try db.execute(sql: statement) }
            try db.execute(sql: LedgerMigrations.recordVersion(step.version))
        }
    }

    /// Every record (in `[since, until)` when given) with the session links, as a batch.
    func batch(since: Date?, until: Date?) async throws -> UsageBatch {
        try batchNow(since: since, until: until)
    }

    func batchNow(since: Date? = nil, until: Date? = nil) throws -> UsageBatch {
        do {
            return try pool.read { db in
                var batch = UsageBatch()
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT * FROM usage_records WHERE timestamp >= ? AND timestamp < ? ORDER BY timestamp, source, key
                        """,
                    arguments: [
                        since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude,
                        until?.timeIntervalSince1970 ?? Double.greatestFiniteMagnitude,
                    ])
                while let row = try rows.next() {
                    var record = UsageRecord(
                        source: row["source"], key: row["key"], timestamp: Date(timeIntervalSince1970: row["timestamp"]),
                        granularity: UsageRecord.Granularity(rawValue: row["granularity"]) ?? .request,
                        actor: row["actor"], session: row["session"], agent: row["agent"], model: row["model"],
                        repository: row["repository"], branch: row["branch"], commit: row["commit_id"],
                        input: row["input"], output: row["output"], cacheWrite: row["cache_write"], cacheRead: row["cache_read"],
                        costUSD: (row["cost_usd"] as String?).flatMap { Decimal(string: $0) })
                    record.cacheWrite1h = row["cache_write_1h"]
                    batch.add(record)
                }
                for row in try Row.fetchAll(db, sql: "SELECT session, commit_id, time FROM session_links") {
                    batch.links.append(
                        SessionCommitLink(session: row["session"], commit: row["commit_id"], time: Date(timeIntervalSince1970: row["time"])))
                }
                return batch
            }
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// Deletes one person's usage records (a privacy request); returns how many went.
    func forget(actor: String, version: String) async throws -> Int {
        try forgetNow(actor: actor, version: version)
    }

    deinit {
        closeNow()
    }

    func forgetNow(actor: String, version: String) throws -> Int {
        let started = Date()
        do {
            return try pool.write { db in
                try db.execute(sql: UsageRollup.change(-1, where: "lower(u.actor) = lower(?)", .sqlite), arguments: [actor])
                try db.execute(sql: UsageRollup.dropEmpty)
                try db.execute(
                    sql: """
                        DELETE FROM attributions WHERE EXISTS (SELECT 1 FROM usage_records u
                            WHERE u.source = attributions.source AND u.key = attributions.key AND lower(u.actor) = lower(?))
                        """, arguments: [actor])
                try db.execute(sql: "DELETE FROM usage_records WHERE lower(actor) = lower(?)", arguments: [actor])
                let removed = db.changesCount
                try Self.recordRun(db, command: "forget", started: started, version: version, counts: ["removed": removed])
                return removed
            }
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    static func recordRun(_ db: Database, command: String, started: Date, version: String, counts: [String: Int]) throws {
        let text = counts.keys.sorted().map { "\($0)=\(counts[$0] ?? 0)" }.joined(separator: " ")
        try db.execute(
            sql: "INSERT INTO runs (command, started_at, finished_at, version, counts) VALUES (?, ?, ?, ?, ?)",
            arguments: [command, started.timeIntervalSince1970, Date().timeIntervalSince1970, version, text])
    }
}
