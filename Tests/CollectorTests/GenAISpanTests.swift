import Foundation
import NIOCore
import SwiftProtobuf
import Testing
import Usage

@testable import Collector
@testable import OTLPWire

/// Token usage on spans, hand-written in the shapes Copilot, Claude Code, Qwen Code, OpenLLMetry
/// and the GenAI conventions (old and new spellings) export, as OTLP JSON: read the same over the
/// wire (JSON and protobuf) and from a file, with hand-computed totals.
@Suite struct GenAISpanTests {
    static let end = "1780000000000000000"  // 2026-05-28T20:26:40Z

    static func attribute(_ key: String, _ value: Any) -> String {
        switch value {
        case let text as String: return #"{"key":"\#(key)","value":{"stringValue":"\#(text)"}}"#
        case let number as Int: return #"{"key":"\#(key)","value":{"intValue":"\#(number)"}}"#
        case let number as Double: return #"{"key":"\#(key)","value":{"doubleValue":\#(number)}}"#
        default: return ""
        }
    }

    static func span(
        _ name: String, trace: String = "5b8efff798038103d269b633813fc60c", id: String, start: String = "1779999999000000000", end: String = end,
        _ attributes: [(String, Any)]
    ) -> String {
        let list = attributes.map { attribute($0.0, $0.1) }.joined(separator: ",")
        return
            #"{"traceId":"\#(trace)","spanId":"\#(id)","name":"\#(name)","kind":3,"startTimeUnixNano":"\#(start)","endTimeUnixNano":"\#(end)","attributes":[\#(list)]}"#
    }

    static func request(service: String, resource: [(String, Any)] = [], _ spans: [String]) -> String {
        let attributes = ([("service.name", service as Any)] + resource).map { attribute($0.0, $0.1) }.joined(separator: ",")
        return
            #"{"resourceSpans":[{"resource":{"attributes":[\#(attributes)]},"scopeSpans":[{"scope":{"name":"test"},"spans":[\#(spans.joined(separator: ","))]}]}]}"#
    }

    /// The records of `json` over the wire as JSON, as protobuf, and from a file: all three equal.
    static func read(_ json: String, servicesWithSpans: Set<String> = []) throws -> UsageBatch {
        let wire = try OTLPExportRequest.decode(ByteBuffer(string: json), signal: .traces, encoding: .json, contentEncoding: nil, limit: 1 << 20)
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        // swift-protobuf reads hex ids as base64: the protobuf of the same spans carries their real bytes.
        var message = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(jsonString: json, options: options)
        for resource in message.resourceSpans.indices {
            for scope in message.resourceSpans[resource].scopeSpans.indices {
                for index in message.resourceSpans[resource].scopeSpans[scope].spans.indices {
                    var span = message.resourceSpans[resource].scopeSpans[scope].spans[index]
                    span.traceID = Data(hex: span.traceID.base64EncodedString())
                    span.spanID = Data(hex: span.spanID.base64EncodedString())
                    message.resourceSpans[resource].scopeSpans[scope].spans[index] = span
                }
            }
        }
        let protobuf = try OTLPExportRequest.decode(
            ByteBuffer(bytes: try message.serializedBytes() as [UInt8]), signal: .traces, encoding: .protobuf,
            contentEncoding: nil, limit: 1 << 20)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otlp-traces-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (fromFile, _) = try UsageLoader(format: .otel).load([file.path])
        let order = { (a: UsageRecord, b: UsageRecord) in a.key < b.key }
        #expect(wire.batch.records.sorted(by: order) == protobuf.batch.records.sorted(by: order))
        #expect(wire.batch.records.sorted(by: order) == fromFile.records.sorted(by: order))
        return wire.batch
    }

    @Test func copilotCountsItsModelCallsNotTheAgentSpanThatTotalsThem() throws {
        let copilot = Self.request(
            service: "github-copilot", resource: [("user.email", "dev@acme.test")],
            [
                Self.span(
                    "invoke_agent", id: "1111111111111111",
                    [
                        ("gen_ai.operation.name", "invoke_agent"), ("gen_ai.conversation.id", "c-1"),
                        ("gen_ai.usage.input_tokens", 3000), ("gen_ai.usage.output_tokens", 500), ("gen_ai.usage.cache_read.input_tokens", 2000),
                        ("gen_ai.usage.cache_creation.input_tokens", 100), ("github.copilot.cost", 0.12), ("github.copilot.aiu", 9),
                    ]),
                Self.span(
                    "chat gpt-5", id: "2222222222222222",
                    [
                        ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "github"),
                        ("gen_ai.conversation.id", "c-1"), ("gen_ai.request.model", "gpt-5"), ("gen_ai.response.model", "gpt-5-2026-01-01"),
                        ("gen_ai.response.id", "r-1"), ("gen_ai.usage.input_tokens", 1800), ("gen_ai.usage.output_tokens", 300),
                        ("gen_ai.usage.cache_read.input_tokens", 1200), ("gen_ai.usage.cache_creation.input_tokens", 100),
                        ("github.copilot.cost", 0.05),
                    ]),
                Self.span(
                    "execute_tool readFile", id: "3333333333333333", [("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.name", "readFile")]),
                Self.span(
                    "chat gpt-5", id: "4444444444444444",
                    [
                        ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "github"),
                        ("gen_ai.conversation.id", "c-1"), ("gen_ai.request.model", "gpt-5"), ("gen_ai.response.id", "r-2"),
                        ("gen_ai.usage.input_tokens", 1200), ("gen_ai.usage.output_tokens", 200), ("gen_ai.usage.cache_read.input_tokens", 800),
                        ("github.copilot.cost", 0.07),
                    ]),
            ])
        let batch = try Self.read(copilot)
        #expect(batch.spansRead == 4 && batch.spansWithoutUsage == 2)
        let records = batch.records.sorted { $0.key < $1.key }
        #expect(records.map(\.key) == ["response:github:r-1", "response:github:r-2"])
        // Input includes both cache buckets: 1800 - 1200 - 100 and 1200 - 800.
        #expect(records.map(\.input) == [500, 400] && records.map(\.cacheRead) == [1200, 800] && records.map(\.cacheWrite) == [100, 0])
        #expect(records.map(\.output) == [300, 200] && records.map(\.costUSD) == [Decimal(string: "0.05"), Decimal(string: "0.07")])
        #expect(records.allSatisfy { $0.agent == "copilot" && $0.session == "c-1" && $0.actor == "dev@acme.test" })
        #expect(records.map(\.model) == ["gpt-5-2026-01-01", "gpt-5"])
        #expect(records.allSatisfy { $0.timestamp == Date(timeIntervalSince1970: 1_780_000_000) })
    }

    @Test func claudeCodesSpanAndItsEventOfTheSameRequestCountOnce() throws {
        let spans = Self.request(
            service: "claude-code", resource: [("user.email", "dev@acme.test")],
            [
                Self.span(
                    "claude_code.llm_request", id: "5555555555555555",
                    [
                        ("session.id", "sess-1"), ("span.type", "llm_request"),
                        ("model", "claude-opus-4-1"), ("gen_ai.system", "anthropic"), ("input_tokens", 2), ("output_tokens", 1200),
                        ("cache_read_tokens", 84562), ("cache_creation_tokens", 7096), ("request_id", "req_9"),
                    ]),
                Self.span("claude_code.tool", id: "6666666666666666", [("session.id", "sess-1"), ("tool_name", "Bash")]),
            ])
        let batch = try Self.read(spans)
        let record = try #require(batch.records.first)
        #expect(batch.records.count == 1 && batch.spansWithoutUsage == 1)
        // Claude Code's counts are Anthropic's: input excludes the cache buckets.
        #expect(record.key == "req_9" && record.input == 2 && record.output == 1200 && record.cacheRead == 84562 && record.cacheWrite == 7096)
        #expect(record.agent == "claude-code" && record.session == "sess-1" && record.model == "claude-opus-4-1")
        // The api_request event of the same request has the same key: stored once.
        let event = OTLPExport.read(
            logs: [
                OTLPExport.LogRecord(
                    timeUnixNano: 1_780_000_000_000_000_000, observedTimeUnixNano: 0, body: "",
                    attributes: [
                        "event.name": "api_request", "request_id": "req_9", "session.id": "sess-1",
                        "model": "claude-opus-4-1", "input_tokens": "2", "output_tokens": "1200",
                    ])
            ],
            metrics: [])
        #expect(event.records.map(\.key) == ["req_9"] && event.records.first?.source == record.source)
    }

    @Test func everySpellingIsReadWithEachTokenOnce() throws {
        let mixed = Self.request(
            service: "apps",
            [
                // Qwen Code: the current names, cache read included in input.
                Self.span(
                    "chat qwen3-coder", id: "7777777777777777",
                    [
                        ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "qwen"),
                        ("gen_ai.conversation.id", "q-1"), ("gen_ai.request.model", "qwen3-coder-plus"), ("gen_ai.usage.input_tokens", 5000),
                        ("gen_ai.usage.cache_read.input_tokens", 3000), ("gen_ai.usage.output_tokens", 100),
                    ]),
                // The renamed cache write, new spelling.
                Self.span(
                    "chat claude", id: "8888888888888888",
                    [
                        ("gen_ai.provider.name", "anthropic"), ("gen_ai.request.model", "claude-sonnet-4-5"),
                        ("gen_ai.usage.input_tokens", 1050), ("gen_ai.usage.cache_read.input_tokens", 900),
                        ("gen_ai.usage.cache_write.input_tokens", 100), ("gen_ai.usage.output_tokens", 20),
                    ]),
                // Semantic conventions before 1.27: prompt and completion tokens, gen_ai.system.
                Self.span(
                    "chat gpt-4", id: "9999999999999999",
                    [
                        ("gen_ai.system", "openai"), ("gen_ai.request.model", "gpt-4o"),
                        ("gen_ai.usage.prompt_tokens", 700), ("gen_ai.usage.completion_tokens", 70),
                    ]),
                // OpenLLMetry: llm.usage.* and its own cache spellings.
                Self.span(
                    "anthropic.chat", id: "aaaaaaaaaaaaaaaa",
                    [
                        ("gen_ai.system", "Anthropic"), ("gen_ai.request.model", "claude-haiku-4-5"),
                        ("llm.usage.prompt_tokens", 400), ("llm.usage.completion_tokens", 40), ("gen_ai.usage.cache_read_input_tokens", 300),
                        ("gen_ai.usage.cache_creation_input_tokens", 50),
                    ]),
                // An emitter passing a provider's uncached count through: smaller than the cache, taken as it is.
                Self.span(
                    "chat", id: "bbbbbbbbbbbbbbbb",
                    [
                        ("gen_ai.request.model", "claude-sonnet-4-5"), ("gen_ai.usage.input_tokens", 12),
                        ("gen_ai.usage.cache_read.input_tokens", 900), ("gen_ai.usage.output_tokens", 5),
                    ]),
            ])
        let batch = try Self.read(mixed)
        let byModel = Dictionary(batch.records.map { ($0.model, $0) }, uniquingKeysWith: { first, _ in first })
        func counts(_ model: String) -> [Int64] {
            guard let record = byModel[model] else { return [] }
            return [record.input, record.output, record.cacheRead, record.cacheWrite]
        }
        #expect(batch.records.count == 5)
        #expect(counts("qwen3-coder-plus") == [2000, 100, 3000, 0])
        #expect(
            batch.records.filter { $0.model == "claude-sonnet-4-5" }.map { [$0.input, $0.output, $0.cacheRead, $0.cacheWrite] }.sorted {
                $0[0] < $1[0]
            }
                == [[12, 5, 900, 0], [50, 20, 900, 100]])
        #expect(counts("gpt-4o") == [700, 70, 0, 0])
        #expect(counts("claude-haiku-4-5") == [50, 40, 300, 50])
        #expect(byModel["qwen3-coder-plus"]?.session == "q-1")
        #expect(batch.spellings["input: gen_ai.usage.prompt_tokens"] == 1 && batch.spellings["input: llm.usage.prompt_tokens"] == 1)
        #expect(batch.spellings["cache_write: gen_ai.usage.cache_write.input_tokens"] == 1)
        #expect(batch.spellings["cache_write: gen_ai.usage.cache_creation_input_tokens"] == 1)
    }

    @Test func malformedAbsurdAndUsagelessSpansAreRefusedOrCounted() throws {
        let bad = Self.request(
            service: "apps",
            [
                Self.span("chat", id: "c1c1c1c1c1c1c1c1", [("gen_ai.usage.input_tokens", -5), ("gen_ai.usage.output_tokens", 1)]),
                Self.span("chat", id: "c2c2c2c2c2c2c2c2", [("gen_ai.usage.input_tokens", 5_000_000_000_000)]),
                Self.span("chat", id: "c3c3c3c3c3c3c3c3", start: "0", end: "0", [("gen_ai.usage.output_tokens", 3)]),
                Self.span("GET /health", id: "c4c4c4c4c4c4c4c4", [("http.route", "/health")]),
                Self.span("chat", id: "c5c5c5c5c5c5c5c5", [("gen_ai.usage.input_tokens", "many")]),
            ])
        let wire = try OTLPExportRequest.decode(ByteBuffer(string: bad), signal: .traces, encoding: .json, contentEncoding: nil, limit: 1 << 20)
        #expect(wire.items == 5 && wire.batch.records.isEmpty)
        #expect(wire.batch.malformedCount == 4 && wire.batch.spansWithoutUsage == 1)
        #expect(wire.batch.spansRead == 5)
        // Not OTLP at all: 400.
        #expect(throws: OTLPRejection.self) {
            _ = try OTLPExportRequest.decode(
                ByteBuffer(string: #"{"resourceSpans": 7}"#), signal: .traces, encoding: .json, contentEncoding: nil, limit: 1 << 20)
        }
    }

    @Test func genAITokenMetricsCountOnlyWhereNoSpanCarriesTheSameUsage() throws {
        func metricsRequest(service: String) -> Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest {
            func attribute(_ key: String, _ value: String) -> Opentelemetry_Proto_Common_V1_KeyValue {
                var pair = Opentelemetry_Proto_Common_V1_KeyValue()
                pair.key = key
                pair.value.stringValue = value
                return pair
            }
            var histogram = Opentelemetry_Proto_Metrics_V1_Metric()
            histogram.name = "gen_ai.client.token.usage"
            histogram.histogram.aggregationTemporality = .delta
            histogram.histogram.dataPoints = [("input", 700.0), ("output", 70.0)].map { type, sum in
                var point = Opentelemetry_Proto_Metrics_V1_HistogramDataPoint()
                point.timeUnixNano = 1_780_000_000_000_000_000
                point.sum = sum
                point.count = 2
                point.attributes = [attribute("gen_ai.token.type", type), attribute("gen_ai.request.model", "gpt-4o")]
                return point
            }
            var counter = Opentelemetry_Proto_Metrics_V1_Metric()
            counter.name = "gen_ai.client.inference.usage.cache_read.input_tokens"
            counter.sum.aggregationTemporality = .delta
            var cached = Opentelemetry_Proto_Metrics_V1_NumberDataPoint()
            cached.timeUnixNano = 1_780_000_000_000_000_000
            cached.asInt = 500
            cached.attributes = [attribute("gen_ai.request.model", "gpt-4o")]
            counter.sum.dataPoints = [cached]
            var gemini = Opentelemetry_Proto_Metrics_V1_Metric()
            gemini.name = "gemini_cli.token.usage"
            gemini.sum.aggregationTemporality = .delta
            gemini.sum.dataPoints = [("input", 1000), ("cache", 600), ("output", 50), ("thought", 20), ("tool", 5)].map { type, value in
                var point = Opentelemetry_Proto_Metrics_V1_NumberDataPoint()
                point.timeUnixNano = 1_780_000_060_000_000_000
                point.asInt = Int64(value)
                point.attributes = [attribute("type", type), attribute("model", "gemini-2.5-pro"), attribute("session.id", "g-1")]
                return point
            }
            var scope = Opentelemetry_Proto_Metrics_V1_ScopeMetrics()
            scope.metrics = [histogram, counter, gemini]
            var resource = Opentelemetry_Proto_Metrics_V1_ResourceMetrics()
            resource.resource.attributes = [attribute("service.name", service)]
            resource.scopeMetrics = [scope]
            var request = Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest()
            request.resourceMetrics = [resource]
            return request
        }
        let request = metricsRequest(service: "genai-app")
        let bytes = ByteBuffer(bytes: try request.serializedBytes() as [UInt8])
        let alone = try OTLPExportRequest.decode(bytes, signal: .metrics, encoding: .protobuf, contentEncoding: nil, limit: 1 << 20)
        let byModel = Dictionary(uniqueKeysWithValues: alone.batch.records.map { ($0.model, $0) })
        // The histogram's input includes the cached 500 the counter reports: each token once.
        #expect(byModel["gpt-4o"].map { [$0.input, $0.output, $0.cacheRead] } == [200, 70, 500])
        // Gemini: input includes the cache, thoughts are output, the tool prompt is input.
        #expect(byModel["gemini-2.5-pro"].map { [$0.input, $0.output, $0.cacheRead] } == [405, 70, 600])
        // A service whose spans carried usage: its GenAI metrics restate them and are not counted.
        let restated = try OTLPExportRequest.decode(
            bytes, signal: .metrics, encoding: .protobuf, contentEncoding: nil, limit: 1 << 20,
            servicesWithSpans: ["genai-app"])
        #expect(restated.batch.records.map(\.model) == ["gemini-2.5-pro"] && restated.batch.malformedCount == 0)
        // From a file, alongside spans with usage: the same rule.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otlp-both-\(UUID().uuidString).jsonl")
        let spans = Self.request(
            service: "genai-app",
            [
                Self.span(
                    "chat", id: "d1d1d1d1d1d1d1d1",
                    [
                        ("gen_ai.request.model", "gpt-4o"),
                        ("gen_ai.usage.input_tokens", 700),
                        ("gen_ai.usage.output_tokens", 70),
                    ])
            ])
        try Data((spans + "\n" + (try request.jsonString()) + "\n").utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (both, _) = try UsageLoader(format: .otel).load([file.path])
        #expect(both.records.filter { $0.model == "gpt-4o" }.map(\.input) == [700])
    }
}

extension Data {
    /// Bytes from hex text (test helper).
    init(hex: String) {
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        self.init(bytes)
    }
}
