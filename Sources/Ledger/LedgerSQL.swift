import Foundation

/// One SQL value, the same on every backend.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public init(_ value: String?) { self = value.map(SQLValue.text) ?? .null }
    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    public init(_ value: Int64) { self = .integer(value) }
    public init(_ value: Double) { self = .real(value) }
    public init(_ value: Bool) { self = .integer(value ? 1 : 0) }

    public var text: String? {
        switch self {
        case .text(let value): return value
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .null: return nil
        }
    }

    public var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .real(let value): return Int64(value)
        case .text(let value): return Int64(value)
        case .null: return nil
        }
    }

    public var real: Double? {
        switch self {
        case .real(let value): return value
        case .integer(let value): return Double(value)
        case .text(let value): return Double(value)
        case .null: return nil
        }
    }

    public var bool: Bool { (integer ?? 0) != 0 }
}

/// One statement run for every row of arguments (an insert of many rows, say), inside a write.
public struct SQLWrite: Sendable {
    public var sql: String
    public var rows: [[SQLValue]]

    public init(_ sql: String, rows: [[SQLValue]]) {
        self.sql = sql
        self.rows = rows
    }

    public init(_ sql: String, _ arguments: [SQLValue] = []) {
        self.init(sql, rows: [arguments])
    }
}

/// The SQL both backends speak, with `?` placeholders: the ledger's newer operations are written
/// once over it. Reads see a consistent snapshot; a write is one transaction, opened by a guard
/// statement that must change exactly one row (a repository's revision), else nothing is written
/// and the write reports a conflict so the caller can start again from fresh reads.
public protocol LedgerSQL: AnyObject {
    var dialect: SQLDialect { get }
    func select(_ sql: String, _ arguments: [SQLValue]) async throws -> [[SQLValue]]
    /// Runs `writes` in one transaction; returns false (writing nothing) when `guard` changed no row.
    func write(guard: SQLWrite?, _ writes: [SQLWrite]) async throws -> Bool
    /// The sequence of the newest usage record, with no record of a lower one still uncommitted.
    func usageMark() async throws -> Int64
}

/// A write lost to a concurrent one: read again and recompute.
struct LedgerConflict: Error {}

extension LedgerSQL {
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
public enum SQLDialect: Sendable {
    case sqlite, postgres

    /// The column numbering usage records in the order they were added.
    var sequenceColumn: String { self == .sqlite ? "rowid" : "seq" }

    /// Whole UTC days since 1970 of a real column of seconds.
    func utcDay(_ expression: String) -> String {
        self == .sqlite ? "CAST((\(expression)) / 86400 AS INTEGER)" : "CAST(floor((\(expression)) / 86400) AS BIGINT)"
    }
}

extension LedgerSQL {
    public var sequenceColumn: String { dialect.sequenceColumn }
}
