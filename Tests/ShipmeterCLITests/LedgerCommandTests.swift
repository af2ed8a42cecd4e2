import Foundation
import ShipmeterTestSupport
import Testing

@Suite struct LedgerCommandTests {
    @Test func ingestReportAndForgetThroughTheLedger() throws {
        let scratch = ScratchRepository.withDeployedSession("s1")
        let folder = ScratchDirectory()
        folder.write(
            "u.jsonl",
            """
            {"timestamp":"2026-01-01T00:30:00Z","actor":"ann@acme.test","session":"s1","model":"claude-sonnet-4-5","input":100,"output":0,"cache_write":0,"cache_read":0}
            {"timestamp":"2026-01-01T00:40:00Z","actor":"ben@acme.test","model":"claude-sonnet-4-5","input":50,"output":0,"cache_write":0,"cache_read":0}

            """)
        let first = ShipmeterBinary.run(["ingest", folder.file("u.jsonl")], in: scratch.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("ingested 2 new records"))
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/.git/shipmeter/ledger.sqlite"))
        let again = ShipmeterBinary.run(["ingest", folder.file("u.jsonl")], in: scratch.path)
        #expect(again.stdout.contains("nothing new"))

        let ledger = scratch.path + "/.git/shipmeter/ledger.sqlite"
        let report = ShipmeterBinary.run(
            ["report", "--ledger", ledger, "--since", "2025-12-01", "--until", "2026-02-01", "--format", "json"], in: scratch.path)
        #expect(report.status == 0, "\(report.stderr)")
        let totals = try #require((try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])?["totals"] as? [String: Any])
        #expect((totals["tokens"] as? [String: Any])?["total"] as? Int == 150)
        #expect(totals["shipped_tokens"] as? Int == 100)

        let forget = ShipmeterBinary.run(["ledger", "forget", "--actor", "ben@acme.test"], in: scratch.path)
        #expect(forget.stdout.contains("removed 1 usage record of ben@acme.test"))
        let after = ShipmeterBinary.run(
            ["report", "--ledger", ledger, "--since", "2025-12-01", "--until", "2026-02-01", "--format", "json"], in: scratch.path)
        #expect(after.stdout.contains("\"total\": 100"))

        // An unreachable PostgreSQL is a clear error, and the password never shows.
        let postgres = ShipmeterBinary.run(
            ["ingest", folder.file("u.jsonl"), "--ledger", "postgres://someone:s3cret@127.0.0.1:1/x"], in: scratch.path)
        #expect(postgres.status != 0)
        #expect(postgres.stderr.contains("cannot reach PostgreSQL at postgres://someone@127.0.0.1:1/x"))
        #expect(!postgres.stderr.contains("s3cret"))
    }
}

@Suite struct PostgresLedgerCommandTests {
    /// In CI the test command starts PostgreSQL: its suites must run there, never be skipped.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CI"] == "true"))
    func continuousIntegrationRunsThePostgreSQLSuites() {
        #expect(LedgerBackend.postgresURL != nil, "CI must run the PostgreSQL suite")
    }

    /// The same ingest → attribute → report flow against the PostgreSQL the test command started.
    @Test(.enabled(if: LedgerBackend.postgresURL != nil, "needs the PostgreSQL the test command starts"))
    func ingestAttributeAndReportOnPostgreSQL() throws {
        let ledger = try LedgerBackend.postgres.freshLocation(in: ScratchDirectory())
        let scratch = ScratchRepository.withDeployedSession("s1")
        let folder = ScratchDirectory()
        folder.write(
            "u.jsonl",
            #"{"timestamp":"2026-01-01T00:30:00Z","actor":"ann@acme.test","session":"s1","model":"claude-sonnet-4-5","input":100,"output":0,"cache_write":0,"cache_read":0}"#
                + "\n")
        let attribute = ShipmeterBinary.run(["attribute", "--usage", folder.file("u.jsonl"), "--ledger", ledger], in: scratch.path)
        #expect(attribute.status == 0, "\(attribute.stderr)")
        #expect(attribute.stdout.contains("1 usage records attributed"), "\(attribute.stdout)")
        let again = ShipmeterBinary.run(["attribute", "--ledger", ledger], in: scratch.path)
        #expect(again.stdout.contains("(0 new)") && again.stdout.contains("(0 changed)"))
        let report = ShipmeterBinary.run(
            ["report", "--ledger", ledger, "--since", "2025-12-01", "--until", "2026-02-01", "--format", "json"], in: scratch.path)
        #expect(report.stdout.contains("\"shipped_tokens\": 100"), "\(report.stderr)")
    }
}
