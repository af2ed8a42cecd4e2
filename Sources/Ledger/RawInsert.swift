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
    /// A record's text is copied here and bound in place (SQLite reads bound values only while
    /// the statement steps), rather than copied by SQLite into an allocation of its own per value.
    private static let scratchSize = 1 << 16

    /// Inserts `records` (the statement's 17 columns, in `UsageLedger`'s order); returns the
    /// indices of those that were new.
    func insert(_ records: [UsageRecord], costs: [String?]) throws -> [Int] {
        let raw = statement.sqliteStatement
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.scratchSize, alignment: 1)
        defer {
            // Also when a step failed: no binding points into the scratch once it is freed.
            sqlite3_reset(raw)
            sqlite3_clear_bindings(raw)
            scratch.deallocate()
        }
        var added = [Int]()
        added.reserveCapacity(records.count)
        for index in records.indices {
            sqlite3_reset(raw)
            var row = RowBinder(statement: raw, scratch: scratch)
            row.bind(records[index], cost: costs[index])
            let code = sqlite3_step(raw)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            if sqlite3_changes(db.sqliteConnection) > 0 { added.append(index) }
        }
        return added
    }

    /// Binds one record, its text copied into the scratch while it has room (else handed to
    /// SQLite to copy).
    private struct RowBinder {
        let statement: OpaquePointer
        let scratch: UnsafeMutableRawBufferPointer
        var used = 0

        mutating func bind(_ record: UsageRecord, cost: String?) {
            bind(1, record.source)
            bind(2, record.key)
            sqlite3_bind_double(statement, 3, record.timestamp.timeIntervalSince1970)
            bind(4, record.granularity.rawValue)
            bind(5, record.actor)
            bind(6, record.session)
            bind(7, record.agent)
            bind(8, record.model)
            bind(9, record.repository)
            bind(10, record.branch)
            bind(11, record.commit)
            sqlite3_bind_int64(statement, 12, record.input)
            sqlite3_bind_int64(statement, 13, record.output)
            sqlite3_bind_int64(statement, 14, record.cacheWrite)
            sqlite3_bind_int64(statement, 15, record.cacheWrite1h)
            sqlite3_bind_int64(statement, 16, record.cacheRead)
            bind(17, cost)
        }

        private mutating func bind(_ index: Int32, _ value: String?) {
            guard let value else {
                sqlite3_bind_null(statement, index)
                return
            }
            let copied: Void? = value.utf8.withContiguousStorageIfAvailable { bytes in
                guard bytes.count <= scratch.count - used, let source = bytes.baseAddress, let base = scratch.baseAddress else {
                    bindCopy(index, bytes)
                    return
                }
                let target = base + used
                target.copyMemory(from: source, byteCount: bytes.count)
                used += bytes.count
                // SQLITE_STATIC (nil): the bytes stay put until the statement is stepped and reset.
                _ = sqlite3_bind_text(statement, index, target.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
            }
            if copied == nil {
                var contiguous = value
                contiguous.withUTF8 { bindCopy(index, $0) }
            }
        }

        private func bindCopy(_ index: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
            guard let base = bytes.baseAddress else {
                sqlite3_bind_text(statement, index, "", 0, RawInsert.transient)
                return
            }
            base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                _ = sqlite3_bind_text(statement, index, chars, Int32(bytes.count), RawInsert.transient)
            }
        }
    }
}
