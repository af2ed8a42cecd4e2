import Foundation

/// One OTLP export request received over the wire (`shipmeter serve`), read as `ingest` reads
/// the same request from a file: the same canonical records under the same keys, so an
/// exporter's retry, or a file ingested later, adds nothing.
public enum OTLPExport {
    /// One log record of a request: its attributes over its resource's.
    public struct LogRecord: Sendable {
        public var timeUnixNano: UInt64
        public var observedTimeUnixNano: UInt64
        public var body: String
        public var attributes: OTLPAttributes

        public init(timeUnixNano: UInt64, observedTimeUnixNano: UInt64, body: String, attributes: OTLPAttributes) {
            (self.timeUnixNano, self.observedTimeUnixNano, self.body, self.attributes) = (timeUnixNano, observedTimeUnixNano, body, attributes)
        }
    }

    /// One data point of a sum or gauge, the same way.
    public struct MetricPoint: Sendable {
        public var timeUnixNano: UInt64
        public var value: Double
        public var attributes: OTLPAttributes

        public init(timeUnixNano: UInt64, value: Double, attributes: OTLPAttributes) {
            (self.timeUnixNano, self.value, self.attributes) = (timeUnixNano, value, attributes)
        }
    }

    /// Whether the reader takes a metric of this name (others need not be converted).
    public static func wants(metric name: String) -> Bool { OTelReader.wants(metric: name) }

    /// The services (`service.name`) of the spans that carry usage: the collector remembers them,
    /// so their GenAI token metrics, arriving in other requests, are not counted a second time.
    public static func servicesWithUsage(_ spans: [OTelSpan]) -> Set<String> {
        var services = Set<String>()
        for span in spans {
            guard let service = span.attributes.string("service.name"), !services.contains(service),
                OTelReader.hasUsage(span.attributes)
            else { continue }
            services.insert(service)
        }
        return services
    }

    /// The same reading for a request already decoded (`shipmeter serve`'s protobuf and JSON):
    /// the reader's own rules, without going through its JSON form.
    public static func read(
        logs: [LogRecord], metrics: [(name: String, cumulative: Bool, points: [MetricPoint])], spans: [OTelSpan] = [],
        servicesWithSpans: Set<String> = [], origin: String = "otlp"
    ) -> UsageBatch {
        var batch = UsageBatch()
        var reader = OTelReader()
        reader.acceptsCumulative = false
        reader.servicesWithSpans = servicesWithSpans
        for span in spans { reader.readSpan(span, origin: origin, into: &batch) }
        for log in logs {
            let time = OTelReader.time(nanos: Double(log.timeUnixNano)) ?? OTelReader.time(nanos: Double(log.observedTimeUnixNano))
            reader.readEvent(attributes: log.attributes, time: time, body: log.body, origin: origin, into: &batch)
        }
        for metric in metrics where wants(metric: metric.name) {
            let points = metric.points.map {
                OTelReader.MetricPoint(time: OTelReader.time(nanos: Double($0.timeUnixNano)), value: $0.value, attributes: $0.attributes)
            }
            reader.readMetric(name: metric.name, isCumulative: metric.cumulative, points: points, origin: origin, into: &batch)
        }
        reader.finish(into: &batch)
        return batch
    }
}
