import Foundation

/// How far long work has got: the phase it is in, how many of how many items are done, and the
/// counts worth a closing summary. The engine reports here as it works; what to show, and
/// whether to show anything, is the command line's business (`ProgressLine` draws it on a
/// terminal). Reporting costs one uncontended lock, so it is called per commit or per chunk of
/// records, never per byte. Nothing is recorded unless a command turned it on.
public enum WorkProgress {
    /// What a reader sees at one moment.
    public struct Snapshot: Equatable, Sendable {
        public var phase: String
        public var done: Int
        public var total: Int?
        /// What is counted ("commits", "records").
        public var unit: String
        /// Seconds since the phase began.
        public var elapsed: Double
        /// Seconds since reporting was turned on.
        public var sinceStart: Double

        public init(phase: String, done: Int, total: Int?, unit: String, elapsed: Double, sinceStart: Double) {
            (self.phase, self.done, self.total, self.unit, self.elapsed, self.sinceStart) = (phase, done, total, unit, elapsed, sinceStart)
        }
    }

    private final class State: @unchecked Sendable {
        // @unchecked: every field is read and written holding `lock`.
        let lock = NSLock()
        var enabled = false
        var phase = ""
        var done = 0
        var total: Int?
        var unit = ""
        var phaseStart = Date()
        var start = Date()
    }

    private static let state = State()

    /// Starts recording (and clears what an earlier command left).
    public static func enable() {
        state.lock.lock()
        defer { state.lock.unlock() }
        state.enabled = true
        state.phase = ""
        state.done = 0
        state.total = nil
        state.start = Date()
        state.phaseStart = state.start
    }

    /// Stops recording.
    public static func disable() {
        state.lock.lock()
        state.enabled = false
        state.lock.unlock()
    }

    /// A new phase: `total` items of `unit` when known.
    public static func begin(_ phase: String, total: Int? = nil, unit: String = "") {
        state.lock.lock()
        defer { state.lock.unlock() }
        guard state.enabled else { return }
        state.phase = phase
        state.done = 0
        state.total = total
        state.unit = unit
        state.phaseStart = Date()
    }

    /// `count` more items of the current phase are done (from any thread).
    public static func advance(_ count: Int = 1) {
        state.lock.lock()
        if state.enabled { state.done += count }
        state.lock.unlock()
    }

    /// Whether a command turned recording on (worth computing a total for, say).
    public static var isEnabled: Bool {
        state.lock.lock()
        defer { state.lock.unlock() }
        return state.enabled
    }

    /// Items done in the current phase (0 when recording is off).
    public static func done() -> Int {
        state.lock.lock()
        defer { state.lock.unlock() }
        return state.enabled ? state.done : 0
    }

    /// The current phase, or nil when recording is off or no phase has begun.
    public static func snapshot(now: Date = Date()) -> Snapshot? {
        state.lock.lock()
        defer { state.lock.unlock() }
        guard state.enabled, !state.phase.isEmpty else { return nil }
        return Snapshot(phase: state.phase, done: state.done, total: state.total, unit: state.unit,
                        elapsed: now.timeIntervalSince(state.phaseStart), sinceStart: now.timeIntervalSince(state.start))
    }

    /// Seconds since recording was turned on (for a closing summary).
    public static func secondsSinceStart(now: Date = Date()) -> Double {
        state.lock.lock()
        defer { state.lock.unlock() }
        return now.timeIntervalSince(state.start)
    }
}
