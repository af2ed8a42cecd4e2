import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// The complete lines of the last `limit` bytes (split as bytes: splitting the text as
    /// characters cost a commit a millisecond and more).
    func lines(limit: Int) -> (lines: [Data], whole: Bool) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return ([], true) }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > UInt64(limit) ? size - UInt64(limit) : 0
        try? handle.seek(toOffset: start)
        let data = (try? handle.readToEnd()) ?? Data()
        var lines = [Data]()
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var lineStart = 0
            // Past the partial first line when the read began mid-file.
            if start > 0 {
                guard let first = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return }
                lineStart = first + 1
            }
            for index in lineStart..<bytes.count where bytes[index] == UInt8(ascii: "\n") {
                if index > lineStart { lines.append(Data(bytes[lineStart..<index])) }
                lineStart = index + 1
            }
            if lineStart < bytes.count { lines.append(Data(bytes[lineStart...])) }
        }
        return (lines, start == 0)
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
            let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        // timegm, not a Foundation calendar: setting one up costs the hook about a millisecond.
        var parts = tm()
        (parts.tm_year, parts.tm_mon, parts.tm_mday) = (Int32(year - 1900), Int32(month - 1), Int32(day))
        (parts.tm_hour, parts.tm_min, parts.tm_sec) = (Int32(hour), Int32(minute), Int32(second))
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
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
            if let payload = SessionDetector.firstRecord(path)?["payload"] as? [String: Any] {
                facts.session = facts.session ?? payload["id"] as? String
                facts.cwd = facts.cwd ?? payload["cwd"] as? String
            }
        }
        if agent == "gemini-cli" || agent == "copilot-cli", let first = SessionDetector.firstRecord(path) {
            // The opening record names the session (and for Copilot CLI the directory).
            let data = first["data"] as? [String: Any]
            facts.session = facts.session ?? first["sessionId"] as? String ?? data?["sessionId"] as? String
            let context = data?["context"] as? [String: Any]
            facts.cwd = facts.cwd ?? context?["gitRoot"] as? String ?? context?["cwd"] as? String
        }
        if agent == "gemini-cli", facts.cwd == nil {
            // Chats record no directory; their project folder's `.project_root` does.
            let marker = URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".project_root")
                .path
            facts.cwd = (try? String(contentsOfFile: marker, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return facts.lastTime == nil && facts.cwd == nil ? nil : facts
    }

    func scan(_ lines: [Data], agent: String) -> Facts {
        var facts = Facts()
        for line in lines.reversed() {
            guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else { continue }
            if facts.lastTime == nil, let stamp = object["timestamp"] as? String {
                facts.lastTime = Self.parseTime(stamp)
            }
            if agent == "claude-code" {
                if facts.session == nil { facts.session = object["sessionId"] as? String }
                if facts.cwd == nil { facts.cwd = object["cwd"] as? String }
                if facts.model == nil, object["type"] as? String == "assistant",
                    let message = object["message"] as? [String: Any], let model = message["model"] as? String, model != "<synthetic>"
                {
                    facts.model = model
                }
            } else if agent == "gemini-cli" {
                if facts.model == nil, object["type"] as? String == "gemini" { facts.model = object["model"] as? String }
            } else if agent == "copilot-cli" {
                let data = object["data"] as? [String: Any]
                if facts.model == nil { facts.model = data?["newModel"] as? String ?? data?["model"] as? String }
                if facts.cwd == nil { facts.cwd = (data?["context"] as? [String: Any])?["gitRoot"] as? String }
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
