import Foundation

/// Codex CLI sessions: `~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`.
///
/// `token_count` events carry a cumulative `total_token_usage` that repeats; each record is the
/// increase since the previous distinct total. Cached input is inside `input_tokens` there.
struct CodexReader {
    var includeDirectory: ((String) -> Bool)?

    struct Totals: Equatable {
        var input: Int64 = 0, cached: Int64 = 0, output: Int64 = 0
    }

    func read(_ path: String, into batch: inout UsageBatch) throws {
        var session: String?
        var cwd: String?
        var branch: String?
        var model = "unknown"
        var previous = Totals()
        var included = includeDirectory == nil
        try LineScanner(path: path).forEachLine { number, line, truncated in
            // Response items (prompts, outputs, tool calls) are most of the bytes and carry
            // nothing; a line cut mid-write is reported wherever the cut fell.
            let cut = truncated || line.isCutJSONLine
            guard
                cut || line.contains(bytes: "\"session_meta\"") || line.contains(bytes: "\"turn_context\"")
                    || line.contains(bytes: "\"token_count\"")
            else { return }
            guard let fields = JSONFields.decode(line) else {
                batch.reject(MalformedLine(file: path, line: number, reason: cut ? "truncated line" : "not valid JSON"))
                return
            }
            let payload = fields.nested("payload")
            switch fields.string("type") {
            case "session_meta":
                session = payload?.string("id") ?? session
                cwd = payload?.string("cwd") ?? cwd
                branch = payload?.nested("git")?.string("branch") ?? branch
                if let includeDirectory { included = includeDirectory(cwd ?? "") }
            case "turn_context":
                model = payload?.string("model") ?? model
                if let directory = payload?.string("cwd") { cwd = directory }
            case "event_msg":
                guard payload?.string("type") == "token_count", included,
                    let totals = payload?.nested("info")?.nested("total_token_usage")
                else { return }
                do {
                    let current = Totals(
                        input: try totals.count("input_tokens"),
                        cached: try totals.count("cached_input_tokens"),
                        output: try totals.count("output_tokens"))
                    guard current != previous else { return }  // the same total repeated
                    if current.input < previous.input || current.output < previous.output || current.cached < previous.cached {
                        // A restarted counter (a resumed session): the new total is itself the increase.
                        previous = Totals()
                    }
                    let deltaInput = current.input - previous.input
                    let deltaCached = min(current.cached - previous.cached, deltaInput)
                    let sessionID = session ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                    batch.add(
                        UsageRecord(
                            source: UsageFormat.codex.rawValue,
                            key: "\(sessionID):\(current.input):\(current.cached):\(current.output)",
                            timestamp: try fields.timestamp("timestamp"),
                            session: sessionID, agent: "codex", model: model, repository: cwd, branch: branch,
                            input: deltaInput - deltaCached, output: current.output - previous.output,
                            cacheWrite: 0, cacheRead: deltaCached))
                    previous = current
                } catch let error as FieldError {
                    batch.reject(MalformedLine(file: path, line: number, reason: error.reason))
                }
            default:
                return
            }
        }
    }
}
