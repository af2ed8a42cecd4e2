import Foundation

/// OpenCode: the SQLite store `~/.local/share/opencode/opencode.db` (v1.2 and later: tables
/// `session`, `message`, `part`, JSON in their `data` columns) and the older JSON store
/// `storage/message/<session>/<message>.json` with `storage/part/<message>/<part>.json`.
///
/// Each step of an assistant message ends with a `step-finish` part carrying that step's
/// `tokens` and `cost`; the message's own `tokens` are overwritten by each step (its `cost`
/// adds up), so the parts are summed and the message's counts are read only when it has no
/// such part. A record's key is the part's id (or the message's), so the two stores, which a
/// migration leaves side by side, merge by id. A forked session copies messages under new ids
/// that encode the fork's time, later than the message's `time.created`: those copies are left
/// out. Reasoning tokens are counted as output; whether `input` includes the cache differs by
/// release and provider, and `total` tells which.
struct OpenCodeReader {
    var includeDirectory: ((String) -> Bool)?

    struct Step {
        var id: String
        var fields: JSONFields
    }

    // MARK: SQLite store

    func readDatabase(_ path: String, into batch: inout UsageBatch) throws {
        let database = try AgentDatabase(path: path)
        let schema = try database.schema()
        let sessionColumns = schema["session"] ?? []
        let directory = sessionColumns.contains("directory") ? "s.directory" : "NULL"
        let messages = try database.rows(
            """
            SELECT m.id AS id, m.session_id AS session_id, m.data AS data, \(directory) AS directory
            FROM message m LEFT JOIN session s ON s.id = m.session_id ORDER BY m.id
            """)
        var steps = [String: [Step]]()
        if schema["part"] != nil {
            for row in try database.rows("SELECT id, message_id, data FROM part WHERE data LIKE '%step-finish%' ORDER BY id") {
                guard let id = row.text("id"), let message = row.text("message_id"), let data = row.text("data"),
                    let fields = JSONFields.decode(text: data), fields.string("type") == "step-finish"
                else { continue }
                steps[message, default: []].append(Step(id: id, fields: fields))
            }
        }
        for (index, row) in messages.enumerated() {
            guard let id = row.text("id"), let data = row.text("data") else { continue }
            guard let fields = JSONFields.decode(text: data) else {
                batch.reject(MalformedLine(file: path, line: index + 1, reason: "message \(id): data is not valid JSON"))
                continue
            }
            add(
                message: id, session: row.text("session_id") ?? fields.string("sessionID"), fields: fields, steps: steps[id] ?? [],
                directory: row.text("directory"), file: path, line: index + 1, into: &batch)
        }
    }

    // MARK: JSON store

    /// Reads one message file of the JSON store with its step parts (`../../part/<message>/`);
    /// a part file by itself is read with its message.
    func readJSON(_ path: String, into batch: inout UsageBatch) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let fields = JSONFields((try? JSONSerialization.jsonObject(with: data)) as Any) else {
            batch.reject(MalformedLine(file: path, line: 1, reason: "not a valid JSON document"))
            return
        }
        guard fields.string("messageID") == nil, let id = fields.string("id") else { return }  // a part: read with its message
        let storage = URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let partsFolder = storage.appendingPathComponent("part").appendingPathComponent(id).path
        var steps = [Step]()
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: partsFolder)) ?? []).sorted() where name.hasSuffix(".json") {
            guard let bytes = FileManager.default.contents(atPath: partsFolder + "/" + name),
                let part = JSONFields((try? JSONSerialization.jsonObject(with: bytes)) as Any),
                part.string("type") == "step-finish"
            else { continue }
            steps.append(Step(id: part.string("id") ?? String(name.dropLast(5)), fields: part))
        }
        add(message: id, session: fields.string("sessionID"), fields: fields, steps: steps, directory: nil, file: path, line: 1, into: &batch)
    }

    // MARK: Records

    func add(
        message id: String, session: String?, fields: JSONFields, steps: [Step], directory: String?, file: String, line: Int,
        into batch: inout UsageBatch
    ) {
        guard fields.string("role") == "assistant" else { return }
        let path = fields.nested("path")
        let repository = path?.string("root") ?? path?.string("cwd") ?? directory
        if let includeDirectory, !includeDirectory(repository ?? "") { return }
        let time = fields.nested("time")
        do {
            let created = try time.map { try $0.timestamp("created") }
            if let created, Self.isForkCopy(id: id, created: created) { return }
            guard let when = (try? time?.timestamp("completed")) ?? created else { throw FieldError("message \(id) has no time.created") }
            let model = fields.string("modelID") ?? "unknown"
            let sources = steps.isEmpty ? [Step(id: id, fields: fields)] : steps
            for step in sources {
                guard let tokens = step.fields.nested("tokens") else { continue }
                let counts = try Self.counts(tokens)
                batch.add(
                    UsageRecord(
                        source: UsageFormat.opencode.rawValue, key: step.id, timestamp: when,
                        session: session, agent: "opencode", model: model, repository: repository,
                        input: counts.input, output: counts.output, cacheWrite: counts.cacheWrite, cacheRead: counts.cacheRead,
                        costUSD: try step.fields.decimal("cost")))
            }
        } catch {
            batch.reject(MalformedLine(file: file, line: line, reason: error.reason))
        }
    }

    /// Token counts with the cache outside `input` and reasoning inside `output`, whichever
    /// way this release wrote them (`total` decides; without it, the current way: cache and
    /// reasoning apart).
    static func counts(_ tokens: JSONFields) throws(FieldError) -> (input: Int64, output: Int64, cacheWrite: Int64, cacheRead: Int64) {
        let input = try tokens.count("input"), output = try tokens.count("output"), reasoning = try tokens.count("reasoning")
        let cache = tokens.nested("cache")
        let read = try cache?.count("read") ?? 0, write = try cache?.count("write") ?? 0
        var (uncached, billedOutput) = (input, output + reasoning)
        if let total = try tokens.optionalCount("total"), total > 0 {
            switch total {
            case input + output + reasoning + read + write: break
            case input + output + read + write: billedOutput = output
            case input + output + reasoning: uncached = max(0, input - read - write)
            case input + output: (uncached, billedOutput) = (max(0, input - read - write), output)
            default: break
            }
        }
        return (uncached, billedOutput, write, read)
    }

    /// Whether a message id encodes a time well after the message was created: a fork's copy.
    /// Ids are `msg_` + 12 hex digits of (milliseconds × 4096 + counter), cut to 48 bits.
    static func isForkCopy(id: String, created: Date) -> Bool {
        guard let underscore = id.firstIndex(of: "_") else { return false }
        let hex = id[id.index(after: underscore)...].prefix(12)
        guard hex.count == 12, let encoded = UInt64(hex, radix: 16) else { return false }
        // A creation time no clock could give (fuzzed or corrupt) says nothing about forks.
        guard created.timeIntervalSince1970.isFinite, abs(created.timeIntervalSince1970) < 1e13 else { return false }
        let period: Int64 = 1 << 36  // milliseconds the 48-bit field holds before it wraps
        let idMilliseconds = Int64(encoded >> 12)
        let createdMilliseconds = Int64((created.timeIntervalSince1970 * 1000).rounded()) % period
        var difference = (idMilliseconds - createdMilliseconds) % period
        if difference < 0 { difference += period }
        if difference > period / 2 { difference -= period }
        return difference > 2_000
    }
}
