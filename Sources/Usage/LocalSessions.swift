import Foundation

/// Finds the agent transcripts on this machine that belong to one repository: Claude Code
/// (`$CLAUDE_CONFIG_DIR` or `~/.claude`, and `~/.config/claude`, under `projects/`) and Codex
/// (`$CODEX_HOME` or `~/.codex`, under `sessions/`). A transcript belongs when the working
/// directory it records lies inside the repository; the folder name is only a hint.
public struct LocalSessions: Sendable {
    public var home: String
    public var claudeConfigDirectories: [String]
    public var codexHome: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        home = environment["HOME"] ?? NSHomeDirectory()
        if let configured = environment["CLAUDE_CONFIG_DIR"], !configured.isEmpty {
            claudeConfigDirectories = configured.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        } else {
            claudeConfigDirectories = [home + "/.claude", home + "/.config/claude"]
        }
        codexHome = environment["CODEX_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.codex"
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

    /// Transcripts that may hold records for `root`; records are filtered by `cwd` as they are read.
    public func transcripts(for root: String) -> [Transcript] {
        var found = [Transcript]()
        let encoded = Self.encodedProjectName(root)
        let markers = [Array("\"cwd\":\"\(root)\"".utf8), Array("\"cwd\":\"\(root)/".utf8)]
        for projects in claudeProjectRoots() {
            let folders = (try? FileManager.default.contentsOfDirectory(atPath: projects)) ?? []
            for folder in folders.sorted() {
                // The folder name is lossy (`/a-b` and `/a/b` encode alike): only an exact match
                // is taken on trust; other folders are checked by the cwd they record.
                let hinted = folder == encoded
                for file in UsageLoader.files(under: projects + "/" + folder) where file.hasSuffix(".jsonl") {
                    if hinted || Self.head(of: file, containsAny: markers) {
                        found.append(Transcript(path: file, format: .claudeCode))
                    }
                }
            }
        }
        if FileManager.default.fileExists(atPath: codexSessionsRoot) {
            for file in UsageLoader.files(under: codexSessionsRoot) where file.hasSuffix(".jsonl") {
                if Self.head(of: file, containsAny: markers) { found.append(Transcript(path: file, format: .codex)) }
            }
        }
        return found
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
        let loader = UsageLoader(includeDirectory: filter)
        for transcript in transcripts {
            try loader.read(transcript.path, as: transcript.format, into: &batch, otel: &otel)
        }
        return (batch, transcripts)
    }
}
