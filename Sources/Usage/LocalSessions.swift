import Foundation

/// Finds the agent sessions on this machine that belong to one repository, in each agent's own
/// folder (and its environment override where it has one):
///
/// | agent | where |
/// |---|---|
/// | Claude Code | `$CLAUDE_CONFIG_DIR` or `~/.claude`, `~/.config/claude`: `projects/**/*.jsonl` |
/// | Codex | `$CODEX_HOME` or `~/.codex`: `sessions/**/*.jsonl` |
/// | Gemini CLI | `$GEMINI_CLI_HOME` or `~`: `.gemini/tmp/<project>/chats/**` |
/// | Qwen Code | `$QWEN_HOME` or `~/.qwen`: `projects/*/chats/*.jsonl` |
/// | Copilot CLI | `$COPILOT_HOME` or `~/.copilot`: `session-state/*/events.jsonl` |
/// | OpenCode | `$XDG_DATA_HOME` or `~/.local/share`: `opencode/opencode*.db`, `opencode/storage/message/**` |
/// | Crush | the repository's own `.crush/crush.db`, and projects inside it that Crush's registry lists |
/// | Goose | `$GOOSE_PATH_ROOT/data/sessions` or `~/.local/share/goose/sessions` (macOS: `~/Library/Application Support/goose/sessions`): `sessions.db` |
/// | Amp | `$AMP_DATA_DIR` or `~/.local/share/amp`: `threads/*.json` |
///
/// A session belongs when the working directory it records lies inside the repository; folder
/// names are only hints. Cursor keeps no usage on the machine (its exports are read as files).
public struct LocalSessions: Sendable {
    public var home: String
    public var claudeConfigDirectories: [String]
    public var codexHome: String
    public var geminiHome: String
    public var qwenHome: String
    public var copilotHome: String
    public var dataHome: String
    public var gooseSessions: [String]
    public var ampData: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func variable(_ name: String) -> String? { environment[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        home = variable("HOME") ?? NSHomeDirectory()
        if let configured = variable("CLAUDE_CONFIG_DIR") {
            claudeConfigDirectories = configured.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        } else {
            claudeConfigDirectories = [home + "/.claude", home + "/.config/claude"]
        }
        codexHome = variable("CODEX_HOME") ?? home + "/.codex"
        geminiHome = (variable("GEMINI_CLI_HOME") ?? home) + "/.gemini"
        qwenHome = variable("QWEN_HOME") ?? home + "/.qwen"
        copilotHome = variable("COPILOT_HOME") ?? home + "/.copilot"
        dataHome = variable("XDG_DATA_HOME") ?? home + "/.local/share"
        if let root = variable("GOOSE_PATH_ROOT") {
            gooseSessions = [root + "/data/sessions"]
        } else {
            gooseSessions = [dataHome + "/goose/sessions", home + "/Library/Application Support/goose/sessions"]
        }
        ampData = variable("AMP_DATA_DIR") ?? dataHome + "/amp"
    }

    public struct Transcript: Hashable, Sendable {
        public var path: String
        public var format: UsageFormat
    }

    /// Whether a recorded working directory lies inside `root`.
    public static func directory(_ directory: String, isInside root: String) -> Bool {
        let trimmed = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        return directory == trimmed || directory.hasPrefix(trimmed + "/")
    }

    /// Claude Code's folder name for a working directory: every character that is not a letter,
    /// digit or `-` becomes `-`.
    public static func encodedProjectName(_ directory: String) -> String {
        String(directory.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : "-" })
    }

    public func claudeProjectRoots() -> [String] {
        claudeConfigDirectories.map { $0 + "/projects" }.filter { FileManager.default.fileExists(atPath: $0) }
    }

    public var codexSessionsRoot: String { codexHome + "/sessions" }

    /// Transcripts that may hold records for `root`; records are filtered by their recorded
    /// directory as they are read.
    public func transcripts(for root: String) -> [Transcript] {
        var found = [Transcript]()
        let encoded = Self.encodedProjectName(root)
        let cwdMarkers = [Array("\"cwd\":\"\(root)\"".utf8), Array("\"cwd\":\"\(root)/".utf8)]
        for projects in claudeProjectRoots() {
            let folders = (try? FileManager.default.contentsOfDirectory(atPath: projects)) ?? []
            for folder in folders.sorted() {
                // The folder name is lossy (`/a-b` and `/a/b` encode alike): only an exact match
                // is taken on trust; other folders are checked by the cwd they record.
                let hinted = folder == encoded
                for file in UsageLoader.files(under: projects + "/" + folder) where file.hasSuffix(".jsonl") {
                    if hinted || Self.head(of: file, containsAny: cwdMarkers) {
                        found.append(Transcript(path: file, format: .claudeCode))
                    }
                }
            }
        }
        for file in Self.files(under: codexSessionsRoot, suffix: ".jsonl") where Self.head(of: file, containsAny: cwdMarkers) {
            found.append(Transcript(path: file, format: .codex))
        }
        found += geminiChats(for: root)
        for file in Self.files(under: qwenHome + "/projects", suffix: ".jsonl") where Self.head(of: file, containsAny: cwdMarkers) {
            found.append(Transcript(path: file, format: .qwenCode))
        }
        let gitRootMarkers = [Array("\"gitRoot\":\"\(root)".utf8)] + cwdMarkers
        for file in Self.files(under: copilotHome + "/session-state", suffix: "events.jsonl") where Self.head(of: file, containsAny: gitRootMarkers) {
            found.append(Transcript(path: file, format: .copilotCLI))
        }
        let opencode = dataHome + "/opencode"
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: opencode)) ?? []).sorted()
        where name.hasPrefix("opencode") && name.hasSuffix(".db") {
            found.append(Transcript(path: opencode + "/" + name, format: .opencode))
        }
        found += Self.files(under: opencode + "/storage/message", suffix: ".json").map { Transcript(path: $0, format: .opencode) }
        found += crushDatabases(for: root).map { Transcript(path: $0, format: .crush) }
        for folder in gooseSessions where FileManager.default.fileExists(atPath: folder + "/sessions.db") {
            found.append(Transcript(path: folder + "/sessions.db", format: .goose))
        }
        found += Self.files(under: ampData + "/threads", suffix: ".json").map { Transcript(path: $0, format: .amp) }
        return found
    }

    /// Gemini CLI chats of projects inside `root`: by the project folder's `.project_root`, by a
    /// folder named with the root's sha256 (older releases), or by the `projectHash` a chat records.
    func geminiChats(for root: String) -> [Transcript] {
        let projects = geminiHome + "/tmp"
        let hash = SHA256.hex(root)
        let hashMarker = [Array("\"projectHash\":\"\(hash)\"".utf8)]
        var found = [Transcript]()
        for folder in ((try? FileManager.default.contentsOfDirectory(atPath: projects)) ?? []).sorted() {
            let chats = projects + "/" + folder + "/chats"
            let files = Self.files(under: chats, suffix: ".jsonl") + Self.files(under: chats, suffix: ".json")
            guard !files.isEmpty else { continue }
            let marker = try? String(contentsOfFile: projects + "/" + folder + "/.project_root", encoding: .utf8)
            if let recorded = marker?.trimmingCharacters(in: .whitespacesAndNewlines), !recorded.isEmpty {
                if Self.directory(recorded, isInside: root) { found += files.map { Transcript(path: $0, format: .geminiCLI) } }
                continue
            }
            for file in files.sorted() where folder == hash || Self.head(of: file, containsAny: hashMarker) {
                found.append(Transcript(path: file, format: .geminiCLI))
            }
        }
        return found
    }

    /// The repository's own Crush store, and those of projects inside it that Crush's registry
    /// (`crush/projects.json` under the data folder) lists with another data folder.
    func crushDatabases(for root: String) -> [String] {
        var found = [String]()
        let own = root + "/.crush/crush.db"
        if FileManager.default.fileExists(atPath: own) { found.append(own) }
        let registry = dataHome + "/crush/projects.json"
        if let data = FileManager.default.contents(atPath: registry),
            let object = try? JSONSerialization.jsonObject(with: data)
        {
            let entries = (object as? [String: Any])?["projects"] as? [Any] ?? object as? [Any] ?? []
            for case let entry as [String: Any] in entries {
                guard let path = entry["path"] as? String, Self.directory(path, isInside: root) else { continue }
                let folder = (entry["data_dir"] as? String).map { $0.hasPrefix("/") ? $0 : path + "/" + $0 } ?? path + "/.crush"
                let database = folder + "/crush.db"
                if FileManager.default.fileExists(atPath: database), !found.contains(database) { found.append(database) }
            }
        }
        return found
    }

    static func files(under folder: String, suffix: String) -> [String] {
        guard FileManager.default.fileExists(atPath: folder) else { return [] }
        return UsageLoader.files(under: folder).filter { $0.hasSuffix(suffix) }
    }

    static func head(of path: String, containsAny markers: [[UInt8]]) -> Bool {
        let head = LineScanner.head(of: path, limit: 1 << 16)
        return head.withUnsafeBufferPointer { buffer in markers.contains { buffer.contains(bytes: $0) } }
    }

    /// Reads the discovered transcripts of `root`, keeping only records made inside it.
    public func load(for root: String) throws -> (UsageBatch, [Transcript]) {
        let transcripts = transcripts(for: root)
        let filter: @Sendable (String) -> Bool = { Self.directory($0, isInside: root) }
        var batch = UsageBatch()
        var otel = OTelReader()
        let loader = UsageLoader(includeDirectory: filter, projectRoot: root)
        for transcript in transcripts {
            try loader.read(transcript.path, as: transcript.format, into: &batch, otel: &otel)
        }
        return (batch, transcripts)
    }
}
