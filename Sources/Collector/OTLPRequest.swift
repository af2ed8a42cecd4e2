import CompressNIO
import Foundation
import NIOCore
import SwiftProtobuf
import Usage

/// The two OTLP/HTTP signals the collector takes.
public enum OTLPSignal: String, Sendable, CaseIterable {
    case logs, metrics

    public var path: String { "/v1/\(rawValue)" }
}

/// How a request's body is encoded (OTLP/HTTP: binary protobuf or its JSON mapping).
enum OTLPEncoding: Sendable {
    case protobuf, json

    /// From a `Content-Type` header; nil when it is neither.
    init?(contentType: String?) {
        let media = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch media {
        case "application/x-protobuf", "application/protobuf": self = .protobuf
        case "application/json": self = .json
        default: return nil
        }
    }

    var contentType: String { self == .protobuf ? "application/x-protobuf" : "application/json" }
}

/// A request the collector refuses, with the HTTP status the OTLP/HTTP specification gives it.
struct OTLPRejection: Error, Sendable {
    var status: Int
    var message: String
    /// Seconds a client should wait before retrying (429, 503).
    var retryAfter: Int?

    static func badRequest(_ message: String) -> OTLPRejection { OTLPRejection(status: 400, message: message) }
}

/// One OTLP export request, decoded: the usage it carries and how many items (log records or
/// metric data points) it held.
struct OTLPExportRequest: Sendable {
    var batch: UsageBatch
    var items: Int

    /// Decodes `body` (after `Content-Encoding`, at most `limit` bytes once inflated).
    static func decode(_ body: ByteBuffer, signal: OTLPSignal, encoding: OTLPEncoding, contentEncoding: String?, limit: Int) throws(OTLPRejection) -> OTLPExportRequest {
        let bytes = try inflate(body, contentEncoding: contentEncoding, limit: limit)
        do {
            switch signal {
            case .logs:
                let request: Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest = try message(bytes, encoding)
                let items = request.resourceLogs.reduce(0) { $0 + $1.scopeLogs.reduce(0) { $0 + $1.logRecords.count } }
                return OTLPExportRequest(batch: try usage(request), items: items)
            case .metrics:
                let request: Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest = try message(bytes, encoding)
                let items = request.resourceMetrics.reduce(0) { $0 + $1.scopeMetrics.reduce(0) { $0 + $1.metrics.reduce(0) { $0 + points(in: $1) } } }
                return OTLPExportRequest(batch: try usage(request), items: items)
            }
        } catch let rejection as OTLPRejection {
            throw rejection
        } catch {
            let kind = encoding == .protobuf ? "protobuf" : "JSON"
            throw .badRequest("the body is not an OTLP \(signal.rawValue) export request in \(kind): \(error)")
        }
    }

    static func inflate(_ body: ByteBuffer, contentEncoding: String?, limit: Int) throws(OTLPRejection) -> [UInt8] {
        let coding = (contentEncoding ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        switch coding {
        case "", "identity":
            return Array(body.readableBytesView)
        case "gzip", "x-gzip", "deflate":
            var compressed = body
            do {
                let algorithm: CompressionAlgorithm = coding == "deflate" ? .zlib() : .gzip()
                let inflated = try compressed.decompress(with: algorithm, maxSize: limit)
                return Array(inflated.readableBytesView)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw OTLPRejection(status: 413, message: "the body inflates to more than \(limit) bytes")
            } catch {
                throw .badRequest("the body is not valid \(coding) data")
            }
        default:
            throw OTLPRejection(status: 415, message: "Content-Encoding \(coding) is not supported: send gzip or none")
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
    static func usage(_ request: Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest) throws -> UsageBatch {
        OTLPExport.read(OTLPDocument.logs(request), origin: "otlp")
    }

    static func usage(_ request: Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest) throws -> UsageBatch {
        OTLPExport.read(OTLPDocument.metrics(request), origin: "otlp")
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
enum OTLPResponseBody {
    static func success(_ signal: OTLPSignal, rejected: Int, message: String?, encoding: OTLPEncoding) -> [UInt8] {
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
            }
        } catch {
            return []
        }
    }

    static func status(code: Int, message: String, encoding: OTLPEncoding) -> [UInt8] {
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

/// An export request as the OTel reader takes OTLP/JSON: the dictionaries and arrays
/// `JSONSerialization` gives for the message's JSON mapping (64-bit integers as strings, other
/// numbers as `NSNumber`, fields at their default left out), built directly from the message
/// without writing and parsing JSON. Only what the reader looks at is carried over.
enum OTLPDocument {
    static func logs(_ request: Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest) -> [String: Any] {
        ["resourceLogs": request.resourceLogs.map { resource -> [String: Any] in
            ["resource": ["attributes": attributes(resource.resource.attributes)],
             "scopeLogs": resource.scopeLogs.map { scope -> [String: Any] in
                ["logRecords": scope.logRecords.map { log -> [String: Any] in
                    var record: [String: Any] = ["attributes": attributes(log.attributes)]
                    if log.timeUnixNano != 0 { record["timeUnixNano"] = String(log.timeUnixNano) }
                    if log.observedTimeUnixNano != 0 { record["observedTimeUnixNano"] = String(log.observedTimeUnixNano) }
                    if let body = value(log.body) { record["body"] = body }
                    return record
                }]
             }]
        }]
    }

    static func metrics(_ request: Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest) -> [String: Any] {
        ["resourceMetrics": request.resourceMetrics.map { resource -> [String: Any] in
            ["resource": ["attributes": attributes(resource.resource.attributes)],
             "scopeMetrics": resource.scopeMetrics.map { scope -> [String: Any] in
                ["metrics": scope.metrics.map { metric -> [String: Any] in
                    var entry: [String: Any] = ["name": metric.name]
                    switch metric.data {
                    case .sum(let sum):
                        entry["sum"] = ["aggregationTemporality": NSNumber(value: sum.aggregationTemporality.rawValue), "dataPoints": sum.dataPoints.map(point)]
                    case .gauge(let gauge):
                        entry["gauge"] = ["dataPoints": gauge.dataPoints.map(point)]
                    default:
                        break
                    }
                    return entry
                }]
             }]
        }]
    }

    static func point(_ point: Opentelemetry_Proto_Metrics_V1_NumberDataPoint) -> [String: Any] {
        var entry: [String: Any] = ["attributes": attributes(point.attributes)]
        if point.timeUnixNano != 0 { entry["timeUnixNano"] = String(point.timeUnixNano) }
        switch point.value {
        case .asInt(let number): entry["asInt"] = String(number)
        case .asDouble(let number): entry["asDouble"] = NSNumber(value: number)
        case nil: break
        }
        return entry
    }

    static func attributes(_ list: [Opentelemetry_Proto_Common_V1_KeyValue]) -> [[String: Any]] {
        list.map { pair in
            var entry: [String: Any] = ["key": pair.key]
            entry["value"] = value(pair.value) ?? [String: Any]()
            return entry
        }
    }

    static func value(_ value: Opentelemetry_Proto_Common_V1_AnyValue) -> [String: Any]? {
        switch value.value {
        case .stringValue(let text): return ["stringValue": text]
        case .intValue(let number): return ["intValue": String(number)]
        case .doubleValue(let number): return ["doubleValue": NSNumber(value: number)]
        case .boolValue(let flag): return ["boolValue": NSNumber(value: flag)]
        default: return nil
        }
    }
}
