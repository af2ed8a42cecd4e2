import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The AI agent session a commit is being made in.
public struct AgentSession: Equatable, Sendable {
    public var agent: String
    /// nil when the agent is known but exposes no session id (then only `Assisted-by` is written).
    public var id: String?
    public var model: String?
    /// How it was found, for `hooks status` and debugging.
    public var source: String

    public init(agent: String, id: String?, model: String?, source: String) {
        self.agent = agent
        self.id = id
        self.model = model
        self.source = source
    }

    /// The trailers this session adds to a commit message.
    public var trailers: [(key: String, value: String)] {
        var result = [(key: String, value: String)]()
        result.append(("Assisted-by", "\(agent):\(model ?? "unknown")"))
        if let id { result.append(("AI-Session", "\(agent)/\(id)")) }
        return result
    }
}

/// Finds the session a commit is made in, first match wins:
/// 1. `SHIPMETER_SESSION` (`<agent>/<id>` or `<id>`), `SHIPMETER_AGENT`, `SHIPMETER_MODEL`;
/// 2. the agent's own process: Claude Code sets `CLAUDECODE=1` and keeps
///    `~/.claude/sessions/*.json` with `sessionId` and `pid`, so the commit's process ancestry
///    names the exact session; Codex (`CODEX_*`), Gemini CLI (`GEMINI_CLI`), Cursor
///    (`CURSOR_AGENT`) and Aider (`AIDER_*`) are recognised by their environment;
/// 3. last resort: the newest Claude Code transcript or Codex session recorded in this work tree
///    whose last record is recent (default 30 minutes).
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
        home = environment["HOME"] ?? NSHomeDirectory()
        self.workTree = workTree
        self.ancestry = ancestry
        self.recentWindow = recentWindow
        self.now = now
    }

    var claudeRoots: [String] {
        if let configured = environment["CLAUDE_CONFIG_DIR"], !configured.isEmpty {
            return configured.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
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
        guard let value = environment["SHIPMETER_SESSION"]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
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
        return AgentSession(agent: hint, id: nil, model: environment["GEMINI_MODEL"] ?? environment["AIDER_MODEL"], source: "environment")
    }

    /// `~/.claude/sessions/*.json`: pid → session id.
    func claudeSessionsByPID() -> [Int32: String] {
        var result = [Int32: String]()
        for root in claudeRoots {
            let folder = root + "/sessions"
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for file in files where file.hasSuffix(".json") {
                // Only small regular files: a FIFO or device here must not stall a commit.
                guard let status = RegularFile(folder + "/" + file), status.size < 1 << 20,
                      let data = FileManager.default.contents(atPath: folder + "/" + file),
                      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
                let id = (object["sessionId"] ?? object["session_id"]) as? String
                var pid: Int32?
                if let number = object["pid"] as? NSNumber { pid = number.int32Value }
                if let text = object["pid"] as? String { pid = Int32(text) }
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
                for folder in (try? FileManager.default.contentsOfDirectory(atPath: projects)) ?? [] {
                    let key = Self.folderKey(folder)
                    guard key == wanted || key.hasPrefix(wanted + "-") else { continue }
                    for file in (try? FileManager.default.contentsOfDirectory(atPath: projects + "/" + folder)) ?? [] where file.hasSuffix(".jsonl") {
                        consider(projects + "/" + folder + "/" + file, agent: "claude-code")
                    }
                }
            }
        }
        if agentHint == nil || agentHint == "codex" {
            // Sessions are filed by day: today's and yesterday's folders cover the window.
            for offset in [0.0, -86_400] {
                let day = now.addingTimeInterval(offset)
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone.current
                let parts = calendar.dateComponents([.year, .month, .day], from: day)
                let folder = String(format: "%@/sessions/%04d/%02d/%02d", codexHome, parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
                for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where file.hasSuffix(".jsonl") {
                    consider(folder + "/" + file, agent: "codex")
                }
            }
        }
        return candidates.sorted { $0.modified > $1.modified }
    }

    /// A folder or path with every character but letters and digits as `-`.
    static func folderKey(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
    }

    /// The newest recent transcript whose recorded working directory is this work tree.
    func recentTranscript(agentHint: String?) -> AgentSession? {
        guard recentWindow > 0 else { return nil }
        for candidate in recentFiles(agentHint: agentHint) {
            let tail = TranscriptTail(path: candidate.path)
            guard let facts = tail.facts(agent: candidate.agent), let cwd = facts.cwd,
                  cwd == workTree || cwd.hasPrefix(workTree + "/") else { continue }
            if let last = facts.lastTime, last < now.addingTimeInterval(-recentWindow) { continue }
            let id = facts.session ?? URL(fileURLWithPath: candidate.path).deletingPathExtension().lastPathComponent
            return AgentSession(agent: candidate.agent, id: id, model: facts.model, source: "recent transcript")
        }
        return nil
    }

    /// The model of the session's last assistant record, from the tail of its transcript.
    func model(agent: String, session: String) -> String? {
        guard agent == "claude-code" else { return nil }
        for root in claudeRoots {
            let projects = root + "/projects"
            for folder in (try? FileManager.default.contentsOfDirectory(atPath: projects)) ?? [] {
                let path = projects + "/" + folder + "/" + session + ".jsonl"
                if FileManager.default.fileExists(atPath: path) {
                    return TranscriptTail(path: path).facts(agent: agent)?.model
                }
            }
        }
        return nil
    }
}

/// The last records of a transcript, read from its end only.
struct TranscriptTail {
    let path: String
    /// How much of the end is read: a little first, more only when the last records are long.
    static let limits = [32 << 10, 512 << 10, 8 << 20]

    struct Facts {
        var session: String?
        var cwd: String?
        var model: String?
        var lastTime: Date?
    }

    func lines(limit: Int) -> (lines: [Substring], whole: Bool) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return ([], true) }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > UInt64(limit) ? size - UInt64(limit) : 0
        try? handle.seek(toOffset: start)
        let data = (try? handle.readToEnd()) ?? Data()
        var text = String(decoding: data, as: UTF8.self)[...]
        if start > 0, let newline = text.firstIndex(of: "\n") { text = text[text.index(after: newline)...] }  // drop the partial first line
        return (text.split(separator: "\n"), start == 0)
    }

    /// `2026-03-02T08:00:00.123Z` or without fraction; nil otherwise. (Foundation's ISO 8601
    /// formatter costs milliseconds to create, a noticeable share of a commit.)
    static func parseTime(_ text: String) -> Date? {
        let digits = Array(text.utf8)
        guard digits.count >= 20, digits[4] == 45, digits[7] == 45, digits[10] == 84, digits[13] == 58, digits[16] == 58 else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for index in start..<(start + count) {
                guard digits[index] >= 48, digits[index] <= 57 else { return nil }
                value = value * 10 + Int(digits[index] - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2) else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month, day)
        (components.hour, components.minute, components.second) = (hour, minute, second)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? .current
        return calendar.date(from: components)
    }

    func facts(agent: String) -> Facts? {
        var facts = Facts()
        for limit in Self.limits {
            let (lines, whole) = self.lines(limit: limit)
            facts = scan(lines, agent: agent)
            if whole || facts.model != nil && facts.cwd != nil && facts.lastTime != nil { break }
        }
        if agent == "codex", facts.session == nil || facts.cwd == nil {
            // The session_meta line opens the file; read just that first line.
            if let handle = FileHandle(forReadingAtPath: path) {
                defer { try? handle.close() }
                let head = (try? handle.read(upToCount: 64 << 10)) ?? Data()
                if let first = String(decoding: head, as: UTF8.self).split(separator: "\n").first,
                   let object = try? JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any],
                   let payload = object["payload"] as? [String: Any] {
                    facts.session = facts.session ?? payload["id"] as? String
                    facts.cwd = facts.cwd ?? payload["cwd"] as? String
                }
            }
        }
        return facts.lastTime == nil && facts.cwd == nil ? nil : facts
    }

    func scan(_ lines: [Substring], agent: String) -> Facts {
        var facts = Facts()
        for line in lines.reversed() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if facts.lastTime == nil, let stamp = object["timestamp"] as? String {
                facts.lastTime = Self.parseTime(stamp)
            }
            if agent == "claude-code" {
                if facts.session == nil { facts.session = object["sessionId"] as? String }
                if facts.cwd == nil { facts.cwd = object["cwd"] as? String }
                if facts.model == nil, object["type"] as? String == "assistant",
                   let message = object["message"] as? [String: Any], let model = message["model"] as? String, model != "<synthetic>" {
                    facts.model = model
                }
            } else {
                let payload = object["payload"] as? [String: Any]
                switch object["type"] as? String {
                case "turn_context":
                    if facts.model == nil { facts.model = payload?["model"] as? String }
                    if facts.cwd == nil { facts.cwd = payload?["cwd"] as? String }
                case "session_meta":
                    if facts.session == nil { facts.session = payload?["id"] as? String }
                    if facts.cwd == nil { facts.cwd = payload?["cwd"] as? String }
                default: break
                }
            }
            if facts.session != nil, facts.cwd != nil, facts.model != nil, facts.lastTime != nil { break }
        }
        return facts
    }
}

/// Process ancestry: parent, grandparent, … up to init.
public enum ProcessAncestry {
    public static func current() -> [Int32] {
        var result = [Int32]()
        var pid = getppid()
        var guardCount = 0
        while pid > 1, guardCount < 64 {
            result.append(pid)
            guard let parent = parent(of: pid) else { break }
            pid = parent
            guardCount += 1
        }
        return result
    }

    static func parent(of pid: Int32) -> Int32? {
        #if os(Linux)
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
        #else
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/ps")
        process.arguments = ["-o", "ppid=", "-p", "\(pid)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        #endif
    }
}

/// A regular file's size and modification time from one `stat` call; nil for anything else.
struct RegularFile {
    var size: Int
    var modified: Date

    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        size = Int(info.st_size)
        #if canImport(Darwin)
        modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtimespec.tv_sec) + TimeInterval(info.st_mtimespec.tv_nsec) / 1e9)
        #else
        modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
        #endif
    }
}
