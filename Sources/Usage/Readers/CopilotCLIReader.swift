import Foundation

/// GitHub Copilot CLI sessions: `~/.copilot/session-state/<session>/events.jsonl`, one event per
/// line (`type`, `timestamp`, `data`). `session.start` names the session and its working
/// directory and git root; token totals exist only in `session.shutdown`'s `modelMetrics`, per
/// model, and are cumulative across resumes of the session. Each shutdown counts only its
/// increase over the largest earlier snapshot of that model, so a snapshot read twice, or a
/// resumed session's repeated totals, never count twice. `inputTokens` includes both cache
/// buckets: input = inputTokens − cache read − cache write.
struct CopilotCLIReader {
    var includeDirectory: ((String) -> Bool)?

    struct Totals: Equatable {
        var input: Int64 = 0, output: Int64 = 0, cacheRead: Int64 = 0, cacheWrite: Int64 = 0
    }

    func read(_ path: String, into batch: inout UsageBatch) throws {
        var session: String?
        var directory: String?
        var branch: String?
        var largest = [String: Totals]()
        try LineScanner(path: path).forEachLine { number, line, truncated in
            let cut = truncated || line.isCutJSONLine
            guard
                cut || line.contains(bytes: "\"session.start\"") || line.contains(bytes: "\"session.resume\"")
                    || line.contains(bytes: "\"session.shutdown\"")
            else { return }
            guard let fields = JSONFields.decode(line) else {
                batch.reject(MalformedLine(file: path, line: number, reason: cut ? "truncated line" : "not valid JSON"))
                return
            }
            let data = fields.nested("data")
            switch fields.string("type") {
            case "session.start", "session.resume":
                session = data?.string("sessionId") ?? session
                if let context = data?.nested("context") {
                    directory = context.string("gitRoot") ?? context.string("cwd") ?? directory
                    branch = context.string("branch") ?? branch
                }
            case "session.shutdown":
                if let includeDirectory, !includeDirectory(directory ?? "") { return }
                guard let metrics = data?.nested("modelMetrics") else { return }
                let sessionID = session ?? URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
                do {
                    let time = try fields.timestamp("timestamp")
                    for model in metrics.object.keys.sorted() {
                        guard let usage = metrics.nested(model)?.nested("usage") else { continue }
                        let current = Totals(
                            input: try usage.count("inputTokens"), output: try usage.count("outputTokens"),
                            cacheRead: try usage.count("cacheReadTokens"), cacheWrite: try usage.count("cacheWriteTokens"))
                        let before = largest[model] ?? Totals()
                        let after = Totals(
                            input: max(before.input, current.input), output: max(before.output, current.output),
                            cacheRead: max(before.cacheRead, current.cacheRead), cacheWrite: max(before.cacheWrite, current.cacheWrite))
                        largest[model] = after
                        guard after != before else { continue }
                        let read = after.cacheRead - before.cacheRead, write = after.cacheWrite - before.cacheWrite
                        batch.add(
                            UsageRecord(
                                source: UsageFormat.copilotCLI.rawValue,
                                key: "\(sessionID):\(model):\(after.input):\(after.output):\(after.cacheRead):\(after.cacheWrite)",
                                timestamp: time, session: sessionID, agent: "copilot-cli", model: model,
                                repository: directory, branch: branch,
                                input: max(0, (after.input - before.input) - read - write), output: after.output - before.output,
                                cacheWrite: write, cacheRead: read))
                    }
                } catch {
                    batch.reject(MalformedLine(file: path, line: number, reason: error.reason))
                }
            default:
                return
            }
        }
    }
}
