import Foundation
import Usage

extension LedgerStore {
    /// Adds `records` (and `links`) as `ingest` does, with readings of running totals stored as
    /// their growth (`increases`); a reading with nothing new counts as already present.
    public func ingestGrowth(_ records: [UsageRecord], links: [SessionCommitLink] = [], version: String) async throws -> IngestResult {
        let (increases, unchanged) = try await self.increases(records)
        var batch = UsageBatch()
        for record in increases { batch.add(record) }
        batch.links = links
        var result = try await ingest(batch, version: version)
        result.alreadyPresent += unchanged
        return result
    }

    /// Readings of sources that keep a session's running totals (`UsageFormat.isCumulative`:
    /// Goose, Crush) as their increase over what the ledger already holds for that session, so
    /// each ingest stores only what was spent since the last one, dated when it was read. A
    /// reading with nothing new is left out (`unchanged` counts them); other records pass as
    /// they are.
    func increases(_ records: [UsageRecord]) async throws -> (records: [UsageRecord], unchanged: Int) {
        func isRunning(_ record: UsageRecord) -> Bool { record.session != nil && UsageFormat.runningTotalSources.contains(record.source) }
        let running = records.filter(isRunning)
        guard !running.isEmpty else { return (records, 0) }
        var stored = [UsageRecord.Identity: UsageRecord]()
        for item in try await self.records(sessions: Array(Set(running.compactMap(\.session))).sorted()) where isRunning(item.record) {
            let record = item.record
            let identity = UsageRecord.identity(source: record.source, key: record.session ?? "")
            var sum =
                stored[identity] ?? UsageRecord(source: record.source, key: "", timestamp: record.timestamp, model: record.model, input: 0, output: 0)
            sum.input += record.input
            sum.output += record.output
            sum.cacheWrite += record.cacheWrite
            sum.cacheRead += record.cacheRead
            if let cost = record.costUSD { sum.costUSD = (sum.costUSD ?? 0) + cost }
            stored[identity] = sum
        }
        var result = [UsageRecord]()
        var unchanged = 0
        for record in records {
            guard isRunning(record), let session = record.session else {
                result.append(record)
                continue
            }
            let before = stored[UsageRecord.identity(source: record.source, key: session)]
            var increase = record
            increase.input = max(0, record.input - (before?.input ?? 0))
            increase.output = max(0, record.output - (before?.output ?? 0))
            increase.cacheWrite = max(0, record.cacheWrite - (before?.cacheWrite ?? 0))
            increase.cacheRead = max(0, record.cacheRead - (before?.cacheRead ?? 0))
            increase.cacheWrite1h = min(increase.cacheWrite1h, increase.cacheWrite)
            if let cost = record.costUSD { increase.costUSD = max(0, cost - (before?.costUSD ?? 0)) }
            guard increase.total > 0 || (increase.costUSD ?? 0) > 0 else {
                unchanged += 1
                continue
            }
            // The key names the totals read, so the same reading ingested twice is one record.
            increase.key =
                "\(session)@\(record.input):\(record.output):\(record.cacheWrite):\(record.cacheRead):\(record.costUSD.map { "\($0)" } ?? "")"
            result.append(increase)
        }
        return (result, unchanged)
    }
}
