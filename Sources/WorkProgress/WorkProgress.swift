import Foundation
import Synchronization

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

    /// Where progress is recorded. The engine reports to the process's one recorder through the
    /// static functions below; a test drives a recorder of its own, with its own clock.
    public final class Recorder: Sendable {
        private struct State {
            var enabled = false
            var phase = ""
            var done = 0
            var total: Int?
            var unit = ""
            var phaseStart = Date()
            var start = Date()
            /// Told of each new phase as it begins (outside the lock), so a reader can show phases
            /// shorter than its redraw interval.
            var onBegin: (@Sendable (Snapshot) -> Void)?
        }

        private let state = Mutex(State())

        public init() {}

        /// Starts recording (and clears what an earlier command left). `onBegin`, when given, is
        /// called with each phase as it begins, on the thread that began it.
        public func enable(now: Date = Date(), onBegin: (@Sendable (Snapshot) -> Void)? = nil) {
            state.withLock { $0 = State(enabled: true, phaseStart: now, start: now, onBegin: onBegin) }
        }

        /// Stops recording.
        public func disable() {
            state.withLock {
                $0.enabled = false
                $0.onBegin = nil
            }
        }

        /// A new phase: `total` items of `unit` when known.
        public func begin(_ phase: String, total: Int? = nil, unit: String = "", now: Date = Date()) {
            let told: (@Sendable (Snapshot) -> Void, Snapshot)? = state.withLock { state in
                guard state.enabled else { return nil }
                (state.phase, state.done, state.total, state.unit, state.phaseStart) = (phase, 0, total, unit, now)
                return state.onBegin.map {
                    ($0, Snapshot(phase: phase, done: 0, total: total, unit: unit, elapsed: 0, sinceStart: now.timeIntervalSince(state.start)))
                }
            }
            if let told { told.0(told.1) }
        }

        /// `count` more items of the current phase are done (from any thread).
        public func advance(_ count: Int = 1) {
            state.withLock { if $0.enabled { $0.done += count } }
        }

        /// Whether recording is on (worth computing a total for, say).
        public var isEnabled: Bool { state.withLock { $0.enabled } }

        /// Items done in the current phase (0 when recording is off).
        public func doneCount() -> Int { state.withLock { $0.enabled ? $0.done : 0 } }

        /// The current phase, or nil when recording is off or no phase has begun.
        public func snapshot(now: Date = Date()) -> Snapshot? {
            state.withLock { state in
                guard state.enabled, !state.phase.isEmpty else { return nil }
                return Snapshot(
                    phase: state.phase, done: state.done, total: state.total, unit: state.unit,
                    elapsed: now.timeIntervalSince(state.phaseStart), sinceStart: now.timeIntervalSince(state.start))
            }
        }

        /// Seconds since recording was turned on (for a closing summary).
        public func secondsSinceStart(now: Date = Date()) -> Double {
            state.withLock { now.timeIntervalSince($0.start) }
        }
    }

    /// The process's recorder, which the engine reports to.
    public static let shared = Recorder()

    /// Starts recording (and clears what an earlier command left). `onBegin`, when given, is
    /// called with each phase as it begins, on the thread that began it.
    public static func enable(onBegin: (@Sendable (Snapshot) -> Void)? = nil) { shared.enable(onBegin: onBegin) }

    /// Stops recording.
    public static func disable() { shared.disable() }

    /// A new phase: `total` items of `unit` when known.
    public static func begin(_ phase: String, total: Int? = nil, unit: String = "") { shared.begin(phase, total: total, unit: unit) }

    /// `count` more items of the current phase are done (from any thread).
    public static func advance(_ count: Int = 1) { shared.advance(count) }

    /// Whether a command turned recording on (worth computing a total for, say).
    public static var isEnabled: Bool { shared.isEnabled }

    /// Items done in the current phase (0 when recording is off).
    public static func done() -> Int { shared.doneCount() }

    /// The current phase, or nil when recording is off or no phase has begun.
    public static func snapshot() -> Snapshot? { shared.snapshot() }

    /// Seconds since recording was turned on (for a closing summary).
    public static func secondsSinceStart() -> Double { shared.secondsSinceStart() }
}
