import Foundation
import GRDB

extension SQLiteLedger: LedgerDatabase {
    var dialect: SQLDialect { .sqlite }

    func select(_ sql: String, _ arguments: [SQLValue]) async throws -> SQLRows {
        try selectNow(sql, arguments)
    }

    func selectNow(_ sql: String, _ arguments: [SQLValue]) throws -> SQLRows {
        do {
            return try pool.read { db in
                let statement = try db.cachedStatement(sql: sql)
                let cursor = try Row.fetchCursor(statement, arguments: StatementArguments(arguments.map(\.databaseValue)))
                var rows = [[SQLValue]]()
                while let row = try cursor.next() {
                    rows.append((0..<row.count).map { SQLValue(row[$0] as DatabaseValue) })
                }
                return SQLRows(names: statement.columnNames, values: rows)
            }
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    func usageMark() async throws -> Int64 {
        // One writer at a time: a visible rowid has no uncommitted one below it.
        try selectNow("SELECT coalesce(max(rowid), 0) AS mark FROM usage_records", []).scalar?.integer ?? 0
    }

    func write(guard check: SQLWrite?, _ writes: [SQLWrite]) async throws -> Bool {
        try writeNow(guard: check, writes)
    }

    func writeNow(guard check: SQLWrite?, _ writes: [SQLWrite]) throws -> Bool {
        do {
            return try pool.write { db in
                if let check {
                    try db.execute(sql: check.sql, arguments: StatementArguments((check.rows.first ?? []).map(\.databaseValue)))
                    if db.changesCount != 1 { throw LedgerConflict() }  // rolls the transaction back
                }
                for write in writes {
                    let statement = try db.makeStatement(sql: write.sql)
                    for row in write.rows { try statement.execute(arguments: StatementArguments(row.map(\.databaseValue))) }
                }
                return true
            }
        } catch is LedgerConflict {
            return false
        } catch {
            throw Self.describe(error, path: path)
        }
    }
}

extension SQLValue {
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let number): self = .integer(number)
        case .double(let number): self = .real(number)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .text(String(decoding: data, as: UTF8.self))
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let number): return number.databaseValue
        case .real(let number): return number.databaseValue
        case .text(let text): return text.databaseValue
        }
    }
}
