import Foundation
import Ledger
import ShipmeterEngine
import ShipmeterTestSupport
import Testing
import Usage

/// `UsageReading.ingest`: one thread reads and prices while the ledger stores, chunk by chunk.
@Suite struct StreamingIngestTests {
    static func line(_ key: String, input: Int, minute: Int = 0) -> String {
        #"{"timestamp":"2026-03-02T08:\#(String(format: "%02d", minute)):00Z","actor":"ann@acme.test","model":"claude-sonnet-4-5","input":\#(input),"output":1,"cache_write":0,"cache_read":0,"key":"\#(key)"}"#
    }

    /// Chunks of three records, repeats across chunks, a malformed line: the ledger ends as
    /// reading the whole file into one batch would leave it.
    @Test func chunkedIngestEqualsOneBatch() async throws {
        let folder = ScratchDirectory()
        var lines = (0..<10).map { Self.line("k\($0)", input: $0 + 1, minute: $0) }
        lines.insert(Self.line("k1", input: 500, minute: 1), at: 7)  // the same message, grown, two chunks later
        lines.insert("{not json", at: 4)
        lines.append(Self.line("k2", input: 1, minute: 2))  // a smaller reading later: the larger one stays
        folder.write("usage.jsonl", lines.joined(separator: "\n") + "\n")
        let reading = UsageReading()

        let streamed = try await LedgerStore.open(folder.file("streamed.sqlite"))
        let (result, diagnostics) = try await reading.ingest(
            paths: [folder.file("usage.jsonl")], repository: nil, overrides: [:], into: streamed,
            version: "t", chunk: 3)
        #expect(result == IngestResult(added: 10, alreadyPresent: 0))
        #expect(diagnostics.contains { $0.level == .warning && $0.message.contains("skipped 1 malformed line") })
        let once = try await LedgerStore.open(folder.file("once.sqlite"))
        let (batch, _) = try reading.load(paths: [folder.file("usage.jsonl")], repository: nil, overrides: [:])
        _ = try await once.ingest(batch, version: "t")
        let a = try await streamed.batch().records.sorted { $0.key < $1.key }, b = try await once.batch().records.sorted { $0.key < $1.key }
        #expect(a == b)
        #expect(a.first { $0.key == "k1" }?.input == 500 && a.first { $0.key == "k2" }?.input == 3)
        #expect(a.allSatisfy { $0.costUSD != nil }, "every chunk priced")
        // Again: nothing new, nothing changed. (Repeats in different chunks are each counted as
        // already there: the count is of readings, so a chunked read may count more than ten.)
        let again = try await reading.ingest(
            paths: [folder.file("usage.jsonl")], repository: nil, overrides: [:], into: streamed, version: "t", chunk: 3)
        #expect(again.result.added == 0 && again.result.alreadyPresent >= 10)
        #expect(try await streamed.batch().records.sorted { $0.key < $1.key } == a)
        await streamed.close()
        await once.close()
    }

    @Test func aStrictReadThatMeetsAMalformedLineStoresNothing() async throws {
        let folder = ScratchDirectory()
        folder.write("usage.jsonl", ((0..<8).map { Self.line("k\($0)", input: 1) } + ["{broken"]).joined(separator: "\n") + "\n")
        let ledger = try await LedgerStore.open(folder.file("ledger.sqlite"))
        await #expect(throws: EngineError.self) {
            _ = try await UsageReading(strict: true).ingest(
                paths: [folder.file("usage.jsonl")], repository: nil, overrides: [:], into: ledger,
                version: "t", chunk: 2)
        }
        #expect(try await ledger.batch().records.isEmpty)
        // An unreadable path: the same.
        await #expect(throws: EngineError.self) {
            _ = try await UsageReading().ingest(paths: [folder.file("missing.jsonl")], repository: nil, overrides: [:], into: ledger, version: "t")
        }
        #expect(try await ledger.batch().records.isEmpty)
        await ledger.close()
    }
}
