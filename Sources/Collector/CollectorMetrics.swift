import OTLPWire
import Prometheus

/// What `GET /metrics` shows, in the Prometheus text format.
public final class CollectorMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let received: [OTLPSignal: Counter]
    let rejected: [OTLPSignal: Counter]
    let recordsStored: Counter
    let recordsPresent: Counter
    let recordsSuperseded: Counter
    let transactions: Counter
    let writeFailures: Counter
    let refused: Counter
    let queueDepth: Gauge
    private let latency: [String: DurationHistogram]
    let spansWithoutUsage: Counter
    static let routes = ["/v1/logs", "/v1/metrics", "/v1/traces", "/", "/api/report", "/healthz", "/metrics", "other"]

    public init() {
        var received = [OTLPSignal: Counter](), rejected = [OTLPSignal: Counter]()
        for signal in OTLPSignal.allCases {
            received[signal] = registry.makeCounter(
                descriptor: Self.named(
                    "shipmeter_otlp_items_received_total", "Log records, metric data points and spans received in accepted OTLP requests."),
                labels: [("signal", signal.rawValue)])
            rejected[signal] = registry.makeCounter(
                descriptor: Self.named("shipmeter_otlp_items_rejected_total", "Items refused as malformed (reported in partial_success)."),
                labels: [("signal", signal.rawValue)])
        }
        (self.received, self.rejected) = (received, rejected)
        recordsStored = registry.makeCounter(descriptor: Self.named("shipmeter_usage_records_stored_total", "Usage records added to the ledger."))
        recordsPresent = registry.makeCounter(
            descriptor: Self.named("shipmeter_usage_records_present_total", "Usage records received again (a retry, or ingested before)."))
        recordsSuperseded = registry.makeCounter(
            descriptor: Self.named(
                "shipmeter_usage_records_superseded_total", "Claude Code metric readings removed because their session's events are stored."))
        transactions = registry.makeCounter(descriptor: Self.named("shipmeter_ledger_transactions_total", "Ledger write transactions committed."))
        writeFailures = registry.makeCounter(
            descriptor: Self.named("shipmeter_ledger_write_failures_total", "Ledger write transactions that failed (their requests got 503)."))
        refused = registry.makeCounter(
            descriptor: Self.named(
                "shipmeter_otlp_requests_throttled_total", "Requests refused with 429: the write queue was full, or too many requests were in flight."
            ))
        spansWithoutUsage = registry.makeCounter(
            descriptor: Self.named(
                "shipmeter_otlp_spans_without_usage_total",
                "Spans received that carry no usage of their own (no token counts, or an agent or tool span totalling its children's)."))
        queueDepth = registry.makeGauge(descriptor: Self.named("shipmeter_write_queue_records", "Records waiting to be written or being written."))
        var latency = [String: DurationHistogram]()
        let buckets: [Duration] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        for route in Self.routes {
            latency[route] = registry.makeDurationHistogram(
                descriptor: Self.named("shipmeter_http_request_duration_seconds", "Time from a request's arrival to its response, by route."),
                labels: [("route", route)], buckets: buckets)
        }
        self.latency = latency
    }

    static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Counts which attribute spelling each usage field arrived in (`field`: input, output,
    /// cache_read, cache_write, metric), so an operator sees which conventions arrive.
    func countSpellings(_ spellings: [String: Int]) {
        for (spelling, count) in spellings {
            let parts = spelling.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            registry.makeCounter(
                descriptor: Self.named(
                    "shipmeter_otlp_usage_attribute_total", "Usage fields read, by the attribute (or metric) spelling they arrived in."),
                labels: [("field", parts[0]), ("attribute", parts[1])]
            ).increment(by: Int64(count))
        }
    }

    func observe(route: String, _ duration: Duration) {
        (latency[route] ?? latency["other"])?.record(duration)
    }

    public func text() -> String { registry.emitToString() }
}
