import Foundation
import ShipmeterTestSupport
import Testing
import Usage

@testable import Ledger

/// What a long-running collector needs from the ledger.
@Suite struct CollectorLedgerTests {
    static func event(_ key: String, session: String, input: Int64) -> UsageRecord {
        UsageRecord(
            source: "otel", key: key, timestamp: Date(timeIntervalSince1970: 1_780_000_000), actor: "dev@acme.test", session: session,
            agent: "claude-code", model: "claude-sonnet-4-5", input: input, output: 10)
    }

    static func batch(_ records: [UsageRecord]) -> UsageBatch {
        var batch = UsageBatch()
        for record in records { batch.add(record) }
        return batch
    }

    /// Claude Code's metric readings count only for sessions without events, whichever arrives
    /// first and in however many ingests; the rollup follows.
    @Test(arguments: Backend.available)
    func metricReadingsGiveWayToTheirSessionsEvents(_ backend: Backend) async throws {
        let folder = ScratchDirectory()
        let ledger = try await backend.open(try backend.freshLocation(in: folder))
        // Metrics first (sessions A and B), then A's events: A's readings go.
        _ = try await ledger.ingest(
            Self.batch([Self.event("metric:a1", session: "A", input: 700), Self.event("metric:b1", session: "B", input: 50)]),
            version: "t")
        let events = try await ledger.ingest(
            Self.batch([Self.event("req_1", session: "A", input: 300), Self.event("req_2", session: "A", input: 400)]),
            version: "t")
        #expect(events.added == 2 && events.superseded == 1)
        // Events first, then more readings of A: they are not kept.
        let late = try await ledger.ingest(Self.batch([Self.event("metric:a2", session: "A", input: 900)]), version: "t")
        #expect(late.superseded == 1)
        let keys = try await ledger.batch().records.map(\.key).sorted()
        #expect(keys == ["metric:b1", "req_1", "req_2"])
        #expect(try await ledger.rollupDrift() == [])
        // Records of other sources are never touched, whatever their keys.
        var other = Self.event("metric:x", session: "A", input: 5)
        other.source = "jsonl"
        #expect(try await ledger.ingest(Self.batch([other]), version: "t").superseded == 0)
        #expect(try await ledger.batch().records.count == 4)
        await ledger.close()
    }

    /// A ledger kept open (as `serve` keeps it) while other processes open and close the same
    /// file: what it writes afterwards is seen by them, not held in a WAL they deleted.
    @Test func aLongOpenSQLiteLedgerStaysVisibleToOtherProcesses() async throws {
        let folder = ScratchDirectory()
        let path = folder.path + "/ledger.sqlite"
        let ledger = try await LedgerStore.open(path)
        _ = try await ledger.ingest(Self.batch([Self.event("req_1", session: "A", input: 1)]), version: "t")
        func countElsewhere() throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", "-c",
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(c.execute('SELECT count(*) FROM usage_records').fetchone()[0]); c.close()",
                path,
            ]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            process.waitUntilExit()
            return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try countElsewhere() == "1")
        _ = try await ledger.ingest(Self.batch([Self.event("req_2", session: "A", input: 2)]), version: "t")
        #expect(try countElsewhere() == "2")
        _ = try await ledger.ingest(Self.batch([Self.event("req_3", session: "A", input: 3)]), version: "t")
        #expect(try countElsewhere() == "3")
        await ledger.close()
    }
}
