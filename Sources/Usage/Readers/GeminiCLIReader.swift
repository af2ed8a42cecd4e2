import Foundation

/// Gemini CLI chats: `~/.gemini/tmp/<project>/chats/session-*.jsonl` (subagents under
/// `chats/<parent session>/`), and older sessions as one `.json` document.
///
/// A JSONL chat starts with a metadata line (`sessionId`, `projectHash`); a message is appended
/// again when its tokens arrive, so the last write of each message `id` is the one read. Counts
/// are the API's: `input` includes `cached`; `thoughts` are billed as output and `tool`
/// (tool-use prompt) as input, so a record has input = input − cached + tool,
/// cache read = cached, output = output + thoughts. The project folder's `.project_root` file
/// names the working directory (records carry none).
struct GeminiCLIReader {
    var includeDirectory: ((String) -> Bool)?
    /// The repository being read for: a chat whose `projectHash` is its sha256 belongs to it
    /// even without a `.project_root` file (older Gemini CLI folders are named by that hash).
    var knownRoot: String?

    struct Message {
        var line: Int
        var fields: JSONFields
    }

    func read(_ path: String, into batch: inout UsageBatch) throws {
        var session: String?
        var projectHash: String?
        var messages = [String: Message]()
        var order = [String]()
        try JSONDocuments.forEach(path, batch: &batch) { value, _, line, batch in
            guard let object = JSONFields(value) else { return }
            if let messageList = object.array("messages"), object["sessionId"] != nil, object["id"] == nil {
                // A whole legacy session, or a metadata record carrying the messages.
                session = object.string("sessionId") ?? session
                projectHash = object.string("projectHash") ?? projectHash
                for (index, item) in messageList.enumerated() {
                    guard let message = JSONFields(item), let id = message.string("id") else { continue }
                    if messages[id] == nil { order.append(id) }
                    messages[id] = Message(line: index + 1, fields: message)
                }
            } else if let update = object.nested("$set") {
                session = update.string("sessionId") ?? session
            } else if let id = object.string("id") {
                if messages[id] == nil { order.append(id) }
                messages[id] = Message(line: line, fields: object)
            } else if object["sessionId"] != nil {
                session = object.string("sessionId") ?? session
                projectHash = object.string("projectHash") ?? projectHash
            }
        }
        var root = Self.projectRoot(of: path)
        if root == nil, let knownRoot, let projectHash, projectHash.lowercased() == SHA256.hex(knownRoot) { root = knownRoot }
        if let includeDirectory, !includeDirectory(root ?? "") { return }
        let sessionID = session ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        for id in order {
            guard let message = messages[id], message.fields.string("type") == "gemini",
                let tokens = message.fields.nested("tokens")
            else { continue }
            do {
                let input = try tokens.count("input"), cached = try tokens.count("cached")
                batch.add(
                    UsageRecord(
                        source: UsageFormat.geminiCLI.rawValue, key: "\(sessionID):\(id)",
                        timestamp: try message.fields.timestamp("timestamp"),
                        session: sessionID, agent: "gemini-cli", model: message.fields.string("model") ?? "unknown",
                        repository: root,
                        input: max(0, input - cached) + (try tokens.count("tool")),
                        output: try tokens.count("output") + (try tokens.count("thoughts")),
                        cacheRead: min(cached, input)))
            } catch {
                batch.reject(MalformedLine(file: path, line: message.line, reason: error.reason))
            }
        }
    }

    /// The working directory Gemini CLI recorded for the chat's project folder
    /// (`<project>/.project_root`), nil when there is none.
    static func projectRoot(of chat: String) -> String? {
        var folder = URL(fileURLWithPath: chat).deletingLastPathComponent()
        for _ in 0..<3 {
            if folder.lastPathComponent == "chats" {
                let marker = folder.deletingLastPathComponent().appendingPathComponent(".project_root").path
                guard let text = try? String(contentsOfFile: marker, encoding: .utf8) else { return nil }
                let root = text.trimmingCharacters(in: .whitespacesAndNewlines)
                return root.isEmpty ? nil : root
            }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }
}
