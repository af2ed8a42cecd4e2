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
            var text = TextBinder(statement: raw, scratch: scratch)
            Self.bind(records[index], cost: costs[index], to: raw, text: &text)
            let code = sqlite3_step(raw)
            guard code == SQLITE_DONE else {
                let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
                sqlite3_reset(raw)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
            }
            if sqlite3_changes(db.sqliteConnection) > 0 { added.append(index) }
        }
        return added
    }

    private static func bind(_ record: UsageRecord, cost: String?, to raw: OpaquePointer, text: inout TextBinder) {
        text.bind(1, record.source)
        text.bind(2, record.key)
        sqlite3_bind_double(raw, 3, record.timestamp.timeIntervalSince1970)
        text.bind(4, record.granularity.rawValue)
        text.bind(5, record.actor)
        text.bind(6, record.session)
        text.bind(7, record.agent)
        text.bind(8, record.model)
        text.bind(9, record.repository)
        text.bind(10, record.branch)
        text.bind(11, record.commit)
        sqlite3_bind_int64(raw, 12, record.input)
        sqlite3_bind_int64(raw, 13, record.output)
        sqlite3_bind_int64(raw, 14, record.cacheWrite)
        sqlite3_bind_int64(raw, 15, record.cacheWrite1h)
        sqlite3_bind_int64(raw, 16, record.cacheRead)
        text.bind(17, cost)
    }

    /// Binds one record's text values, each copied into the scratch while it has room (else
    /// handed to SQLite to copy).
    private struct TextBinder {
        let statement: OpaquePointer
        let scratch: UnsafeMutableRawBufferPointer
        var used = 0

        mutating func bind(_ index: Int32, _ value: String?) {
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
