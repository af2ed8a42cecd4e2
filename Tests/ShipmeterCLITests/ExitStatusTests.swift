import Foundation
import ShipmeterTestSupport
import Testing

/// The exit statuses the README documents: 0 done, 1 failed (nothing written), 2 the command
/// line is wrong, 3 done but input it was asked to read was left out.
@Suite struct ExitStatusTests {
    static let line =
        #"{"timestamp":"2026-01-01T00:00:00Z","model":"claude-sonnet-4-5","input":10,"output":5,"cache_write":0,"cache_read":0,"key":"KEY"}"#

    @Test func zeroWhenDone() {
        #expect(ShipmeterBinary.run(["--version"]).status == 0)
        #expect(ShipmeterBinary.run(["report", "--help"]).status == 0)
        let scratch = ScratchRepository.withDeployedSession("s-0")
        let report = ShipmeterBinary.run(["report", "--format", "json", "--since", "2025-12-01", "--until", "2026-02-01"], in: scratch.path)
        #expect(report.status == 0, "\(report.stderr)")
    }

    @Test func twoWhenTheCommandLineIsWrong() {
        let cases: [([String], String)] = [
            (["report", "--nope"], "Unknown option '--nope'"),
            (["reprot"], "Unexpected argument 'reprot'"),
            (["report", "--format", "xml"], "The value 'xml' is invalid for '--format <format>'"),
            (["report", "--since", "yesterday-ish"], "--since 'yesterday-ish' is not a date. Use 30d, 12w, 2026-03-01"),
            (["report", "--since", "2026-02-01", "--until", "2026-01-01"], "--since must be before --until"),
            (["budget", "--annual", "0"], "--annual must be a positive amount in USD"),
            (["ingest", "--ledger"], "Missing value for '--ledger"),
        ]
        let scratch = ScratchRepository.withDeployedSession("s-2")
        for (arguments, message) in cases {
            let result = ShipmeterBinary.run(arguments, in: scratch.path)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }

    @Test func oneWhenItFailsAndNothingIsWritten() throws {
        let folder = ScratchDirectory("failing")
        let outside = ShipmeterBinary.run(["commits", "--repo", folder.file("nowhere")])
        #expect(outside.status == 1)
        #expect(outside.stderr.contains("pass --repo <path>"), "\(outside.stderr)")
        // --strict: a malformed line fails the ingest, naming the file and line; the ledger stays empty.
        folder.write("usage/records.jsonl", Self.line.replacingOccurrences(of: "KEY", with: "a") + "\n{not json\n")
        let ledger = folder.file("ledger.sqlite")
        let strict = ShipmeterBinary.run(["ingest", "--strict", "--ledger", ledger, folder.file("usage")])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("records.jsonl:2"), "\(strict.stderr)")
        if FileManager.default.fileExists(atPath: ledger) {
            let check = ShipmeterBinary.run(["ledger", "check", "--ledger", ledger])
            #expect(check.status == 0 && check.stdout.contains("(0 usage records"), "\(check.stdout)\(check.stderr)")
        }
        // The same file without --strict: the good line is stored, the bad one skipped with a warning.
        let lenient = ShipmeterBinary.run(["ingest", "--ledger", ledger, folder.file("usage")])
        #expect(lenient.status == 0, "\(lenient.stderr)")
        #expect(ShipmeterBinary.run(["ledger", "check", "--ledger", ledger]).stdout.contains("(1 usage records"))
    }

    @Test func threeWhenInputWasLeftOut() throws {
        let folder = ScratchDirectory("partial")
        folder.write("usage/good.jsonl", Self.line.replacingOccurrences(of: "KEY", with: "good") + "\n")
        try FileManager.default.createSymbolicLink(atPath: folder.file("usage/gone.jsonl"), withDestinationPath: folder.file("nowhere.jsonl"))
        let summary = ShipmeterBinary.run(["usage", "--format", "json", folder.file("usage")])
        #expect(summary.status == 3, "\(summary.stderr)")
        #expect(summary.stderr.contains("gone.jsonl: a broken symlink; skipped"), "\(summary.stderr)")
        #expect(summary.stdout.contains("\"records\": 1,"), "\(summary.stdout)")
        // Ingest stores what it could read, and says the rest was left out.
        let ledger = folder.file("ledger.sqlite")
        let ingest = ShipmeterBinary.run(["ingest", "--ledger", ledger, folder.file("usage")])
        #expect(ingest.status == 3, "\(ingest.stderr)")
        #expect(ingest.stdout.contains("ingested 1 new records"), "\(ingest.stdout)")
        // A file that is not usage at all is ignored, not left out.
        try FileManager.default.removeItem(atPath: folder.file("usage/gone.jsonl"))
        folder.write("usage/notes.json", "{\"hello\": 1}\n")
        let clean = ShipmeterBinary.run(["usage", "--format", "json", folder.file("usage")])
        #expect(clean.status == 0, "\(clean.stderr)")
    }
}
