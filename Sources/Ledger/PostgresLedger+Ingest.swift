#if PostgreSQL
import Foundation
import PostgresNIO
import Usage

extension PostgresLedger {
    static let recordColumns = [
        "source", "key", "timestamp", "granularity", "actor", "session", "agent", "model", "repository", "branch", "commit_id",
        "input", "output", "cache_write", "cache_write_1h", "cache_read", "cost_usd",
    ]

    /// Stores the chunks as they arrive, all in one transaction (see `SQLiteLedger.ingestNow`
    /// for the rules): each chunk is copied into a table without indexes, then inserted with
    /// one statement that skips records stored before and lets a larger reading of one stored
    /// by this ingest replace it.
    func ingest(_ chunks: UsageChunkQueue, version: String) async throws -> IngestResult {
        let started = Date()
        return try await transaction { connection in
            // Sequences are handed out in commit order (see `usageMark`).
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.ingestLock))", logger: Self.logger)
            let before = try await Self.single(connection, "SELECT coalesce(max(seq), 0)::bigint FROM usage_records", as: Int64.self) ?? 0
            try await connection.query(
                """
                CREATE TEMP TABLE incoming_records (source TEXT, key TEXT, timestamp DOUBLE PRECISION, granularity TEXT, actor TEXT, session TEXT,
                    agent TEXT, model TEXT, repository TEXT, branch TEXT, commit_id TEXT, input BIGINT, output BIGINT, cache_write BIGINT,
                    cache_write_1h BIGINT, cache_read BIGINT, cost_usd TEXT) ON COMMIT DROP
                """, logger: Self.logger)
            let insert = PostgresQuery(unsafeSQL: Self.insertIncoming(after: before))
            var sums = RollupSums()
            var summedHere = true  // false once a chunk was not all new: the database sums the new rows
            var read = 0, added = 0, present = 0
            var otelSessions = Set<String>()
            while let chunk = try await Self.next(chunks) {
                read += chunk.records.count
                SupersededReadings.sessions(chunk.records, into: &otelSessions)
                try await connection.query("TRUNCATE incoming_records", logger: Self.logger)
                try await Self.copy(chunk, on: connection)
                var fresh = 0, again = 0
                for try await (isFresh, isAgain) in try await connection.query(insert, logger: Self.logger).decode((Int64, Int64).self) {
                    (fresh, again) = (Int(isFresh), Int(isAgain))
                }
                added += fresh
                present += chunk.records.count - fresh - again
                if fresh == chunk.records.count, summedHere {
                    // All new (the usual case): summed here, a few rows sent.
                    for (record, cost) in zip(chunk.records, chunk.costs) { sums.add(record, cost: cost) }
                } else {
                    summedHere = false
                }
            }
            if summedHere {
                try await Self.run(sums.write, on: connection)
            } else {
                try await connection.query(PostgresQuery(unsafeSQL: UsageRollup.addNew(after: before, .postgres)), logger: Self.logger)
            }
            for link in chunks.links {
                try await connection.query(
                    """
                    INSERT INTO session_links (session, commit_id, time) VALUES (\(link.session), \(link.commit), \(link.time.timeIntervalSince1970))
                    ON CONFLICT DO NOTHING
                    """, logger: Self.logger)
            }
            var superseded = 0
            if !otelSessions.isEmpty {
                let sessions = SupersededReadings.json(otelSessions)
                let any = try await connection.query(
                    PostgresQuery(unsafeSQL: Self.numbered(SupersededReadings.any(.postgres)), binds: Self.bindings([.text(sessions)])),
                    logger: Self.logger)
                let found = try await Self.count(any) > 0
                for (index, sql) in (found ? SupersededReadings.statements(.postgres) : []).enumerated() {
                    let binds = sql.contains("?") ? Self.bindings([.text(sessions)]) : PostgresBindings()
                    let rows = try await connection.query(
                        PostgresQuery(unsafeSQL: Self.numbered(index == 3 ? sql + " RETURNING 1" : sql), binds: binds),
                        logger: Self.logger)
                    if index == 3 { superseded = try await Self.count(rows) } else { for try await _ in rows {} }
                }
            }
            try await Self.recordRun(connection, command: "ingest", started: started, version: version, counts: ["records": read, "added": added])
            return IngestResult(added: added, alreadyPresent: present, superseded: superseded)
        }
    }

    /// The next chunk, waited for off the concurrency pool (the reader fills the queue on its own thread).
    static func next(_ chunks: UsageChunkQueue) async throws -> UsageChunk? {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do { continuation.resume(returning: try chunks.take()) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    static func copy(_ chunk: UsageChunk, on connection: PostgresConnection) async throws {
        try await connection.copyFrom(table: "incoming_records", columns: recordColumns, logger: logger) { writer in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(1 << 21)
            for (record, cost) in zip(chunk.records, chunk.costs) {
                CopyText.row(record, cost: cost, into: &buffer)
                if buffer.readableBytes >= 1 << 20 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
    }

    /// Inserts the incoming chunk; returns how many rows were new and how many were this
    /// ingest's own again (replaced when their total is larger). Rows stored before are left.
    static func insertIncoming(after before: Int64) -> String {
        let list = recordColumns.joined(separator: ", ")
        let total = { (table: String) in "(\(table).input + \(table).output + \(table).cache_write + \(table).cache_read)" }
        let larger = "\(total("excluded")) > \(total("usage_records"))"
        let assignments = recordColumns.dropFirst(2).map { column in
            "\(column) = CASE WHEN \(larger) THEN excluded.\(column) ELSE usage_records.\(column) END"
        }.joined(separator: ", ")
        return """
            WITH inserted AS (INSERT INTO usage_records (\(list)) SELECT \(list) FROM incoming_records
                ON CONFLICT (source, key) DO UPDATE SET \(assignments) WHERE usage_records.seq > \(before)
                RETURNING (xmax = 0) AS fresh)
            SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM inserted
            """
    }
}
#endif
