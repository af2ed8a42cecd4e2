import Foundation

/// Work over many commits on every core: contiguous blocks (in history order a commit's parent
/// tree is often still in the worker's cache), each worker with state of its own — libgit2
/// handles belong to one thread at a time.
public enum ParallelBlocks {
    /// `body(&state, index)` for every index below `count`, results in index order. `setup` makes
    /// each worker's state; the first error any worker throws is rethrown after all have stopped.
    /// Under `minimumToSplit` items everything runs on one worker.
    public static func map<State, Value: Sendable>(
        count: Int, minimumToSplit: Int = 64, setup: @Sendable () throws -> State, _ body: @Sendable (inout State, Int) throws -> Value
    ) throws -> [Value] {
        guard count > 0 else { return [] }
        let workers = count < minimumToSplit ? 1 : max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        let block = (count + workers - 1) / workers
        let results = Results<Value>(count: count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            do {
                var state = try setup()
                for index in (worker * block)..<min(count, (worker + 1) * block) { results.set(index, try body(&state, index)) }
            } catch {
                results.fail(error)
            }
        }
        return try results.values()
    }

    /// Per-index results written by parallel workers.
    private final class Results<Value: Sendable>: @unchecked Sendable {
        // @unchecked: every access to `stored` and `error` holds `lock`; workers write distinct indices.
        private let lock = NSLock()
        private var stored: [Value?]
        private var error: (any Error)?

        init(count: Int) { stored = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ value: Value) {
            lock.lock()
            stored[index] = value
            lock.unlock()
        }

        func fail(_ failure: any Error) {
            lock.lock()
            if error == nil { error = failure }
            lock.unlock()
        }

        func values() throws -> [Value] {
            lock.lock()
            defer { lock.unlock() }
            if let error { throw error }
            return stored.compactMap { $0 }
        }
    }
}
