import Foundation
import GRDBSQLite

/// An agent's own SQLite store, opened read-only (the agent may be writing to it): the rows
/// of one query at a time, as text, integers and reals by column name.
final class AgentDatabase {
    private var handle: OpaquePointer?
    let path: String

    /// Whether the file starts with SQLite's header.
    static func isSQLite(_ path: String) -> Bool {
        LineScanner.head(of: path, limit: 16).elementsEqual(Array("SQLite format 3\0".utf8))
    }

    init(path: String) throws {
        self.path = path
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, handle != nil else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw UsageError.unreadable(file: path, reason: reason)
        }
        sqlite3_busy_timeout(handle, 2000)
    }

    deinit { sqlite3_close(handle) }

    /// The tables and, for each, its columns.
    func schema() throws -> [String: Set<String>] {
        var tables = [String: Set<String>]()
        for row in try rows("SELECT name FROM sqlite_master WHERE type = 'table'") {
            guard let name = row.text("name") else { continue }
            let quoted = name.replacingOccurrences(of: "\"", with: "\"\"")
            tables[name] = Set(try rows("PRAGMA table_info(\"\(quoted)\")").compactMap { $0.text("name") })
        }
        return tables
    }

    struct Row {
        fileprivate var values: [String: Value]

        enum Value {
            case integer(Int64), real(Double), text(String), null
        }

        func text(_ column: String) -> String? {
            switch values[column] {
            case .text(let text): return text.isEmpty ? nil : text
            case .integer(let number): return String(number)
            case .real(let number): return String(number)
            default: return nil
            }
        }

        /// A count column: null or absent is nil; present must be a whole number in 0...10^12.
        func count(_ column: String) throws(FieldError) -> Int64? {
            switch values[column] {
            case nil, .null?: return nil
            case .integer(let number)?: return try JSONFields.count(NSNumber(value: number), key: column)
            case .real(let number)?: return try JSONFields.count(NSNumber(value: number), key: column)
            case .text(let text)?: return try JSONFields.count(text, key: column)
            }
        }

        /// A dollar column stored as a real: nil when absent, negative or not finite.
        func amount(_ column: String) -> Decimal? {
            guard let value = real(column), value.isFinite, value >= 0 else { return nil }
            return Decimal(string: String(format: "%.10f", value)) ?? Decimal(value)
        }

        func real(_ column: String) -> Double? {
            switch values[column] {
            case .integer(let number)?: return Double(number)
            case .real(let number)?: return number
            case .text(let text)?: return Double(text)
            default: return nil
            }
        }

        /// A time column: epoch seconds or milliseconds, or SQLite's `YYYY-MM-DD HH:MM:SS` (UTC).
        func time(_ column: String) -> Date? {
            switch values[column] {
            case .integer(let number)?: return Self.epoch(Double(number))
            case .real(let number)?: return Self.epoch(number)
            case .text(let text)?:
                if let number = Double(text) { return Self.epoch(number) }
                return Timestamp.parse(text)
            default: return nil
            }
        }

        private static func epoch(_ value: Double) -> Date? {
            guard value.isFinite, value > 0 else { return nil }
            var seconds = value
            if seconds > 1e17 { seconds /= 1e9 } else if seconds > 1e11 { seconds /= 1e3 }
            return Date(timeIntervalSince1970: seconds)
        }
    }

    /// Every row of `sql`.
    func rows(_ sql: String) throws -> [Row] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
            throw UsageError.unreadable(file: path, reason: String(cString: sqlite3_errmsg(handle)))
        }
        defer { sqlite3_finalize(statement) }
        let columns = (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) }
        var result = [Row]()
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw UsageError.unreadable(file: path, reason: String(cString: sqlite3_errmsg(handle))) }
            var values = [String: Row.Value]()
            for (index, name) in columns.enumerated() {
                let column = Int32(index)
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: values[name] = .integer(sqlite3_column_int64(statement, column))
                case SQLITE_FLOAT: values[name] = .real(sqlite3_column_double(statement, column))
                case SQLITE_NULL: values[name] = .null
                default:
                    let count = Int(sqlite3_column_bytes(statement, column))
                    if let bytes = sqlite3_column_blob(statement, column) {
                        values[name] = .text(String(decoding: UnsafeRawBufferPointer(start: bytes, count: count), as: UTF8.self))
                    } else {
                        values[name] = .text("")
                    }
                }
            }
            result.append(Row(values: values))
        }
        return result
    }
}
