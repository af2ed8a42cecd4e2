import Foundation
import GRDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SQLite ledger as a file: what its errors say, reading it without writing (damaged or
/// foreign files), backing it up, and closing every open ledger when the process exits.
extension SQLiteLedger {
    /// Closes every connection, so SQLite checkpoints the write-ahead log into the file and
    /// removes it (when no other process has the ledger open): afterwards the `.sqlite` file alone
    /// holds everything. Commands close their ledger before they exit; what is still open when the
    /// process exits (normally, or on SIGINT/SIGTERM) is closed then (`OpenSQLiteLedgers`).
    func close() async {
        closeNow()
    }

    func closeNow() {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        OpenSQLiteLedgers.remove(self)
        // Everything the write-ahead log holds into the file, and the log emptied (other processes
        // that have the ledger open keep working: a checkpoint never blocks them for long, and one
        // it cannot finish while they read is left for the next).
        _ = try? pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        // Readers (read-only connections, which cannot remove the log) close before the writer,
        // so the last connection to close removes the -wal and -shm files.
        pool.releaseMemory()
        // The pool's connections, then the descriptor whose closing drops the locks. A pool still
        // writing (a signal mid-transaction) refuses to close: its WAL is recovered on the next open.
        try? pool.close()
        Self.closeDescriptor(opening)
    }

    func checkpoint() {
        _ = try? pool.writeWithoutTransaction { try $0.checkpoint(.passive) }
    }

    static func closeDescriptor(_ descriptor: Int32) {
        guard descriptor >= 0 else { return }
        #if canImport(Glibc)
        Glibc.close(descriptor)
        #else
        Darwin.close(descriptor)
        #endif
    }

    static func describe(_ error: Error, path: String) -> Error {
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            return LedgerError.locked(path)
        }
        guard let error = error as? DatabaseError else { return error }  // a LedgerError already, or a reader's failure
        if error.resultCode == .SQLITE_FULL || error.extendedResultCode == .SQLITE_IOERR_WRITE || error.extendedResultCode == .SQLITE_IOERR_FSYNC {
            return LedgerError.database(
                "ledger \(path): the disk is full or a file-size limit was reached while writing; the transaction was rolled back and the ledger is as it was. Free space and run the command again"
            )
        }
        if error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            return LedgerError.damaged(location: path, detail: error.message ?? "\(error.resultCode)")
        }
        // SQLite's own message, without the statement text GRDB's description appends.
        return LedgerError.database("ledger \(path): \(error.message ?? "\(error.resultCode)")")
    }

    /// Why a file could not be opened as a ledger: damaged, not SQLite at all, unreadable, or
    /// locked, each in a sentence of its own.
    static func describeOpening(_ error: Error, path: String) -> Error {
        if let error = error as? LedgerError { return error }
        guard let error = error as? DatabaseError else {
            return LedgerError.database("cannot open the ledger \(path): \(error.localizedDescription)")
        }
        let detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_NOTADB:
            // A file SQLite does not recognise: damaged if it starts as SQLite files do, else something else.
            if let header = FileManager.default.contents(atPath: path)?.prefix(15), Array(header) == Array("SQLite format 3".utf8) {
                return LedgerError.damaged(location: path, detail: detail)
            }
            return LedgerError.notSQLite(path)
        case .SQLITE_CORRUPT:
            return LedgerError.damaged(location: path, detail: detail)
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return LedgerError.locked(path)
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY:
            return LedgerError.database(
                "\(path) cannot be opened (SQLite reports: \(detail)). Check that it and its folder are readable and writable")
        default:
            return LedgerError.database("cannot open the ledger \(path) (SQLite reports: \(detail))")
        }
    }

    /// Copies the ledger to `destination` as one consistent SQLite file (`VACUUM INTO`): safe while
    /// other processes write, it holds the state of one moment. `destination` must not exist.
    func backup(to destination: String) throws {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw LedgerError.database("\(destination) already exists: name a new file for the backup")
        }
        do {
            try pool.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [destination]) }
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw Self.describe(error, path: path)
        }
    }

    /// Opens an existing, non-empty file read-only: it must be SQLite and hold a ledger (or
    /// nothing yet). A connection that cannot open read-only (no write access to the folder for
    /// the shared-memory file, say) leaves the verdict to the normal open.
    static func inspect(_ path: String) throws {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue > 0 else { return }
        do {
            let tables = try readOnly(path) { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            }
            if !tables.isEmpty, !tables.contains("shipmeter_meta") { throw LedgerError.notALedger(path) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN || error.resultCode == .SQLITE_READONLY {
            return
        } catch {
            throw describeOpening(error, path: path)
        }
    }

    /// `body` on a read-only connection to `path`, outside any transaction.
    static func readOnly<T>(_ path: String, _ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(defaultBusyTimeout)
        // A read-only connection to a WAL file makes the -wal and -shm files and cannot remove
        // them: when none was there before (no process had the ledger open), they go again after.
        let files = FileManager.default
        let hadLog = files.fileExists(atPath: path + "-wal") || files.fileExists(atPath: path + "-shm")
        defer {
            if !hadLog, ((try? files.attributesOfItem(atPath: path + "-wal"))?[.size] as? NSNumber)?.intValue ?? 0 == 0 {
                try? files.removeItem(atPath: path + "-wal")
                try? files.removeItem(atPath: path + "-shm")
            }
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.inDatabase(body)
    }

    /// The tables of the SQLite file at `path` that fail the integrity check, read without
    /// writing to it (`ledger check` on a damaged file changes nothing).
    static func damagedTables(at path: String) throws -> [(table: String, finding: String)] {
        do {
            return try readOnly(path, damagedTables(in:))
        } catch {
            throw describeOpening(error, path: path)
        }
    }

    /// Tables `PRAGMA integrity_check(table)` finds fault with, with its first finding each.
    func damagedTables() throws -> [(table: String, finding: String)] {
        do {
            // Outside a transaction: a damaged page would fail its commit too.
            return try pool.unsafeRead(Self.damagedTables(in:))
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    static func damagedTables(in db: Database) throws -> [(table: String, finding: String)] {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return tables.compactMap { table in
            do {
                let verdict = try String.fetchAll(db, sql: "PRAGMA integrity_check(\(table.quotedDatabaseIdentifier))")
                return verdict == ["ok"] ? nil : (table, verdict.first ?? "")
            } catch let error as DatabaseError {
                return (table, error.message ?? "\(error.resultCode)")
            } catch {
                return (table, "\(error)")
            }
        }
    }
}

/// The SQLite ledgers this process has open, closed at exit (normal, or on SIGINT/SIGTERM, which
/// the command line turns into an exit) so each leaves its file whole.
enum OpenSQLiteLedgers {
    private static let ledgers = Mutex<[ObjectIdentifier: SQLiteLedger]>([:])
    private static let registered = Mutex(false)

    static func add(_ ledger: SQLiteLedger) {
        ledgers.withLock { $0[ObjectIdentifier(ledger)] = ledger }
        let first = registered.withLock { done in
            defer { done = true }
            return !done
        }
        if first { atexit { OpenSQLiteLedgers.closeAll() } }
    }

    static func remove(_ ledger: SQLiteLedger) {
        _ = ledgers.withLock { $0.removeValue(forKey: ObjectIdentifier(ledger)) }
    }

    /// Closes every ledger still open (at exit).
    static func closeAll() {
        let open = ledgers.withLock { ledgers in
            defer { ledgers.removeAll() }
            return Array(ledgers.values)
        }
        for ledger in open { ledger.closeNow() }
    }
}
