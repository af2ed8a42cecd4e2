import Foundation

/// Token usage on OpenTelemetry spans: the GenAI semantic conventions (current and earlier
/// spellings), OpenLLMetry's `llm.usage.*`, OpenInference's `llm.token_count.*`, GitHub
/// Copilot's `github.copilot.*` and Claude Code's own span attributes. One model call is one
/// usage record (`spanKey`): a retry, a second collector, or a second span of the same call adds
/// nothing.
public struct OTelSpan: Sendable {
    public var traceID: String
    public var spanID: String
    public var name: String
    public var startUnixNano: UInt64
    public var endUnixNano: UInt64
    /// Its attributes over its resource's.
    public var attributes: OTLPAttributes

    public init(traceID: String, spanID: String, name: String, startUnixNano: UInt64, endUnixNano: UInt64, attributes: OTLPAttributes) {
        (self.traceID, self.spanID, self.name, self.startUnixNano, self.endUnixNano, self.attributes) =
            (traceID, spanID, name, startUnixNano, endUnixNano, attributes)
    }
}

/// The attribute spellings of each usage field, first found wins, with whether an input count
/// includes the cached tokens (then the cache counts are taken out of it, so each token counts once).
enum SpanUsageSpellings {
    /// (attribute, includes cached tokens)
    static let input: [(String, Bool)] = [
        ("gen_ai.usage.input_tokens", true), ("gen_ai.usage.prompt_tokens", true), ("llm.usage.prompt_tokens", true),
        ("llm.token_count.prompt", true), ("input_tokens", false),
    ]
    static let output = [
        "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.usage.completion_tokens", "llm.token_count.completion",
        "output_tokens",
    ]
    static let cacheRead = [
        "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens", "llm.usage.cache_read_input_tokens",
        "llm.token_count.prompt_details.cache_read", "cache_read_tokens",
    ]
    static let cacheWrite = [
        "gen_ai.usage.cache_write.input_tokens", "gen_ai.usage.cache_creation.input_tokens",
        "gen_ai.usage.cache_creation_input_tokens", "llm.usage.cache_creation_input_tokens",
        "llm.token_count.prompt_details.cache_write", "cache_creation_tokens",
    ]
    static let cost = ["github.copilot.cost", "cost_usd"]
    static let model = ["gen_ai.response.model", "gen_ai.request.model", "llm.response.model", "llm.request.model", "llm.model_name", "model"]
    static let session = ["gen_ai.conversation.id", "session.id", "gen_ai.agent.id"]
    static let actor = ["user.email", "enduser.id", "user.id"]
    /// Operations whose spans total their children's model calls: their counts are not counted again.
    static let aggregateOperations: Set<String> = ["invoke_agent", "create_agent", "invoke_workflow", "execute_tool"]
}

extension OTelReader {
    /// Whether a span's attributes carry a token count of a model call.
    static func hasUsage(_ attributes: OTLPAttributes) -> Bool {
        if let operation = attributes.string("gen_ai.operation.name"), SpanUsageSpellings.aggregateOperations.contains(operation) { return false }
        let keys = SpanUsageSpellings.input.map(\.0) + SpanUsageSpellings.output + SpanUsageSpellings.cacheRead + SpanUsageSpellings.cacheWrite
        return keys.contains { attributes[$0] != nil }
    }

    /// One span: a usage record when it is a model call with token counts.
    mutating func readSpan(_ span: OTelSpan, origin: String, into batch: inout UsageBatch) {
        batch.spansRead += 1
        let fields = span.attributes
        func first(_ keys: [String]) -> (key: String, value: OTLPAttributeValue)? {
            for key in keys { if let value = span.attributes[key] { return (key, value) } }
            return nil
        }
        let input = first(SpanUsageSpellings.input.map(\.0)), output = first(SpanUsageSpellings.output)
        let read = first(SpanUsageSpellings.cacheRead), write = first(SpanUsageSpellings.cacheWrite)
        let operation = fields.string("gen_ai.operation.name")
        guard input != nil || output != nil || read != nil || write != nil, !SpanUsageSpellings.aggregateOperations.contains(operation ?? "") else {
            batch.spansWithoutUsage += 1
            return
        }
        do {
            guard let time = Self.time(nanos: Double(span.endUnixNano)) ?? Self.time(nanos: Double(span.startUnixNano)) else {
                throw FieldError("span \(span.spanID) has no time")
            }
            let cacheRead = try read.map { try $0.value.count(key: $0.key) } ?? 0
            let cacheWrite = try write.map { try $0.value.count(key: $0.key) } ?? 0
            var inputTokens = try input.map { try $0.value.count(key: $0.key) } ?? 0
            // An input count that includes the cached tokens: each token once. A count smaller than
            // the cache counts cannot include them (an emitter that passed a provider's
            // uncached count through): it is taken as it is.
            if let input, SpanUsageSpellings.input.first(where: { $0.0 == input.key })?.1 == true, inputTokens >= cacheRead + cacheWrite {
                inputTokens -= cacheRead + cacheWrite
            }
            let outputTokens = try output.map { try $0.value.count(key: $0.key) } ?? 0
            let cost = try first(SpanUsageSpellings.cost).flatMap { try $0.value.decimal(key: $0.key) }
            let session = first(SpanUsageSpellings.session)?.value.text
            let model = first(SpanUsageSpellings.model)?.value.text ?? "unknown"
            let claudeCode = span.name == "claude_code.llm_request"
            let key = Self.spanKey(span, fields: fields, claudeCode: claudeCode)
            if claudeCode, let session { sessionsWithEvents.insert(session) }
            sawUsageSpans = true
            for (family, found) in [("input", input?.key), ("output", output?.key), ("cache_read", read?.key), ("cache_write", write?.key)] {
                if let found { batch.spellings[family + ": " + found, default: 0] += 1 }
            }
            batch.add(
                UsageRecord(
                    source: UsageFormat.otel.rawValue, key: key, timestamp: time,
                    actor: first(SpanUsageSpellings.actor)?.value.text, session: session,
                    agent: Self.agent(of: fields, claudeCode: claudeCode), model: model,
                    repository: fields.string("cwd") ?? fields.string("repository"),
                    input: inputTokens, output: outputTokens, cacheWrite: cacheWrite, cacheRead: cacheRead, costUSD: cost))
        } catch {
            batch.reject(MalformedLine(file: origin, line: 0, reason: error.reason))
        }
    }

    /// A model call's record key: the provider's response id when the span has one (an SDK's own
    /// span and an instrumentation's span of the same call both carry it, and count once), Claude
    /// Code's request id (its `api_request` event's key), else the span's trace and span id.
    static func spanKey(_ span: OTelSpan, fields: OTLPAttributes, claudeCode: Bool) -> String {
        if claudeCode, let request = fields.string("request_id") { return request }
        if let response = fields.string("gen_ai.response.id") {
            let provider = fields.string("gen_ai.provider.name") ?? fields.string("gen_ai.system") ?? ""
            return "response:\(provider):\(response)"
        }
        return "span:\(span.traceID.lowercased()):\(span.spanID.lowercased())"
    }

    /// The agent a span's usage is of: the emitting service when it names a known agent, else the
    /// service, else the provider.
    static func agent(of fields: OTLPAttributes, claudeCode: Bool) -> String? {
        if claudeCode { return "claude-code" }
        let service = fields.string("service.name")
        switch service {
        case "github-copilot", "copilot-chat", "copilot-cli": return "copilot"
        case "claude-code", "qwen-code", "gemini-cli", "codex", "opencode": return service
        case let name? where !name.hasPrefix("unknown_service"): return name
        default: return fields.string("gen_ai.provider.name") ?? fields.string("gen_ai.system")
        }
    }
}
