import Foundation

/// Crush: one SQLite file per project, `<project>/.crush/crush.db`.
///
/// `sessions.cost` adds up over the session (and a child session's cost is added to its parent
/// as well), while `prompt_tokens`/`completion_tokens` are overwritten with the last call's —
/// the context size, not usage. So a record is a root session's **cost**, with no tokens: cost
/// figures include Crush, token figures do not. The model is the one its messages name last.
/// The totals grow in place: see `UsageFormat.isCumulative`.
struct CrushReader {
    var includeDirectory: ((String) -> Bool)?

    func read(_ path: String, into batch: inout UsageBatch) throws {
        let database = try AgentDatabase(path: path)
        let schema = try database.schema()
        guard let columns = schema["sessions"] else { return }
        let repository = Self.project(of: path)
        if let includeDirectory, !includeDirectory(repository ?? "") { return }
        let roots = columns.contains("parent_session_id") ? "WHERE parent_session_id IS NULL OR parent_session_id = ''" : ""
        var models = [String: String]()
        if let messageColumns = schema["messages"], messageColumns.isSuperset(of: ["session_id", "model"]) {
            let order = messageColumns.contains("created_at") ? "created_at, rowid" : "rowid"
            for row in try database.rows("SELECT session_id, model FROM messages WHERE model IS NOT NULL AND model != '' ORDER BY \(order)") {
                if let session = row.text("session_id"), let model = row.text("model") { models[session] = model }
            }
        }
        for (index, row) in try database.rows("SELECT * FROM sessions \(roots) ORDER BY rowid").enumerated() {
            guard let id = row.text("id") else { continue }
            guard let when = row.time("updated_at") ?? row.time("created_at") else {
                batch.reject(MalformedLine(file: path, line: index + 1, reason: "session \(id) has no updated_at or created_at"))
                continue
            }
            guard let amount = row.amount("cost") else {
                batch.reject(MalformedLine(file: path, line: index + 1, reason: "session \(id): cost is not an amount"))
                continue
            }
            batch.add(
                UsageRecord(
                    source: UsageFormat.crush.rawValue, key: id, timestamp: when,
                    session: id, agent: "crush", model: models[id] ?? "unknown", repository: repository,
                    input: 0, output: 0, costUSD: amount))
        }
    }

    /// The project a `.crush/crush.db` belongs to: the folder holding `.crush`.
    static func project(of database: String) -> String? {
        let folder = URL(fileURLWithPath: database).deletingLastPathComponent()
        guard folder.lastPathComponent == ".crush" else { return nil }
        return folder.deletingLastPathComponent().path
    }
}

/// Goose: `sessions.db` under `~/.local/share/goose/sessions/` (or `$GOOSE_PATH_ROOT/data/sessions/`),
/// one `sessions` row per session with its working directory, model (`model_config_json`) and
/// running totals (`accumulated_input/output/total_tokens`, `accumulated_cost` where present;
/// older rows only the plain `input/output/total_tokens`). No cache columns. Tokens in the
/// total beyond input and output (reasoning) are counted as output. The totals grow in place:
/// see `UsageFormat.isCumulative`.
struct GooseReader {
    var includeDirectory: ((String) -> Bool)?

    func read(_ path: String, into batch: inout UsageBatch) throws {
        let database = try AgentDatabase(path: path)
        guard try database.schema()["sessions"] != nil else { return }
        for (index, row) in try database.rows("SELECT * FROM sessions ORDER BY rowid").enumerated() {
            guard let id = row.text("id") else { continue }
            let directory = row.text("working_dir")
            if let includeDirectory, !includeDirectory(directory ?? "") { continue }
            do {
                guard let when = row.time("updated_at") ?? row.time("created_at") else { throw FieldError("no updated_at or created_at") }
                let accumulated = try row.count("accumulated_input_tokens") != nil || (try row.count("accumulated_output_tokens")) != nil
                let prefix = accumulated ? "accumulated_" : ""
                let input = try row.count(prefix + "input_tokens") ?? 0
                let output = try row.count(prefix + "output_tokens") ?? 0
                let total = try row.count(prefix + "total_tokens") ?? 0
                var model = "unknown"
                if let config = row.text("model_config_json").flatMap(JSONFields.decode(text:)), let name = config.string("model_name") {
                    model = name
                } else if let name = row.text("model") {
                    model = name
                }
                batch.add(
                    UsageRecord(
                        source: UsageFormat.goose.rawValue, key: id, timestamp: when,
                        session: id, agent: "goose", model: model, repository: directory,
                        input: input, output: max(output, total - input),
                        costUSD: accumulated ? row.amount("accumulated_cost") : nil))
            } catch {
                batch.reject(MalformedLine(file: path, line: index + 1, reason: "session \(id): \(error.reason)"))
            }
        }
    }
}
