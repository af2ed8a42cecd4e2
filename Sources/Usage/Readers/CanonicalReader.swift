import Foundation

/// shipmeter's own documented format, the one any other source converts into: JSONL (one
/// object per line) or CSV (a header row of the same names).
///
/// Required: `timestamp`, `model`, `input`, `output`, `cache_write`, `cache_read`. Optional:
/// `actor`, `session`, `agent`, `repository`, `branch`, `commit`, `cost_usd`, `key`, `source`.
struct CanonicalReader {
    static let required = ["timestamp", "model", "input", "output", "cache_write", "cache_read"]
    static let optional = ["actor", "session", "agent", "repository", "branch", "commit", "cost_usd", "key", "source"]
    static let selection = SelectiveJSON.Selection(Dictionary(uniqueKeysWithValues: (required + optional).map { ($0, nil) }))

    func readJSONL(_ path: String, into batch: inout UsageBatch) throws {
        var scratch = CanonicalLine.Scratch()
        try LineScanner(path: path).forEachLine { number, line, truncated in
            if line.isBlank { return }
            if let record = CanonicalLine.decode(line, defaultSource: UsageFormat.jsonl.rawValue, scratch: &scratch) {
                batch.add(record)
                return
            }
            guard let object = SelectiveJSON.decode(line, selection: Self.selection) else {
                batch.reject(MalformedLine(file: path, line: number, reason: truncated ? "truncated line" : "not valid JSON"))
                return
            }
            do {
                batch.add(try Self.record(JSONFields(object), defaultSource: UsageFormat.jsonl.rawValue))
            } catch {
                batch.reject(MalformedLine(file: path, line: number, reason: error.reason))
            }
        }
    }

    func readCSV(_ path: String, into batch: inout UsageBatch) throws {
        try CSVRecords(path: path).read(into: &batch) { row throws(FieldError) in
            try Self.record(row, defaultSource: UsageFormat.csv.rawValue)
        }
    }

    static func record(_ fields: JSONFields, defaultSource: String) throws(FieldError) -> UsageRecord {
        for name in required where fields[name] == nil {
            throw FieldError("missing required field \(name)")
        }
        guard let model = fields.string("model") else { throw FieldError("model is empty") }
        let timestamp = try fields.timestamp("timestamp")
        var record = UsageRecord(
            source: fields.string("source") ?? defaultSource, key: "",
            timestamp: timestamp, actor: fields.string("actor"), session: fields.string("session"),
            agent: fields.string("agent"), model: model, repository: fields.string("repository"),
            branch: fields.string("branch"), commit: fields.string("commit"),
            input: try fields.count("input"), output: try fields.count("output"),
            cacheWrite: try fields.count("cache_write"), cacheRead: try fields.count("cache_read"),
            costUSD: try fields.decimal("cost_usd"))
        record.key = fields.string("key") ?? derivedKey(record)
        return record
    }

    /// The key of a record that names none: a hash of everything it says.
    static func derivedKey(_ record: UsageRecord) -> String {
        StableHash.hex([
            Timestamp.format(record.timestamp), record.model, record.actor ?? "", record.session ?? "", record.agent ?? "",
            record.repository ?? "", record.branch ?? "", record.commit ?? "",
            String(record.input), String(record.output), String(record.cacheWrite), String(record.cacheRead),
        ])
    }
}

/// LiteLLM spend logs (`LiteLLM_SpendLogs`), exported as JSON or CSV.
struct LiteLLMReader {
    func readJSON(_ path: String, into batch: inout UsageBatch) throws {
        try JSONDocuments.forEach(path, batch: &batch) { value, _, line, batch in
            for row in JSONDocuments.items(value) {
                do {
                    batch.add(try Self.record(row))
                } catch {
                    batch.reject(MalformedLine(file: path, line: line, reason: error.reason))
                }
            }
        }
    }

    func readCSV(_ path: String, into batch: inout UsageBatch) throws {
        try CSVRecords(path: path).read(into: &batch, record: Self.record)
    }

    static func record(_ row: JSONFields) throws(FieldError) -> UsageRecord {
        guard let requestID = row.string("request_id") else { throw FieldError("missing request_id") }
        let prompt = try row.count("prompt_tokens")
        let completion = try row.count("completion_tokens")
        // Cache counts live in `metadata` (an object, or JSON text in CSV exports).
        var metadata: JSONFields?
        if let object = row.nested("metadata") {
            metadata = object
        } else if let text = row.string("metadata") {
            metadata = JSONFields(try? JSONSerialization.jsonObject(with: Data(text.utf8)))
        }
        let usage = metadata?.nested("usage_object") ?? metadata?.nested("additional_usage_values") ?? metadata
        var cacheRead = try usage?.count("cache_read_input_tokens") ?? 0
        if cacheRead == 0, let details = usage?.nested("prompt_tokens_details") {
            cacheRead = try details.count("cached_tokens")
        }
        let cacheWrite = try usage?.count("cache_creation_input_tokens") ?? 0
        // LiteLLM's prompt_tokens include cached reads and cache writes.
        let input = max(0, prompt - cacheRead - cacheWrite)
        return UsageRecord(
            source: UsageFormat.litellm.rawValue, key: requestID,
            timestamp: try row.timestamp(row["startTime"] != nil ? "startTime" : "starttime"),
            actor: row.string("user") ?? row.string("end_user"),
            session: row.string("session_id") ?? metadata?.string("session_id"),
            agent: metadata?.string("agent"), model: row.string("model") ?? "unknown",
            input: input, output: completion, cacheWrite: cacheWrite, cacheRead: cacheRead,
            costUSD: try row.decimal("spend"))
    }
}
