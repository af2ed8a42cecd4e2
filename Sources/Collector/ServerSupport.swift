import Dispatch
import Hummingbird
import Synchronization

/// CPU-bound work (decoding a request, building a report) on threads of its own: on Swift's
/// cooperative pool (one thread per core) it would hold up the ledger writer's continuations
/// behind it, and each of a transaction's round trips would wait for a decode to finish.
enum OffPool {
    static let queue = DispatchQueue(label: "shipmeter.serve.work", qos: .userInitiated, attributes: .concurrent)
    /// The same threads as a task executor, for async work that computes for long (a dashboard
    /// report): `withTaskExecutorPreference(OffPool.executor) { … }`.
    static let executor = QueueExecutor(queue: queue)

    final class QueueExecutor: TaskExecutor {
        let queue: DispatchQueue

        init(queue: DispatchQueue) { self.queue = queue }

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    static func run<Result: Sendable, Failure: Error>(_ work: @escaping @Sendable () throws(Failure) -> Result) async throws(Failure) -> Result {
        let outcome: Swift.Result<Result, Failure> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(Failure) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try outcome.get()
    }
}

/// Times every request for `/metrics`.
struct Timing<Context: RequestContext>: RouterMiddleware {
    let metrics: CollectorMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        defer { metrics.observe(route: request.uri.path, clock.now - start) }
        return try await next(request, context)
    }
}

/// How many export requests are being read, decoded or stored.
final class InFlight: Sendable {
    let limit: Int
    private let count = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a place; false when all are taken.
    func enter() -> Bool {
        count.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() { count.withLock { $0 -= 1 } }
}

/// The services whose spans carried usage since the collector started: their GenAI token
/// metrics (sent to `/v1/metrics` by the same instrumentation) restate those spans.
final class SpanServices: Sendable {
    private let names = Mutex<Set<String>>([])

    var current: Set<String> { names.withLock { $0 } }

    func add(_ services: Set<String>) {
        guard !services.isEmpty else { return }
        names.withLock { $0.formUnion(services) }
    }
}
