import Foundation

/// Claude Code's user settings (`~/.claude/settings.json`): shipmeter adds a `SessionStart`
/// hook that exports the session id to the commands Claude Code runs, merged into whatever is
/// there and never overwriting it.
public struct ClaudeSettings {
    public static let command = "shipmeter hook session-start"
    public let path: String

    public init(environment: [String: String]) {
        let root =
            environment["CLAUDE_CONFIG_DIR"].flatMap { $0.isEmpty ? nil : $0.split(separator: ",").first.map(String.init) }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.claude"
        path = root + "/settings.json"
    }

    public enum Failure: Error, LocalizedError {
        case unreadable(String)
        public var errorDescription: String? {
            switch self {
            case .unreadable(let message): return message
            }
        }
    }

    func load() throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure.unreadable("\(path) is not a JSON object; fix it or add the SessionStart hook by hand (command: \(Self.command))")
        }
        return object
    }

    func save(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func isOurs(_ group: Any) -> Bool {
        guard let group = group as? [String: Any], let hooks = group["hooks"] as? [[String: Any]] else { return false }
        return hooks.contains { ($0["command"] as? String)?.contains(Self.command) == true }
    }

    /// Adds the hook; returns false when it was already there.
    @discardableResult
    public func addSessionStartHook() throws -> Bool {
        var settings = try load()
        var hooks = settings["hooks"] as? [String: Any] ?? [:]
        var sessionStart = hooks["SessionStart"] as? [Any] ?? []
        if sessionStart.contains(where: Self.isOurs) { return false }
        sessionStart.append(["hooks": [["type": "command", "command": Self.command]]])
        hooks["SessionStart"] = sessionStart
        settings["hooks"] = hooks
        try save(settings)
        return true
    }

    /// Removes the hook; returns false when it was not there.
    @discardableResult
    public func removeSessionStartHook() throws -> Bool {
        var settings = try load()
        guard var hooks = settings["hooks"] as? [String: Any], let sessionStart = hooks["SessionStart"] as? [Any],
            sessionStart.contains(where: Self.isOurs)
        else { return false }
        let kept = sessionStart.filter { !Self.isOurs($0) }
        if kept.isEmpty { hooks.removeValue(forKey: "SessionStart") } else { hooks["SessionStart"] = kept }
        if hooks.isEmpty { settings.removeValue(forKey: "hooks") } else { settings["hooks"] = hooks }
        try save(settings)
        return true
    }

    public func hasSessionStartHook() -> Bool {
        guard let settings = try? load(), let hooks = settings["hooks"] as? [String: Any],
            let sessionStart = hooks["SessionStart"] as? [Any]
        else { return false }
        return sessionStart.contains(where: Self.isOurs)
    }

    /// The `SessionStart` hook itself: reads Claude Code's JSON on stdin and appends
    /// `export SHIPMETER_SESSION=claude-code/<id>` to `$CLAUDE_ENV_FILE`.
    public static func sessionStart(input: Data, environment: [String: String]) -> Bool {
        guard let file = environment["CLAUDE_ENV_FILE"], !file.isEmpty,
            let object = try? JSONSerialization.jsonObject(with: input) as? [String: Any],
            let id = object["session_id"] as? String,
            id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { return false }
        let line = "export SHIPMETER_SESSION=claude-code/\(id)\n"
        guard
            let handle = FileHandle(forWritingAtPath: file)
                ?? {
                    FileManager.default.createFile(atPath: file, contents: nil) ? FileHandle(forWritingAtPath: file) : nil
                }()
        else { return false }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        handle.write(Data(line.utf8))
        return true
    }
}
