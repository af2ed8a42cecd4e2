import Foundation
import ShipmeterTestSupport
import Testing

/// Running out of room and being killed: the ledger stays as it was or complete, never half
/// written (scripts/kill-test drives the long versions).
@Suite struct ReliabilityTests {
    static func usage(_ count: Int, from start: Int = 0) -> String {
        (start..<start + count).map { index in
            #"{"timestamp":"2026-01-01T00:\#(String(format: "%02d", index % 60)):00Z","actor":"ann@acme.test","session":"s\#(index % 7)","model":"claude-sonnet-4-5","input":\#(index + 1),"output":2,"cache_write":0,"cache_read":0,"key":"k\#(index)"}"#
        }.joined(separator: "\n") + "\n"
    }

    @Test func aFullDiskIsAClearErrorAndTheLedgerIsUnchanged() throws {
        let scratch = ScratchRepository.withDeployedSession("s1")
        let folder = ScratchDirectory()
        folder.write("a.jsonl", Self.usage(500))
        folder.write("b.jsonl", Self.usage(20_000, from: 500))
        let ledger = folder.file("ledger.sqlite")
        let first = ShipmeterBinary.run(["ingest", folder.file("a.jsonl"), "--ledger", ledger], in: scratch.path)
        try #require(first.status == 0, "\(first.stderr)")
        let before = LedgerBackend.sqlite.dump(
            ledger, [("usage_records", "source, key, input"), ("usage_rollup", "actor, session, day, input, records")])
        let size = (try FileManager.default.attributesOfItem(atPath: ledger)[.size] as? Int) ?? 0
        // A file-size limit a little above the ledger: the WAL cannot hold the new records.
        let limited = run(
            "/bin/sh",
            [
                "-c", "ulimit -f \(size / 1024 + 64); exec \"$0\" \"$@\"", ShipmeterBinary.path,
                "ingest", folder.file("b.jsonl"), "--ledger", ledger,
            ], in: scratch.path)
        #expect(limited.status == 1)
        #expect(limited.stderr.contains("the disk is full or a file-size limit was reached while writing"), "\(limited.stderr)")
        #expect(!limited.stderr.contains("Fatal error"))
        #expect(
            LedgerBackend.sqlite.dump(ledger, [("usage_records", "source, key, input"), ("usage_rollup", "actor, session, day, input, records")])
                == before)
        let check = ShipmeterBinary.run(["ledger", "check", "--ledger", ledger], in: scratch.path)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("ok (500 usage records"), "\(check.stdout)")
        // With room again, the same command completes.
        let again = ShipmeterBinary.run(["ingest", folder.file("b.jsonl"), "--ledger", ledger], in: scratch.path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("ingested 20000 new records"), "\(again.stdout)")
    }

    @Test(arguments: LedgerBackend.available)
    func ledgerCheckFindsARollupOutOfStep(_ backend: LedgerBackend) throws {
        let scratch = ScratchRepository.withDeployedSession("s1")
        let folder = ScratchDirectory()
        folder.write("u.jsonl", Self.usage(50))
        let ledger = try backend.freshLocation(in: folder)
        #expect(ShipmeterBinary.run(["attribute", "--usage", folder.file("u.jsonl"), "--ledger", ledger], in: scratch.path).status == 0)
        let sound = ShipmeterBinary.run(["ledger", "check", "--ledger", ledger], in: scratch.path)
        #expect(sound.status == 0, "\(sound.stderr)")
        #expect(sound.stdout.contains("ok (50 usage records, 7 attributions"), "\(sound.stdout)")  // session s1 joins explicitly
        let tamper = "UPDATE usage_records SET input = input + 1 WHERE key = 'k3'"
        switch backend {
        case .sqlite:
            run("python3", ["-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", ledger, tamper])
        case .postgres: run("psql", [ledger, "-q", "-c", tamper])
        }
        let drifted = ShipmeterBinary.run(["ledger", "check", "--ledger", ledger], in: scratch.path)
        #expect(drifted.status == 1)
        #expect(drifted.stderr.contains("usage_rollup differs from the records summed afresh"), "\(drifted.stderr)")
    }
}
