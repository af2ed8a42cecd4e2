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

/// A query's rows, read by column name: `row["commit_id"]`, or, where many rows are read,
/// `rows.column("commit_id")` resolved once and `row[column]` per row. Names are as the query
/// gives them, lowercased (PostgreSQL folds unquoted names; an expression needs an alias).
struct SQLRows: RandomAccessCollection, Sendable {
    /// The index of each column name, shared by every row.
    final class Names: Sendable {
        let index: [String: Int]

        init(_ names: [String]) {
            var index = [String: Int]()
            for (position, name) in names.enumerated() where index[name.lowercased()] == nil { index[name.lowercased()] = position }
            self.index = index
        }

        /// The position of `name`: as written (names here are lowercase: no copy made per read),
        /// else lowercased.
        subscript(_ name: String) -> Int? { index[name] ?? index[name.lowercased()] }
    }

    let names: Names
    var values: [[SQLValue]]

    init(names: [String], values: [[SQLValue]]) {
        self.names = Names(names)
        self.values = values
    }

    init(names: Names, values: [[SQLValue]]) {
        (self.names, self.values) = (names, values)
    }

    var startIndex: Int { values.startIndex }
    var endIndex: Int { values.endIndex }
    subscript(position: Int) -> SQLRow { SQLRow(names: names, values: values[position]) }

    /// A column of these rows, for reading many rows.
    /// (PostgreSQL names no columns of an empty result: nothing is read from one.)
    func column(_ name: String) -> SQLColumn {
        guard let index = names[name] else {
            precondition(values.isEmpty, "the query has no column '\(name)'")
            return SQLColumn(index: -1)
        }
        return SQLColumn(index: index)
    }

    /// The rows of `self` and then `other` (the same query run in parts).
    static func + (lhs: SQLRows, rhs: SQLRows) -> SQLRows {
        lhs.values.isEmpty ? rhs : SQLRows(names: lhs.names, values: lhs.values + rhs.values)
    }

    static func += (lhs: inout SQLRows, rhs: SQLRows) { lhs = lhs + rhs }

    /// The first column of the first row: a count, a maximum.
    var scalar: SQLValue? { values.first?.first }
}

/// A column of a query's rows, resolved by name once.
struct SQLColumn: Sendable {
    let index: Int
}

/// One row of a query.
struct SQLRow: Sendable {
    let names: SQLRows.Names
    let values: [SQLValue]

    subscript(_ name: String) -> SQLValue {
        guard let index = names[name] else { preconditionFailure("the query has no column '\(name)'") }
        return values[index]
    }

    subscript(_ column: SQLColumn) -> SQLValue { values[column.index] }
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
    func selectIn(_ sql: (String) -> String, values: [SQLValue], prefix: [SQLValue] = [], chunk: Int = 500) async throws -> SQLRows {
        var rows = SQLRows(names: [], values: [])
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
