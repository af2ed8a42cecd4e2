import Foundation
import Ledger
import ShipmeterTestSupport
import Testing
import Usage

@testable import Collector

@Suite struct LedgerWriterTests {
    static func batch(_ prefix: String, _ count: Int) -> UsageBatch {
        var batch = UsageBatch()
        for index in 0..<count {
            batch.add(
                UsageRecord(
                    source: "otel", key: "\(prefix)-\(index)", timestamp: Date(timeIntervalSince1970: 1_780_000_000 + Double(index)),
                    session: prefix, agent: "claude-code", model: "claude-sonnet-4-5", input: 10, output: 1))
        }
        return batch
    }

    /// Concurrent requests are written together, each answered once stored; duplicates across
    /// requests are stored once.
    @Test func concurrentBatchesAreStoredOnceEach() async throws {
        let folder = ScratchDirectory()
        let ledger = try await LedgerStore.open(folder.path + "/ledger.sqlite")
        let writer = LedgerWriter(ledger: ledger, capacity: 100_000, version: "t", metrics: CollectorMetrics())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for request in 0..<40 {
                group.addTask { try await writer.store(Self.batch("r\(request % 20)", 50)) }
            }
            try await group.waitForAll()
        }
        #expect(writer.depth == 0)
        let stored = try await ledger.batch().records
        #expect(stored.count == 20 * 50 && Set(stored.map(\.key)).count == 1000)
        await ledger.close()
    }

    /// A full queue refuses at once instead of growing; nothing of the refused batch is written.
    @Test func aFullQueueRefusesInsteadOfGrowing() async throws {
        let folder = ScratchDirectory()
        let ledger = try await LedgerStore.open(folder.path + "/ledger.sqlite")
        let writer = LedgerWriter(ledger: ledger, capacity: 100, group: 100, version: "t", metrics: CollectorMetrics())
        var refused = 0
        await withTaskGroup(of: Bool.self) { group in
            for request in 0..<30 {
                group.addTask {
                    do {
                        try await writer.store(Self.batch("q\(request)", 60))
                        return true
                    } catch {
                        return false
                    }
                }
            }
            for await stored in group where !stored { refused += 1 }
        }
        let stored = try await ledger.batch().records
        #expect(refused > 0)
        #expect(stored.count == (30 - refused) * 60)
        #expect(writer.depth == 0)
        await ledger.close()
    }
}
