import Foundation
import Ledger
import Synchronization
import Usage

/// Stores what requests bring, a transaction at a time: the batches waiting when one write
/// ends go into the next together (group commit), and each request is answered only once the
/// transaction holding its records has committed. At most `capacity` records wait; a request
/// that would pass it is refused at once (`Full`), so memory stays bounded however fast
/// exporters push.
public final class LedgerWriter: Sendable {
    public struct Full: Error {}

    struct Waiting {
        var batch: UsageBatch
        var continuation: CheckedContinuation<Void, Error>
    }

    struct State {
        var waiting: [Waiting] = []
        var records = 0  // waiting or being written
        var writing = false
    }

    let ledger: LedgerStore
    let capacity: Int
    /// The most records one transaction takes (more wait for the next).
    let group: Int
    let version: String
    let metrics: CollectorMetrics
    private let state = Mutex(State())

    public init(ledger: LedgerStore, capacity: Int, group: Int = 20_000, version: String, metrics: CollectorMetrics) {
        self.ledger = ledger
        self.capacity = capacity
        self.group = group
        self.version = version
        self.metrics = metrics
    }

    /// Records waiting or being written.
    public var depth: Int { state.withLock { $0.records } }

    /// Returns once `batch` is committed to the ledger; throws `Full` when the queue cannot take
    /// it, or the ledger's error when the transaction failed (nothing of it was stored).
    public func store(_ batch: UsageBatch) async throws {
        let count = batch.records.count + batch.links.count
        guard count > 0 else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let start = state.withLock { state -> Bool? in
                // One request larger than the whole queue still goes in when nothing waits.
                guard state.records == 0 || state.records + count <= capacity else { return nil }
                state.waiting.append(Waiting(batch: batch, continuation: continuation))
                state.records += count
                metrics.queueDepth.set(to: Double(state.records))
                if state.writing { return false }
                state.writing = true
                return true
            }
            switch start {
            case nil: continuation.resume(throwing: Full())
            case true?: Task { await drain() }
            case false?: break
            }
        }
    }

    /// Seconds between checkpoints of a SQLite ledger while collecting (`SHIPMETER_CHECKPOINT_EVERY`,
    /// default 1; 0 checkpoints after every transaction).
    static let checkpointInterval: TimeInterval = ProcessInfo.processInfo.environment["SHIPMETER_CHECKPOINT_EVERY"].flatMap(TimeInterval.init) ?? 1

    /// Writes what waits until nothing does.
    private func drain() async {
        var lastCheckpoint = Date.distantPast
        while true {
            let taken = state.withLock { state -> [Waiting] in
                var taken = [Waiting](), records = 0
                while let first = state.waiting.first, taken.isEmpty || records + first.batch.records.count <= group {
                    records += first.batch.records.count
                    taken.append(state.waiting.removeFirst())
                }
                if taken.isEmpty { state.writing = false }
                return taken
            }
            guard !taken.isEmpty else { return }
            var merged = UsageBatch()
            for item in taken { merged.merge(item.batch) }
            let outcome: Result<IngestResult, Error>
            do {
                outcome = .success(try await ledger.ingest(merged, version: version))
            } catch {
                outcome = .failure(error)
            }
            let count = taken.reduce(0) { $0 + $1.batch.records.count + $1.batch.links.count }
            state.withLock { state in
                state.records -= count
                metrics.queueDepth.set(to: Double(state.records))
            }
            // A SQLite ledger's file is kept within one interval of what was acknowledged: a copy
            // of the file alone (a backup script, say) misses at most that much.
            if case .success = outcome, Date().timeIntervalSince(lastCheckpoint) >= Self.checkpointInterval {
                await ledger.checkpoint()
                lastCheckpoint = Date()
            }
            switch outcome {
            case .success(let result):
                metrics.recordsStored.increment(by: Int64(result.added))
                metrics.recordsSuperseded.increment(by: Int64(result.superseded))
                metrics.recordsPresent.increment(by: Int64(result.alreadyPresent))
                metrics.transactions.increment()
                for item in taken { item.continuation.resume() }
            case .failure(let error):
                metrics.writeFailures.increment()
                for item in taken { item.continuation.resume(throwing: error) }
            }
        }
    }
}
