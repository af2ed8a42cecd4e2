import Foundation

/// Claude Code OpenTelemetry as OTLP JSON (file exporter or collector output): one export
/// request per line, or one document.
///
/// `claude_code.api_request` events are per request and preferred; `claude_code.token.usage` /
/// `claude_code.cost.usage` metrics are used only for sessions that have no events, so no
/// request is counted twice. `claude_code.tool_result` events with `git_commit_id` link a
/// session to the commit it produced.
struct OTelReader {
    /// Token and cost metric points, merged per (session, model, time) once all files are read.
    struct MetricKey: Hashable {
        var session: String?
        var model: String
        var time: Int64
        var actor: String?
        /// Whose metric it is: `claude-code`, `gemini-cli`, or `genai` (the GenAI conventions' metrics).
        var family: String = "claude-code"
        var agent: String?
    }

    struct MetricValue {
        var input: Int64 = 0
        var output: Int64 = 0
        var cacheRead: Int64 = 0
        var cacheWrite: Int64 = 0
        var cost: Decimal?
        /// Whether `input` includes the cached tokens (taken out once all points are in).
        var inputIncludesCache = false
    }

    var metricPoints: [MetricKey: MetricValue] = [:]
    var sessionsWithEvents = Set<String>()
    /// Whether any span with usage was read: the GenAI conventions' token metrics restate what such
    /// spans carry (one instrumentation emits both), so they count only where no span does.
    var sawUsageSpans = false
    /// Services whose usage spans were received before (the collector's memory across requests):
    /// their GenAI token metrics are not counted either.
    var servicesWithSpans = Set<String>()
    /// The service each GenAI metric series came from.
    var genAIServices: [MetricKey: String] = [:]
    /// Previous value per cumulative series, to turn running totals into increases.
    var cumulative: [String: Double] = [:]
    /// False for one export request on its own (`shipmeter serve`): a running total cannot be
    /// turned into increases without the requests before it, so such points are refused.
    var acceptsCumulative = true

    /// A file of export requests, one per line (each read straight into records by
    /// `OTLPJSONScanner`), or one pretty-printed document (read through `JSONSerialization`).
    mutating func read(_ path: String, into batch: inout UsageBatch) throws {
        try JSONDocuments.forEach(
            path, batch: &batch,
            line: { bytes, origin, batch in
                guard let request = OTLPJSONScanner.scan(bytes) else { return false }
                feed(request, origin: origin, into: &batch)
                return true
            },
            { value, origin, _, batch in
                if let document = JSONFields(value) { read(document: document, origin: origin, into: &batch) }
            }
        )
    }

    /// One scanned export request, through the same rules as every other way in.
    mutating func feed(_ scanned: OTLPJSONScanner, origin: String, into batch: inout UsageBatch) {
        for span in scanned.spans { readSpan(span, origin: origin, into: &batch) }
        for log in scanned.logs {
            let time = Self.time(nanos: Double(log.timeUnixNano)) ?? Self.time(nanos: Double(log.observedTimeUnixNano))
            readEvent(attributes: log.attributes, time: time, body: log.body, origin: origin, into: &batch)
        }
        for metric in scanned.metrics {
            let points = metric.points.map {
                MetricPoint(time: Self.time(nanos: Double($0.timeUnixNano)), value: $0.value, attributes: $0.attributes)
            }
            readMetric(name: metric.name, isCumulative: metric.cumulative, points: points, origin: origin, into: &batch)
        }
    }

    mutating func read(document: JSONFields, origin: String, into batch: inout UsageBatch) {
        for resourceSpans in document.array("resourceSpans") ?? [] {
            guard let resourceSpans = JSONFields(resourceSpans) else { continue }
            let resource = Self.attributes(resourceSpans.nested("resource")?.array("attributes"))
            for scope in resourceSpans.array("scopeSpans") ?? [] {
                for span in JSONFields(scope)?.array("spans") ?? [] {
                    guard let span = JSONFields(span) else { continue }
                    let attributes = Self.attributes(span.array("attributes")).over(resource)
                    readSpan(
                        OTelSpan(
                            traceID: span.string("traceId") ?? "", spanID: span.string("spanId") ?? "", name: span.string("name") ?? "",
                            startUnixNano: span.string("startTimeUnixNano").flatMap(UInt64.init) ?? 0,
                            endUnixNano: span.string("endTimeUnixNano").flatMap(UInt64.init) ?? 0, attributes: attributes),
                        origin: origin, into: &batch)
                }
            }
        }
        for resourceLogs in document.array("resourceLogs") ?? [] {
            guard let resourceLogs = JSONFields(resourceLogs) else { continue }
            let resource = Self.attributes(resourceLogs.nested("resource")?.array("attributes"))
            for scope in resourceLogs.array("scopeLogs") ?? [] {
                for log in JSONFields(scope)?.array("logRecords") ?? [] {
                    guard let log = JSONFields(log) else { continue }
                    let attributes = Self.attributes(log.array("attributes")).over(resource)
                    readEvent(
                        attributes: attributes, time: Self.time(log), body: log.nested("body")?.string("stringValue") ?? "",
                        origin: origin, into: &batch)
                }
            }
        }
        for resourceMetrics in document.array("resourceMetrics") ?? [] {
            guard let resourceMetrics = JSONFields(resourceMetrics) else { continue }
            let resource = Self.attributes(resourceMetrics.nested("resource")?.array("attributes"))
            for scope in resourceMetrics.array("scopeMetrics") ?? [] {
                for metric in JSONFields(scope)?.array("metrics") ?? [] {
                    guard let metric = JSONFields(metric) else { continue }
                    let name = metric.string("name") ?? ""
                    guard Self.wants(metric: name) else { continue }
                    let sum = metric.nested("sum") ?? metric.nested("gauge") ?? metric.nested("histogram")
                    let isCumulative =
                        (sum?["aggregationTemporality"] as? NSNumber)?.intValue == 2
                        || (sum?.string("aggregationTemporality") == "AGGREGATION_TEMPORALITY_CUMULATIVE")
                    let points = (sum?.array("dataPoints") ?? []).compactMap { JSONFields($0) }.map { point in
                        let attributes = Self.attributes(point.array("attributes")).over(resource)
                        // A histogram point's total is its `sum`.
                        let value = Self.pointValue(point)
                        return MetricPoint(time: Self.time(point), value: value, attributes: attributes)
                    }
                    readMetric(name: name, isCumulative: isCumulative, points: points, origin: origin, into: &batch)
                }
            }
        }
    }

    /// A number or histogram point's value from OTLP JSON (numbers may be strings).
    static func pointValue(_ point: JSONFields) -> Double {
        for key in ["asDouble", "asInt", "sum"] {
            if let number = point[key] as? NSNumber { return number.doubleValue }
            if let text = point.string(key), let number = Double(text) { return number }
        }
        return 0
    }

    /// One log record (`attributes` merged over its resource's; `time` from its time, else its
    /// observed time), read from a file or received over the wire.
    mutating func readEvent(attributes fields: OTLPAttributes, time recorded: Date?, body: String, origin: String, into batch: inout UsageBatch) {
        let name = fields.string("event.name") ?? body
        let time = recorded ?? fields.string("event.timestamp").flatMap(Timestamp.parse)
        switch name {
        case "api_request", "claude_code.api_request":
            do {
                guard let time else { throw FieldError("api_request event has no time") }
                let session = fields.string("session.id")
                if let session { sessionsWithEvents.insert(session) }
                let model = fields.string("model") ?? "unknown"
                let key =
                    fields.string("request_id")
                    ?? StableHash.hex([
                        session ?? "", model, String(time.timeIntervalSince1970), fields.string("input_tokens") ?? "",
                        fields.string("output_tokens") ?? "",
                    ])
                batch.add(
                    UsageRecord(
                        source: UsageFormat.otel.rawValue, key: key, timestamp: time,
                        actor: fields.string("user.email"), session: session, agent: "claude-code", model: model,
                        repository: fields.string("cwd") ?? fields.string("repository"),
                        input: try fields.count("input_tokens"), output: try fields.count("output_tokens"),
                        cacheWrite: try fields.count("cache_creation_tokens"), cacheRead: try fields.count("cache_read_tokens"),
                        costUSD: try fields.decimal("cost_usd")))
            } catch {
                batch.reject(MalformedLine(file: origin, line: 0, reason: error.reason))
            }
        case "gemini_cli.api_response", "qwen-code.api_response":
            // Gemini's counts as its API gives them: input includes the cached part, thoughts
            // are billed as output, the tool-use prompt as input (as `GeminiCLIReader` reads them).
            // Qwen Code, a fork of Gemini CLI, logs the same fields.
            let session = fields.string("session.id")
            if let session { sessionsWithEvents.insert(session) }
            readOtherAgent(
                fields, time: time, agent: name.hasPrefix("qwen") ? "qwen-code" : "gemini-cli", session: session, origin: origin, into: &batch
            ) {
                let input = try $0.count("input_token_count"), cached = min(try $0.count("cached_content_token_count"), input)
                return (
                    input - cached + (try $0.count("tool_token_count")), try $0.count("output_token_count") + (try $0.count("thoughts_token_count")),
                    cached
                )
            }
        case "codex.sse_event":
            // Codex logs one `response.completed` per model response with OpenAI's counts: input
            // includes the cached part, output includes reasoning.
            guard fields.string("event.kind") == "response.completed", fields["input_token_count"] != nil else { return }
            readOtherAgent(fields, time: time, agent: "codex", session: fields.string("conversation.id"), origin: origin, into: &batch) {
                let input = try $0.count("input_token_count"), cached = min(try $0.count("cached_token_count"), input)
                return (input - cached, try $0.count("output_token_count"), cached)
            }
        case "tool_result", "claude_code.tool_result":
            guard let session = fields.string("session.id"), let time else { return }
            var commit = fields.string("git_commit_id")
            if commit == nil, let parameters = fields.string("tool_parameters"),
                let decoded = JSONFields(try? JSONSerialization.jsonObject(with: Data(parameters.utf8)))
            {
                commit = decoded.string("git_commit_id")
            }
            if let commit { batch.links.append(SessionCommitLink(session: session, commit: commit, time: time)) }
        default:
            return
        }
    }

    /// One model response of an agent other than Claude Code, keyed by what it says (these
    /// events carry no request id), with `counts` giving (input without cache, output, cache read).
    private func readOtherAgent(
        _ fields: OTLPAttributes, time: Date?, agent: String, session: String?, origin: String, into batch: inout UsageBatch,
        counts: (OTLPAttributes) throws -> (Int64, Int64, Int64)
    ) {
        do {
            guard let time else { throw FieldError("\(agent) response event has no time") }
            let model = fields.string("model") ?? "unknown"
            let (input, output, cached) = try counts(fields)
            let key =
                agent + ":"
                + StableHash.hex([session ?? "", model, String(time.timeIntervalSince1970), String(input), String(output), String(cached)])
            batch.add(
                UsageRecord(
                    source: UsageFormat.otel.rawValue, key: key, timestamp: time, actor: fields.string("user.email"), session: session,
                    agent: agent, model: model, input: input, output: output, cacheWrite: 0, cacheRead: cached))
        } catch {
            batch.reject(MalformedLine(file: origin, line: 0, reason: error.reason))
        }
    }

    static func time(_ fields: JSONFields) -> Date? {
        time(nanos: fields.string("timeUnixNano").flatMap(Double.init)) ?? time(nanos: fields.string("observedTimeUnixNano").flatMap(Double.init))
    }

    /// Nanoseconds since 1970 as a time, up to the year 9999: anything later, or 0 (unset), is
    /// not a time this reader can use.
    static func time(nanos: Double?) -> Date? {
        guard let nanos, nanos > 0, nanos < 253_402_300_800e9 else { return nil }
        return Date(timeIntervalSince1970: nanos / 1e9)
    }

    /// OTLP attributes (`[{key, value: {stringValue|intValue|doubleValue|boolValue}}]`) of a decoded document.
    static func attributes(_ list: [Any]?) -> OTLPAttributes {
        var result = OTLPAttributes()
        for item in list ?? [] {
            guard let item = JSONFields(item), let key = item.string("key"), let value = item.nested("value") else { continue }
            for kind in ["stringValue", "intValue", "doubleValue", "boolValue"] {
                guard let found = value[kind] else { continue }
                if let read = OTLPAttributeValue(json: found, integer: kind == "intValue") { result.append(key, read) }
                break
            }
        }
        return result
    }
}

extension Error {
    var reason: String {
        if let field = self as? FieldError { return field.reason }
        return (self as? LocalizedError)?.errorDescription ?? "\(self)"
    }
}
