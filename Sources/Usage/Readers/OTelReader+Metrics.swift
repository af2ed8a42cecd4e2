import Foundation

/// Metrics with token counts: Claude Code's and Gemini CLI's, and the GenAI conventions' token
/// metrics, merged per series and time and turned into records once everything is read.
extension OTelReader {
    /// One metric data point: its time, value, and attributes merged over its resource's.
    struct MetricPoint {
        var time: Date?
        var value: Double
        var attributes: OTLPAttributes
    }

    static let metricNames: Set<String> = [
        "claude_code.token.usage", "claude_code.cost.usage", "gemini_cli.token.usage", "gen_ai.client.token.usage",
    ]

    /// Whether a metric carries token counts this reader takes: Claude Code's and Gemini CLI's,
    /// the GenAI conventions' `gen_ai.client.token.usage` histogram, and the counters proposed to
    /// succeed it (`gen_ai.client.inference….input_tokens`, `…output_tokens`, `…cache_read.input_tokens`,
    /// `…cache_write.input_tokens`).
    static func wants(metric name: String) -> Bool {
        metricNames.contains(name) || (name.hasPrefix("gen_ai.client.inference.") && name.hasSuffix("_tokens"))
    }

    /// The points of one of Claude Code's token or cost metrics.
    mutating func readMetric(name: String, isCumulative: Bool, points: [MetricPoint], origin: String, into batch: inout UsageBatch) {
        for point in points {
            let fields = point.attributes
            guard let time = point.time else {
                batch.reject(MalformedLine(file: origin, line: 0, reason: "\(name) point has no time"))
                continue
            }
            var value = point.value
            guard value.isFinite, value >= 0, value < 1e15 else {
                batch.reject(MalformedLine(file: origin, line: 0, reason: "\(name) has a negative or invalid value"))
                continue
            }
            // The GenAI conventions' metrics of a service whose spans carry the same usage: not counted.
            if name.hasPrefix("gen_ai.client."), let service = fields.string("service.name"), servicesWithSpans.contains(service) { continue }
            if isCumulative, !acceptsCumulative {
                batch.reject(
                    MalformedLine(
                        file: origin, line: 0,
                        reason:
                            "\(name) has cumulative temporality; export with OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta (Claude Code's default)"
                    ))
                continue
            }
            if isCumulative {
                let series = name + "|" + fields.latest.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                let previous = cumulative[series] ?? 0
                cumulative[series] = value
                value = value >= previous ? value - previous : value
            }
            if name == "gen_ai.client.token.usage" || name.hasPrefix("gen_ai.client.inference.") {
                readGenAIPoint(name: name, value: value, time: time, fields: fields, into: &batch)
                continue
            }
            let gemini = name == "gemini_cli.token.usage"
            let key = MetricKey(
                session: fields.string("session.id"), model: fields.string("model") ?? "unknown",
                time: Int64(time.timeIntervalSince1970 * 1000), actor: fields.string("user.email"),
                family: gemini ? "gemini-cli" : "claude-code", agent: gemini ? "gemini-cli" : "claude-code")
            var entry = metricPoints[key] ?? MetricValue()
            if gemini {
                // Gemini's counts as its API gives them: input includes the cached part, thoughts
                // are billed as output, the tool-use prompt as input.
                let tokens = Int64(value.rounded())
                entry.inputIncludesCache = true
                switch fields.string("type") {
                case "input", "tool": entry.input += tokens
                case "output", "thought": entry.output += tokens
                case "cache": entry.cacheRead += tokens
                default: break
                }
            } else if name == "claude_code.cost.usage" {
                entry.cost = (entry.cost ?? 0) + (Decimal(string: String(value)) ?? Decimal(value))
            } else {
                let tokens = Int64(value.rounded())
                switch fields.string("type") {
                case "input": entry.input += tokens
                case "output": entry.output += tokens
                case "cacheRead": entry.cacheRead += tokens
                case "cacheCreation": entry.cacheWrite += tokens
                default: break
                }
            }
            metricPoints[key] = entry
        }
    }

    /// One point of the GenAI conventions' token metrics: the histogram's `sum` by
    /// `gen_ai.token.type`, or one of the proposed counters by its name.
    mutating func readGenAIPoint(name: String, value: Double, time: Date, fields: OTLPAttributes, into batch: inout UsageBatch) {
        let service = fields.string("service.name")
        let key = MetricKey(
            session: fields.string("gen_ai.conversation.id") ?? fields.string("session.id"),
            model: fields.string("gen_ai.response.model") ?? fields.string("gen_ai.request.model") ?? "unknown",
            time: Int64(time.timeIntervalSince1970 * 1000), actor: fields.string("user.email") ?? fields.string("enduser.id"),
            family: "genai", agent: Self.agent(of: fields, claudeCode: false) ?? service)
        var entry = metricPoints[key] ?? MetricValue()
        entry.inputIncludesCache = true
        let tokens = Int64(value.rounded())
        let kind: String
        if name == "gen_ai.client.token.usage" {
            kind = fields.string("gen_ai.token.type") ?? ""
        } else if name.hasSuffix("cache_read.input_tokens") {
            kind = "cache_read"
        } else if name.hasSuffix("cache_write.input_tokens") || name.hasSuffix("cache_creation.input_tokens") {
            kind = "cache_write"
        } else if name.hasSuffix("reasoning.output_tokens") {
            kind = ""  // part of the output count
        } else if name.hasSuffix("input_tokens") {
            kind = "input"
        } else if name.hasSuffix("output_tokens") {
            kind = "output"
        } else {
            kind = ""
        }
        switch kind {
        case "input": entry.input += tokens
        case "output": entry.output += tokens
        case "cache_read": entry.cacheRead += tokens
        case "cache_write": entry.cacheWrite += tokens
        default: return
        }
        batch.spellings["metric: " + name, default: 0] += 1
        if let service { genAIServices[key, default: service] = service }
        metricPoints[key] = entry
    }

    /// Turns metric points into records: Claude Code's and Gemini CLI's for the sessions that had
    /// no events (with no session, only where no session had any); the GenAI conventions' only
    /// where no span with usage was read and the service sent none before.
    func finish(into batch: inout UsageBatch) {
        for (key, value) in metricPoints {
            if key.family == "genai" {
                if sawUsageSpans || !sessionsWithEvents.isEmpty { continue }
                if let service = genAIServices[key], servicesWithSpans.contains(service) { continue }
            } else {
                if let session = key.session, sessionsWithEvents.contains(session) { continue }
                if key.session == nil, !sessionsWithEvents.isEmpty { continue }
            }
            var input = value.input
            if value.inputIncludesCache { input -= min(input, value.cacheRead + value.cacheWrite) }
            let parts =
                [key.session ?? "", key.model, String(key.time), key.actor ?? ""]
                + (key.family == "claude-code" ? [] : [key.family, key.agent ?? ""])
            batch.add(
                UsageRecord(
                    source: UsageFormat.otel.rawValue,
                    key: "metric:" + StableHash.hex(parts),
                    timestamp: Date(timeIntervalSince1970: Double(key.time) / 1000), actor: key.actor,
                    session: key.session, agent: key.agent, model: key.model,
                    input: input, output: value.output, cacheWrite: value.cacheWrite, cacheRead: value.cacheRead,
                    costUSD: value.cost))
        }
    }
}
