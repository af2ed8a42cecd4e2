import Foundation
import Synchronization

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

    /// Per-index results written by parallel workers (each writes its own indices).
    private final class Results<Value: Sendable>: Sendable {
        private let state: Mutex<(stored: [Value?], error: (any Error)?)>

        init(count: Int) { state = Mutex((Array(repeating: nil, count: count), nil)) }

        func set(_ index: Int, _ value: Value) {
            state.withLock { $0.stored[index] = value }
        }

        func fail(_ failure: any Error) {
            state.withLock { if $0.error == nil { $0.error = failure } }
        }

        func values() throws -> [Value] {
            let (stored, error) = state.withLock { ($0.stored, $0.error) }
            if let error { throw error }
            return stored.compactMap { $0 }
        }
    }
}
