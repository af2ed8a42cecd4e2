import Foundation
import GRDB
import Usage

extension SQLiteLedger {
    func ingest(_ chunks: UsageChunkQueue, version: String) async throws -> IngestResult {
        try ingestNow(chunks, version: version)
    }

    /// Stores the chunks as they arrive, all in one transaction: a record whose `(source, key)`
    /// the ledger held before adds nothing; one seen again within this ingest with a larger
    /// total (a streamed message whose usage grew) replaces the earlier reading.
    func ingestNow(_ chunks: UsageChunkQueue, version: String) throws -> IngestResult {
        let started = Date()
        do {
            return try pool.write { db in
                let before = try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM usage_records") ?? 0
                let insert = try db.makeStatement(
                    sql: """
                        INSERT OR IGNORE INTO usage_records (source, key, timestamp, granularity, actor, session, agent, model, repository,
                            branch, commit_id, input, output, cache_write, cache_write_1h, cache_read, cost_usd)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                // Bound through SQLite's own calls: a million rows make per-row argument arrays count.
                let raw = RawInsert(statement: insert, db: db)
                // The rollup is summed on a thread of its own while this one stores the next chunk.
                let tally = RollupTally()
                var read = 0, added = 0, present = 0
                while let chunk = try chunks.take() {
                    let records = chunk.records
                    read += records.count
                    let new = try raw.insert(records, costs: chunk.costs)
                    added += new.count
                    // New records are attributed nowhere yet.
                    tally.add(chunk, new: new)
                    guard new.count < records.count else { continue }
                    var isNew = [Bool](repeating: false, count: records.count)
                    for index in new { isNew[index] = true }
                    for index in records.indices where !isNew[index] {
                        if try Self.replaceIfLarger(records[index], cost: chunk.costs[index], after: before, db: db, tally: tally) == nil {
                            present += 1
                        }
                    }
                }
                let (sums, otelSessions) = tally.finish()
                let rollup = sums.write
                let upsert = try db.makeStatement(sql: rollup.sql)
                for row in rollup.rows { try upsert.execute(arguments: StatementArguments(row.map(\.databaseValue))) }
                let link = try db.makeStatement(sql: "INSERT OR IGNORE INTO session_links (session, commit_id, time) VALUES (?, ?, ?)")
                for item in chunks.links {
                    try link.execute(arguments: [item.session, item.commit, item.time.timeIntervalSince1970])
                }
                var superseded = 0
                if !otelSessions.isEmpty {
                    let sessions = SupersededReadings.json(otelSessions)
                    let found = try Row.fetchOne(db, sql: SupersededReadings.any(.sqlite), arguments: [sessions]) != nil
                    for (index, sql) in (found ? SupersededReadings.statements(.sqlite) : []).enumerated() {
                        try db.execute(sql: sql, arguments: sql.contains("?") ? [sessions] : [])
                        if index == 3 { superseded = db.changesCount }
                    }
                }
                try Self.recordRun(db, command: "ingest", started: started, version: version, counts: ["records": read, "added": added])
                return IngestResult(added: added, alreadyPresent: present, superseded: superseded)
            }
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// A record whose `(source, key)` is stored already: nil when it was stored before this
    /// ingest (it adds nothing); else whether it replaced this ingest's earlier reading.
    static func replaceIfLarger(_ record: UsageRecord, cost: String?, after before: Int64, db: Database, tally: RollupTally) throws -> Bool? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT rowid, timestamp, actor, session, agent, model, repository, input, output, cache_write, cache_write_1h, cache_read, cost_usd
                    FROM usage_records WHERE source = ? AND key = ?
                    """, arguments: [record.source, record.key])
        else { return nil }
        let rowid: Int64 = row["rowid"]
        guard rowid > before else { return nil }
        var stored = UsageRecord(
            source: record.source, key: record.key, timestamp: Date(timeIntervalSince1970: row["timestamp"]), actor: row["actor"],
            session: row["session"], agent: row["agent"], model: row["model"], repository: row["repository"], input: row["input"],
            output: row["output"], cacheWrite: row["cache_write"], cacheRead: row["cache_read"], costUSD: nil)
        stored.cacheWrite1h = row["cache_write_1h"]
        let storedCost: String? = row["cost_usd"]
        guard record.total > stored.total else { return false }
        try db.execute(
            sql: """
                UPDATE usage_records SET timestamp = ?, granularity = ?, actor = ?, session = ?, agent = ?, model = ?, repository = ?, branch = ?,
                    commit_id = ?, input = ?, output = ?, cache_write = ?, cache_write_1h = ?, cache_read = ?, cost_usd = ? WHERE rowid = ?
                """,
            arguments: [
                record.timestamp.timeIntervalSince1970, record.granularity.rawValue, record.actor, record.session, record.agent,
                record.model, record.repository, record.branch, record.commit, record.input, record.output, record.cacheWrite,
                record.cacheWrite1h, record.cacheRead, cost, rowid,
            ])
        tally.replace(stored, cost: storedCost, with: record, cost: cost)
        return true
    }
}
