import ArgumentParser
import Foundation
import WorkProgress

/// `--quiet`, for the commands that show progress.
struct ProgressOptions: ParsableArguments {
    @Flag(name: [.customShort("q"), .customLong("quiet")],
          help: "No progress line or closing summary on the terminal (neither is ever shown in a pipe or under CI).")
    var quiet = false

    /// Starts drawing progress when standard error is a terminal a person watches.
    func start() -> ProgressLine {
        ProgressLine(showing: ProgressText.shouldShow(quiet: quiet, environment: ProcessInfo.processInfo.environment,
                                                      isTerminal: isatty(STDERR_FILENO) == 1))
    }
}

/// The progress of long work, drawn on standard error as one line that redraws itself several
/// times a second: the phase, counts done of the total where known, the rate and the time left;
/// replaced by a one-line summary at the end. Only on a terminal: never in a pipe, a file, a CI
/// log (`CI` set), a dumb terminal or with `--quiet`.
final class ProgressLine: @unchecked Sendable {
    // @unchecked: `timer` and `drawn` are touched on `queue` only; `showing` never changes.
    let showing: Bool
    private let queue = DispatchQueue(label: "shipmeter.progress")
    private var timer: DispatchSourceTimer?
    private var drawn = false

    init(showing: Bool) {
        self.showing = showing
        guard showing else { return }
        WorkProgress.enable()
        let timer = DispatchSource.makeTimerSource(queue: queue)
        // Nothing for a short command; then a few redraws a second.
        timer.schedule(deadline: .now() + .milliseconds(300), repeating: .milliseconds(200))
        timer.setEventHandler { [weak self] in self?.draw() }
        self.timer = timer
        timer.resume()
    }

    /// Stops drawing; with a `summary`, it replaces the progress line (on a terminal only).
    func finish(_ summary: String? = nil) {
        guard showing else { return }
        let seconds = WorkProgress.secondsSinceStart()
        queue.sync {
            timer?.cancel()
            timer = nil
            var text = drawn ? "\r\u{1B}[2K" : ""
            if let summary { text += "\(summary) in \(ProgressText.duration(seconds))\n" }
            if !text.isEmpty { Self.write(text) }
            drawn = false
        }
        WorkProgress.disable()
    }

    private func draw() {
        guard let snapshot = WorkProgress.snapshot() else { return }
        let line = ProgressText.line(snapshot)
        let width = Self.terminalWidth()
        Self.write("\r\u{1B}[2K" + String(line.prefix(max(20, width - 1))))
        drawn = true
    }

    static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

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
