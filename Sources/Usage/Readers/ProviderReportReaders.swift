import Foundation

/// The Claude Code Analytics API daily report (`/v1/organizations/usage_report/claude_code`):
/// per day and actor, a `model_breakdown` whose `estimated_cost.amount` is in **cents**.
struct ClaudeCodeAnalyticsReader {
    func read(_ path: String, into batch: inout UsageBatch) throws {
        try JSONDocuments.forEach(path, batch: &batch) { value, _, line, batch in
            for item in JSONDocuments.items(value) {
                do {
                    let day = try item.timestamp("date")
                    let actor = item.nested("actor")
                    let who = actor?.string("email_address") ?? actor?.string("api_key_name")
                    for entry in item.array("model_breakdown") ?? [] {
                        guard let entry = JSONFields(entry) else { continue }
                        let model = entry.string("model") ?? "unknown"
                        let tokens = entry.nested("tokens") ?? JSONFields([:])
                        var cost: Decimal?
                        if let estimated = entry.nested("estimated_cost"), let cents = try estimated.decimal("amount") {
                            let currency = (estimated.string("currency") ?? "USD").uppercased()
                            guard currency == "USD" else { throw FieldError("estimated_cost currency \(currency) is not USD") }
                            cost = cents / 100
                        }
                        batch.add(
                            UsageRecord(
                                source: UsageFormat.claudeCodeAnalytics.rawValue,
                                key: StableHash.hex([
                                    Timestamp.format(day), who ?? "", item.string("organization_id") ?? "", item.string("terminal_type") ?? "", model,
                                ]),
                                timestamp: day, granularity: .day, actor: who, agent: "claude-code", model: model,
                                input: try tokens.count("input"), output: try tokens.count("output"),
                                cacheWrite: try tokens.count("cache_creation"), cacheRead: try tokens.count("cache_read"),
                                costUSD: cost))
                    }
                } catch {
                    batch.reject(MalformedLine(file: path, line: line, reason: error.reason))
                }
            }
        }
    }
}

/// The Anthropic Admin usage report (`/v1/organizations/usage_report/messages`): buckets with
/// `starting_at` and `results` grouped by model, API key, workspace.
struct AnthropicUsageReader {
    func read(_ path: String, into batch: inout UsageBatch) throws {
        try JSONDocuments.forEach(path, batch: &batch) { value, _, line, batch in
            for bucket in JSONDocuments.items(value) {
                do {
                    let start = try bucket.timestamp("starting_at")
                    let granularity = UsageRecord.Granularity(
                        bucketSeconds: bucket.string("ending_at").flatMap(Timestamp.parse)?.timeIntervalSince(start))
                    for result in bucket.array("results") ?? [] {
                        guard let result = JSONFields(result) else { continue }
                        var write5m = try result.count("cache_creation_5m")
                        var write1h = try result.count("cache_creation_1h")
                        if let creation = result.nested("cache_creation") {
                            write5m += try creation.count("ephemeral_5m_input_tokens")
                            write1h += try creation.count("ephemeral_1h_input_tokens")
                        }
                        let model = result.string("model") ?? "unknown"
                        var record = UsageRecord(
                            source: UsageFormat.anthropicUsage.rawValue,
                            key: StableHash.hex([
                                Timestamp.format(start), model, result.string("api_key_id") ?? "", result.string("workspace_id") ?? "",
                                result.string("service_tier") ?? "", result.string("context_window") ?? "", result.string("inference_geo") ?? "",
                            ]),
                            timestamp: start, granularity: granularity, model: model,
                            input: try result.count("uncached_input_tokens"), output: try result.count("output_tokens"),
                            cacheWrite: write5m + write1h, cacheRead: try result.count("cache_read_input_tokens"))
                        record.cacheWrite1h = write1h
                        batch.add(record)
                    }
                } catch {
                    batch.reject(MalformedLine(file: path, line: line, reason: error.reason))
                }
            }
        }
    }
}

/// OpenAI organization usage (`/v1/organization/usage/completions`): buckets of results whose
/// `input_tokens` include `input_cached_tokens`.
struct OpenAIUsageReader {
    func read(_ path: String, into batch: inout UsageBatch) throws {
        try JSONDocuments.forEach(path, batch: &batch) { value, _, line, batch in
            for bucket in JSONDocuments.items(value) {
                do {
                    let start = try bucket.timestamp("start_time")
                    let granularity = UsageRecord.Granularity(
                        bucketSeconds: (bucket["end_time"] as? NSNumber).map { $0.doubleValue - start.timeIntervalSince1970 })
                    for result in bucket.array("results") ?? [] {
                        guard let result = JSONFields(result) else { continue }
                        let input = try result.count("input_tokens")
                        let cached = try result.count("input_cached_tokens")
                        guard cached <= input else { throw FieldError("input_cached_tokens (\(cached)) exceed input_tokens (\(input))") }
                        let model = result.string("model") ?? "unknown"
                        batch.add(
                            UsageRecord(
                                source: UsageFormat.openaiUsage.rawValue,
                                key: StableHash.hex([
                                    String(start.timeIntervalSince1970), model, result.string("project_id") ?? "", result.string("user_id") ?? "",
                                    result.string("api_key_id") ?? "", result.string("batch") ?? "",
                                ]),
                                timestamp: start, granularity: granularity, actor: result.string("user_id"), model: model,
                                input: input - cached, output: try result.count("output_tokens"), cacheWrite: 0, cacheRead: cached))
                    }
                } catch {
                    batch.reject(MalformedLine(file: path, line: line, reason: error.reason))
                }
            }
        }
    }
}

extension UsageRecord.Granularity {
    /// The granularity of a report bucket of this width (a day when unknown).
    init(bucketSeconds width: TimeInterval?) {
        guard let width else {
            self = .day
            return
        }
        self = width <= 60 ? .minute : (width <= 3600 ? .hour : .day)
    }
}
