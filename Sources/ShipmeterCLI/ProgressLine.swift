import ArgumentParser
import Foundation
import Synchronization
import WorkProgress

/// `--quiet`, for the commands that show progress.
struct ProgressOptions: ParsableArguments {
    @Flag(
        name: [.customShort("q"), .customLong("quiet")],
        help: "No progress line or closing summary on the terminal (neither is ever shown in a pipe or under CI).")
    var quiet = false

    /// Starts drawing progress when standard error is a terminal a person watches (or where
    /// `SHIPMETER_PROGRESS` says otherwise).
    func start() -> ProgressLine {
        let environment = ProcessInfo.processInfo.environment
        let settings = ProgressSettings(environment: environment)
        let isTerminal = isatty(STDERR_FILENO) == 1
        return ProgressLine(
            showing: settings.shouldShow(quiet: quiet, environment: environment, isTerminal: isTerminal),
            onTerminal: isTerminal, settings: settings)
    }
}

/// When progress is drawn, read from the environment. The defaults suit a person at a terminal;
/// the variables exist for logs and for tests, which must see every phase however fast the
/// machine is:
/// - `SHIPMETER_PROGRESS`: `auto` (default: a terminal, not under CI), `always` (also into a
///   pipe or a CI log, one line per redraw), `never`.
/// - `SHIPMETER_PROGRESS_AFTER`: seconds before the first draw (default 0.3, so a short command
///   shows nothing); `0` draws every phase the moment it begins.
/// - `SHIPMETER_PROGRESS_EVERY`: seconds between redraws (default 0.2, at least 0.01).
public struct ProgressSettings: Equatable, Sendable {
    public enum Mode: String, Sendable { case auto, always, never }
    public var mode: Mode = .auto
    public var after: Double = 0.3
    public var every: Double = 0.2

    public init(mode: Mode = .auto, after: Double = 0.3, every: Double = 0.2) {
        (self.mode, self.after, self.every) = (mode, after, every)
    }

    /// Unknown or malformed values keep the defaults: these settings never stop a command.
    public init(environment: [String: String]) {
        if let mode = environment["SHIPMETER_PROGRESS"].flatMap({ Mode(rawValue: $0.lowercased()) }) { self.mode = mode }
        if let after = environment["SHIPMETER_PROGRESS_AFTER"].flatMap(Double.init), after.isFinite, after >= 0 { self.after = after }
        if let every = environment["SHIPMETER_PROGRESS_EVERY"].flatMap(Double.init), every.isFinite, every > 0 { self.every = max(0.01, every) }
    }

    /// Whether progress belongs on this standard error.
    public func shouldShow(quiet: Bool, environment: [String: String], isTerminal: Bool) -> Bool {
        if quiet { return false }
        switch mode {
        case .always: return true
        case .never: return false
        case .auto: return ProgressText.shouldShow(quiet: quiet, environment: environment, isTerminal: isTerminal)
        }
    }
}

/// The progress of long work, drawn on standard error as one line that redraws itself several
/// times a second: the phase, counts done of the total where known, the rate and the time left;
/// replaced by a one-line summary at the end. Only on a terminal: never in a pipe, a file, a CI
/// log (`CI` set), a dumb terminal or with `--quiet` (unless `SHIPMETER_PROGRESS=always`, which
/// writes one plain line per redraw where standard error is not a terminal).
final class ProgressLine: Sendable {
    let showing: Bool
    let onTerminal: Bool
    /// Drawing and finishing happen on this queue, one at a time.
    private let queue = DispatchQueue(label: "shipmeter.progress")
    /// The redraw timer, and whether a line is on the terminal to be cleared.
    private let state = Mutex<(timer: (any DispatchSourceTimer)?, drawn: Bool)>((nil, false))

    init(showing: Bool, onTerminal: Bool = true, settings: ProgressSettings = ProgressSettings()) {
        self.showing = showing
        self.onTerminal = onTerminal
        guard showing else { return }
        // With no delay, each phase is drawn as it begins, however short it is.
        let drawAtOnce: @Sendable (WorkProgress.Snapshot) -> Void = { [weak self] snapshot in
            guard let self else { return }
            self.queue.sync { self.draw(snapshot) }
        }
        WorkProgress.enable(onBegin: settings.after > 0 ? nil : drawAtOnce)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .nanoseconds(Int(settings.after * 1e9)), repeating: .nanoseconds(Int(settings.every * 1e9)))
        timer.setEventHandler { [weak self] in
            guard let self, let snapshot = WorkProgress.snapshot() else { return }
            draw(snapshot)
        }
        state.withLock { $0.timer = timer }
        timer.resume()
    }

    /// Stops drawing; with a `summary`, it replaces the progress line.
    func finish(_ summary: String? = nil) {
        guard showing else { return }
        let seconds = WorkProgress.secondsSinceStart()
        WorkProgress.disable()
        queue.sync {
            let drawn = state.withLock { state in
                state.timer?.cancel()
                defer { state = (nil, false) }
                return state.drawn
            }
            var text = drawn && onTerminal ? "\r\u{1B}[2K" : ""
            if let summary { text += "\(summary) in \(ProgressText.duration(seconds))\n" }
            if !text.isEmpty { Self.write(text) }
        }
    }

    /// Called on `queue`.
    private func draw(_ snapshot: WorkProgress.Snapshot) {
        let line = ProgressText.line(snapshot)
        if onTerminal {
            Self.write("\r\u{1B}[2K" + String(line.prefix(max(20, Self.terminalWidth() - 1))))
        } else {
            Self.write(line + "\n")
        }
        state.withLock { $0.drawn = true }
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
