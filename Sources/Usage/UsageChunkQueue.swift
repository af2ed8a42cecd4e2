import Foundation

/// Records with their costs as stored text, formatted by the thread that reads them.
public struct UsageChunk: Sendable {
    public let records: [UsageRecord]
    /// `AmountText` of each record's cost (nil: none).
    public let costs: [String?]

    public init(_ records: [UsageRecord]) {
        self.records = records
        costs = records.map { $0.costUSD.map(AmountText.text) }
    }
}

/// Records passed from a reading thread to a writing one a chunk at a time, at most `capacity`
/// chunks waiting: the reader parses the next chunk while the writer stores the last, and memory
/// stays bounded by a few chunks whatever the input's size.
public final class UsageChunkQueue: @unchecked Sendable {
    // @unchecked: every access holds `condition` (an NSCondition, not a Mutex: each side waits
    // on it, the reader for room and the writer for chunks).
    private let condition = NSCondition()
    private var chunks: [UsageChunk] = []
    private var finished = false
    private var failure: Error?
    private var cancelled = false
    private var finalLinks: [SessionCommitLink] = []
    public let capacity: Int

    /// Why a reader stopped: the writer gave up.
    public struct Cancelled: Error {
        public init() {}
    }

    /// What `take` throws when the reader failed: the reader's own error, kept apart from the
    /// writer's so it reaches the caller as it was.
    public struct ReaderFailure: Error {
        public var error: Error
    }

    public init(capacity: Int = 2) {
        self.capacity = max(1, capacity)
    }

    /// One queue holding `batch` as its only chunk, already finished.
    public convenience init(_ batch: UsageBatch) {
        self.init(capacity: 1)
        chunks = batch.records.isEmpty ? [] : [UsageChunk(batch.records)]
        finalLinks = batch.links
        finished = true
    }

    /// Adds a chunk (each `(source, key)` at most once in it, as a `UsageBatch` leaves them),
    /// waiting while `capacity` chunks wait; throws `Cancelled` once the writer gave up.
    public func put(_ records: [UsageRecord]) throws {
        let chunk = UsageChunk(records)  // formatted here, on the reading thread
        condition.lock()
        defer { condition.unlock() }
        while chunks.count >= capacity, !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        chunks.append(chunk)
        condition.broadcast()
    }

    /// The reader is done: `links` are the read's session links; `failure`, when given, is
    /// what the writer's next `take` throws (nothing of the read is to be kept).
    public func finish(links: [SessionCommitLink] = [], failure: Error? = nil) {
        condition.lock()
        finalLinks = links
        self.failure = failure
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The writer gave up: the reader's next `put` throws.
    public func cancel() {
        condition.lock()
        cancelled = true
        chunks.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk, waiting for it; nil once the reader finished and every chunk was taken.
    /// Throws the reader's failure, as `ReaderFailure`.
    public func take() throws -> UsageChunk? {
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty, !finished, failure == nil { condition.wait() }
        if let failure { throw ReaderFailure(error: failure) }
        if chunks.isEmpty { return nil }
        let chunk = chunks.removeFirst()
        condition.broadcast()
        return chunk
    }

    /// The session links of the whole read (known once it finished).
    public var links: [SessionCommitLink] {
        condition.lock()
        defer { condition.unlock() }
        return finalLinks
    }
}
