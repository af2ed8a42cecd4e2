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

    /// The last `limit` bytes and the ranges of the complete lines in them (a read that began
    /// mid-file drops its partial first line), and whether that is the whole file.
    func lines(limit: Int) -> (bytes: [UInt8], lines: [Range<Int>], whole: Bool) {
        guard let (bytes, start) = LocalFile.tail(path, count: limit) else { return ([], [], true) }
        var lines = [Range<Int>]()
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            // memchr: a byte loop in Swift cost the hook a tenth of its time on a 32 KB tail.
            func newline(from index: Int) -> Int? {
                guard index < buffer.count, let found = memchr(base + index, 0x0A, buffer.count - index) else { return nil }
                return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            var lineStart = 0
            if start > 0 {
                // Past the partial first line when the read began mid-file.
                guard let first = newline(from: 0) else { return }
                lineStart = first + 1
            }
            while let end = newline(from: lineStart) {
                if end > lineStart { lines.append(lineStart..<end) }
                lineStart = end + 1
            }
            if lineStart < buffer.count { lines.append(lineStart..<buffer.count) }
        }
        return (bytes, lines, start == 0)
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
            let (bytes, lines, whole) = self.lines(limit: limit)
            facts = scan(bytes, lines, agent: agent)
            if whole || facts.model != nil && facts.cwd != nil && facts.lastTime != nil { break }
        }
        if agent == "codex", facts.session == nil || facts.cwd == nil {
            // The session_meta line opens the file; read just that first line.
            if let payload = SessionDetector.firstRecord(path)?["payload"] {
                facts.session = facts.session ?? payload["id"]?.string
                facts.cwd = facts.cwd ?? payload["cwd"]?.string
            }
        }
        if agent == "gemini-cli" || agent == "copilot-cli", let first = SessionDetector.firstRecord(path) {
            // The opening record names the session (and for Copilot CLI the directory).
            let data = first["data"]
            facts.session = facts.session ?? first["sessionId"]?.string ?? data?["sessionId"]?.string
            let context = data?["context"]
            facts.cwd = facts.cwd ?? context?["gitRoot"]?.string ?? context?["cwd"]?.string
        }
        if agent == "gemini-cli", facts.cwd == nil {
            // Chats record no directory; their project folder's `.project_root` does.
            let chats = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
            let project = chats.lastIndex(of: "/").map { String(chats[..<$0]) } ?? "."
            facts.cwd = LocalFile.text(project + "/.project_root")?.trimmingWhitespace(newlines: true)
        }
        return facts.lastTime == nil && facts.cwd == nil ? nil : facts
    }

    /// The facts of the records in `lines` of `bytes`, the last record first.
    func scan(_ bytes: [UInt8], _ lines: [Range<Int>], agent: String) -> Facts {
        var facts = Facts()
        for line in lines.reversed() {
            guard let object = TranscriptJSON.object(bytes[line]) else { continue }
            if facts.lastTime == nil, let stamp = object["timestamp"]?.string {
                facts.lastTime = Self.parseTime(stamp)
            }
            if agent == "claude-code" {
                if facts.session == nil { facts.session = object["sessionId"]?.string }
                if facts.cwd == nil { facts.cwd = object["cwd"]?.string }
                if facts.model == nil, object["type"]?.string == "assistant", let model = object["message"]?["model"]?.string,
                    model != "<synthetic>"
                {
                    facts.model = model
                }
            } else if agent == "gemini-cli" {
                if facts.model == nil, object["type"]?.string == "gemini" { facts.model = object["model"]?.string }
            } else if agent == "copilot-cli" {
                let data = object["data"]
                if facts.model == nil { facts.model = data?["newModel"]?.string ?? data?["model"]?.string }
                if facts.cwd == nil { facts.cwd = data?["context"]?["gitRoot"]?.string }
            } else {
                let payload = object["payload"]
                switch object["type"]?.string {
                case "turn_context":
                    if facts.model == nil { facts.model = payload?["model"]?.string }
                    if facts.cwd == nil { facts.cwd = payload?["cwd"]?.string }
                case "session_meta":
                    if facts.session == nil { facts.session = payload?["id"]?.string }
                    if facts.cwd == nil { facts.cwd = payload?["cwd"]?.string }
                default: break
                }
            }
            if facts.session != nil, facts.cwd != nil, facts.model != nil, facts.lastTime != nil { break }
        }
        return facts
    }
}
