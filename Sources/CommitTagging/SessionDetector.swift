#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the session a commit is made in, first match wins:
/// 1. `SHIPMETER_SESSION` (`<agent>/<id>` or `<id>`), `SHIPMETER_AGENT`, `SHIPMETER_MODEL`;
/// 2. the agent's own process: Claude Code sets `CLAUDECODE=1` and keeps
///    `~/.claude/sessions/*.json` with `sessionId` and `pid`, so the commit's process ancestry
///    names the exact session; OpenCode (`OPENCODE=1`) by its session of this directory updated
///    last; Gemini CLI (`GEMINI_CLI`) by its newest chat for this work tree; Codex (`CODEX_*`),
///    Cursor (`CURSOR_AGENT`) and Aider (`AIDER_*`) are recognised by their environment;
/// 3. last resort: the newest Claude Code transcript, Codex session, Gemini CLI chat or Copilot
///    CLI session recorded in this work tree whose last record is recent (default 30 minutes).
/// Only the tail of a transcript is ever read.
public struct SessionDetector {
    public var environment: [String: String]
    public var home: String
    public var workTree: String
    /// Process ids from the hook's parent up to init.
    public var ancestry: [Int32]
    public var recentWindow: TimeInterval
    public var now: Date

    public init(environment: [String: String], workTree: String, ancestry: [Int32], recentWindow: TimeInterval = 30 * 60, now: Date = Date()) {
        self.environment = environment
        home = environment["HOME"] ?? ProcessEnvironment.homeFromUserDatabase()
        self.workTree = workTree
        self.ancestry = ancestry
        self.recentWindow = recentWindow
        self.now = now
    }

    var claudeRoots: [String] {
        if let configured = environment["CLAUDE_CONFIG_DIR"], !configured.isEmpty {
            return configured.split(separator: ",").map { String($0).trimmingWhitespace() }
        }
        return [home + "/.claude", home + "/.config/claude"]
    }

    var codexHome: String { environment["CODEX_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.codex" }

    public func detect() -> AgentSession? {
        if let explicit = fromEnvironment() { return explicit }
        if let process = fromAgentProcess() { return process }
        return recentTranscript(agentHint: agentHint)
    }

    func fromEnvironment() -> AgentSession? {
        guard let value = environment["SHIPMETER_SESSION"]?.trimmingWhitespace(), !value.isEmpty else {
            if let agent = environment["SHIPMETER_AGENT"], !agent.isEmpty {
                return AgentSession(agent: agent, id: nil, model: environment["SHIPMETER_MODEL"], source: "environment")
            }
            return nil
        }
        var agent = environment["SHIPMETER_AGENT"].flatMap { $0.isEmpty ? nil : $0 }
        var id = value
        if let slash = value.firstIndex(of: "/") {
            agent = agent ?? String(value[..<slash])
            id = String(value[value.index(after: slash)...])
        }
        let resolvedAgent = agent ?? agentHint ?? "claude-code"
        var model = environment["SHIPMETER_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
        if model == nil { model = self.model(agent: resolvedAgent, session: id) }
        return AgentSession(agent: resolvedAgent, id: id, model: model, source: "SHIPMETER_SESSION")
    }

    /// The agent whose environment markers are present, if any.
    var agentHint: String? {
        if environment["CLAUDECODE"] == "1" || environment["CLAUDE_CODE_ENTRYPOINT"] != nil { return "claude-code" }
        if environment.keys.contains(where: { $0.hasPrefix("CODEX_") }) { return "codex" }
        if environment["OPENCODE"] == "1" { return "opencode" }
        if environment["GEMINI_CLI"] != nil { return "gemini-cli" }
        if environment["CURSOR_AGENT"] != nil || environment["CURSOR_TRACE_ID"] != nil { return "cursor" }
        if environment.keys.contains(where: { $0.hasPrefix("AIDER_") }) { return "aider" }
        return nil
    }

    func fromAgentProcess() -> AgentSession? {
        guard let hint = agentHint else { return nil }
        if hint == "claude-code" {
            let sessions = claudeSessionsByPID()
            for pid in ancestry {
                if let id = sessions[pid] {
                    return AgentSession(agent: "claude-code", id: id, model: model(agent: "claude-code", session: id), source: "process \(pid)")
                }
            }
            return recentTranscript(agentHint: "claude-code")
        }
        if hint == "codex" { return recentTranscript(agentHint: "codex") }
        if hint == "opencode", let session = openCodeSession() { return session }
        if hint == "gemini-cli", var session = recentTranscript(agentHint: "gemini-cli") {
            session.model = session.model ?? environment["GEMINI_MODEL"]
            return session
        }
        return AgentSession(agent: hint, id: nil, model: environment["GEMINI_MODEL"] ?? environment["AIDER_MODEL"], source: "environment")
    }

    /// `~/.claude/sessions/*.json`: pid → session id.
    func claudeSessionsByPID() -> [Int32: String] {
        var result = [Int32: String]()
        for root in claudeRoots {
            let folder = root + "/sessions"
            let files = FolderEntries.names(folder)
            for file in files where file.hasSuffix(".json") {
                // Only small regular files: a FIFO or device here must not stall a commit.
                guard let status = RegularFile(folder + "/" + file), status.size < 1 << 20,
                    let data = LocalFile.read(folder + "/" + file, limit: 1 << 20),
                    let object = TranscriptJSON.object(data)
                else { continue }
                let id = (object["sessionId"] ?? object["session_id"])?.string
                var pid: Int32?
                switch object["pid"] {
                case .number(let number)?: pid = Int32(exactly: number.rounded(.towardZero))
                case .string(let text)?: pid = Int32(text)
                case .bool(let flag)?: pid = flag ? 1 : 0
                default: break
                }
                if let id, let pid { result[pid] = id }
            }
        }
        return result
    }

    // MARK: - Transcripts

    struct Candidate {
        var path: String
        var modified: Date
        var agent: String
    }

    /// Transcript files modified within the window, newest first (only metadata is read).
    func recentFiles(agentHint: String?) -> [Candidate] {
        var candidates = [Candidate]()
        let horizon = now.addingTimeInterval(-recentWindow)
        func consider(_ path: String, agent: String) {
            guard let status = RegularFile(path), status.modified >= horizon else { return }
            candidates.append(Candidate(path: path, modified: status.modified, agent: agent))
        }
        if agentHint == nil || agentHint == "claude-code" {
            // Claude Code files a session under its starting folder's name with every other
            // character turned into `-`: only this work tree's folder and its subfolders' can
            // hold a session recorded here (the cwd in the tail then decides).
            let wanted = Self.folderKey(workTree)
            for root in claudeRoots {
                let projects = root + "/projects"
                for folder in FolderEntries.names(projects) {
                    let key = Self.folderKey(folder)
                    guard key == wanted || key.hasPrefix(wanted + "-") else { continue }
                    for file in FolderEntries.names(projects + "/" + folder) where file.hasSuffix(".jsonl") {
                        consider(projects + "/" + folder + "/" + file, agent: "claude-code")
                    }
                }
            }
        }
        if agentHint == nil || agentHint == "codex" {
            // Sessions are filed by day: today's and yesterday's folders cover the window.
            for offset in [0.0, -86_400] {
                let folder = codexHome + "/sessions/" + Self.localDay(now.addingTimeInterval(offset))
                for file in FolderEntries.names(folder) where file.hasSuffix(".jsonl") {
                    consider(folder + "/" + file, agent: "codex")
                }
            }
        }
        if agentHint == nil || agentHint == "gemini-cli" {
            for chat in geminiChats() { consider(chat, agent: "gemini-cli") }
        }
        if agentHint == nil || agentHint == "copilot-cli" {
            for events in copilotSessions() { consider(events, agent: "copilot-cli") }
        }
        return candidates.sorted { $0.modified > $1.modified }
    }

    /// `2026/03/01`: the local calendar day of `date`, as Codex files its sessions (from
    /// localtime_r: Foundation's calendars cost milliseconds to set up, in every commit's hook).
    static func localDay(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return "0000/00/00" }
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return padded(parts.tm_year + 1900, 4) + "/" + padded(parts.tm_mon + 1, 2) + "/" + padded(parts.tm_mday, 2)
    }

    /// A folder or path with every character but letters and digits as `-`.
    static func folderKey(_ name: String) -> String {
        // Byte by byte when every character is one ASCII byte (a CR LF pair is one character):
        // Character's letter test costs the hook a Unicode table lookup per character.
        if name.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) {
            return String(
                decoding: name.utf8.map { byte in
                    (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) ? byte : UInt8(ascii: "-")
                }, as: UTF8.self)
        }
        return String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
    }

    /// A file's name without its folder and last extension (`/a/b/s1.jsonl` → `s1`).
    static func fileStem(_ path: String) -> String {
        let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// The newest recent transcript whose recorded working directory is this work tree.
    func recentTranscript(agentHint: String?) -> AgentSession? {
        guard recentWindow > 0 else { return nil }
        for candidate in recentFiles(agentHint: agentHint) {
            let tail = TranscriptTail(path: candidate.path)
            guard let facts = tail.facts(agent: candidate.agent), let cwd = facts.cwd,
                cwd == workTree || cwd.hasPrefix(workTree + "/")
            else { continue }
            if let last = facts.lastTime, last < now.addingTimeInterval(-recentWindow) { continue }
            let id = facts.session ?? Self.fileStem(candidate.path)
            return AgentSession(agent: candidate.agent, id: id, model: facts.model, source: "recent transcript")
        }
        return nil
    }

    /// The model of the session's last assistant record, from the tail of its transcript.
    func model(agent: String, session: String) -> String? {
        guard agent == "claude-code" else { return nil }
        for root in claudeRoots {
            let projects = root + "/projects"
            for folder in FolderEntries.names(projects) {
                let path = projects + "/" + folder + "/" + session + ".jsonl"
                if LocalFile.exists(path) {
                    return TranscriptTail(path: path).facts(agent: agent)?.model
                }
            }
        }
        return nil
    }
}
