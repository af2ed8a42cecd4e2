import Foundation
import GRDB
import Synchronization
import Usage

/// The SQLite backend of the ledger, through GRDB (WAL, busy timeout): every write is one
/// transaction and idempotent on `(source, key)`.
final class SQLiteLedger: Sendable {
    /// The schema this binary writes; a ledger at a higher version is refused.
    static let schemaVersion = 7
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

    /// Opens (creating when missing) the ledger at `path`, migrating it to this binary's schema.
    init(path: String, busyTimeout: TimeInterval = SQLiteLedger.defaultBusyTimeout) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "shipmeter-ledger"
        configuration.prepareDatabase { db in
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
            let migrator = Self.migrator()
            let current = try pool.read { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                if !tables.isEmpty {
                    guard tables.contains("shipmeter_meta") else { throw LedgerError.notALedger(path) }
                    let version = try Int.fetchOne(db, sql: "SELECT value FROM shipmeter_meta WHERE key = 'schema_version'") ?? 0
                    if version > Self.schemaVersion { throw LedgerError.newerSchema(location: path, version: version) }
                }
                return try migrator.hasCompletedMigrations(db)
            }
            if !current { try migrator.migrate(pool) }
        } catch let failure as LedgerError {
            throw failure
        } catch {
            throw Self.describeOpening(error, path: path)
        }
    }

    /// Migrations up to `version` (all of them by default; earlier ones to test upgrades).
    static func migrator(through version: Int = schemaVersion) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "shipmeter_meta") { table in
                table.primaryKey("key", .text)
                table.column("value", .text).notNull()
            }
            try db.execute(sql: "INSERT INTO shipmeter_meta (key, value) VALUES ('kind', ?), ('schema_version', '1')", arguments: [marker])
            try db.create(table: "usage_records") { table in
                table.column("source", .text).notNull()
                table.column("key", .text).notNull()
                table.column("timestamp", .double).notNull()
                table.column("granularity", .text).notNull()
                table.column("actor", .text)
                table.column("session", .text)
                table.column("agent", .text)
                table.column("model", .text).notNull()
                table.column("repository", .text)
                table.column("branch", .text)
                table.column("commit_id", .text)
                table.column("input", .integer).notNull()
                table.column("output", .integer).notNull()
                table.column("cache_write", .integer).notNull()
                table.column("cache_write_1h", .integer).notNull()
                table.column("cache_read", .integer).notNull()
                table.column("cost_usd", .text)
                table.primaryKey(["source", "key"])
            }
            try db.create(index: "usage_records_time", on: "usage_records", columns: ["timestamp"])
            try db.create(index: "usage_records_actor", on: "usage_records", columns: ["actor"])
            try db.create(table: "session_links") { table in
                table.column("session", .text).notNull()
                table.column("commit_id", .text).notNull()
                table.column("time", .double).notNull()
                table.primaryKey(["session", "commit_id", "time"])
            }
            try db.create(table: "runs") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("command", .text).notNull()
                table.column("started_at", .double).notNull()
                table.column("finished_at", .double).notNull()
                table.column("version", .text).notNull()
                table.column("counts", .text).notNull()
            }
        }
        guard version >= 2 else { return migrator }
        migrator.registerMigration("v2") { db in
            // Every large table carries the repository id, so it can be distributed by it.
            try db.create(table: "repositories") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("identity", .text).notNull().unique()
                table.column("name", .text).notNull()
            }
            try db.create(table: "deployments") { table in
                table.column("repository_id", .integer).notNull().references("repositories", onDelete: .cascade)
                table.column("environment", .text).notNull()
                table.column("id", .text).notNull()
                table.column("ref", .text).notNull()
                table.column("commit_id", .text).notNull()
                table.column("time", .double).notNull()
                table.column("status", .text).notNull()
                table.column("kind", .text).notNull()
                table.primaryKey(["repository_id", "environment", "id"])
            }
            try db.create(table: "shipped_commits") { table in
                table.column("repository_id", .integer).notNull().references("repositories", onDelete: .cascade)
                table.column("environment", .text).notNull()
                table.column("deployment_id", .text).notNull()
                table.column("commit_id", .text).notNull()
                table.primaryKey(["repository_id", "environment", "commit_id"])
            }
            try db.create(table: "attributions") { table in
                table.column("repository_id", .integer).notNull().references("repositories", onDelete: .cascade)
                table.column("source", .text).notNull()
                table.column("key", .text).notNull()
                table.column("commit_id", .text).notNull()
                table.column("confidence", .text).notNull()
                table.primaryKey(["repository_id", "source", "key"])
            }
            try db.execute(sql: "UPDATE shipmeter_meta SET value = '2' WHERE key = 'schema_version'")
        }
        guard version >= 3 else { return migrator }
        migrator.registerMigration("v3") { db in
            for statement in LedgerSchema.version3(integerKey: "INTEGER", real: "REAL") { try db.execute(sql: statement) }
            // `forget` compares lower(actor), which this index never served; every ingest paid for it.
            try db.execute(sql: "DROP INDEX IF EXISTS usage_records_actor")
            try db.execute(sql: UsageRollup.change(1, where: "1 = 1", .sqlite))
            try db.execute(sql: "UPDATE shipmeter_meta SET value = '3' WHERE key = 'schema_version'")
        }
        guard version >= 4 else { return migrator }
        migrator.registerMigration("v4") { db in
            for statement in LedgerSchema.version4(real: "REAL", ifNotExists: "") { try db.execute(sql: statement) }
            try db.execute(sql: "UPDATE shipmeter_meta SET value = '4' WHERE key = 'schema_version'")
        }
        migrator.registerMigration("v5") { db in
            for statement in LedgerSchema.version5(ifNotExists: "") { try db.execute(sql: statement) }
            try db.execute(sql: "UPDATE shipmeter_meta SET value = '5' WHERE key = 'schema_version'")
        }
        guard version >= 6 else { return migrator }
        migrator.registerMigration("v6") { db in
            for statement in LedgerSchema.version6(ifNotExists: "") { try db.execute(sql: statement) }
            try db.execute(sql: "UPDATE shipmeter_meta SET value = '6' WHERE key = 'schema_version'")
        }
        guard version >= 7 else { return migrator }
        migrator.registerMigration("v7") { db in
            for statement in LedgerSchema.version7(real: "REAL", ifNotExists: "") { try db.execute(sql: statement) }
            try db.execute(sql: "UPDATE shipmeter_meta SET value = '7' WHERE key = 'schema_version'")
        }
        return migrator
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
