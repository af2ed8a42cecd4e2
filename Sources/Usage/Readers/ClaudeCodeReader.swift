import Foundation

/// Claude Code transcripts: `~/.claude/projects/<encoded-cwd>/<session>.jsonl`.
///
/// Only `"type":"assistant"` lines carry usage, and most bytes are prompts and tool results;
/// a byte search for `"usage"` picks the few lines worth decoding.
struct ClaudeCodeReader {
    /// Records whose `cwd` fails this test are left out (discovery for one repository).
    var includeDirectory: ((String) -> Bool)?

    func read(_ path: String, into batch: inout UsageBatch) throws {
        try LineScanner(path: path).forEachLine { number, line, truncated in
            // A cut-off line (a transcript still being written, or an agent killed mid-write) is
            // reported even when the cut fell before any usage: it may have held some.
            let cut = truncated || line.isCutJSONLine
            guard cut || line.contains(bytes: "\"usage\"") else { return }
            guard let object = SelectiveJSON.decode(line, selection: Self.selection) else {
                batch.reject(MalformedLine(file: path, line: number, reason: cut ? "truncated line" : "not valid JSON"))
                return
            }
            let fields = JSONFields(object)
            do {
                if let record = try Self.record(fields, path: path, line: number) {
                    if let includeDirectory, !includeDirectory(record.repository ?? "") { return }
                    batch.add(record)
                }
            } catch {
                batch.reject(MalformedLine(file: path, line: number, reason: error.reason))
            }
        }
    }

    /// The only fields read from a transcript line: counts and identifiers, never content.
    static let selection = SelectiveJSON.Selection([
        "type": nil, "sessionId": nil, "cwd": nil, "gitBranch": nil, "timestamp": nil, "requestId": nil, "uuid": nil, "costUSD": nil,
        "message": SelectiveJSON.Selection([
            "id": nil, "model": nil,
            "usage": SelectiveJSON.Selection([
                "input_tokens": nil, "output_tokens": nil, "cache_creation_input_tokens": nil, "cache_read_input_tokens": nil,
                "cache_creation": SelectiveJSON.Selection(["ephemeral_5m_input_tokens": nil, "ephemeral_1h_input_tokens": nil]),
            ]),
        ]),
    ])

    static func record(_ line: JSONFields, path: String, line number: Int) throws(FieldError) -> UsageRecord? {
        guard line.string("type") == "assistant", let message = line.nested("message"), let usage = message.nested("usage") else {
            return nil
        }
        let model = message.string("model") ?? "unknown"
        if model == "<synthetic>" { return nil }
        let messageID = message.string("id")
        let requestID = line.string("requestId")
        let key: String
        if let messageID, let requestID {
            key = "\(messageID):\(requestID)"
        } else if let messageID {
            key = messageID
        } else if let uuid = line.string("uuid") {
            key = "line:\(uuid)"
        } else {
            throw FieldError("assistant line with usage has no message.id, requestId or uuid")
        }
        let input = try usage.count("input_tokens")
        let output = try usage.count("output_tokens")
        let cacheWrite = try usage.count("cache_creation_input_tokens")
        let cacheRead = try usage.count("cache_read_input_tokens")
        var cacheWrite1h: Int64 = 0
        if let split = usage.nested("cache_creation") {
            cacheWrite1h = min(try split.count("ephemeral_1h_input_tokens"), cacheWrite)
        }
        var record = UsageRecord(
            source: UsageFormat.claudeCode.rawValue, key: key,
            timestamp: try line.timestamp("timestamp"),
            session: line.string("sessionId"), agent: "claude-code", model: model,
            repository: line.string("cwd"), branch: line.string("gitBranch"),
            input: input, output: output, cacheWrite: cacheWrite, cacheRead: cacheRead,
            costUSD: try line.decimal("costUSD"))
        record.cacheWrite1h = cacheWrite1h
        return record
    }
}
