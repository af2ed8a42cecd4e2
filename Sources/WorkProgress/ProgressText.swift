import Foundation

/// What the progress line and summaries say, as text.
public enum ProgressText {
    /// Whether progress belongs on this standard error.
    public static func shouldShow(quiet: Bool, environment: [String: String], isTerminal: Bool) -> Bool {
        if quiet || !isTerminal { return false }
        if let ci = environment["CI"], !ci.isEmpty, ci.lowercased() != "false", ci != "0" { return false }
        if environment["TERM"] == "dumb" { return false }
        return true
    }

    /// `measuring changed lines: 12,000 / 81,966 commits (15%) · 30 s left · 2,300/s`.
    public static func line(_ snapshot: WorkProgress.Snapshot) -> String {
        var parts = [String]()
        let inBytes = snapshot.unit == "bytes"
        let unit = snapshot.unit.isEmpty || inBytes ? "" : " " + snapshot.unit
        func amount(_ value: Int) -> String { inBytes ? megabytes(value) : count(value) }
        if let total = snapshot.total, total > 0 {
            let done = min(snapshot.done, total)
            parts.append("\(amount(done)) / \(amount(total))\(unit) (\(done * 100 / total)%)")
        } else if snapshot.done > 0 {
            parts.append("\(amount(snapshot.done))\(unit)")
        }
        let rate = snapshot.elapsed > 0.25 ? Double(snapshot.done) / snapshot.elapsed : 0
        if let total = snapshot.total, rate > 0, snapshot.done < total {
            parts.append("\(duration(Double(total - snapshot.done) / rate)) left")
        } else {
            parts.append(duration(snapshot.sinceStart))
        }
        if rate > 0 { parts.append("\(amount(Int(rate.rounded())))/s") }
        return "\(snapshot.phase): " + parts.joined(separator: " · ")
    }

    /// `1 commit`, `12,345 commits`, `2.1M usage records`.
    public static func count(_ value: Int, _ noun: String) -> String {
        "\(count(value)) \(noun)\(value == 1 ? "" : "s")"
    }

    /// 12,345 below a million, then 2.1M.
    public static func count(_ value: Int) -> String {
        if value >= 1_000_000 { return String(format: "%.1fM", Double(value) / 1_000_000) }
        let digits = String(value)
        var grouped = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return grouped
    }

    /// `0.4 MB`, `512 MB`, `2.1 GB`.
    public static func megabytes(_ bytes: Int) -> String {
        let megabytes = Double(bytes) / 1_048_576
        if megabytes < 10 { return String(format: "%.1f MB", megabytes) }
        if megabytes < 10_240 { return "\(count(Int(megabytes.rounded()))) MB" }
        return String(format: "%.1f GB", megabytes / 1024)
    }

    /// 0.4 s, 41 s, 3 min 12 s, 1 h 02 min.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 10 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return String(format: "%d h %02d min", whole / 3600, whole % 3600 / 60)
    }
}
