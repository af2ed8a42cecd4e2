import Foundation
import Usage

/// Keeps `usage_rollup` equal to the usage records summed per (attribution, actor, model, agent,
/// session, location, UTC day). A record counts where its attribution in the lowest-numbered
/// repository puts it (so a record attributed in two repositories is counted once), or under
/// repository 0 when it is attributed nowhere. Every change is a subtraction of the affected
/// records as they were placed, the change, and an addition as they are placed now — all in the
/// writing transaction.
enum UsageRollup {
    static let key = "repository_id, commit_id, confidence, actor, model, agent, session, location, day"

    /// Adds (`sign` 1) or subtracts (-1) the records matching `condition` (SQL over `usage_records u`).
    static func change(_ sign: Int, where condition: String, _ dialect: SQLDialect) -> String {
        """
        INSERT INTO usage_rollup (\(key), input, output, cache_write, cache_write_1h, cache_read, cost_usd, priced, records)
        \(summed(sign, where: condition, dialect))
        \(accumulate)
        """
    }

    /// The rollup rows of the records matching `condition`, as placed now (times `sign`).
    static func summed(_ sign: Int, where condition: String, _ dialect: SQLDialect) -> String {
        let day = dialect.utcDay("u.timestamp")
        func total(_ column: String) -> String { "\(sign) * CAST(sum(u.\(column)) AS BIGINT)" }
        return """
            SELECT coalesce(a.repository_id, 0) AS repository_id, coalesce(a.commit_id, '') AS commit_id,
                coalesce(a.confidence, '') AS confidence, coalesce(u.actor, '') AS actor, u.model AS model, coalesce(u.agent, '') AS agent,
                coalesce(u.session, '') AS session, coalesce(u.repository, '') AS location, \(day) AS day,
                \(total("input")) AS input, \(total("output")) AS output, \(total("cache_write")) AS cache_write,
                \(total("cache_write_1h")) AS cache_write_1h, \(total("cache_read")) AS cache_read,
                \(sign) * coalesce(sum(CAST(u.cost_usd AS DOUBLE PRECISION)), 0) AS cost_usd, \(sign) * count(u.cost_usd) AS priced,
                \(sign) * count(*) AS records
            \(placed)
            WHERE \(condition)
            GROUP BY coalesce(a.repository_id, 0), coalesce(a.commit_id, ''), coalesce(a.confidence, ''), coalesce(u.actor, ''), u.model,
                coalesce(u.agent, ''), coalesce(u.session, ''), coalesce(u.repository, ''), \(day)
            """
    }

    /// Usage records `u` with the attribution `a` that places them (their lowest repository's), if any.
    static let placed = """
        FROM usage_records u LEFT JOIN attributions a ON a.source = u.source AND a.key = u.key
            AND a.repository_id = (SELECT min(b.repository_id) FROM attributions b WHERE b.source = u.source AND b.key = u.key)
        """

    static let accumulate = """
        ON CONFLICT (\(key)) DO UPDATE SET input = usage_rollup.input + excluded.input, output = usage_rollup.output + excluded.output,
            cache_write = usage_rollup.cache_write + excluded.cache_write, cache_write_1h = usage_rollup.cache_write_1h + excluded.cache_write_1h,
            cache_read = usage_rollup.cache_read + excluded.cache_read, cost_usd = usage_rollup.cost_usd + excluded.cost_usd,
            priced = usage_rollup.priced + excluded.priced, records = usage_rollup.records + excluded.records
        """

    /// Adds the records stored after sequence `before` (an ingest's: attributed nowhere yet),
    /// summed by the database.
    static func addNew(after before: Int64, _ dialect: SQLDialect) -> String {
        let day = dialect.utcDay("u.timestamp")
        let group = "coalesce(u.actor, ''), u.model, coalesce(u.agent, ''), coalesce(u.session, ''), coalesce(u.repository, ''), \(day)"
        return """
            INSERT INTO usage_rollup (\(key), input, output, cache_write, cache_write_1h, cache_read, cost_usd, priced, records)
            SELECT 0, '', '', \(group), CAST(sum(u.input) AS BIGINT), CAST(sum(u.output) AS BIGINT), CAST(sum(u.cache_write) AS BIGINT),
                CAST(sum(u.cache_write_1h) AS BIGINT), CAST(sum(u.cache_read) AS BIGINT),
                coalesce(sum(CAST(u.cost_usd AS DOUBLE PRECISION)), 0), count(u.cost_usd), count(*)
            FROM usage_records u WHERE u.\(dialect.sequenceColumn) > \(before)
            GROUP BY \(group)
            \(accumulate)
            """
    }

    static let dropEmpty = "DELETE FROM usage_rollup WHERE records = 0"

    /// The records listed in `changed_records` under `token` (a UUID: safe as a literal).
    static func changed(_ token: String) -> String {
        "(u.source, u.key) IN (SELECT source, key FROM changed_records WHERE token = '\(token)')"
    }
}

extension LedgerStore {
    /// What `ledger check` reports: the database's own integrity check (SQLite), and every
    /// rollup row that differs from the records summed afresh. Empty when the ledger is sound.
    public func check() async throws -> (problems: [String], records: Int, attributions: Int) {
        var problems = [String]()
        if dialect == .sqlite {
            let verdict = try await select("PRAGMA integrity_check", []).compactMap { $0["integrity_check"].text }
            if verdict != ["ok"] { problems += verdict.map { "integrity check: \($0)" } }
        }
        problems += try await rollupDrift().map { "usage_rollup differs from the records summed afresh: \($0)" }
        let records = try await select("SELECT count(*) AS records FROM usage_records", []).scalar?.integer ?? 0
        let attributions = try await select("SELECT count(*) AS attributions FROM attributions", []).scalar?.integer ?? 0
        return (problems, Int(records), Int(attributions))
    }

    /// Rollup rows that differ from the records summed afresh: none, unless something wrote the
    /// ledger without keeping the rollup in step. Costs are sums of floating-point amounts, which
    /// differ in their last digits with the order they were added in; they count as equal within
    /// a hundredth of a cent.
    func rollupDrift() async throws -> [String] {
        func keyed(_ rows: SQLRows) -> [String: Double] {
            guard !rows.isEmpty else { return [:] }
            var result = [String: Double]()
            let cost = rows.column("cost_usd")
            for row in rows {
                let key = row.values.enumerated().filter { $0.offset != cost.index }.map { $0.element.text ?? "null" }.joined(separator: "|")
                result[key, default: 0] += row[cost].real ?? 0
            }
            return result
        }
        let stored = keyed(
            try await select(
                """
                SELECT \(UsageRollup.key), input, output, cache_write, cache_write_1h, cache_read, cost_usd, priced, records FROM usage_rollup
                """, []))
        let fresh = keyed(try await select(UsageRollup.summed(1, where: "1 = 1", dialect), []))
        var drift = [String]()
        for key in Set(stored.keys).union(fresh.keys).sorted() {
            switch (stored[key], fresh[key]) {
            case let (stored?, fresh?) where abs(stored - fresh) <= 0.0001: continue
            case let (stored, fresh):
                drift.append("\(key) cost stored \(stored.map { String($0) } ?? "none"), summed \(fresh.map { String($0) } ?? "none")")
            }
        }
        return drift
    }
}

/// Rollup rows of records attributed nowhere, summed in memory as an ingest reads them: added
/// records count in, a record replaced within the same ingest counts out.
struct RollupSums {
    private struct Key: Hashable {
        var actor: String, model: String, agent: String, session: String, location: String, day: Int64
    }

    private struct Sum {
        var input: Int64 = 0, output: Int64 = 0, cacheWrite: Int64 = 0, cacheWrite1h: Int64 = 0, cacheRead: Int64 = 0
        var cost: Double = 0, priced: Int64 = 0, records: Int64 = 0
    }

    private var sums: [Key: Sum] = [:]

    /// Counts `record` in (`sign` 1) or out (-1); `cost` is its cost as stored text.
    mutating func add(_ record: UsageRecord, cost: String?, sign: Int64 = 1) {
        let key = Key(
            actor: record.actor ?? "", model: record.model, agent: record.agent ?? "", session: record.session ?? "",
            location: record.repository ?? "", day: Int64((record.timestamp.timeIntervalSince1970 / 86_400).rounded(.towardZero)))
        var sum = sums[key] ?? Sum()
        sum.input += sign * record.input
        sum.output += sign * record.output
        sum.cacheWrite += sign * record.cacheWrite
        sum.cacheWrite1h += sign * record.cacheWrite1h
        sum.cacheRead += sign * record.cacheRead
        if let cost {
            // As the database would sum the stored text.
            sum.cost += Double(sign) * (Double(cost) ?? 0)
            sum.priced += sign
        }
        sum.records += sign
        sums[key] = sum
    }

    /// The rows, added to what the rollup holds.
    var write: SQLWrite {
        SQLWrite(
            """
            INSERT INTO usage_rollup (\(UsageRollup.key), input, output, cache_write, cache_write_1h, cache_read, cost_usd, priced, records)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \(UsageRollup.accumulate)
            """,
            rows: sums.filter { $0.value.records != 0 }.map { key, sum in
                [
                    .integer(0), .text(""), .text(""), .text(key.actor), .text(key.model), .text(key.agent), .text(key.session), .text(key.location),
                    .integer(key.day),
                    .integer(sum.input), .integer(sum.output), .integer(sum.cacheWrite), .integer(sum.cacheWrite1h), .integer(sum.cacheRead),
                    .real(sum.cost), .integer(sum.priced), .integer(sum.records),
                ]
            })
    }
}

/// What an ingest stores, summed for the rollup on a serial queue of its own while the storing
/// thread goes on to the next chunk (hashing the rollup's keys was about a seventh of that
/// thread's work). Sums are taken in the order they are handed over, as one thread would take them (a sum
/// of costs depends on its order), and at most two chunks wait, so memory stays bounded.
final class RollupTally: @unchecked Sendable {
    // @unchecked: `sums` and `sessions` are touched only on `queue` until `finish` has waited for it.
    private let queue = DispatchQueue(label: "shipmeter.ledger.rollup")
    private let room = DispatchSemaphore(value: 2)
    private var sums = RollupSums()
    private var sessions = Set<String>()

    /// Counts in `chunk`'s records at `new` (the ones stored), and notes the chunk's sessions
    /// that may have superseded readings.
    func add(_ chunk: UsageChunk, new: [Int]) {
        room.wait()
        queue.async { [self] in
            SupersededReadings.sessions(chunk.records, into: &sessions)
            for index in new { sums.add(chunk.records[index], cost: chunk.costs[index]) }
            room.signal()
        }
    }

    /// A reading this ingest stored replaced by a larger one.
    func replace(_ stored: UsageRecord, cost storedCost: String?, with record: UsageRecord, cost: String?) {
        queue.async { [self] in
            sums.add(stored, cost: storedCost, sign: -1)
            sums.add(record, cost: cost)
        }
    }

    /// The sums and sessions, once everything handed over is counted.
    func finish() -> (RollupSums, Set<String>) {
        queue.sync { (sums, sessions) }
    }
}

/// Claude Code exports the same spending twice when both its events and its metrics are on: per
/// request (`api_request` events) and as token/cost metric points. Events are preferred; metric
/// readings (keys `metric:…`) count only for sessions that have no events. Files read together
/// settle this in the reader; readings that arrive apart (a collector receives events and
/// metrics in separate requests, in either order) are settled here, in the ingest's transaction.
enum SupersededReadings {
    /// Usage records `u` that are metric readings of a session in the JSON array bound to `?`
    /// which has event records.
    static func condition(_ dialect: SQLDialect) -> String {
        let sessions = dialect == .sqlite ? "SELECT value FROM json_each(?)" : "SELECT json_array_elements_text(CAST(? AS json))"
        return """
            u.source = 'otel' AND u.key LIKE 'metric:%' AND u.session IN (\(sessions))
            AND EXISTS (SELECT 1 FROM usage_records e WHERE e.session = u.session AND e.source = 'otel' AND e.key NOT LIKE 'metric:%')
            """
    }

    /// The sessions of the OTel records among `records`, as the JSON array `condition` binds.
    static func sessions(_ records: [UsageRecord], into sessions: inout Set<String>) {
        for record in records where record.source == "otel" {
            if let session = record.session { sessions.insert(session) }
        }
    }

    static func json(_ sessions: Set<String>) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: sessions.sorted())) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether there is any (most ingests: none, and the statements below are skipped).
    static func any(_ dialect: SQLDialect) -> String {
        "SELECT 1 FROM usage_records u WHERE \(condition(dialect)) LIMIT 1"
    }

    /// The statements that remove them, rollup and attributions first (each binds the array once).
    static func statements(_ dialect: SQLDialect) -> [String] {
        let condition = condition(dialect)
        return [
            UsageRollup.change(-1, where: condition, dialect),
            UsageRollup.dropEmpty,
            "DELETE FROM attributions WHERE EXISTS (SELECT 1 FROM usage_records u WHERE u.source = attributions.source AND u.key = attributions.key AND \(condition))",
            "DELETE FROM usage_records AS u WHERE \(condition)",
        ]
    }
}
