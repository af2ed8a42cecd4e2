import Foundation
import GRDB
import GRDBSQLite
import Usage

/// Usage records into SQLite through its own bind and step calls, one prepared statement for
/// all of them.
struct RawInsert {
    let statement: Statement
    let db: Database

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Inserts `records` (the statement's 17 columns, in `UsageLedger`'s order); returns the
    /// indices of those that were new.
    func insert(_ records: [UsageRecord], costs: [String?]) throws -> [Int] {
        let raw = statement.sqliteStatement
        var added = [Int]()
        for (index, record) in records.enumerated() {
            sqlite3_reset(raw)
            text(raw, 1, record.source)
            text(raw, 2, record.key)
            sqlite3_bind_double(raw, 3, record.timestamp.timeIntervalSince1970)
            text(raw, 4, record.granularity.rawValue)
            text(raw, 5, record.actor)
            text(raw, 6, record.session)
            text(raw, 7, record.agent)
            text(raw, 8, record.model)
            text(raw, 9, record.repository)
            text(raw, 10, record.branch)
            text(raw, 11, record.commit)
            sqlite3_bind_int64(raw, 12, record.input)
            sqlite3_bind_int64(raw, 13, record.output)
            sqlite3_bind_int64(raw, 14, record.cacheWrite)
            sqlite3_bind_int64(raw, 15, record.cacheWrite1h)
            sqlite3_bind_int64(raw, 16, record.cacheRead)
            text(raw, 17, costs[index])
            let code = sqlite3_step(raw)
            guard code == SQLITE_DONE else {
                let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
                sqlite3_reset(raw)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
            }
            if sqlite3_changes(db.sqliteConnection) > 0 { added.append(index) }
        }
        sqlite3_reset(raw)
        return added
    }

    private func text(_ raw: OpaquePointer, _ index: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(raw, index)
            return
        }
        value.withUTF8 { bytes in
            guard let base = bytes.baseAddress else {
                sqlite3_bind_text(raw, index, "", 0, Self.transient)
                return
            }
            base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                _ = sqlite3_bind_text(raw, index, chars, Int32(bytes.count), Self.transient)
            }
        }
    }
}
