import Foundation
import GitKit
import Ledger
import Synchronization
import Usage
import WorkProgress

extension UsageReading {
    /// Reads `paths` into `ledger`: one thread parses and prices a chunk of `chunk` records while
    /// the ledger stores the previous one, all in one transaction, so memory stays bounded by a
    /// few chunks whatever the files' size. With no paths, the repository's local sessions.
    /// A malformed line under `strict`, an unreadable file or a failed write stores nothing.
    public func ingest(
        paths: [String], repository: Repository?, overrides: [String: ModelPrice], into ledger: LedgerStore, version: String,
        chunk: Int = 50_000
    ) async throws -> (result: IngestResult, diagnostics: [Diagnostic]) {
        if paths.isEmpty {
            WorkProgress.begin("reading this machine's agent sessions", unit: "bytes")
            let (batch, diagnostics) = try load(paths: [], repository: repository, overrides: overrides)
            return (try await ledger.ingestGrowth(batch.records, links: batch.links, version: version), diagnostics)
        }
        WorkProgress.begin("ingesting usage", total: WorkProgress.isEnabled ? UsageLoader.bytes(of: paths) : nil, unit: "bytes")
        let queue = UsageChunkQueue(capacity: 2)
        let reader = ChunkReader(reading: self, paths: paths, prices: try priceTable(overrides: overrides), queue: queue, chunk: chunk)
        let finished = reader.start()
        let result: Result<IngestResult, Error>
        do {
            result = .success(try await ledger.ingest(queue, version: version))
        } catch {
            result = .failure(error)
        }
        let read = await finished.value
        // The reader's failure is the cause of the ledger's (which only saw it stop).
        if case .failure(let failure) = read, !(failure is UsageChunkQueue.Cancelled) { throw EngineError.wrapping(failure) }
        var ingested = try result.get()
        // Running session totals become increases over what the ledger holds, once the rest is in
        // (a second, short transaction: ingesting again after a failure here adds only what is missing).
        if !reader.running.isEmpty {
            let more = try await ledger.ingestGrowth(reader.running, version: version)
            ingested.added += more.added
            ingested.alreadyPresent += more.alreadyPresent
        }
        guard case .success(let diagnostics) = read else { return (ingested, []) }
        return (ingested, diagnostics)
    }
}

/// The reading side of a streaming ingest, on a thread of its own.
private final class ChunkReader: Sendable {
    let reading: UsageReading
    let paths: [String]
    let queue: UsageChunkQueue
    let chunk: Int
    /// The prices, with the models found without one; and readings of running session totals,
    /// held back from the stream (see `LedgerStore.increases`), read once the reading thread has
    /// finished. Only the reading thread uses them until then: the lock is never contended.
    private let state: Mutex<(pricing: Pricing, running: [UsageRecord])>

    var running: [UsageRecord] { state.withLock { $0.running } }

    init(reading: UsageReading, paths: [String], prices: PriceTable, queue: UsageChunkQueue, chunk: Int) {
        (self.reading, self.paths, self.queue, self.chunk) = (reading, paths, queue, chunk)
        state = Mutex((Pricing(prices), []))
    }

    /// Starts reading; the task ends with the read's diagnostics, or what stopped it.
    func start() -> Task<Result<[Diagnostic], Error>, Never> {
        let (stream, continuation) = AsyncStream.makeStream(of: Result<[Diagnostic], Error>.self)
        let thread = Thread { [self] in
            let outcome = run()
            switch outcome {
            case .success: break
            case .failure(let error): queue.finish(failure: error)
            }
            continuation.yield(outcome)
            continuation.finish()
        }
        thread.stackSize = 8 << 20
        thread.start()
        return Task {
            for await outcome in stream { return outcome }
            return .failure(UsageChunkQueue.Cancelled())
        }
    }

    private func run() -> Result<[Diagnostic], Error> {
        do {
            let spill = UsageSpill(limit: chunk) { [self] records in try put(records) }
            let (batch, notes) = try UsageLoader(format: reading.format).load(paths, spill: spill)
            if reading.strict, let first = batch.malformed.first {
                throw EngineError.usage(.strict(first, count: batch.malformedCount))
            }
            if !batch.records.isEmpty { try put(batch.records) }
            queue.finish(links: batch.links)
            var diagnostics: [Diagnostic] = notes.map { .usage($0) }
            if let malformed = Diagnostic.malformed(in: batch) { diagnostics.append(malformed) }
            if let unpriced = UsageReading.unpriced(state.withLock { $0.pricing.unknown }) { diagnostics.append(unpriced) }
            return .success(diagnostics)
        } catch {
            return .failure(error)
        }
    }

    private func put(_ records: [UsageRecord]) throws {
        let records = state.withLock { state in
            var records = records
            for index in records.indices { state.pricing.price(&records[index]) }
            let runningSources = UsageFormat.runningTotalSources
            if records.contains(where: { runningSources.contains($0.source) }) {
                state.running += records.filter { runningSources.contains($0.source) }
                records.removeAll { runningSources.contains($0.source) }
            }
            return records
        }
        if !records.isEmpty { try queue.put(records) }
    }
}
