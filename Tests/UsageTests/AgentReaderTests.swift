import Foundation
import GRDBSQLite
import ShipmeterTestSupport
import Testing

@testable import Usage

/// The agents of the second round, each from a fixture written the way the tool writes its log
/// (field names and shapes from its source), with totals worked out by hand.
@Suite struct AgentReaderTests {
    static let marker = ReaderTests.marker

    func load(_ paths: [String], format: UsageFormat? = nil) throws -> UsageBatch {
        try UsageLoader(format: format).load(paths).0
    }

    /// Creates an SQLite file from statements, the way the agent's migrations would.
    static func database(_ path: String, _ statements: [String]) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var handle: OpaquePointer?
        #expect(sqlite3_open(path, &handle) == SQLITE_OK)
        defer { sqlite3_close(handle) }
        for statement in statements {
            var error: UnsafeMutablePointer<CChar>?
            let status = sqlite3_exec(handle, statement, nil, nil, &error)
            if status != SQLITE_OK {
                let message = error.map { String(cString: $0) } ?? "?"
                sqlite3_free(error)
                throw FixtureError(message: "\(message) in \(statement)")
            }
        }
    }

    struct FixtureError: Error { var message: String }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    // MARK: Gemini CLI

    static func geminiChat(session: String, projectHash: String) -> String {
        [
            #"{"sessionId":"\#(session)","projectHash":"\#(projectHash)","startTime":"2026-03-02T08:00:00.000Z","lastUpdated":"2026-03-02T08:00:00.000Z","kind":"main"}"#,
            #"{"id":"u1","timestamp":"2026-03-02T08:00:01.000Z","type":"user","content":[{"text":"\#(marker) please fix the parser"}]}"#,
            // The reply is written first without tokens, then again when they arrive: the last write counts.
            #"{"id":"g1","timestamp":"2026-03-02T08:00:05.000Z","type":"gemini","content":[{"text":"\#(marker) working"}],"model":"gemini-2.5-pro"}"#,
            #"{"id":"g1","timestamp":"2026-03-02T08:00:05.000Z","type":"gemini","content":[{"text":"\#(marker) working"}],"thoughts":[{"subject":"s","description":"\#(marker)","timestamp":"2026-03-02T08:00:04.000Z"}],"tokens":{"input":1200,"output":300,"cached":1000,"thoughts":50,"tool":10,"total":1560},"model":"gemini-2.5-pro"}"#,
            #"{"$set":{"lastUpdated":"2026-03-02T08:00:09.000Z","summary":"\#(marker)"}}"#,
            #"{"id":"g2","timestamp":"2026-03-02T08:01:00.000Z","type":"gemini","content":[],"toolCalls":[{"id":"t","name":"write_file","args":{"content":"\#(marker)"},"status":"success","timestamp":"2026-03-02T08:01:00.000Z"}],"tokens":{"input":500,"output":20,"cached":0,"thoughts":0,"tool":0,"total":520},"model":"gemini-2.5-flash"}"#,
            #"{"$rewindTo":"g2"}"#,
        ].joined(separator: "\n") + "\n"
    }

    @Test func geminiKeepsTheLastWriteOfEachMessageAndSplitsTheCacheOut() throws {
        let home = ScratchDirectory("gemini")
        home.write(".gemini/tmp/app/.project_root", "/work/app\n")
        home.write(".gemini/tmp/app/chats/session-2026-03-02T08-00-5e1a0c2b.jsonl", Self.geminiChat(session: "5e1a0c2b-1", projectHash: "x"))
        let batch = try load([home.file(".gemini/tmp/app/chats/session-2026-03-02T08-00-5e1a0c2b.jsonl")])
        let records = batch.records.sorted { $0.key < $1.key }
        #expect(records.count == 2)
        // g1: input 1200 − cached 1000 + tool 10; output 300 + thoughts 50. g2 as written; rewound, but spent.
        #expect(records.map(\.input) == [210, 500])
        #expect(records.map(\.cacheRead) == [1000, 0])
        #expect(records.map(\.output) == [350, 20])
        #expect(
            records.allSatisfy { $0.source == "gemini-cli" && $0.agent == "gemini-cli" && $0.session == "5e1a0c2b-1" && $0.repository == "/work/app" }
        )
        #expect(records.map(\.model) == ["gemini-2.5-pro", "gemini-2.5-flash"])
        #expect(batch.malformedCount == 0)
    }

    @Test func geminiLegacySessionFileAndProjectHash() throws {
        let home = ScratchDirectory("gemini-legacy")
        let hash = SHA256.hex("/work/app")
        let legacy = """
            {
              "sessionId": "old-1",
              "projectHash": "\(hash)",
              "startTime": "2026-01-02T08:00:00.000Z",
              "lastUpdated": "2026-01-02T09:00:00.000Z",
              "messages": [
                {"id": "a", "timestamp": "2026-01-02T08:00:00.000Z", "type": "user", "content": "\(Self.marker)"},
                {"id": "b", "timestamp": "2026-01-02T08:00:03.000Z", "type": "gemini", "content": "ok", "model": "gemini-2.5-pro",
                 "tokens": {"input": 40, "output": 7, "cached": 10, "thoughts": 3, "tool": 0, "total": 50}}
              ]
            }
            """
        home.write(".gemini/tmp/\(hash)/chats/session-old.json", legacy)
        let sessions = LocalSessions(environment: ["HOME": "/nonexistent", "GEMINI_CLI_HOME": home.path])
        let (batch, transcripts) = try sessions.load(for: "/work/app")
        #expect(transcripts.map(\.format) == [.geminiCLI])
        let record = try #require(batch.records.first)
        #expect(batch.records.count == 1)
        #expect((record.input, record.cacheRead, record.output) == (30, 10, 10))
        #expect(record.repository == "/work/app")
        #expect(try LocalSessions(environment: ["HOME": "/nonexistent", "GEMINI_CLI_HOME": home.path]).load(for: "/work/other").0.records.isEmpty)
    }

    // MARK: Qwen Code

    @Test func qwenDeduplicatesOnUUIDAcrossForks() throws {
        let folder = ScratchDirectory("qwen")
        func assistant(session: String, forked: Bool) -> String {
            let fork = forked ? #","forkedFrom":{"sessionId":"q-1","messageUuid":"a-1"}"# : ""
            return
                #"{"uuid":"a-1","parentUuid":"u-1","sessionId":"\#(session)","timestamp":"2026-03-02T10:00:02.000Z","type":"assistant","cwd":"/work/app","version":"0.9.0","gitBranch":"feature/x","message":{"role":"model","parts":[{"text":"\#(Self.marker)"}]},"usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":200,"cachedContentTokenCount":600,"thoughtsTokenCount":30,"totalTokenCount":1230},"model":"qwen3-coder-plus"\#(fork)}"#
        }
        let user =
            #"{"uuid":"u-1","parentUuid":null,"sessionId":"q-1","timestamp":"2026-03-02T10:00:00.000Z","type":"user","cwd":"/work/app","version":"0.9.0","message":{"role":"user","parts":[{"text":"\#(Self.marker)"}]}}"#
        let telemetry =
            #"{"uuid":"s-1","parentUuid":"a-1","sessionId":"q-1","timestamp":"2026-03-02T10:00:03.000Z","type":"system","subtype":"ui_telemetry","cwd":"/work/app","version":"0.9.0","systemPayload":{"uiEvent":{"event.name":"qwen-code.api_response","input_token_count":1000,"output_token_count":200}}}"#
        folder.write("projects/work-app/chats/q-1.jsonl", [user, assistant(session: "q-1", forked: false), telemetry].joined(separator: "\n") + "\n")
        folder.write("projects/work-app/chats/q-2.jsonl", [assistant(session: "q-2", forked: true)].joined(separator: "\n") + "\n")
        #expect(UsageFormat.detect(path: folder.file("projects/work-app/chats/q-1.jsonl")) == .qwenCode)
        let batch = try load([folder.file("projects")])
        let record = try #require(batch.records.first)
        #expect(batch.records.count == 1)
        #expect((record.input, record.cacheRead, record.output) == (400, 600, 230))
        #expect(record.session == "q-1" && record.branch == "feature/x" && record.repository == "/work/app" && record.agent == "qwen-code")
    }

    // MARK: Copilot CLI

    @Test func copilotCountsEachShutdownsIncreaseOverTheLargestEarlierSnapshot() throws {
        let folder = ScratchDirectory("copilot")
        func shutdown(_ time: String, input: Int, output: Int, read: Int, write: Int, extra: String = "") -> String {
            #"{"type":"session.shutdown","timestamp":"\#(time)","id":"e","data":{"modelMetrics":{"claude-sonnet-4.5":{"requests":{"count":3,"cost":3},"usage":{"inputTokens":\#(input),"outputTokens":\#(output),"cacheReadTokens":\#(read),"cacheWriteTokens":\#(write)}}\#(extra)}}}"#
        }
        let lines = [
            #"{"type":"session.start","timestamp":"2026-03-02T11:00:00.000Z","id":"e0","data":{"sessionId":"c0p1","version":1,"producer":"copilot-agent","copilotVersion":"0.0.430","context":{"cwd":"/work/app/sub","gitRoot":"/work/app","branch":"main","headCommit":"abc"}}}"#,
            #"{"type":"user.message","timestamp":"2026-03-02T11:00:01.000Z","id":"e1","data":{"content":"\#(Self.marker)"}}"#,
            #"{"type":"assistant.message","timestamp":"2026-03-02T11:00:09.000Z","id":"e2","data":{"content":"\#(Self.marker)","outputTokens":800}}"#,
            shutdown("2026-03-02T11:10:00.000Z", input: 10000, output: 800, read: 6000, write: 1000),
            #"{"type":"session.resume","timestamp":"2026-03-02T12:00:00.000Z","id":"e4","data":{"context":{"cwd":"/work/app","gitRoot":"/work/app"}}}"#,
            shutdown(
                "2026-03-02T12:30:00.000Z", input: 15000, output: 1000, read: 9000, write: 1000,
                extra:
                    #","gpt-5":{"requests":{"count":1,"cost":1},"usage":{"inputTokens":300,"outputTokens":40,"cacheReadTokens":0,"cacheWriteTokens":0}}"#
            ),
            // The same totals written again (a second shutdown with nothing new): nothing more.
            shutdown("2026-03-02T12:31:00.000Z", input: 15000, output: 1000, read: 9000, write: 1000),
        ]
        folder.write("session-state/c0p1/events.jsonl", lines.joined(separator: "\n") + "\n")
        #expect(UsageFormat.detect(path: folder.file("session-state/c0p1/events.jsonl")) == .copilotCLI)
        let batch = try load([folder.file("session-state/c0p1/events.jsonl")])
        let records = batch.records.sorted { ($0.timestamp, $0.model) < ($1.timestamp, $1.model) }
        try #require(records.count == 3)
        // First: 10000 − 6000 − 1000 uncached. Then +5000 input of which +3000 cache read.
        #expect(records.map(\.input) == [3000, 2000, 300])
        #expect(records.map(\.cacheRead) == [6000, 3000, 0])
        #expect(records.map(\.cacheWrite) == [1000, 0, 0])
        #expect(records.map(\.output) == [800, 200, 40])
        #expect(records.allSatisfy { $0.session == "c0p1" && $0.repository == "/work/app" && $0.agent == "copilot-cli" })
        #expect(records.map(\.model) == ["claude-sonnet-4.5", "claude-sonnet-4.5", "gpt-5"])
    }

    // MARK: Amp

    @Test func ampReadsMessageUsageOrElseTheLedgerNeverBoth() throws {
        let folder = ScratchDirectory("amp")
        folder.write(
            "threads/T-1.json",
            """
            {"v": 12, "id": "T-1", "created": 1772445600000,
             "env": {"initial": {"trees": [{"displayName": "app", "uri": "file:///work/app"}]}},
             "messages": [
               {"role": "user", "messageId": 0, "content": [{"type": "text", "text": "\(Self.marker)"}]},
               {"role": "assistant", "messageId": 1, "content": [{"type": "text", "text": "\(Self.marker)"}],
                "usage": {"model": "claude-sonnet-4-5", "timestamp": "2026-03-02T10:00:05.000Z", "inputTokens": 12, "outputTokens": 340,
                          "cacheCreationInputTokens": 5000, "cacheReadInputTokens": 20000, "totalTokens": 25352}}
             ],
             "usageLedger": {"events": [{"id": "ev-1", "timestamp": "2026-03-02T10:00:05.000Z", "model": "claude-sonnet-4-5",
                                         "tokens": {"input": 25012, "output": 340, "total": 25352}, "credits": 3, "toMessageId": 1}]}}
            """)
        folder.write(
            "threads/T-2.json",
            """
            {"id": "T-2", "created": 1772445600000, "messages": [],
             "usageLedger": {"events": [{"id": "ev-9", "timestamp": "2026-03-02T11:00:00.000Z", "model": "gpt-5", "tokens": {"input": 100, "output": 9, "total": 109}, "credits": 1}]}}
            """)
        let batch = try load([folder.file("threads")])
        let records = batch.records.sorted { $0.key < $1.key }
        try #require(records.count == 2)
        #expect(records.map(\.total) == [25352, 109])
        #expect((records[0].input, records[0].cacheWrite, records[0].cacheRead, records[0].output) == (12, 5000, 20000, 340))
        #expect(records[0].repository == "/work/app" && records[0].session == "T-1" && records[0].agent == "amp")
        #expect(records.allSatisfy { $0.costUSD == nil })  // credits are not dollars
    }

    // MARK: Cursor

    @Test func cursorCSVExportAndAdminEvents() throws {
        let folder = ScratchDirectory("cursor")
        folder.write(
            "ada@example.test/usage-events.csv",
            """
            Date,Kind,Model,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Cost
            2026-03-02T10:15:00.000Z,Included in Pro,claude-4.5-sonnet,1500,1000,20000,400,21900,Included
            "2026-03-02T10:20:00.000Z",Usage-based,gpt-5,300,300,0,50,350,$0.02

            """)
        folder.write(
            "events.json",
            """
            {"totalUsageEventsCount": 1, "usageEvents": [
              {"timestamp": "1772446800000", "model": "claude-4.5-sonnet", "kind": "Usage-based", "maxMode": false, "requestsCosts": 1,
               "isTokenBasedCall": true, "tokenUsage": {"inputTokens": 120, "outputTokens": 30, "cacheWriteTokens": 10, "cacheReadTokens": 900, "totalCents": 4.5},
               "userEmail": "Bo@Example.test"}],
             "pagination": {"numPages": 1, "currentPage": 1, "pageSize": 100, "hasNextPage": false}}
            """)
        #expect(UsageFormat.detect(path: folder.file("ada@example.test/usage-events.csv")) == .cursor)
        #expect(UsageFormat.detect(path: folder.file("events.json")) == .cursor)
        let batch = try load([folder.path])
        let records = batch.records.sorted { $0.timestamp < $1.timestamp }
        try #require(records.count == 3)
        #expect((records[0].input, records[0].cacheWrite, records[0].cacheRead, records[0].output) == (1000, 500, 20000, 400))
        #expect(records[0].costUSD == nil && records[0].actor == "ada@example.test")
        #expect(records[1].costUSD == Decimal(string: "0.02"))
        #expect((records[2].input, records[2].cacheWrite, records[2].cacheRead, records[2].output) == (120, 10, 900, 30))
        #expect(records[2].costUSD == Decimal(string: "0.045") && records[2].actor == "bo@example.test")
        #expect(records.allSatisfy { $0.session == nil && $0.agent == "cursor" })
        // An overlapping export read again adds nothing.
        #expect(try load([folder.path, folder.file("events.json")]).records.count == 3)
    }

    // MARK: OpenCode

    static let openCodeSchema = [
        "CREATE TABLE project (id TEXT PRIMARY KEY, worktree TEXT NOT NULL)",
        "CREATE TABLE session (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, parent_id TEXT, slug TEXT, directory TEXT NOT NULL, title TEXT, version TEXT, time_created INTEGER, time_updated INTEGER)",
        "CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, time_created INTEGER, time_updated INTEGER, data TEXT NOT NULL)",
        "CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT NOT NULL, session_id TEXT NOT NULL, time_created INTEGER, time_updated INTEGER, data TEXT NOT NULL)",
    ]

    /// An OpenCode message id for a time: `msg_` + 12 hex digits of (ms × 4096 + 1), cut to 48 bits.
    static func openCodeID(_ prefix: String, milliseconds: Int64, suffix: String) -> String {
        let value = UInt64(milliseconds) &* 0x1000 &+ 1
        let hex = String(value & 0xFFFF_FFFF_FFFF, radix: 16)
        return prefix + "_" + String(repeating: "0", count: 12 - hex.count) + hex + suffix
    }

    @Test func openCodeSumsStepPartsSkipsForkCopiesAndMergesTheJSONStoreById() throws {
        let home = ScratchDirectory("opencode")
        let created: Int64 = 1_772_445_600_000
        let original = Self.openCodeID("msg", milliseconds: created, suffix: "AbCdEfGhIjKlMn")
        let single = Self.openCodeID("msg", milliseconds: created + 60_000, suffix: "ZyXwVuTsRqPoNm")
        let copy = Self.openCodeID("msg", milliseconds: created + 3_600_000, suffix: "ForkForkForkFo")
        func message(_ id: String, session: String, created: Int64, tokens: String, cost: Double) -> String {
            #"{"id":"\#(id)","sessionID":"\#(session)","role":"assistant","time":{"created":\#(created),"completed":\#(created + 9000)},"parentID":"msg_user","modelID":"claude-sonnet-4-5","providerID":"anthropic","mode":"build","path":{"cwd":"/work/app/src","root":"/work/app"},"cost":\#(cost),"tokens":\#(tokens)}"#
        }
        // The message's tokens are the last step's (overwritten); its cost is the sum.
        let lastStep = #"{"input":50,"output":70,"reasoning":0,"cache":{"read":3000,"write":0}}"#
        let step1 =
            #"{"id":"prt_1","messageID":"\#(original)","sessionID":"ses_a","type":"step-finish","reason":"tool-calls","cost":0.01,"tokens":{"input":100,"output":30,"reasoning":20,"cache":{"read":2000,"write":500}}}"#
        let step2 =
            #"{"id":"prt_2","messageID":"\#(original)","sessionID":"ses_a","type":"step-finish","reason":"stop","cost":0.02,"tokens":\#(lastStep)}"#
        let text = #"{"id":"prt_0","messageID":"\#(original)","sessionID":"ses_a","type":"text","text":"\#(Self.marker) step-finish in prose"}"#
        // A message without step parts, whose total shows input including the cache.
        let inclusive = #"{"total":1120,"input":1000,"output":100,"reasoning":20,"cache":{"read":800,"write":0}}"#
        let sql = { (text: String) in text.replacingOccurrences(of: "'", with: "''") }
        try Self.database(
            home.file(".local/share/opencode/opencode.db"),
            Self.openCodeSchema + [
                "INSERT INTO session VALUES ('ses_a', 'p', NULL, 's', '/work/app', 't', '1.2.0', \(created), \(created))",
                "INSERT INTO session VALUES ('ses_f', 'p', NULL, 's', '/work/app', 't', '1.2.0', \(created), \(created))",
                "INSERT INTO message VALUES ('\(original)', 'ses_a', \(created), \(created), '\(sql(message(original, session: "ses_a", created: created, tokens: lastStep, cost: 0.03)))')",
                "INSERT INTO message VALUES ('\(single)', 'ses_a', \(created), \(created), '\(sql(message(single, session: "ses_a", created: created + 60_000, tokens: inclusive, cost: 0.5)))')",
                "INSERT INTO message VALUES ('\(copy)', 'ses_f', \(created), \(created), '\(sql(message(copy, session: "ses_f", created: created, tokens: lastStep, cost: 0.03)))')",
                "INSERT INTO message VALUES ('msg_user', 'ses_a', \(created), \(created), '{\"role\":\"user\",\"time\":{\"created\":\(created)},\"summary\":{\"title\":\"\(Self.marker)\"}}')",
                "INSERT INTO part VALUES ('prt_0', '\(original)', 'ses_a', \(created), \(created), '\(sql(text))')",
                "INSERT INTO part VALUES ('prt_1', '\(original)', 'ses_a', \(created), \(created), '\(sql(step1))')",
                "INSERT INTO part VALUES ('prt_2', '\(original)', 'ses_a', \(created), \(created), '\(sql(step2))')",
            ])
        // The pre-1.2 JSON store still holds the first message and its parts: merged by id.
        home.write(
            ".local/share/opencode/storage/message/ses_a/\(original).json",
            message(original, session: "ses_a", created: created, tokens: lastStep, cost: 0.03))
        home.write(".local/share/opencode/storage/part/\(original)/prt_1.json", step1)
        home.write(".local/share/opencode/storage/part/\(original)/prt_2.json", step2)
        home.write(
            ".local/share/opencode/storage/session/p/ses_a.json",
            #"{"id":"ses_a","projectID":"p","directory":"/work/app","title":"\#(Self.marker)","time":{"created":1}}"#)
        #expect(UsageFormat.detect(path: home.file(".local/share/opencode/opencode.db")) == .opencode)
        let explicit = try load([home.file(".local/share/opencode")])
        #expect(explicit.notesFree)
        let (batch, _) = try LocalSessions(environment: ["HOME": home.path]).load(for: "/work/app")
        for read in [explicit, batch] {
            let records = read.records.sorted { $0.key < $1.key }
            #expect(records.map(\.key) == [single, "prt_1", "prt_2"])
            // Steps: (100, 30+20, 500, 2000) and (50, 70, 0, 3000); the single message's input held the cache.
            #expect(records.map(\.input) == [200, 100, 50])
            #expect(records.map(\.output) == [120, 50, 70])
            #expect(records.map(\.cacheRead) == [800, 2000, 3000])
            #expect(records.map(\.cacheWrite) == [0, 500, 0])
            #expect(records.map(\.costUSD) == [Decimal(string: "0.5"), Decimal(string: "0.01"), Decimal(string: "0.02")])
            #expect(records.allSatisfy { $0.repository == "/work/app" && $0.session == "ses_a" && $0.agent == "opencode" })
        }
        #expect(try LocalSessions(environment: ["HOME": home.path]).load(for: "/work/other").0.records.isEmpty)
    }

    // MARK: Crush and Goose

    @Test func crushCountsRootSessionCostOnly() throws {
        let project = ScratchDirectory("crush")
        try Self.database(
            project.file(".crush/crush.db"),
            [
                "CREATE TABLE sessions (id TEXT PRIMARY KEY, parent_session_id TEXT, title TEXT NOT NULL, message_count INTEGER NOT NULL DEFAULT 0, prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0, cost REAL NOT NULL DEFAULT 0.0, updated_at INTEGER NOT NULL, created_at INTEGER NOT NULL, summary_message_id TEXT)",
                "CREATE TABLE messages (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, role TEXT NOT NULL, parts TEXT NOT NULL DEFAULT '[]', model TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, finished_at INTEGER, provider TEXT)",
                // The child's 0.25 is already inside the parent's 1.75.
                "INSERT INTO sessions VALUES ('root', NULL, '\(Self.marker)', 6, 41000, 900, 1.75, 1772449200, 1772445600, NULL)",
                "INSERT INTO sessions VALUES ('child', 'root', 'task', 2, 9000, 100, 0.25, 1772447400, 1772446000, NULL)",
                "INSERT INTO messages VALUES ('m1', 'root', 'user', '[{\"text\":\"\(Self.marker)\"}]', NULL, 1772445600, 1772445600, NULL, NULL)",
                "INSERT INTO messages VALUES ('m2', 'root', 'assistant', '[]', 'claude-sonnet-4-5', 1772445700, 1772445700, NULL, 'anthropic')",
            ])
        #expect(UsageFormat.detect(path: project.file(".crush/crush.db")) == .crush)
        let (batch, transcripts) = try LocalSessions(environment: ["HOME": "/nonexistent"]).load(for: project.path)
        #expect(transcripts.map(\.format) == [.crush])
        let record = try #require(batch.records.first)
        #expect(batch.records.count == 1)
        #expect(record.costUSD == Decimal(string: "1.75") && record.total == 0)
        #expect(record.model == "claude-sonnet-4-5" && record.repository == project.path && record.session == "root")
        #expect(record.timestamp == Date(timeIntervalSince1970: 1_772_449_200))
    }

    @Test func gooseReadsAccumulatedSessionTotals() throws {
        let root = ScratchDirectory("goose")
        try Self.database(
            root.file("data/sessions/sessions.db"),
            [
                "CREATE TABLE sessions (id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '', session_type TEXT NOT NULL DEFAULT 'user', working_dir TEXT NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, extension_data TEXT DEFAULT '{}', total_tokens INTEGER, input_tokens INTEGER, output_tokens INTEGER, accumulated_total_tokens INTEGER, accumulated_input_tokens INTEGER, accumulated_output_tokens INTEGER, schedule_id TEXT, recipe_json TEXT, provider_name TEXT, model_config_json TEXT)",
                "INSERT INTO sessions (id, description, working_dir, created_at, updated_at, total_tokens, input_tokens, output_tokens, accumulated_total_tokens, accumulated_input_tokens, accumulated_output_tokens, provider_name, model_config_json) VALUES ('20260302_1', '\(Self.marker)', '/work/app', '2026-03-02 09:00:00', '2026-03-02 10:30:00', 20, 10, 5, 170, 100, 50, 'openai', '{\"model_name\":\"gpt-5\",\"context_limit\":400000}')",
                "INSERT INTO sessions (id, working_dir, created_at, updated_at, accumulated_total_tokens, accumulated_input_tokens, accumulated_output_tokens, model_config_json) VALUES ('20260302_2', '/elsewhere', '2026-03-02 09:00:00', '2026-03-02 09:10:00', 15, 10, 5, '{\"model_name\":\"gpt-5\"}')",
            ])
        #expect(UsageFormat.detect(path: root.file("data/sessions/sessions.db")) == .goose)
        let (batch, _) = try LocalSessions(environment: ["HOME": "/nonexistent", "GOOSE_PATH_ROOT": root.path]).load(for: "/work/app")
        let record = try #require(batch.records.first)
        #expect(batch.records.count == 1)
        // 170 in all: 100 in, 50 out and 20 more (reasoning) counted as output.
        #expect((record.input, record.output) == (100, 70))
        #expect(record.model == "gpt-5" && record.session == "20260302_1" && record.agent == "goose")
        #expect(record.timestamp == Timestamp.parse("2026-03-02T10:30:00Z"))
        #expect(try load([root.file("data/sessions/sessions.db")]).records.count == 2)
    }

    // MARK: Malformed input

    @Test func badLinesOfTheNewReadersAreCountedNotFatal() throws {
        let folder = ScratchDirectory("malformed")
        folder.write(
            "gemini.jsonl",
            """
            {"sessionId":"g","projectHash":"h"}
            {"id":"a","timestamp":"2026-03-02T08:00:00Z","type":"gemini","model":"m","tokens":{"input":-5,"output":1,"cached":0}}
            {"id":"b","timestamp":"2026-03-02T08:00:01Z","type":"gemini","model":"m","tokens":{"input":5,"output":1,"cached":0}}
            """)
        folder.write(
            "qwen.jsonl",
            """
            {"uuid":"q1","sessionId":"s","timestamp":"2026-03-02T08:00:00Z","type":"assistant","cwd":"/w","usageMetadata":{"promptTokenCount":"many"},"model":"m"}
            {"uuid":"q2","sessionId":"s","timestamp":"2026-03-02T08:00:00Z","type":"assistant","cwd":"/w","usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1},"model":"m"}
            {"uuid":"q3","sessionId":"s","type":"assistant","usageMetadata":{"promptTok
            """)
        folder.write(
            "copilot.jsonl",
            """
            {"type":"session.start","timestamp":"2026-03-02T08:00:00Z","data":{"sessionId":"c"}}
            {"type":"session.shutdown","timestamp":"not a time","data":{"modelMetrics":{"m":{"usage":{"inputTokens":4,"outputTokens":1}}}}}
            {"type":"session.shutdown","timestamp":"2026-03-02T09:00:00Z","data":{"modelMetrics":{"m":{"usage":{"inputTokens":4,"outputTokens":1}}}}}
            """)
        let batch = try load([folder.file("gemini.jsonl"), folder.file("qwen.jsonl"), folder.file("copilot.jsonl")])
        #expect(batch.records.map(\.total).sorted() == [4, 5, 6])
        #expect(batch.malformedCount == 4)
        #expect(batch.malformed.map(\.reason).contains { $0.contains("negative") })
        #expect(batch.malformed.map(\.reason).contains { $0.contains("truncated") })
    }

    // MARK: Detection and privacy

    @Test func everyNewAgentIsDetectedByContent() throws {
        let folder = ScratchDirectory("detect")
        folder.write("g.jsonl", #"{"sessionId":"s","projectHash":"h","startTime":"2026-03-02T08:00:00Z","lastUpdated":"2026-03-02T08:00:00Z"}"#)
        folder.write(
            "q.jsonl",
            #"{"uuid":"u","parentUuid":null,"sessionId":"s","timestamp":"2026-03-02T08:00:00Z","type":"user","cwd":"/w","version":"1","message":{"role":"user","parts":[{"text":"hi"}]}}"#
        )
        folder.write("c.jsonl", #"{"type":"session.start","timestamp":"2026-03-02T08:00:00Z","data":{"sessionId":"s","context":{"cwd":"/w"}}}"#)
        folder.write("a.json", #"{"id":"T-1","created":1,"messages":[]}"#)
        folder.write("o.json", #"{"id":"msg_1","sessionID":"ses_1","role":"assistant","modelID":"m","time":{"created":1}}"#)
        let expected: [String: UsageFormat] = [
            "g.jsonl": .geminiCLI, "q.jsonl": .qwenCode, "c.jsonl": .copilotCLI, "a.json": .amp, "o.json": .opencode,
        ]
        for (file, format) in expected {
            #expect(UsageFormat.detect(path: folder.file(file)) == format, "\(file)")
        }
        // Claude Code's own lines are still Claude Code's.
        folder.write("claude.jsonl", ReaderTests.claudeLine(id: "m", request: "r", time: "2026-03-02T08:00:00Z", input: 1, output: 1))
        #expect(UsageFormat.detect(path: folder.file("claude.jsonl")) == .claudeCode)
    }
}

extension UsageBatch {
    /// No malformed lines.
    var notesFree: Bool { malformedCount == 0 }
}
