import Foundation

/// Amp threads: `~/.local/share/amp/threads/T-<uuid>.json` (or under `$AMP_DATA_DIR`), one JSON
/// document per thread. Usage is per message: `messages[].usage` (`inputTokens`,
/// `outputTokens`, `cacheCreationInputTokens`, `cacheReadInputTokens`, input without the
/// cache) or, in threads without it, `usageLedger.events[]` (`tokens.input`, `tokens.output`).
/// One of the two is read, never both: they describe the same calls. Credits are not dollars
/// and are not read as cost.
struct AmpReader {
    var includeDirectory: ((String) -> Bool)?

    func read(_ path: String, into batch: inout UsageBatch) throws {
        try JSONDocuments.forEach(path, batch: &batch) { value, _, line, batch in
            guard let thread = JSONFields(value) else { return }
            let threadID = thread.string("id") ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let directory = Self.directory(of: thread)
            if let includeDirectory, !includeDirectory(directory ?? "") { return }
            let created = try? thread.timestamp("created")
            let messages = (thread.array("messages") ?? []).compactMap(JSONFields.init)
            let withUsage = messages.enumerated().filter { $0.element.nested("usage") != nil }
            do {
                if !withUsage.isEmpty {
                    for (index, message) in withUsage {
                        guard let usage = message.nested("usage") else { continue }
                        let id = message.string("messageId") ?? message.string("id") ?? String(index)
                        let time = (try? usage.timestamp("timestamp")) ?? (try? message.timestamp("timestamp")) ?? created
                        guard let time else { throw FieldError("message \(id) has no timestamp and the thread no created time") }
                        batch.add(
                            UsageRecord(
                                source: UsageFormat.amp.rawValue, key: "\(threadID):\(id)", timestamp: time,
                                session: threadID, agent: "amp", model: usage.string("model") ?? "unknown", repository: directory,
                                input: try usage.count("inputTokens"), output: try usage.count("outputTokens"),
                                cacheWrite: try usage.count("cacheCreationInputTokens"), cacheRead: try usage.count("cacheReadInputTokens")))
                    }
                } else {
                    let events = (thread.nested("usageLedger")?.array("events") ?? []).compactMap(JSONFields.init)
                    for (index, event) in events.enumerated() {
                        let tokens = event.nested("tokens") ?? JSONFields([:])
                        let id = event.string("id") ?? event.string("toMessageId").map { "message:\($0)" } ?? "event:\(index)"
                        batch.add(
                            UsageRecord(
                                source: UsageFormat.amp.rawValue, key: "\(threadID):\(id)", timestamp: try event.timestamp("timestamp"),
                                session: threadID, agent: "amp", model: event.string("model") ?? "unknown", repository: directory,
                                input: try tokens.count("input"), output: try tokens.count("output")))
                    }
                }
            } catch {
                batch.reject(MalformedLine(file: path, line: line, reason: error.reason))
            }
        }
    }

    /// The thread's working tree when it records one (`env.initial.trees[].uri`, a `file://` URL).
    static func directory(of thread: JSONFields) -> String? {
        let trees = thread.nested("env")?.nested("initial")?.array("trees") ?? []
        for tree in trees.compactMap(JSONFields.init) {
            guard let uri = tree.string("uri") else { continue }
            if let url = URL(string: uri), url.isFileURL { return url.path }
            if uri.hasPrefix("/") { return uri }
        }
        return nil
    }
}
