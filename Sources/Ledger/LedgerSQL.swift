import Foundation

/// One SQL value, the same on every backend.
enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    init(_ value: String?) { self = value.map(SQLValue.text) ?? .null }
    init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    init(_ value: Int64) { self = .integer(value) }
    init(_ value: Double) { self = .real(value) }
    init(_ value: Bool) { self = .integer(value ? 1 : 0) }

    var text: String? {
        switch self {
        case .text(let value): return value
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .null: return nil
        }
    }

    var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .real(let value): return Int64(value)
        case .text(let value): return Int64(value)
        case .null: return nil
        }
    }

    var real: Double? {
        switch self {
        case .real(let value): return value
        case .integer(let value): return Double(value)
        case .text(let value): return Double(value)
        case .null: return nil
        }
    }

    var bool: Bool { (integer ?? 0) != 0 }
}

/// One statement run for every row of arguments (an insert of many rows, say), inside a write.
struct SQLWrite: Sendable {
    var sql: String
    var rows: [[SQLValue]]

    init(_ sql: String, rows: [[SQLValue]]) {
        self.sql = sql
        self.rows = rows
    }

    init(_ sql: String, _ arguments: [SQLValue] = []) {
        self.init(sql, rows: [arguments])
    }
}

/// A write lost to a concurrent one: read again and recompute.
struct LedgerConflict: Error {}

extension LedgerStore {
    /// `(?, ?, …)` lists of `count` placeholders, and the matching arguments, `chunk` at a time
    /// (IN lists stay under every backend's parameter limit).
    func selectIn(_ sql: (String) -> String, values: [SQLValue], prefix: [SQLValue] = [], chunk: Int = 500) async throws -> [[SQLValue]] {
        var rows = [[SQLValue]]()
        var start = 0
        while start < values.count {
            let part = Array(values[start..<min(start + chunk, values.count)])
            let list = "(" + Array(repeating: "?", count: part.count).joined(separator: ",") + ")"
            rows += try await select(sql(list), prefix + part)
            start += part.count
        }
        return rows
    }
}

/// The SQL the two backends speak differently, kept to one place.
enum SQLDialect: Sendable {
    case sqlite, postgres

    /// The column numbering usage records in the order they were added.
    var sequenceColumn: String { self == .sqlite ? "rowid" : "seq" }

    /// Whole UTC days since 1970 of a real column of seconds.
    func utcDay(_ expression: String) -> String {
        self == .sqlite ? "CAST((\(expression)) / 86400 AS INTEGER)" : "CAST(floor((\(expression)) / 86400) AS BIGINT)"
    }
}

extension LedgerStore {
    var sequenceColumn: String { dialect.sequenceColumn }
}
