import Foundation
import SwiftProtobuf
import Usage

/// The OTLP/HTTP signals the collector takes.
public enum OTLPSignal: String, Sendable, CaseIterable {
    case logs, metrics, traces

    public var path: String { "/v1/\(rawValue)" }
}

/// How a request's body is encoded (OTLP/HTTP: binary protobuf or its JSON mapping).
public enum OTLPEncoding: Sendable {
    case protobuf, json

    /// From a `Content-Type` header; nil when it is neither.
    public init?(contentType: String?) {
        let media = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch media {
        case "application/x-protobuf", "application/protobuf": self = .protobuf
        case "application/json": self = .json
        default: return nil
        }
    }

    public var contentType: String { self == .protobuf ? "application/x-protobuf" : "application/json" }
}

/// A body that is not the export request it was sent as.
public struct OTLPDecodingError: Error, Sendable {
    public var message: String
}

/// One OTLP export request, decoded: the usage it carries and how many items (log records,
/// metric data points or spans) it held.
public struct OTLPExportRequest: Sendable {
    public var batch: UsageBatch
    public var items: Int
    /// The services whose spans in it carry usage (traces only).
    public var servicesWithUsageSpans: Set<String> = []

    /// Decodes an (inflated) body. `servicesWithSpans`: services whose usage spans the collector
    /// received before (their GenAI token metrics restate those spans and are not counted).
    public static func decode(
        _ bytes: [UInt8], signal: OTLPSignal, encoding: OTLPEncoding,
        servicesWithSpans: Set<String> = []
    ) throws(OTLPDecodingError) -> OTLPExportRequest {
        do {
            switch signal {
            case .logs:
                let request: Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest = try message(bytes, encoding)
                let items = request.resourceLogs.reduce(0) { $0 + $1.scopeLogs.reduce(0) { $0 + $1.logRecords.count } }
                return OTLPExportRequest(batch: usage(request), items: items)
            case .metrics:
                let request: Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest = try message(bytes, encoding)
                let items = request.resourceMetrics.reduce(0) { $0 + $1.scopeMetrics.reduce(0) { $0 + $1.metrics.reduce(0) { $0 + points(in: $1) } } }
                return OTLPExportRequest(batch: usage(request, servicesWithSpans: servicesWithSpans), items: items)
            case .traces:
                let request: Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest = try message(bytes, encoding)
                let spans = OTLPDocument.spans(request, json: encoding == .json)
                return OTLPExportRequest(
                    batch: OTLPExport.read(logs: [], metrics: [], spans: spans, origin: "otlp"), items: spans.count,
                    servicesWithUsageSpans: OTLPExport.servicesWithUsage(spans))
            }
        } catch {
            let kind = encoding == .protobuf ? "protobuf" : "JSON"
            throw OTLPDecodingError(message: "the body is not an OTLP \(signal.rawValue) export request in \(kind): \(error)")
        }
    }

    static func message<M: SwiftProtobuf.Message>(_ bytes: [UInt8], _ encoding: OTLPEncoding) throws -> M {
        switch encoding {
        case .protobuf:
            return try M(serializedBytes: bytes)
        case .json:
            var options = JSONDecodingOptions()
            options.ignoreUnknownFields = true
            return try M(jsonUTF8Bytes: bytes, options: options)
        }
    }

    /// The request's usage, read by the same reader `ingest` uses for OTLP JSON files, from the
    /// message in the form that reader takes (`OTLPDocument`).
    static func usage(_ request: Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest) -> UsageBatch {
        OTLPExport.read(logs: OTLPDocument.logs(request), metrics: [], origin: "otlp")
    }

    static func usage(_ request: Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest, servicesWithSpans: Set<String>) -> UsageBatch {
        OTLPExport.read(logs: [], metrics: OTLPDocument.metrics(request), servicesWithSpans: servicesWithSpans, origin: "otlp")
    }

    static func points(in metric: Opentelemetry_Proto_Metrics_V1_Metric) -> Int {
        switch metric.data {
        case .sum(let sum): return sum.dataPoints.count
        case .gauge(let gauge): return gauge.dataPoints.count
        case .histogram(let histogram): return histogram.dataPoints.count
        case .exponentialHistogram(let histogram): return histogram.dataPoints.count
        case .summary(let summary): return summary.dataPoints.count
        case nil: return 0
        }
    }
}

/// The body of a response: success (with `partial_success` when some items were refused) or an
/// error (`google.rpc.Status`), in the request's encoding.
public enum OTLPResponseBody {
    public static func success(_ signal: OTLPSignal, rejected: Int, message: String?, encoding: OTLPEncoding) -> [UInt8] {
        do {
            switch signal {
            case .logs:
                var response = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceResponse()
                if rejected > 0 {
                    response.partialSuccess.rejectedLogRecords = Int64(rejected)
                    response.partialSuccess.errorMessage = message ?? ""
                }
                return try encode(response, encoding)
            case .metrics:
                var response = Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceResponse()
                if rejected > 0 {
                    response.partialSuccess.rejectedDataPoints = Int64(rejected)
                    response.partialSuccess.errorMessage = message ?? ""
                }
                return try encode(response, encoding)
            case .traces:
                var response = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse()
                if rejected > 0 {
                    response.partialSuccess.rejectedSpans = Int64(rejected)
                    response.partialSuccess.errorMessage = message ?? ""
                }
                return try encode(response, encoding)
            }
        } catch {
            return []
        }
    }

    public static func status(code: Int, message: String, encoding: OTLPEncoding) -> [UInt8] {
        var status = Google_Rpc_Status()
        status.code = Int32(code)
        status.message = message
        return (try? encode(status, encoding)) ?? []
    }

    static func encode<M: SwiftProtobuf.Message>(_ message: M, _ encoding: OTLPEncoding) throws -> [UInt8] {
        switch encoding {
        case .protobuf: return try message.serializedBytes()
        case .json: return try message.jsonUTF8Bytes()
        }
    }
}

/// An export request as the OTel reader's records: each log record and metric point with its
/// attributes merged over its resource's (later keys win, as in the reader), built directly from
/// the message. Only what the reader looks at is carried over.
enum OTLPDocument {
    static func logs(_ request: Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest) -> [OTLPExport.LogRecord] {
        var records = [OTLPExport.LogRecord]()
        for resource in request.resourceLogs {
            let shared = attributes(resource.resource.attributes, over: [:])
            for scope in resource.scopeLogs {
                records.reserveCapacity(records.count + scope.logRecords.count)
                for log in scope.logRecords {
                    let body: String
                    if case .stringValue(let text)? = log.body.value { body = text } else { body = "" }
                    records.append(
                        OTLPExport.LogRecord(
                            timeUnixNano: log.timeUnixNano, observedTimeUnixNano: log.observedTimeUnixNano, body: body,
                            attributes: attributes(log.attributes, over: shared)))
                }
            }
        }
        return records
    }

    static func metrics(
        _ request: Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest
    )
        -> [(name: String, cumulative: Bool, points: [OTLPExport.MetricPoint])]
    {
        var metrics = [(name: String, cumulative: Bool, points: [OTLPExport.MetricPoint])]()
        for resource in request.resourceMetrics {
            let shared = attributes(resource.resource.attributes, over: [:])
            for scope in resource.scopeMetrics {
                for metric in scope.metrics where OTLPExport.wants(metric: metric.name) {
                    let points: [Opentelemetry_Proto_Metrics_V1_NumberDataPoint], cumulative: Bool
                    switch metric.data {
                    case .sum(let sum): (points, cumulative) = (sum.dataPoints, sum.aggregationTemporality == .cumulative)
                    case .gauge(let gauge): (points, cumulative) = (gauge.dataPoints, false)
                    case .histogram(let histogram):
                        // A histogram point's total is its sum (`gen_ai.client.token.usage`).
                        metrics.append(
                            (
                                metric.name, histogram.aggregationTemporality == .cumulative,
                                histogram.dataPoints.map { point in
                                    OTLPExport.MetricPoint(
                                        timeUnixNano: point.timeUnixNano, value: point.sum,
                                        attributes: attributes(point.attributes, over: shared))
                                }
                            ))
                        continue
                    default: continue
                    }
                    metrics.append(
                        (
                            metric.name, cumulative,
                            points.map { point in
                                let value: Double
                                switch point.value {
                                case .asInt(let number): value = Double(number)
                                case .asDouble(let number): value = number
                                case nil: value = 0
                                }
                                return OTLPExport.MetricPoint(
                                    timeUnixNano: point.timeUnixNano, value: value, attributes: attributes(point.attributes, over: shared))
                            }
                        ))
                }
            }
        }
        return metrics
    }

    /// Each span with its attributes merged over its resource's. Ids are hex, as OTLP's JSON
    /// writes them; decoded from JSON, where swift-protobuf reads an id as base64 (which hex text
    /// also is), the id's text is its bytes encoded back to base64.
    static func spans(_ request: Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest, json: Bool) -> [OTelSpan] {
        var spans = [OTelSpan]()
        for resource in request.resourceSpans {
            let shared = attributes(resource.resource.attributes, over: [:])
            for scope in resource.scopeSpans {
                spans.reserveCapacity(spans.count + scope.spans.count)
                for span in scope.spans {
                    spans.append(
                        OTelSpan(
                            traceID: id(span.traceID, json: json), spanID: id(span.spanID, json: json), name: span.name,
                            startUnixNano: span.startTimeUnixNano, endUnixNano: span.endTimeUnixNano,
                            attributes: attributes(span.attributes, over: shared)))
                }
            }
        }
        return spans
    }

    static func id(_ bytes: Data, json: Bool) -> String {
        if json, bytes.count == 24 || bytes.count == 12 { return bytes.base64EncodedString().lowercased() }
        return bytes.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
        }.joined()
    }

    /// `list` over `base`; kinds of value other than strings, integers, doubles and booleans are left out.
    static func attributes(_ list: [Opentelemetry_Proto_Common_V1_KeyValue], over base: OTLPAttributes) -> OTLPAttributes {
        var merged = base
        for pair in list {
            switch pair.value.value {
            case .stringValue(let text): merged.append(pair.key, .string(text))
            case .intValue(let number): merged.append(pair.key, .int(number))
            case .doubleValue(let number): merged.append(pair.key, .double(number))
            case .boolValue(let flag): merged.append(pair.key, .bool(flag))
            default: continue
            }
        }
        return merged
    }
}
