import Foundation
import GRDBSQLite
import ShipmeterTestSupport
import Testing

/// Every agent's sessions found on the machine for the repository, read through `usage`,
/// `report` and `ingest` on both ledgers — and none of their text in any output.
@Suite struct AgentSourcesTests {
    static let marker = "AGENT-PRIVATE-MARKER-51e0"

    static func sql(_ path: String, _ statements: [String]) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var handle: OpaquePointer?
        guard sqlite3_open(path, &handle) == SQLITE_OK else { throw Failure(message: "cannot open \(path)") }
        defer { sqlite3_close(handle) }
        for statement in statements where sqlite3_exec(handle, statement, nil, nil, nil) != SQLITE_OK {
            throw Failure(message: String(cString: sqlite3_errmsg(handle)) + " in " + statement)
        }
    }

    struct Failure: Error { var message: String }

    /// One session of each agent, all inside `root`, as each tool lays them out under `home`.
    /// Tokens per agent: gemini 100, qwen 200, copilot 300, opencode 400, goose 500, amp 600.
    static func plantSessions(root: String, home: ScratchDirectory) throws {
        let m = marker
        home.write(".gemini/tmp/app/.project_root", root + "\n")
        home.write(
            ".gemini/tmp/app/chats/session-2026-01-01T00-20-aaaa1111.jsonl",
            """
            {"sessionId":"gem-1","projectHash":"h","startTime":"2026-01-01T00:20:00Z","lastUpdated":"2026-01-01T00:20:00Z"}
            {"id":"u","timestamp":"2026-01-01T00:20:01Z","type":"user","content":[{"text":"\(m)"}]}
            {"id":"g","timestamp":"2026-01-01T00:20:05Z","type":"gemini","content":[{"text":"\(m)"}],"tokens":{"input":60,"output":30,"cached":20,"thoughts":10,"tool":0,"total":100},"model":"gemini-2.5-pro"}

            """)
        home.write(
            ".qwen/projects/app/chats/qw-1.jsonl",
            """
            {"uuid":"q1","parentUuid":null,"sessionId":"qw-1","timestamp":"2026-01-01T00:21:00Z","type":"user","cwd":"\(root)","version":"1","message":{"role":"user","parts":[{"text":"\(m)"}]}}
            {"uuid":"q2","parentUuid":"q1","sessionId":"qw-1","timestamp":"2026-01-01T00:21:05Z","type":"assistant","cwd":"\(root)","version":"1","message":{"role":"model","parts":[{"text":"\(m)"}]},"usageMetadata":{"promptTokenCount":150,"candidatesTokenCount":50,"cachedContentTokenCount":100,"totalTokenCount":200},"model":"qwen3-coder-plus"}

            """)
        home.write(
            ".copilot/session-state/cp-1/events.jsonl",
            """
            {"type":"session.start","timestamp":"2026-01-01T00:22:00Z","data":{"sessionId":"cp-1","context":{"cwd":"\(root)","gitRoot":"\(root)"}}}
            {"type":"user.message","timestamp":"2026-01-01T00:22:01Z","data":{"content":"\(m)"}}
            {"type":"session.shutdown","timestamp":"2026-01-01T00:29:00Z","data":{"modelMetrics":{"gpt-5":{"requests":{"count":1,"cost":1},"usage":{"inputTokens":250,"outputTokens":50,"cacheReadTokens":200,"cacheWriteTokens":0}}}}}

            """)
        // The id encodes the message's creation time, as OpenCode's ids do (else it reads as a fork's copy).
        let message =
            #"{"role":"assistant","time":{"created":1767226980000,"completed":1767226990000},"modelID":"claude-sonnet-4-5","providerID":"anthropic","path":{"cwd":"\#(root)","root":"\#(root)"},"cost":0,"tokens":{"input":100,"output":100,"reasoning":0,"cache":{"read":200,"write":0}}}"#
        try sql(
            home.file(".local/share/opencode/opencode.db"),
            [
                "CREATE TABLE session (id TEXT PRIMARY KEY, project_id TEXT, directory TEXT)",
                "CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT, data TEXT)",
                "CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT, session_id TEXT, data TEXT)",
                "INSERT INTO session VALUES ('ses_1', 'p', '\(root)')",
                "INSERT INTO message VALUES ('msg_b76efb6a0001AAAAAAAAAAAAAA', 'ses_1', '\(message)')",
                "INSERT INTO message VALUES ('msg_b76efb6a0002BBBBBBBBBBBBBB', 'ses_1', '{\"role\":\"user\",\"time\":{\"created\":1},\"summary\":{\"title\":\"\(m)\"}}')",
            ])
        try sql(
            home.file(".local/share/goose/sessions/sessions.db"),
            [
                "CREATE TABLE sessions (id TEXT PRIMARY KEY, description TEXT, working_dir TEXT NOT NULL, created_at TIMESTAMP, updated_at TIMESTAMP, accumulated_total_tokens INTEGER, accumulated_input_tokens INTEGER, accumulated_output_tokens INTEGER, model_config_json TEXT)",
                "INSERT INTO sessions VALUES ('20260101_1', '\(m)', '\(root)', '2026-01-01 00:23:00', '2026-01-01 00:24:00', 500, 400, 100, '{\"model_name\":\"gpt-5\"}')",
            ])
        // Crush keeps its store in the project: cost only ($1.25 for the root session, whose child's cost it includes).
        try sql(
            root + "/.crush/crush.db",
            [
                "CREATE TABLE sessions (id TEXT PRIMARY KEY, parent_session_id TEXT, title TEXT, prompt_tokens INTEGER, completion_tokens INTEGER, cost REAL, updated_at INTEGER, created_at INTEGER)",
                "CREATE TABLE messages (id TEXT PRIMARY KEY, session_id TEXT, role TEXT, parts TEXT, model TEXT, created_at INTEGER)",
                "INSERT INTO sessions VALUES ('cr-1', NULL, '\(m)', 9000, 100, 1.25, 1767227100, 1767226900)",
                "INSERT INTO sessions VALUES ('cr-2', 'cr-1', 'task', 3000, 50, 0.5, 1767227000, 1767226950)",
                "INSERT INTO messages VALUES ('x', 'cr-1', 'assistant', '[{\"text\":\"\(m)\"}]', 'claude-sonnet-4-5', 1767226990)",
            ])
        home.write(
            ".local/share/amp/threads/T-1.json",
            """
            {"id":"T-1","created":1767226800000,"env":{"initial":{"trees":[{"uri":"file://\(root)"}]}},
             "messages":[{"role":"user","messageId":0,"content":[{"type":"text","text":"\(m)"}]},
                         {"role":"assistant","messageId":1,"usage":{"model":"claude-sonnet-4-5","timestamp":"2026-01-01T00:25:00Z","inputTokens":100,"outputTokens":100,"cacheCreationInputTokens":100,"cacheReadInputTokens":300}}]}
            """)
    }

    static func json(_ text: String) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]) ?? [:]
    }

    @Test func everyAgentsLocalSessionsAreFoundReadAndKeptPrivate() throws {
        let scratch = ScratchRepository.withDeployedSession("s1")
        let home = ScratchDirectory("home")
        try Self.plantSessions(root: scratch.path, home: home)
        let environment = ["HOME": home.path]
        let usage = ShipmeterBinary.run(["usage", "--by", "agent", "--format", "json"], in: scratch.path, environment: environment)
        #expect(usage.status == 0, "\(usage.stderr)")
        let groups = (Self.json(usage.stdout)["groups"] as? [[String: Any]]) ?? []
        var totals = [String: Int]()
        for group in groups { totals[group["key"] as? String ?? ""] = group["total"] as? Int }
        #expect(totals == ["gemini-cli": 100, "qwen-code": 200, "copilot-cli": 300, "opencode": 400, "goose": 500, "amp": 600, "crush": 0])
        let crush = groups.first { $0["key"] as? String == "crush" }
        #expect((crush?["cost_usd"] as? NSNumber)?.doubleValue == 1.25)

        var outputs = [usage.stdout, usage.stderr]
        for format in ["table", "json", "csv", "markdown", "html"] {
            let report = ShipmeterBinary.run(
                ["report", "--since", "2025-12-01", "--until", "2026-02-01", "--by", "agent", "--format", format],
                in: scratch.path, environment: environment)
            #expect(report.status == 0, "\(report.stderr)")
            outputs += [report.stdout, report.stderr]
        }
        let report = ShipmeterBinary.run(
            ["report", "--since", "2025-12-01", "--until", "2026-02-01", "--format", "json"], in: scratch.path, environment: environment)
        let reportTotals = Self.json(report.stdout)["totals"] as? [String: Any]
        #expect((reportTotals?["tokens"] as? [String: Any])?["total"] as? Int == 2100)
        for output in outputs { #expect(!output.contains(Self.marker)) }
    }

    @Test(arguments: LedgerBackend.available)
    func ingestStoresEverySourceAndOnlyTheGrowthOfRunningTotals(_ backend: LedgerBackend) throws {
        let scratch = ScratchRepository.withDeployedSession("s1")
        let home = ScratchDirectory("home")
        try Self.plantSessions(root: scratch.path, home: home)
        let ledger = try backend.freshLocation(in: ScratchDirectory())
        let environment = ["HOME": home.path]
        func ledgerTotal() -> Int? {
            let report = ShipmeterBinary.run(
                ["report", "--ledger", ledger, "--since", "2025-12-01", "--until", "2026-02-01", "--format", "json"],
                in: scratch.path, environment: environment)
            return ((Self.json(report.stdout)["totals"] as? [String: Any])?["tokens"] as? [String: Any])?["total"] as? Int
        }
        // Discovered sessions, then the same folders given as files: nothing is counted twice.
        let first = ShipmeterBinary.run(["ingest", "--ledger", ledger], in: scratch.path, environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("ingested 7 new records"), "\(first.stdout)")
        let files = ShipmeterBinary.run(
            ["ingest", "--ledger", ledger, home.file(".gemini"), home.file(".qwen"), home.file(".copilot"), home.file(".local/share")],
            in: scratch.path, environment: environment)
        #expect(files.status == 0, "\(files.stderr)")
        #expect(files.stdout.contains("nothing new"), "\(files.stdout)")
        #expect(ledgerTotal() == 2100)

        // Goose's session grew by 300 tokens: the next ingest stores the growth alone.
        try Self.sql(
            home.file(".local/share/goose/sessions/sessions.db"),
            [
                "UPDATE sessions SET accumulated_total_tokens = 800, accumulated_input_tokens = 600, accumulated_output_tokens = 200, updated_at = '2026-01-01 01:00:00'"
            ])
        let grown = ShipmeterBinary.run(["ingest", "--ledger", ledger, home.file(".local/share/goose")], in: scratch.path, environment: environment)
        #expect(grown.stdout.contains("ingested 1 new record"), "\(grown.stdout)")
        #expect(ledgerTotal() == 2400)
        let again = ShipmeterBinary.run(["ingest", "--ledger", ledger], in: scratch.path, environment: environment)
        #expect(again.stdout.contains("nothing new"), "\(again.stdout)")
        #expect(ledgerTotal() == 2400)
    }
}
