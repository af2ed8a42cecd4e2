import Foundation

/// Qwen Code chats: `~/.qwen/projects/<project>/chats/<session>.jsonl`, one record per line with
/// `uuid`, `sessionId`, `timestamp`, `type`, `cwd`, `gitBranch`, `model` and, on assistant
/// records, the API's `usageMetadata`. A record forked into another session keeps its `uuid`,
/// so `uuid` alone de-duplicates. The prompt count includes the cache: input =
/// prompt − cached + tool-use prompt, cache read = cached, output = candidates + thoughts.
struct QwenCodeReader {
    var includeDirectory: ((String) -> Bool)?

    func read(_ path: String, into batch: inout UsageBatch) throws {
        try LineScanner(path: path).forEachLine { number, line, truncated in
            let cut = truncated || line.isCutJSONLine
            guard cut || line.contains(bytes: "\"usageMetadata\"") else { return }
            guard let fields = JSONFields.decode(line) else {
                batch.reject(MalformedLine(file: path, line: number, reason: cut ? "truncated line" : "not valid JSON"))
                return
            }
            guard fields.string("type") == "assistant", let usage = fields.nested("usageMetadata") else { return }
            if let includeDirectory, !includeDirectory(fields.string("cwd") ?? "") { return }
            do {
                guard let uuid = fields.string("uuid") else { throw FieldError("assistant record has no uuid") }
                let prompt = try usage.count("promptTokenCount"), cached = try usage.count("cachedContentTokenCount")
                batch.add(
                    UsageRecord(
                        source: UsageFormat.qwenCode.rawValue, key: uuid,
                        timestamp: try fields.timestamp("timestamp"),
                        session: fields.string("sessionId"), agent: "qwen-code", model: fields.string("model") ?? "unknown",
                        repository: fields.string("cwd"), branch: fields.string("gitBranch"),
                        input: max(0, prompt - cached) + (try usage.count("toolUsePromptTokenCount")),
                        output: try usage.count("candidatesTokenCount") + (try usage.count("thoughtsTokenCount")),
                        cacheRead: min(cached, prompt)))
            } catch {
                batch.reject(MalformedLine(file: path, line: number, reason: error.reason))
            }
        }
    }
}
