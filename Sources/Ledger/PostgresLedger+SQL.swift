#if PostgreSQL
import Foundation
import PostgresNIO
import Usage

extension PostgresLedger: LedgerDatabase {
    var dialect: SQLDialect { .postgres }

    func select(_ sql: String, _ arguments: [SQLValue]) async throws -> SQLRows {
        do {
            var rows = [[SQLValue]]()
            var names: [String]?
            let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: Self.bindings(arguments))
            for try await row in try await client.query(query, logger: Self.logger) {
                if names == nil { names = row.map(\.columnName) }
                rows.append(row.map(SQLValue.init))
            }
            return SQLRows(names: names ?? [], values: rows)
        } catch {
            throw describe(error)
        }
    }

    func usageMark() async throws -> Int64 {
        // Ingests hold this lock for their whole transaction, so once it is ours no record with a
        // lower sequence than the newest one can still be uncommitted.
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.ingestLock))", logger: Self.logger)
            return try await Self.single(connection, "SELECT coalesce(max(seq), 0)::bigint FROM usage_records", as: Int64.self) ?? 0
        }
    }

    func write(guard check: SQLWrite?, _ writes: [SQLWrite]) async throws -> Bool {
        do {
            return try await transaction { connection in
                if let check {
                    let query = PostgresQuery(unsafeSQL: Self.numbered(check.sql) + " RETURNING 1", binds: Self.bindings(check.rows.first ?? []))
                    if try await Self.count(try await connection.query(query, logger: Self.logger)) != 1 { throw LedgerConflict() }
                }
                for write in writes { try await Self.run(write, on: connection) }
                return true
            }
        } catch is LedgerConflict {
            return false
        }
    }

    /// Runs one statement for every row; an `INSERT … VALUES (?, …)` (placeholders only) sends
    /// many rows per round trip.
    static func run(_ write: SQLWrite, on connection: PostgresConnection) async throws {
        guard write.rows.count > 1, let values = write.sql.range(of: "VALUES ("),
            let close = write.sql[values.upperBound...].firstIndex(of: ")")
        else {
            for row in write.rows {
                try await connection.query(PostgresQuery(unsafeSQL: numbered(write.sql), binds: bindings(row)), logger: logger)
            }
            return
        }
        let head = String(write.sql[..<values.lowerBound]) + "VALUES "
        let tail = String(write.sql[write.sql.index(after: close)...])
        let width = write.rows[0].count
        let perStatement = max(1, 60_000 / max(width, 1))
        var start = 0
        while start < write.rows.count {
            let chunk = write.rows[start..<min(start + perStatement, write.rows.count)]
            var binds = PostgresBindings(capacity: chunk.count * width)
            var tuples = [String]()
            tuples.reserveCapacity(chunk.count)
            for row in chunk {
                let base = binds.count
                tuples.append("(" + (1...width).map { "$\(base + $0)" }.joined(separator: ",") + ")")
                for value in row { append(value, to: &binds) }
            }
            try await connection.query(PostgresQuery(unsafeSQL: head + tuples.joined(separator: ",") + tail, binds: binds), logger: logger)
            start += chunk.count
        }
    }

    /// `?` placeholders as PostgreSQL's `$1, $2, …` (the ledger's SQL has no `?` in literals).
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        for character in sql {
            if character == "?" {
                number += 1
                out += "$\(number)"
            } else {
                out.append(character)
            }
        }
        return out
    }

    static func bindings(_ values: [SQLValue]) -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { append(value, to: &binds) }
        return binds
    }

    static func append(_ value: SQLValue, to binds: inout PostgresBindings) {
        switch value {
        case .null: binds.appendNull()
        case .integer(let number): binds.append(number)
        case .real(let number): binds.append(number)
        case .text(let text): binds.append(text)
        }
    }
}

extension SQLValue {
    init(_ cell: PostgresCell) {
        guard cell.bytes != nil else {
            self = .null
            return
        }
        switch cell.dataType {
        case .int2, .int4, .int8:
            self = (try? cell.decode(Int64.self)).map(SQLValue.integer) ?? .null
        case .float4, .float8:
            self = (try? cell.decode(Double.self)).map(SQLValue.real) ?? .null
        case .bool:
            self = (try? cell.decode(Bool.self)).map { .integer($0 ? 1 : 0) } ?? .null
        default:
            self = (try? cell.decode(String.self)).map(SQLValue.text) ?? .null
        }
    }
}

/// Rows in COPY's text format: tab-separated, `\N` for null, backslash escapes.
enum CopyText {
    static func row(_ record: UsageRecord, cost: String?, into buffer: inout ByteBuffer) {
        field(record.source, &buffer)
        field(record.key, &buffer)
        field(String(record.timestamp.timeIntervalSince1970), &buffer)
        field(record.granularity.rawValue, &buffer)
        field(record.actor, &buffer)
        field(record.session, &buffer)
        field(record.agent, &buffer)
        field(record.model, &buffer)
        field(record.repository, &buffer)
        field(record.branch, &buffer)
        field(record.commit, &buffer)
        field(String(record.input), &buffer)
        field(String(record.output), &buffer)
        field(String(record.cacheWrite), &buffer)
        field(String(record.cacheWrite1h), &buffer)
        field(String(record.cacheRead), &buffer)
        field(cost, &buffer, last: true)
    }

    static func field(_ value: String?, _ buffer: inout ByteBuffer, last: Bool = false) {
        if let value {
            var value = value
            value.withUTF8 { bytes in
                guard bytes.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
                    buffer.writeBytes(bytes)
                    return
                }
                for byte in bytes {
                    switch byte {
                    case UInt8(ascii: "\\"): buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                    case 0x0A: buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "n")])
                    case 0x0D: buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "r")])
                    case 0x09: buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "t")])
                    default: buffer.writeInteger(byte)
                    }
                }
            }
        } else {
            buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "N")])
        }
        buffer.writeInteger(last ? UInt8(0x0A) : UInt8(0x09))
    }
}
#endif
