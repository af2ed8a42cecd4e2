import Foundation
import ShipmeterTestSupport
import Testing

@testable import Usage

/// Fixtures written from the sources' documented shapes; totals are checked to the token.
@Suite struct ReaderTests {
    static let marker = "SECRET-PROMPT-MARKER-7f3a"

    static func claudeLine(
        id: String, request: String, session: String = "sess-1", cwd: String = "/work/app", time: String,
        input: Int, output: Int, write: Int = 0, read: Int = 0, write1h: Int = 0, model: String = "claude-sonnet-4-5-20250929",
        sidechain: Bool = false
    ) -> String {
        """
        {"parentUuid":"p","isSidechain":\(sidechain),"userType":"external","cwd":"\(cwd)","sessionId":"\(session)","version":"2.0.14","gitBranch":"main","message":{"id":"\(id)","type":"message","role":"assistant","model":"\(model)","content":[{"type":"text","text":"\(marker) response text"}],"stop_reason":null,"usage":{"input_tokens":\(input),"cache_creation_input_tokens":\(write),"cache_read_input_tokens":\(read),"cache_creation":{"ephemeral_5m_input_tokens":\(write - write1h),"ephemeral_1h_input_tokens":\(write1h)},"output_tokens":\(output),"service_tier":"standard"}},"requestId":"\(request)","type":"assistant","uuid":"u-\(id)-\(output)","timestamp":"\(time)"}
        """
    }

    static func claudeUserLine(_ text: String) -> String {
        #"{"parentUuid":null,"isSidechain":false,"cwd":"/work/app","sessionId":"sess-1","type":"user","message":{"role":"user","content":"\#(text)"},"uuid":"u0","timestamp":"2026-03-02T08:00:00.000Z"}"#
    }

    func load(_ files: [String: String], format: UsageFormat? = nil) throws -> UsageBatch {
        let folder = ScratchDirectory()
        for (name, text) in files { folder.write(name, text) }
        return try UsageLoader(format: format).load(files.keys.sorted().map(folder.file)).0
    }

    @Test func claudeCodeTranscriptDeduplicatesAndSkipsSyntheticAndOtherLines() throws {
        let transcript =
            [
                #"{"type":"summary","summary":"Fix the thing","leafUuid":"l1"}"#,
                Self.claudeUserLine("\(Self.marker) please fix it; usage of \\\"usage\\\" in text"),
                // One message split over two lines with the same usage: counted once.
                Self.claudeLine(
                    id: "msg_1", request: "req_1", time: "2026-03-02T08:00:01.000Z", input: 10, output: 100, write: 1000, read: 5000, write1h: 400),
                Self.claudeLine(
                    id: "msg_1", request: "req_1", time: "2026-03-02T08:00:02.000Z", input: 10, output: 100, write: 1000, read: 5000, write1h: 400),
                Self.claudeLine(id: "msg_2", request: "req_2", time: "2026-03-02T08:01:00.000Z", input: 3, output: 7, read: 20),
                Self.claudeLine(id: "msg_3", request: "req_3", time: "2026-03-02T08:02:00.000Z", input: 1, output: 1, model: "<synthetic>"),
            ].joined(separator: "\n") + "\n"
        // Sub-agent transcript: counts under its parent session.
        let agent =
            Self.claudeLine(id: "msg_9", request: "req_9", session: "sess-1", time: "2026-03-02T08:03:00Z", input: 5, output: 50, sidechain: true)
            + "\n"
        let batch = try load(["sess-1.jsonl": transcript, "agent-abc.jsonl": agent])
        #expect(batch.records.count == 3)
        #expect(batch.duplicates == 1)
        #expect(batch.records.reduce(0) { $0 + $1.input } == 18)
        #expect(batch.records.reduce(0) { $0 + $1.output } == 157)
        #expect(batch.records.reduce(0) { $0 + $1.cacheWrite } == 1000)
        #expect(batch.records.reduce(0) { $0 + $1.cacheRead } == 5020)
        let first = try #require(batch.records.first { $0.key == "msg_1:req_1" })
        #expect(first.session == "sess-1")
        #expect(first.repository == "/work/app")
        #expect(first.branch == "main")
        #expect(first.agent == "claude-code")
        #expect(first.cacheWrite1h == 400)
        #expect(Set(batch.records.compactMap(\.session)) == ["sess-1"])
        #expect(batch.malformedCount == 0)
    }

    @Test func malformedTruncatedNonUTF8AndEmptyInputsAreCountedNotFatal() throws {
        var transcript = Data((Self.claudeLine(id: "m1", request: "r1", time: "2026-03-02T08:00:00Z", input: 1, output: 2) + "\n").utf8)
        transcript.append(Data(#"{"type":"assistant","message":{"usage":{"input_tokens":-5}}, "#.utf8))
        transcript.append(contentsOf: [0xFF, 0xFE])
        transcript.append(Data("\n".utf8))
        transcript.append(Data((Self.claudeLine(id: "m2", request: "r2", time: "2026-03-02T08:00:00Z", input: -4, output: 2) + "\n").utf8))
        transcript.append(
            Data((Self.claudeLine(id: "m3", request: "r3", time: "2026-03-02T08:00:00Z", input: 2_000_000_000_000, output: 2) + "\n").utf8))
        transcript.append(Data(Self.claudeLine(id: "m4", request: "r4", time: "2026-03-02T08:00:00Z", input: 1, output: 2).prefix(120).utf8))
        let folder = ScratchDirectory()
        folder.write("t.jsonl", transcript)
        folder.write("empty.jsonl", "")
        let (batch, _) = try UsageLoader(format: .claudeCode).load([folder.file("t.jsonl"), folder.file("empty.jsonl")])
        #expect(batch.records.count == 1)
        #expect(batch.records.first?.output == 2)
        #expect(batch.malformedCount == 4)
        #expect(batch.malformed.map(\.line) == [2, 3, 4, 5])
        #expect(batch.malformed[1].reason.contains("negative"))
        #expect(batch.malformed[2].reason.contains("absurd"))
        #expect(batch.malformed[3].reason.contains("truncated"))
        let summary = try #require(batch.malformedSummary)
        #expect(summary.hasPrefix("skipped 4 malformed lines; first: \(folder.file("t.jsonl")):2:"))
    }

    /// A numeric timestamp beyond year 9999 (found by fuzzing the canonical reader, which hashed
    /// it into a derived key and trapped writing it) is a malformed line; epoch seconds,
    /// milliseconds and nanoseconds still read.
    @Test func timestampsBeyondYear9999AreMalformedNotFatal() throws {
        let folder = ScratchDirectory()
        let line = { (time: String) in #"{"timestamp":\#(time),"model":"m","input":1,"output":\#(time.count),"cache_write":0,"cache_read":0}"# }
        folder.write(
            "u.jsonl",
            [
                line("2" + String(repeating: "8", count: 40)), line("\"20888888888888888888888888886\""), line("1772438400"),
                line("1772438400000"), line("1772438400000000000"), line("-1e300"),
            ].joined(separator: "\n") + "\n")
        let (batch, _) = try UsageLoader(format: .jsonl).load([folder.file("u.jsonl")])
        #expect(batch.malformedCount == 3)
        #expect(batch.malformed.allSatisfy { $0.reason.contains("a time outside 1970–9999") }, "\(batch.malformed)")
        #expect(batch.records.map { Timestamp.iso8601($0.timestamp) } == Array(repeating: "2026-03-02T08:00:00Z", count: 3))
        #expect(Timestamp.iso8601(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59Z")
    }

    /// An agent killed while writing a large tool result leaves a line cut before the word
    /// `usage`: in the middle (the agent resumed and appended) or at the end (no newline, or a
    /// newline the next writer added). Each is a malformed line, whichever transcript format.
    @Test func linesCutBeforeTheirUsageAreReportedAsTruncated() throws {
        let toolResult =
            ##"{"type":"user","sessionId":"sess-1","message":{"role":"user","content":[{"type":"tool_result","content":"# a very long file that was being written when the agent was kill"##
        let claude =
            [
                Self.claudeLine(id: "m1", request: "r1", time: "2026-03-02T08:00:00Z", input: 1, output: 2),
                toolResult,  // cut, then the resumed session appended after a newline
                Self.claudeLine(id: "m2", request: "r2", time: "2026-03-02T08:01:00Z", input: 3, output: 4),
                "   ",
                toolResult + "\t ",
            ].joined(separator: "\n") + "\n" + toolResult  // and cut at the very end
        let batch = try load(["t.jsonl": claude], format: .claudeCode)
        #expect(batch.records.map(\.output).sorted() == [2, 4])
        #expect(batch.malformed.map(\.line) == [2, 5, 6])
        #expect(batch.malformed.allSatisfy { $0.reason == "truncated line" })

        let codexCut = #"{"timestamp":"2026-03-02T09:00:01.500Z","type":"response_item","payload":{"type":"function_call_output","output":"long outp"#
        let codex =
            [
                #"{"timestamp":"2026-03-02T09:00:00.000Z","type":"session_meta","payload":{"id":"0199-codex","cwd":"/work/app"}}"#,
                codexCut,
            ].joined(separator: "\n") + "\n"
        let codexBatch = try load(["rollout-2026-03-02T09-00-00-0199.jsonl": codex], format: .codex)
        #expect(codexBatch.malformed.map(\.line) == [2])

        // A complete line without usage stays silent: only cut lines are reported.
        let whole = try load(["t.jsonl": Self.claudeUserLine("done") + "\n"], format: .claudeCode)
        #expect(whole.malformedCount == 0)
    }

    @Test func codexCumulativeTotalsBecomeIncreasesWithCachedInputSplitOut() throws {
        func count(_ input: Int, _ cached: Int, _ output: Int, at second: Int) -> String {
            #"{"timestamp":"2026-03-02T09:00:\#(String(format: "%02d", second)).000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":\#(input),"cached_input_tokens":\#(cached),"output_tokens":\#(output),"reasoning_output_tokens":0,"total_tokens":\#(input + output)},"last_token_usage":{"input_tokens":0,"cached_input_tokens":0,"output_tokens":0,"reasoning_output_tokens":0,"total_tokens":0},"model_context_window":272000},"rate_limits":null}}"#
        }
        let lines = [
            #"{"timestamp":"2026-03-02T09:00:00.000Z","type":"session_meta","payload":{"id":"0199-codex","timestamp":"2026-03-02T09:00:00.000Z","cwd":"/work/app","originator":"codex_cli_rs","cli_version":"0.46.0","instructions":"\#(Self.marker)","git":{"commit_hash":"abc","branch":"feature","repository_url":"git@example.test:acme/app.git"}}}"#,
            #"{"timestamp":"2026-03-02T09:00:01.000Z","type":"turn_context","payload":{"cwd":"/work/app","approval_policy":"on-request","model":"gpt-5-codex","summary":"auto"}}"#,
            #"{"timestamp":"2026-03-02T09:00:01.500Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"\#(Self.marker)"}]}}"#,
            #"{"timestamp":"2026-03-02T09:00:02.000Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":null}}"#,
            count(1000, 200, 50, at: 3),
            count(1000, 200, 50, at: 4),  // repeated total: no new usage
            count(2500, 1200, 80, at: 5),
            count(2500, 1200, 80, at: 6),
        ]
        let batch = try load(["rollout-2026-03-02T09-00-00-0199.jsonl": lines.joined(separator: "\n") + "\n"])
        #expect(batch.records.count == 2)
        let sorted = batch.records.sorted { $0.timestamp < $1.timestamp }
        #expect(sorted.map(\.input) == [800, 500])
        #expect(sorted.map(\.cacheRead) == [200, 1000])
        #expect(sorted.map(\.output) == [50, 30])
        #expect(
            sorted.allSatisfy { $0.session == "0199-codex" && $0.model == "gpt-5-codex" && $0.branch == "feature" && $0.repository == "/work/app" })
        #expect(batch.records.reduce(0) { $0 + $1.total } == 2580)
    }

    static func attribute(_ key: String, _ value: String) -> String { #"{"key":"\#(key)","value":{"stringValue":"\#(value)"}}"# }
    static func intAttribute(_ key: String, _ value: Int) -> String { #"{"key":"\#(key)","value":{"intValue":"\#(value)"}}"# }

    /// Gemini CLI's `gemini_cli.api_response` and Codex's `codex.sse_event` (`response.completed`)
    /// carry token counts per model response: read with the counts as their file readers read them.
    @Test func otelReadsGeminiAndCodexResponseEvents() throws {
        func event(_ name: String, _ attributes: [String], nanos: String) -> String {
            #"{"timeUnixNano":"\#(nanos)","body":{"stringValue":"\#(name)"},"attributes":[\#(Self.attribute("event.name", name)),\#(attributes.joined(separator: ","))]}"#
        }
        let logs =
            #"{"resourceLogs":[{"resource":{"attributes":[\#(Self.attribute("service.name", "gemini-cli"))]},"scopeLogs":[{"logRecords":["#
            + [
                event(
                    "gemini_cli.api_response",
                    [
                        Self.attribute("session.id", "g-1"), Self.attribute("user.email", "gil@acme.test"), Self.attribute("model", "gemini-2.5-pro"),
                        Self.intAttribute("input_token_count", 5000), Self.intAttribute("cached_content_token_count", 4000),
                        Self.intAttribute("output_token_count", 300), Self.intAttribute("thoughts_token_count", 200),
                        Self.intAttribute("tool_token_count", 10), Self.intAttribute("total_token_count", 5510),
                    ],
                    nanos: "1772442000000000000"),
                event(
                    "gemini_cli.api_request", [Self.attribute("session.id", "g-1"), Self.attribute("model", "gemini-2.5-pro")],
                    nanos: "1772441999000000000"),
                event(
                    "codex.sse_event",
                    [
                        Self.attribute("conversation.id", "c-1"), Self.attribute("model", "gpt-5-codex"),
                        Self.attribute("event.kind", "response.completed"),
                        Self.attribute("input_token_count", "9000"), Self.attribute("cached_token_count", "6000"),
                        Self.attribute("output_token_count", "700"),
                        Self.attribute("reasoning_token_count", "500"), Self.attribute("tool_token_count", "0"),
                    ],
                    nanos: "1772442060000000000"),
                event(
                    "codex.sse_event", [Self.attribute("conversation.id", "c-1"), Self.attribute("event.kind", "response.output_item.done")],
                    nanos: "1772442059000000000"),
            ].joined(separator: ",") + "]}]}]}"
        let batch = try load(["otel-agents.jsonl": logs + "\n"])
        #expect(batch.records.count == 2 && batch.malformedCount == 0)
        let gemini = try #require(batch.records.first { $0.agent == "gemini-cli" })
        #expect([gemini.input, gemini.output, gemini.cacheRead] == [1010, 500, 4000] && gemini.session == "g-1" && gemini.actor == "gil@acme.test")
        let codex = try #require(batch.records.first { $0.agent == "codex" })
        #expect([codex.input, codex.output, codex.cacheRead] == [3000, 700, 6000] && codex.session == "c-1" && codex.model == "gpt-5-codex")
        // The same events again (an exporter's retry, or a second file) are the same records.
        let twice = try load(["a.jsonl": logs + "\n", "b.jsonl": logs + "\n"])
        #expect(twice.records.count == 2)
    }

    @Test func otelPrefersApiRequestEventsAndReadsCommitLinks() throws {
        let resource = #"{"attributes":[\#(Self.attribute("service.name", "claude-code")),\#(Self.attribute("team.id", "platform"))]}"#
        func event(_ name: String, _ attributes: [String], nanos: String) -> String {
            #"{"timeUnixNano":"\#(nanos)","body":{"stringValue":"claude_code.\#(name)"},"attributes":[\#(Self.attribute("event.name", name)),\#(attributes.joined(separator: ","))]}"#
        }
        let logs =
            #"{"resourceLogs":[{"resource":\#(resource),"scopeLogs":[{"scope":{"name":"com.anthropic.claude_code.events"},"logRecords":["#
            + [
                event(
                    "api_request",
                    [
                        Self.attribute("session.id", "s-otel"), Self.attribute("user.email", "dana@acme.test"),
                        Self.attribute("model", "claude-opus-4-1"),
                        Self.attribute("input_tokens", "12"), Self.attribute("output_tokens", "340"), Self.attribute("cache_read_tokens", "9000"),
                        Self.attribute("cache_creation_tokens", "600"), Self.attribute("cost_usd", "0.0421"), Self.attribute("request_id", "req_a"),
                    ],
                    nanos: "1772442000000000000"),
                event(
                    "api_request",
                    [
                        Self.attribute("session.id", "s-otel"), Self.attribute("model", "claude-opus-4-1"), Self.intAttribute("input_tokens", 8),
                        Self.intAttribute("output_tokens", 60), Self.attribute("cost_usd", "0.01"), Self.attribute("request_id", "req_b"),
                    ],
                    nanos: "1772442060000000000"),
                event(
                    "tool_result",
                    [
                        Self.attribute("session.id", "s-otel"), Self.attribute("tool_name", "Bash"),
                        Self.attribute("git_commit_id", "0123456789abcdef0123456789abcdef01234567"),
                    ],
                    nanos: "1772442100000000000"),
                event("user_prompt", [Self.attribute("session.id", "s-otel"), Self.attribute("prompt", Self.marker)], nanos: "1772442000000000000"),
            ].joined(separator: ",") + "]}]}]}"
        func point(_ type: String, _ value: Int, session: String) -> String {
            #"{"attributes":[\#(Self.attribute("session.id", session)),\#(Self.attribute("model", "claude-opus-4-1")),\#(Self.attribute("type", type))],"startTimeUnixNano":"1772441940000000000","timeUnixNano":"1772442000000000000","asDouble":\#(value)}"#
        }
        // Metrics for the same session (ignored: events exist) and for a metrics-only session.
        let metrics =
            #"{"resourceMetrics":[{"resource":\#(resource),"scopeMetrics":[{"metrics":[{"name":"claude_code.token.usage","unit":"tokens","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":["#
            + [
                point("input", 20, session: "s-otel"), point("output", 400, session: "s-otel"),
                point("input", 7, session: "s-metrics"), point("output", 70, session: "s-metrics"), point("cacheRead", 700, session: "s-metrics"),
                point("cacheCreation", 7000, session: "s-metrics"),
            ].joined(separator: ",")
            + #"]}},{"name":"claude_code.cost.usage","unit":"USD","sum":{"aggregationTemporality":1,"dataPoints":[{"attributes":[\#(Self.attribute("session.id", "s-metrics")),\#(Self.attribute("model", "claude-opus-4-1"))],"timeUnixNano":"1772442000000000000","asDouble":0.5}]}}]}]}]}"#
        let batch = try load(["otel-logs.jsonl": logs + "\n", "otel-metrics.jsonl": metrics + "\n"])
        let events = batch.records.filter { $0.session == "s-otel" }
        #expect(events.count == 2)
        #expect(events.reduce(Int64(0)) { $0 + $1.total } == 10_020)
        #expect(events.compactMap(\.costUSD).reduce(0, +) == Decimal(string: "0.0521"))
        #expect(events.first { $0.key == "req_a" }?.actor == "dana@acme.test")
        let metricOnly = batch.records.filter { $0.session == "s-metrics" }
        #expect(metricOnly.count == 1)
        #expect(metricOnly.first.map { [$0.input, $0.output, $0.cacheRead, $0.cacheWrite] } == [7, 70, 700, 7000])
        #expect(metricOnly.first?.costUSD == Decimal(string: "0.5"))
        #expect(
            batch.links == [
                SessionCommitLink(
                    session: "s-otel", commit: "0123456789abcdef0123456789abcdef01234567", time: Date(timeIntervalSince1970: 1_772_442_100))
            ])
    }

    @Test func claudeCodeAnalyticsCostIsInCents() throws {
        let report = """
            {
              "data": [
                {
                  "date": "2026-03-02T00:00:00Z",
                  "actor": {"type": "user_actor", "email_address": "erin@acme.test"},
                  "organization_id": "org-1", "customer_type": "api", "terminal_type": "vscode",
                  "core_metrics": {"num_sessions": 3, "lines_of_code": {"added": 10, "removed": 2}, "commits_by_claude_code": 1, "pull_requests_by_claude_code": 0},
                  "tool_actions": {},
                  "model_breakdown": [
                    {"model": "claude-sonnet-4-5-20250929", "tokens": {"input": 100, "output": 2000, "cache_read": 30000, "cache_creation": 4000}, "estimated_cost": {"currency": "USD", "amount": 186}},
                    {"model": "claude-haiku-4-5", "tokens": {"input": 5, "output": 6, "cache_read": 7, "cache_creation": 8}, "estimated_cost": {"currency": "USD", "amount": 1}}
                  ]
                }
              ],
              "has_more": false, "next_page": null
            }
            """
        let batch = try load(["analytics.json": report])
        #expect(batch.records.count == 2)
        #expect(batch.records.map(\.costUSD) == [Decimal(string: "1.86"), Decimal(string: "0.01")])
        #expect(batch.records.allSatisfy { $0.actor == "erin@acme.test" && $0.granularity == .day && $0.source == "claude-code-analytics" })
        #expect(batch.records.reduce(0) { $0 + $1.total } == 36_126)
    }

    @Test func anthropicUsageReportBothCacheCreationForms() throws {
        let report = """
            {"data":[{"starting_at":"2026-03-02T00:00:00Z","ending_at":"2026-03-03T00:00:00Z","results":[
              {"uncached_input_tokens":1500,"cache_creation":{"ephemeral_1h_input_tokens":1000,"ephemeral_5m_input_tokens":500},"cache_read_input_tokens":200,"output_tokens":500,"server_tool_use":{"web_search_requests":0},"api_key_id":"apikey_1","workspace_id":"wrkspc_1","model":"claude-sonnet-4-5-20250929","service_tier":"standard","context_window":"0-200k"},
              {"uncached_input_tokens":10,"cache_creation_5m":20,"cache_creation_1h":30,"cache_read_input_tokens":40,"output_tokens":50,"api_key_id":"apikey_2","workspace_id":null,"model":"claude-opus-4-1"}
            ]}],"has_more":false,"next_page":null}
            """
        let batch = try load(["anthropic.json": report])
        #expect(batch.records.count == 2)
        let first = try #require(batch.records.first { $0.model.hasPrefix("claude-sonnet") })
        #expect([first.input, first.cacheWrite, first.cacheWrite1h, first.cacheRead, first.output] == [1500, 1500, 1000, 200, 500])
        let second = try #require(batch.records.first { $0.model == "claude-opus-4-1" })
        #expect([second.input, second.cacheWrite, second.cacheWrite1h, second.cacheRead, second.output] == [10, 50, 30, 40, 50])
        // Priced from the table: 1h writes at twice the input price.
        var priced = batch
        priced.price(with: .bundled)
        let cost = try #require(priced.records.first { $0.model.hasPrefix("claude-sonnet") }?.costUSD)
        // 1500×3 + 500×15 + 500×3.75 + 1000×6 + 200×0.3 per million
        #expect(cost == Decimal(string: "0.019935"))
    }

    @Test func openAIUsageSplitsCachedInputOut() throws {
        let page = """
            {"object":"page","data":[{"object":"bucket","start_time":1772409600,"end_time":1772496000,"results":[
              {"object":"organization.usage.completions.result","input_tokens":5000,"output_tokens":300,"input_cached_tokens":4000,"input_audio_tokens":0,"output_audio_tokens":0,"num_model_requests":12,"project_id":"proj_1","user_id":"user-abc","api_key_id":"key_1","model":"gpt-4.1","batch":false}
            ]}],"has_more":false,"next_page":null}
            """
        let batch = try load(["openai.json": page])
        let record = try #require(batch.records.first)
        #expect([record.input, record.cacheRead, record.output] == [1000, 4000, 300])
        #expect(record.actor == "user-abc")
        #expect(record.timestamp == Date(timeIntervalSince1970: 1_772_409_600))
    }

    @Test func liteLLMSpendLogsAsJSONAndCSV() throws {
        let json = """
            [{"request_id":"chatcmpl-1","call_type":"acompletion","api_key":"hashed","spend":0.0123,"total_tokens":1300,"prompt_tokens":1200,"completion_tokens":100,"startTime":"2026-03-02T10:00:00.123Z","endTime":"2026-03-02T10:00:02Z","model":"claude-sonnet-4-5","user":"frank@acme.test","team_id":"team-a","session_id":"ls-1","metadata":{"usage_object":{"cache_read_input_tokens":1000,"cache_creation_input_tokens":100}}},
             {"request_id":"chatcmpl-2","spend":0.5,"prompt_tokens":10,"completion_tokens":20,"startTime":"2026-03-02T10:05:00Z","model":"gpt-4o","user":"frank@acme.test","metadata":{}}]
            """
        let csv =
            "request_id,startTime,model,user,team_id,session_id,prompt_tokens,completion_tokens,spend,metadata\r\nchatcmpl-3,2026-03-02T11:00:00Z,gpt-4o,\"grace@acme.test\",team-b,,100,10,0.002,\"{\"\"usage_object\"\": {\"\"prompt_tokens_details\"\": {\"\"cached_tokens\"\": 40}}}\"\r\n"
        let batch = try load(["spend.json": json, "spend.csv": csv])
        #expect(batch.records.count == 3)
        let first = try #require(batch.records.first { $0.key == "chatcmpl-1" })
        #expect([first.input, first.cacheRead, first.cacheWrite, first.output] == [100, 1000, 100, 100])
        #expect(first.costUSD == Decimal(string: "0.0123"))
        #expect(first.session == "ls-1")
        let third = try #require(batch.records.first { $0.key == "chatcmpl-3" })
        #expect([third.input, third.cacheRead, third.output] == [60, 40, 10])
        #expect(third.actor == "grace@acme.test")
    }

    @Test func canonicalJSONLAndCSV() throws {
        let jsonl = """
            {"timestamp":"2026-03-02T08:00:00Z","actor":"alice@acme.test","session":"1f3e","agent":"claude-code","model":"claude-sonnet-4-5","input":10,"output":100,"cache_write":1000,"cache_read":5000}
            {"timestamp":"2026-03-02T08:00:00Z","actor":"alice@acme.test","session":"1f3e","agent":"claude-code","model":"claude-sonnet-4-5","input":10,"output":100,"cache_write":1000,"cache_read":5000}
            {"timestamp":"2026-03-02T09:00:00+01:00","model":"gpt-5","input":1,"output":2,"cache_write":0,"cache_read":3,"cost_usd":0.25,"key":"k-1","commit":"abc"}
            {"timestamp":"2026-03-02T09:00:00Z","model":"gpt-5","input":1.5,"output":2,"cache_write":0,"cache_read":3}
            {"timestamp":"2026-03-02T09:00:00Z","model":"gpt-5","input":1}

            """
        let csv = "timestamp,model,input,output,cache_write,cache_read,actor,cost_usd\n2026-03-03,claude-haiku-4-5,7,8,9,10,bob@acme.test,\n"
        let batch = try load(["usage.jsonl": jsonl, "usage.csv": csv])
        #expect(batch.records.count == 3)
        #expect(batch.duplicates == 1)
        #expect(batch.malformedCount == 2)
        #expect(batch.malformed.contains { $0.reason.contains("whole number") })
        #expect(batch.malformed.contains { $0.reason.contains("missing required field") })
        let keyed = try #require(batch.records.first { $0.key == "k-1" })
        #expect(keyed.timestamp == Date(timeIntervalSince1970: 1_772_438_400))
        #expect(keyed.commit == "abc")
        #expect(keyed.costUSD == Decimal(string: "0.25"))
        #expect(keyed.source == "jsonl")
        let row = try #require(batch.records.first { $0.source == "csv" })
        #expect([row.input, row.output, row.cacheWrite, row.cacheRead] == [7, 8, 9, 10])
        #expect(row.actor == "bob@acme.test")
        #expect(row.costUSD == nil)
    }

    /// The fast path for canonical lines gives what the general reader gives, and leaves every
    /// line it does not handle to it.
    @Test(arguments: [
        #"{"timestamp":"2026-03-02T08:00:00Z","actor":"a@x.test","session":"s","agent":"claude-code","model":"m","input":10,"output":100,"cache_write":1000,"cache_read":5000}"#,
        #"{ "model" : "m", "timestamp":"2026-03-02T09:00:00+01:00","input":1,"output":2,"cache_write":0,"cache_read":3,"cost_usd":0.25,"key":"k-1","commit":"abc","extra":{"a":[1,2,"}"]} }"#,
        #"{"timestamp":"2026-03-02T09:00:00Z","model":"m","input":0,"output":0,"cache_write":0,"cache_read":0,"actor":"","branch":null,"cost_usd":null,"repository":"a\"b\u00e9"}"#,
        #"{"timestamp":"2026-03-02T09:00:00Z","model":"m","input":"12","output":2,"cache_write":0,"cache_read":3}"#,
        #"{"timestamp":"2026-03-02T09:00:00Z","model":"m","input":1.0,"output":2,"cache_write":0,"cache_read":3,"cost_usd":"1.5"}"#,
        #"{"timestamp":1772438400,"model":"m","input":1,"output":2,"cache_write":0,"cache_read":3,"cost_usd":1e-3,"source":"otel"}"#,
        #"{"timestamp":"2026-03-02T09:00:00Z","model":"m","input":1,"output":2,"cache_write":0,"cache_read":3,"session":7}"#,
    ])
    func canonicalFastPathAgreesWithTheGeneralReader(_ line: String) throws {
        let bytes = Array(line.utf8)
        let (fast, object) = bytes.withUnsafeBufferPointer { buffer in
            (CanonicalLine.decode(buffer, defaultSource: "jsonl"), SelectiveJSON.decode(buffer, selection: CanonicalReader.selection))
        }
        let general = try CanonicalReader.record(JSONFields(try #require(object)), defaultSource: "jsonl")
        if let fast {
            #expect(fast == general)
        }
        // The lines it must leave to the general reader: string, float or exotic values.
        let handled = fast != nil
        #expect(handled == !(line.contains(#""12""#) || line.contains("1.0,") || line.contains("1e-3") || line.contains(#""session":7"#)))
    }

    @Test func unknownFormatIsAClearErrorNamingTheKnownOnes() throws {
        let folder = ScratchDirectory()
        folder.write("notes.txt", "hello world\n")
        #expect {
            _ = try UsageLoader().load([folder.file("notes.txt")])
        } throws: { error in
            let text = (error as? LocalizedError)?.errorDescription ?? ""
            return text.contains("not a usage format") && text.contains("claude-code") && text.contains("litellm")
        }
    }

    @Test func formatsAreDetectedFromContent() throws {
        let folder = ScratchDirectory()
        folder.write("a.jsonl", Self.claudeLine(id: "m", request: "r", time: "2026-03-02T08:00:00Z", input: 1, output: 1))
        folder.write("b.jsonl", #"{"timestamp":"2026-03-02T09:00:00.000Z","type":"session_meta","payload":{"id":"x","cwd":"/w"}}"#)
        folder.write("c.json", #"{"resourceMetrics":[]}"#)
        folder.write("d.json", #"{"data":[{"date":"2026-03-02","actor":{},"model_breakdown":[]}]}"#)
        folder.write("e.json", #"{"data":[{"starting_at":"2026-03-02T00:00:00Z","results":[]}],"has_more":false}"#)
        folder.write("f.json", #"{"object":"page","data":[{"object":"bucket","start_time":1,"results":[]}]}"#)
        folder.write("g.csv", "request_id,startTime,model,prompt_tokens,completion_tokens,spend\n")
        folder.write("h.csv", "timestamp,model,input,output,cache_write,cache_read\n")
        folder.write("i.jsonl", #"{"timestamp":"2026-03-02T08:00:00Z","model":"m","input":1,"output":1,"cache_write":0,"cache_read":0}"#)
        let expected: [String: UsageFormat] = [
            "a.jsonl": .claudeCode, "b.jsonl": .codex, "c.json": .otel, "d.json": .claudeCodeAnalytics, "e.json": .anthropicUsage,
            "f.json": .openaiUsage, "g.csv": .litellm, "h.csv": .csv, "i.jsonl": .jsonl,
        ]
        for (file, format) in expected {
            #expect(UsageFormat.detect(path: folder.file(file)) == format, "\(file)")
        }
    }

    @Test func pricesUseSourceCostFirstAndNeverSilentlyZero() throws {
        let jsonl = """
            {"timestamp":"2026-03-02T08:00:00Z","model":"claude-sonnet-4-5-20250929","input":1000000,"output":1000000,"cache_write":1000000,"cache_read":1000000}
            {"timestamp":"2026-03-02T08:00:00Z","model":"gpt-4o-mini-2024-07-18","input":1000000,"output":0,"cache_write":0,"cache_read":1000000,"cost_usd":9.5}
            {"timestamp":"2026-03-02T08:00:00Z","model":"mystery-model-9","input":5,"output":5,"cache_write":0,"cache_read":0}
            """
        var batch = try load(["u.jsonl": jsonl])
        let unknown = batch.price(with: .bundled)
        #expect(unknown == ["mystery-model-9"])
        #expect(batch.records.first { $0.model.hasPrefix("claude") }?.costUSD == Decimal(string: "22.05"))
        #expect(batch.records.first { $0.model.hasPrefix("gpt") }?.costUSD == Decimal(string: "9.5"))
        #expect(batch.records.first { $0.model.hasPrefix("mystery") }?.costUSD == nil)
        #expect(PriceTable.bundled.price(for: "gpt-4o-mini-2024-07-18")?.input == Decimal(string: "0.15"))
        #expect(PriceTable.bundled.price(for: "anthropic/claude-opus-4-1")?.output == 75)
        #expect(PriceTable.bundled.price(for: "gpt-4ox") == nil)
    }

    @Test func liteLLMPriceFileIsAccepted() throws {
        let file = """
            {"my-model": {"input_cost_per_token": 2e-06, "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 2e-07, "litellm_provider": "openai", "mode": "chat"},
             "sample_spec": {"max_tokens": "set to max"}}
            """
        let prices = try PriceTable.load(json: Data(file.utf8))
        #expect(prices["my-model"]?.input == 2)
        #expect(prices["my-model"]?.output == 10)
        #expect(prices["my-model"]?.cacheRead == Decimal(string: "0.2"))
        #expect(prices["sample_spec"] == nil)
    }
}
