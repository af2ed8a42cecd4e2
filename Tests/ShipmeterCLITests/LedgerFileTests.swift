import Foundation
import ShipmeterTestSupport
import Testing

/// A SQLite ledger is whole in its one file after every command, backs up in one command, and
/// says so in one line when it is damaged.
@Suite struct LedgerFileTests: JSONReading {
    /// A deployed repository with usage, and its usage file.
    func setUp() -> (ScratchRepository, ScratchDirectory) {
        let scratch = ScratchRepository.withDeployedSession("s1")
        let folder = ScratchDirectory()
        folder.write(
            "usage.jsonl",
            """
            {"timestamp":"2026-01-01T01:00:00Z","actor":"ann@acme.test","session":"s1","model":"claude-sonnet-4-5","input":100,"output":10,"cache_write":0,"cache_read":0}
            {"timestamp":"2026-01-01T01:05:00Z","actor":"ann@acme.test","session":"s1","model":"claude-sonnet-4-5","input":50,"output":5,"cache_write":0,"cache_read":0}

            """)
        return (scratch, folder)
    }

    let window = ["--since", "2025-12-01", "--until", "2026-02-01", "--format", "json"]

    /// The ledger's file copied alone (no -wal, no -shm) reports what the ledger does.
    func expectWholeInOneFile(_ ledger: String, after step: String, in folder: ScratchDirectory) throws {
        #expect(!FileManager.default.fileExists(atPath: ledger + "-wal"), "\(step) left \(ledger)-wal")
        let copy = folder.file("copy-\(UUID().uuidString.prefix(6)).sqlite")
        try FileManager.default.copyItem(atPath: ledger, toPath: copy)
        let original = ShipmeterBinary.run(["report", "--ledger", ledger] + window, in: folder.path)
        let alone = ShipmeterBinary.run(["report", "--ledger", copy] + window, in: folder.path)
        var first = try json(original.stdout), second = try json(alone.stdout)
        first["generated_at"] = nil
        second["generated_at"] = nil
        #expect(NSDictionary(dictionary: first).isEqual(to: second), "after \(step): \(original.stdout)\n---\n\(alone.stdout)")
        let check = ShipmeterBinary.run(["ledger", "check", "--ledger", copy], in: folder.path)
        #expect(check.status == 0, "after \(step): \(check.stderr)")
    }

    @Test func everyCommandLeavesTheLedgerWholeInItsFile() throws {
        let (scratch, folder) = setUp()
        let ledger = folder.file("ledger.sqlite")
        #expect(ShipmeterBinary.run(["ingest", folder.file("usage.jsonl"), "--ledger", ledger], in: folder.path).status == 0)
        // Nothing attributed yet: the copy's check counts what the ledger's does.
        #expect(!FileManager.default.fileExists(atPath: ledger + "-wal"), "ingest left the -wal")
        let copy = folder.file("after-ingest.sqlite")
        try FileManager.default.copyItem(atPath: ledger, toPath: copy)
        #expect(ShipmeterBinary.run(["ledger", "check", "--ledger", copy], in: folder.path).stdout.contains("ok (2 usage records"))
        #expect(ShipmeterBinary.run(["attribute", "--ledger", ledger], in: scratch.path).status == 0)
        try expectWholeInOneFile(ledger, after: "attribute", in: folder)
        let report = ShipmeterBinary.run(["report", "--ledger", ledger] + window, in: folder.path)
        #expect(((try json(report.stdout))["totals"] as? [String: Any])?["shipped_tokens"] as? Int == 165)
        try expectWholeInOneFile(ledger, after: "report", in: folder)
        #expect(ShipmeterBinary.run(["deploy", "mark", "--env", "production", "--ledger", ledger], in: scratch.path).status == 0)
        try expectWholeInOneFile(ledger, after: "deploy mark", in: folder)
        #expect(ShipmeterBinary.run(["ledger", "forget", "--actor", "nobody@acme.test", "--ledger", ledger], in: folder.path).status == 0)
        try expectWholeInOneFile(ledger, after: "ledger forget", in: folder)
        // A failing command closes it too.
        #expect(ShipmeterBinary.run(["report", "--ledger", ledger, "--since", "nonsense"], in: folder.path).status != 0)
        try expectWholeInOneFile(ledger, after: "a failed report", in: folder)
    }

    @Test func aBackupIsOneFileThatPassesTheCheck() throws {
        let (scratch, folder) = setUp()
        let ledger = folder.file("ledger.sqlite")
        #expect(ShipmeterBinary.run(["attribute", "--usage", folder.file("usage.jsonl"), "--ledger", ledger], in: scratch.path).status == 0)
        let backup = folder.file("backup.sqlite")
        let made = ShipmeterBinary.run(["ledger", "backup", "--to", backup, "--ledger", ledger], in: folder.path)
        #expect(made.status == 0 && made.stdout.contains("restore by putting that file"), "\(made.stderr)")
        #expect(ShipmeterBinary.run(["ledger", "check", "--ledger", backup], in: folder.path).stdout.contains("ok (2 usage records"))
        // Restored: the backup reports what the ledger did.
        let a = try json(ShipmeterBinary.run(["report", "--ledger", ledger] + window, in: folder.path).stdout)
        let b = try json(ShipmeterBinary.run(["report", "--ledger", backup] + window, in: folder.path).stdout)
        #expect((a["totals"] as? [String: Any])?["shipped_tokens"] as? Int == (b["totals"] as? [String: Any])?["shipped_tokens"] as? Int)
        // Never over an existing file.
        let again = ShipmeterBinary.run(["ledger", "backup", "--to", backup, "--ledger", ledger], in: folder.path)
        #expect(again.status == 1 && again.stderr.contains("already exists"))
    }

    @Test func aBackupDuringAnIngestHoldsTheStateBeforeOrAfterIt() throws {
        let folder = ScratchDirectory()
        let ledger = folder.file("ledger.sqlite")
        folder.write(
            "first.jsonl",
            #"{"timestamp":"2026-01-01T01:00:00Z","actor":"a@acme.test","model":"claude-sonnet-4-5","input":1,"output":0,"cache_write":0,"cache_read":0}"#
                + "\n")
        #expect(ShipmeterBinary.run(["ingest", folder.file("first.jsonl"), "--ledger", ledger], in: folder.path).status == 0)
        let lines = (0..<60_000).map {
            #"{"timestamp":"2026-01-01T02:00:00Z","key":"k\#($0)","actor":"a@acme.test","model":"claude-sonnet-4-5","input":1,"output":0,"cache_write":0,"cache_read":0}"#
        }
        folder.write("big.jsonl", lines.joined(separator: "\n") + "\n")
        // The ingest tells its progress: the backup is taken once it is storing.
        let ingest = Process()
        ingest.executableURL = URL(fileURLWithPath: ShipmeterBinary.path)
        ingest.arguments = ["ingest", folder.file("big.jsonl"), "--ledger", ledger]
        ingest.environment = [
            "SHIPMETER_PROGRESS": "always", "SHIPMETER_PROGRESS_AFTER": "0", "SHIPMETER_PROGRESS_EVERY": "0.01", "NO_COLOR": "1",
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
        let progress = Pipe()
        ingest.standardError = progress
        ingest.standardOutput = FileHandle.nullDevice
        try ingest.run()
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("ingesting usage") {
            let chunk = progress.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        let backup = folder.file("backup.sqlite")
        let made = ShipmeterBinary.run(["ledger", "backup", "--to", backup, "--ledger", ledger], in: folder.path)
        _ = progress.fileHandleForReading.readDataToEndOfFile()
        ingest.waitUntilExit()
        #expect(made.status == 0, "\(made.stderr)")
        let check = ShipmeterBinary.run(["ledger", "check", "--ledger", backup], in: folder.path)
        #expect(check.status == 0, "\(check.stderr)")
        // One transaction: the backup holds the ingest wholly or not at all.
        #expect(check.stdout.contains("ok (1 usage records") || check.stdout.contains("ok (60001 usage records"), "\(check.stdout)")
    }

    @Test func damageIsReportedInOneLineAndNothingIsWritten() throws {
        let (scratch, folder) = setUp()
        let ledger = folder.file("ledger.sqlite")
        #expect(ShipmeterBinary.run(["attribute", "--usage", folder.file("usage.jsonl"), "--ledger", ledger], in: scratch.path).status == 0)
        let good = try Data(contentsOf: URL(fileURLWithPath: ledger))
        // The page size is in the header (big-endian at offset 16; 1 stands for 65536).
        let header = Int(good[16]) << 8 | Int(good[17])
        let page = header == 1 ? 65_536 : header
        #expect(good.count > 8 * page)
        func variant(_ name: String, _ change: (inout Data) -> Void) throws -> String {
            var bytes = good
            change(&bytes)
            let path = folder.file(name)
            try bytes.write(to: URL(fileURLWithPath: path))
            return path
        }
        let cases: [(String, String)] = [
            (try variant("pages.sqlite") { $0.replaceSubrange(5 * page..<6 * page, with: Data(repeating: 0xFF, count: page)) }, "is damaged"),
            (try variant("truncated.sqlite") { $0 = $0.prefix(2 * page) }, "is damaged"),
            (try variant("header.sqlite") { $0.replaceSubrange(0..<100, with: Data(count: 100)) }, "is not a SQLite database"),
        ]
        let text = folder.file("notes.sqlite")
        folder.write("notes.sqlite", "meeting notes\n")
        let other = folder.file("other.sqlite")
        #expect(
            run("python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table notes(x)'); c.commit()", other]).status
                == 0)
        for (path, says) in cases + [(text, "is not a SQLite database"), (other, "is not a shipmeter ledger")] {
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            // The check names what it finds; a report either reads what it needs or says the file is damaged.
            let check = ShipmeterBinary.run(["ledger", "check", "--ledger", path], in: folder.path)
            #expect(check.status == 1, "\(path): \(check.stdout) \(check.stderr)")
            let lines = check.stderr.split(separator: "\n")
            #expect(lines.last?.contains(says) == true, "\(path): \(check.stderr)")
            #expect(!check.stderr.contains("while executing"), "SQLite's statement text leaked: \(check.stderr)")
            if says == "is damaged" {
                #expect(check.stderr.contains("restore it from a backup"))
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "\(path) was written: \(check.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path + "-wal") || path == other)
        }
        // A ledger that is not there is not created by checking it.
        let missing = folder.file("missing.sqlite")
        let check = ShipmeterBinary.run(["ledger", "check", "--ledger", missing], in: folder.path)
        #expect(check.status == 1 && check.stderr.contains("no ledger at"))
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
