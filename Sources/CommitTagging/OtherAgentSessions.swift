import GRDBSQLite

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The current session of agents that keep one the hook can read: Gemini CLI's newest chat
/// for this work tree, Copilot CLI's newest session whose start names it, OpenCode's session
/// of this directory updated last. Only a file's first line, a chat folder's marker or one
/// small query is read.
extension SessionDetector {
    var geminiHome: String { (environment["GEMINI_CLI_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home) + "/.gemini" }
    var copilotHome: String { environment["COPILOT_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.copilot" }
    var openCodeData: String { (environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/share") + "/opencode" }

    func isInsideWorkTree(_ directory: String) -> Bool {
        directory == workTree || directory.hasPrefix(workTree + "/")
    }

    /// Gemini CLI chats of project folders whose `.project_root` lies in this work tree.
    func geminiChats() -> [String] {
        let projects = geminiHome + "/tmp"
        var chats = [String]()
        for folder in FolderEntries.names(projects) {
            guard let status = RegularFile(projects + "/" + folder + "/.project_root"), status.size < 4096,
                let root = LocalFile.text(projects + "/" + folder + "/.project_root", limit: 4096),
                isInsideWorkTree(root.trimmingWhitespace(newlines: true))
            else { continue }
            let folderPath = projects + "/" + folder + "/chats"
            for file in FolderEntries.names(folderPath) where file.hasSuffix(".jsonl") {
                chats.append(folderPath + "/" + file)
            }
        }
        return chats
    }

    /// Copilot CLI's per-session event logs.
    func copilotSessions() -> [String] {
        let folder = copilotHome + "/session-state"
        return FolderEntries.names(folder).map { folder + "/" + $0 + "/events.jsonl" }
    }

    /// The first line of a file as a JSON object (at most 64 KB read).
    static func firstRecord(_ path: String) -> TranscriptJSON? {
        guard let head = LocalFile.read(path, limit: 64 << 10), let line = head.split(separator: 0x0A).first else { return nil }
        return TranscriptJSON.object(line)
    }

    /// The OpenCode session of this work tree updated last, within the window.
    func openCodeSession() -> AgentSession? {
        let folder = openCodeData
        let stores = FolderEntries.names(folder).filter { $0.hasPrefix("opencode") && $0.hasSuffix(".db") }
        let horizon = Int64((now.addingTimeInterval(-recentWindow).timeIntervalSince1970 * 1000).rounded())
        var best: (id: String, updated: Int64, model: String?)?
        for store in stores.sorted() {
            var handle: OpaquePointer?
            guard sqlite3_open_v2(folder + "/" + store, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
                sqlite3_close(handle)
                continue
            }
            defer { sqlite3_close(handle) }
            sqlite3_busy_timeout(handle, 50)
            var statement: OpaquePointer?
            let sql = "SELECT id, directory, time_updated FROM session WHERE time_updated >= ? ORDER BY time_updated DESC LIMIT 50"
            guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else { continue }
            defer { sqlite3_finalize(statement) }
            sqlite3_bind_int64(statement, 1, horizon)
            while sqlite3_step(statement) == SQLITE_ROW {
                guard let id = sqlite3_column_text(statement, 0), let directory = sqlite3_column_text(statement, 1) else { continue }
                let updated = sqlite3_column_int64(statement, 2)
                guard isInsideWorkTree(String(cString: directory)), updated > best?.updated ?? Int64.min else { continue }
                best = (String(cString: id), updated, Self.openCodeModel(handle, session: String(cString: id)))
                break
            }
        }
        guard let best else { return nil }
        return AgentSession(agent: "opencode", id: best.id, model: best.model, source: "opencode session")
    }

    /// The model of the session's newest assistant message.
    static func openCodeModel(_ handle: OpaquePointer?, session: String) -> String? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, "SELECT data FROM message WHERE session_id = ? ORDER BY id DESC LIMIT 20", -1, &statement, nil) == SQLITE_OK
        else { return nil }
        defer { sqlite3_finalize(statement) }
        sqlite3_bind_text(statement, 1, session, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        while sqlite3_step(statement) == SQLITE_ROW {
            guard let text = sqlite3_column_text(statement, 0),
                let model = TranscriptJSON.object(String(cString: text).utf8)?["modelID"]?.string
            else { continue }
            return model
        }
        return nil
    }
}
