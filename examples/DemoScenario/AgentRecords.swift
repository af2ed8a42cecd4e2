import Foundation

/// Claude Code transcripts for the demo, in the shape Claude Code writes them.
struct Transcripts {
    let repository: String
    /// Per person (email), per session: the transcript lines.
    var files: [String: [String: [String]]] = [:]

    init(repository: String) { self.repository = repository }

    mutating func session(_ id: String, actor: DemoScenario.Person, start: Date, requests: Int, heavy: Bool = false, random: inout DemoRandom) {
        var lines = [String]()
        var time = start
        func json(_ object: [String: Any]) -> String {
            String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
        }
        let stamp = { (date: Date) in ISO8601DateFormatter().string(from: date) }
        lines.append(json(["type": "summary", "summary": "Demo session of \(actor.name)", "leafUuid": "leaf-\(id)"]))
        for index in 0..<requests {
            lines.append(
                json([
                    "type": "user", "sessionId": id, "cwd": repository, "gitBranch": "main", "uuid": "user-\(id)-\(index)",
                    "timestamp": stamp(time),
                    "message": ["role": "user", "content": "Demo prompt \(index): the text of prompts never leaves the transcript."],
                ]))
            time = time.addingTimeInterval(Double(random.int(20...240)))
            let cacheRead = heavy ? random.int(45_000...60_000) : random.int(8_000...40_000)
            let usage: [String: Any] = [
                "input_tokens": random.int(4...400), "output_tokens": heavy ? random.int(1_500...4_000) : random.int(200...2_400),
                "cache_creation_input_tokens": random.int(500...6_000), "cache_read_input_tokens": cacheRead,
                "service_tier": "standard",
            ]
            lines.append(
                json([
                    "type": "assistant", "sessionId": id, "cwd": repository, "gitBranch": "main", "version": "2.0.14",
                    "uuid": "assistant-\(id)-\(index)", "requestId": "req_\(id.prefix(8))_\(index)", "timestamp": stamp(time),
                    "message": [
                        "id": "msg_\(id.prefix(8))_\(index)", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
                        "content": [["type": "text", "text": "Demo response text."]], "usage": usage,
                    ],
                ]))
            time = time.addingTimeInterval(Double(random.int(30...600)))
        }
        files[actor.email, default: [:]][id] = lines
    }

    /// Writes each person's transcripts under `<usage>/<email>/claude/projects/<encoded repo>/`,
    /// the layout of a team collecting its members' `~/.claude` folders.
    func write(to usage: String, project: String) throws {
        for (email, sessions) in files {
            let folder = usage + "/" + email + "/claude/projects/" + project
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (id, lines) in sessions {
                try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/" + id + ".jsonl"))
            }
        }
    }
}

/// An OpenTelemetry (OTLP JSON) export of Claude Code events for the demo.
struct Telemetry {
    var records: [String] = []

    mutating func session(
        _ id: String, actor: DemoScenario.Person, start: Date, requests: Int, commit: String, committedAt: Date, random: inout DemoRandom
    ) {
        func attribute(_ key: String, _ value: String) -> [String: Any] { ["key": key, "value": ["stringValue": value]] }
        var logs = [[String: Any]]()
        var time = start
        for index in 0..<requests {
            let input = random.int(5...300), output = random.int(300...3_000), read = random.int(10_000...50_000), write = random.int(800...7_000)
            let cost = (Double(input) * 15 + Double(output) * 75 + Double(read) * 1.5 + Double(write) * 18.75) / 1e6
            logs.append([
                "timeUnixNano": String(Int64(time.timeIntervalSince1970) * 1_000_000_000),
                "body": ["stringValue": "claude_code.api_request"],
                "attributes": [
                    attribute("event.name", "api_request"), attribute("session.id", id), attribute("user.email", actor.email),
                    attribute("model", "claude-opus-4-1"), attribute("input_tokens", "\(input)"), attribute("output_tokens", "\(output)"),
                    attribute("cache_read_tokens", "\(read)"), attribute("cache_creation_tokens", "\(write)"),
                    attribute("cost_usd", String(format: "%.6f", cost)), attribute("request_id", "req_otel_\(id.prefix(8))_\(index)"),
                ],
            ])
            time = time.addingTimeInterval(Double(random.int(120...900)))
        }
        logs.append([
            "timeUnixNano": String(Int64(committedAt.timeIntervalSince1970) * 1_000_000_000),
            "body": ["stringValue": "claude_code.tool_result"],
            "attributes": [
                attribute("event.name", "tool_result"), attribute("session.id", id), attribute("tool_name", "Bash"),
                attribute("git_commit_id", commit),
            ],
        ])
        let document: [String: Any] = [
            "resourceLogs": [
                [
                    "resource": ["attributes": [attribute("service.name", "claude-code"), attribute("team.id", "payments")]],
                    "scopeLogs": [["scope": ["name": "com.anthropic.claude_code.events"], "logRecords": logs]],
                ]
            ]
        ]
        if let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) {
            records.append(String(decoding: data, as: UTF8.self))
        }
    }

    func write(to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data((records.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }
}

/// A Codex CLI rollout with cumulative token counts, for the demo.
enum Codex {
    static func write(session: String, repository: String, start: Date, turns: Int, random: inout DemoRandom, to path: String) throws {
        let stamp = { (date: Date) in ISO8601DateFormatter().string(from: date) }
        func json(_ object: [String: Any]) -> String {
            String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
        }
        var lines = [
            json([
                "timestamp": stamp(start), "type": "session_meta",
                "payload": [
                    "id": session, "timestamp": stamp(start), "cwd": repository, "originator": "codex_cli_rs", "cli_version": "0.46.0",
                    "git": ["branch": "main", "commit_hash": "0000000", "repository_url": "git@example.test:acme/acme-app.git"],
                ],
            ])
        ]
        lines.append(json(["timestamp": stamp(start), "type": "turn_context", "payload": ["cwd": repository, "model": "gpt-5-codex"]]))
        var time = start, input = 0, cached = 0, output = 0
        for _ in 0..<turns {
            time = time.addingTimeInterval(Double(random.int(60...900)))
            let fresh = random.int(2_000...12_000)
            input += fresh
            cached += fresh * random.int(40...80) / 100
            output += random.int(300...2_500)
            let totals: [String: Any] = [
                "input_tokens": input, "cached_input_tokens": cached, "output_tokens": output, "reasoning_output_tokens": 0,
                "total_tokens": input + output,
            ]
            for _ in 0..<2 {  // Codex repeats the same cumulative total
                lines.append(
                    json(["timestamp": stamp(time), "type": "event_msg", "payload": ["type": "token_count", "info": ["total_token_usage": totals]]]))
            }
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }
}
