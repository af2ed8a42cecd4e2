import Foundation

extension UsageFormat {
    /// Recognises a file's format from its first bytes; nil when nothing fits.
    public static func detect(path: String) -> UsageFormat? {
        let head = LineScanner.head(of: path, limit: 1 << 18)
        if head.starts(with: Array("SQLite format 3\0".utf8)) { return detectDatabase(path) }
        return detect(head: head, path: path)
    }

    /// An agent's SQLite store, by its tables.
    static func detectDatabase(_ path: String) -> UsageFormat? {
        guard let schema = try? AgentDatabase(path: path).schema() else { return nil }
        if let message = schema["message"], message.contains("data"), schema["session"] != nil { return .opencode }
        guard let sessions = schema["sessions"] else { return nil }
        if sessions.contains("parent_session_id"), sessions.contains("cost"), sessions.contains("prompt_tokens") { return .crush }
        if sessions.contains("working_dir") || sessions.contains("accumulated_total_tokens") || sessions.contains("model_config_json") {
            return .goose
        }
        return nil
    }

    static func detect(head: [UInt8], path: String) -> UsageFormat? {
        guard let first = head.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) else { return nil }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return detectJSON(head)
        }
        let header = Set(CSVRecords.header(of: head))
        if header.contains(CursorReader.inputWithCacheWrite), header.contains(CursorReader.inputWithoutCacheWrite) { return .cursor }
        if header.contains("request_id"), header.contains("spend") || header.contains("prompt_tokens") { return .litellm }
        if CanonicalReader.required.allSatisfy(header.contains) { return .csv }
        return nil
    }

    private static func detectJSON(_ head: [UInt8]) -> UsageFormat? {
        // JSON lines when the first line is a document by itself; else one (pretty-printed) document.
        let lines = head.split(separator: 0x0A, maxSplits: 20, omittingEmptySubsequences: true)
            .filter { !$0.allSatisfy { [0x20, 0x09, 0x0D].contains($0) } }
        var candidates = [Any]()
        if let first = lines.first, first.withUnsafeBufferPointer(JSONDocuments.decodeAny) != nil {
            for line in lines.prefix(20) {
                if let value = line.withUnsafeBufferPointer(JSONDocuments.decodeAny) { candidates.append(value) }
            }
        }
        for candidate in candidates {
            if let format = classify(candidate) { return format }
        }
        if candidates.isEmpty, let whole = head.withUnsafeBufferPointer(JSONDocuments.decodeAny) {
            return classify(whole)
        }
        if candidates.isEmpty {
            // A large pretty-printed document cut off by the head limit: look for its markers.
            let text = String(decoding: head, as: UTF8.self)
            if text.contains("\"resourceMetrics\"") || text.contains("\"resourceLogs\"") { return .otel }
            if text.contains("\"model_breakdown\"") { return .claudeCodeAnalytics }
            if text.contains("\"uncached_input_tokens\"") { return .anthropicUsage }
            if text.contains("\"input_cached_tokens\"") || text.contains("organization.usage.completions") { return .openaiUsage }
            if text.contains("\"request_id\""), text.contains("\"spend\"") { return .litellm }
        }
        return nil
    }

    /// The agents whose records share field names with Claude Code's (`sessionId`, `uuid`).
    static func classifyAgent(_ object: JSONFields, type: String?) -> UsageFormat? {
        if object["projectHash"] != nil, object["sessionId"] != nil { return .geminiCLI }
        if object["$rewindTo"] != nil || (object["$set"] != nil && object.object.count == 1) { return .geminiCLI }
        if object["id"] != nil, type == "gemini", object["tokens"] != nil || object["content"] != nil { return .geminiCLI }
        if object["usageMetadata"] != nil || object.nested("message")?["parts"] != nil { return .qwenCode }
        if let type, object["data"] != nil, ["session.", "assistant.", "user.", "tool."].contains(where: type.hasPrefix) { return .copilotCLI }
        if object["usageLedger"] != nil || (object.string("id")?.hasPrefix("T-") == true && object["messages"] != nil) { return .amp }
        if object["usageEvents"] != nil || (object["tokenUsage"] != nil && object["userEmail"] != nil) { return .cursor }
        if object["sessionID"] != nil, object["modelID"] != nil || object["messageID"] != nil || object.string("role") != nil { return .opencode }
        if object.string("id")?.hasPrefix("ses_") == true, object["projectID"] != nil { return .opencode }
        return nil
    }

    static func classify(_ value: Any) -> UsageFormat? {
        if let array = value as? [Any] {
            for item in array.prefix(5) { if let format = classify(item) { return format } }
            return nil
        }
        guard let object = JSONFields(value) else { return nil }
        if object["resourceMetrics"] != nil || object["resourceLogs"] != nil { return .otel }
        let type = object.string("type")
        if ["session_meta", "turn_context", "event_msg", "response_item", "compacted"].contains(type ?? "") { return .codex }
        if let format = classifyAgent(object, type: type) { return format }
        if object["sessionId"] != nil || object["parentUuid"] != nil
            || (["summary", "user", "assistant", "system", "file-history-snapshot"].contains(type ?? "") && object["uuid"] != nil)
            || (type == "summary" && object["leafUuid"] != nil)
        {
            return .claudeCode
        }
        if let data = object.array("data") {
            if data.isEmpty {
                if object.string("object") == "page" { return .openaiUsage }
                return object["has_more"] != nil ? .anthropicUsage : nil
            }
            return data.prefix(5).lazy.compactMap(classify).first
        }
        if object["model_breakdown"] != nil { return .claudeCodeAnalytics }
        if object["starting_at"] != nil, object["results"] != nil { return .anthropicUsage }
        if object["start_time"] != nil, object["results"] != nil || object.string("object") == "bucket" { return .openaiUsage }
        if object["request_id"] != nil, object["spend"] != nil || object["prompt_tokens"] != nil { return .litellm }
        if CanonicalReader.required.allSatisfy({ object[$0] != nil }) { return .jsonl }
        return nil
    }
}
