import Foundation
import Usage

/// A git-ai authorship log (v3, `refs/notes/ai`): per file, a key and the line ranges it wrote
/// (`  s_<14 hex>::t_<14 hex> 1,2,19-222`, lines of the file at that commit), then `---` and
/// JSON metadata. Keys route by prefix: `s_` sessions, `h_` humans, bare hex legacy prompts.
/// AI lines are the line numbers under session and prompt keys.
public struct GitAINote: Sendable, Equatable {
    /// Lines written under session or legacy prompt keys, by path.
    public var aiLines: [String: Set<Int>]
    /// The `s_…` session keys the note names (without their `::t_…` part).
    public var sessionKeys: Set<String>

    public var aiLineCount: Int { aiLines.values.reduce(0) { $0 + $1.count } }

    public init(text: String) {
        var lines = [String: Set<Int>]()
        var keys = Set<String>()
        var path: String?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line == "---" { break }
            if line.isEmpty { continue }
            if !line.hasPrefix(" ") && !line.hasPrefix("\t") {
                var name = String(line)
                if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
                path = name
                continue
            }
            guard let path else { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else { continue }
            let key = String(fields[0])
            let isSession = key.hasPrefix("s_")
            let isPrompt = key.allSatisfy(\.isHexDigit)
            guard isSession || isPrompt else { continue }  // `h_` humans, anything unknown
            if isSession { keys.insert(String(key.split(separator: ":").first ?? Substring(key))) }
            for range in fields[1...].joined(separator: ",").split(separator: ",") {
                let bounds = range.split(separator: "-").compactMap { Int($0) }
                if bounds.count == 1, bounds[0] > 0 {
                    lines[path, default: []].insert(bounds[0])
                } else if bounds.count == 2, bounds[0] > 0, bounds[0] <= bounds[1], bounds[1] - bounds[0] < 1_000_000 {
                    lines[path, default: []].formUnion(bounds[0]...bounds[1])
                }
            }
        }
        aiLines = lines
        sessionKeys = keys
    }

    /// git-ai's key for an agent session: `s_` + the first 14 hex digits of sha256("<tool>:<id>").
    public static func sessionKey(tool: String, session: String) -> String {
        "s_" + SHA256.hex("\(tool):\(session)").prefix(14)
    }

    /// git-ai's tool name for shipmeter's agent names.
    public static func tool(forAgent agent: String) -> String {
        switch agent {
        case "claude-code": return "claude"
        case "gemini-cli": return "gemini"
        case "copilot-cli", "copilot": return "github-copilot"
        default: return agent
        }
    }
}
