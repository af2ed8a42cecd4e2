import Foundation
import ShipmeterTestSupport
import Testing
import Usage

@testable import Ledger

/// An ingest fed chunk by chunk while it runs stores what one batch of the same records would.
@Suite struct StreamedIngestTests {
    static func record(_ key: String, input: Int64, day: Double = 0) -> UsageRecord {
        UsageRecord(
            source: "jsonl", key: key, timestamp: Date(timeIntervalSince1970: 1_767_225_600 + day * 86_400), actor: "ann@acme.test",
            model: "claude-sonnet-4-5", input: input, output: 1, costUSD: Decimal(input) / 1000)
    }

    /// Feeds `chunks` from another thread, as a reader would.
    static func feed(_ chunks: [[UsageRecord]], failing: Bool = false) -> UsageChunkQueue {
        let queue = UsageChunkQueue(capacity: 1)
        Thread {
            do {
                for chunk in chunks { try queue.put(chunk) }
                queue.finish(failure: failing ? UsageError.unreadable(file: "f", reason: "gone") : nil)
            } catch {
                queue.finish(failure: error)
            }
        }.start()
        return queue
    }

    @Test(arguments: Backend.available)
    func chunksEqualOneBatchWithRepeatsSettledByTheLargerReading(_ backend: Backend) async throws {
        let folder = ScratchDirectory()
        let ledger = try await backend.open(try backend.freshLocation(in: folder))
        var before = UsageBatch()
        before.add(Self.record("old", input: 5))
        #expect(try await ledger.ingest(before, version: "t") == .init(added: 1, alreadyPresent: 0))
        // "a" grows in a later chunk (and moves to another day); "b" shrinks (the larger reading
        // stays); "old" was stored before (a larger reading of it adds nothing).
        let chunks = [
            [Self.record("a", input: 10), Self.record("b", input: 30), Self.record("c", input: 1)],
            [Self.record("a", input: 20, day: 1), Self.record("old", input: 50), Self.record("d", input: 2)],
            [Self.record("b", input: 3)],
        ]
        let result = try await ledger.ingest(Self.feed(chunks), version: "t")
        #expect(result == .init(added: 4, alreadyPresent: 1))
        let stored = Dictionary(uniqueKeysWithValues: try await ledger.batch().records.map { ($0.key, $0.input) })
        #expect(stored == ["old": 5, "a": 20, "b": 30, "c": 1, "d": 2])
        #expect(try await ledger.rollupDrift() == [])
        await ledger.close()
    }

    @Test(arguments: Backend.available)
    func aReaderThatFailsMidwayStoresNothing(_ backend: Backend) async throws {
        let folder = ScratchDirectory()
        let ledger = try await backend.open(try backend.freshLocation(in: folder))
        let chunks = [[Self.record("a", input: 10)], [Self.record("b", input: 20)]]
        await #expect(throws: UsageError.self) { try await ledger.ingest(Self.feed(chunks, failing: true), version: "t") }
        #expect(try await ledger.batch().records.isEmpty)
        #expect(try await ledger.rollupDrift() == [])
        await ledger.close()
    }
}
