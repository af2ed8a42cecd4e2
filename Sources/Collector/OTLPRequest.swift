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

    /// The request's usage, read by the same reader `ingest` uses for OTLP JSON files: the
    /// message goes through its JSON mapping, the form that reader takes.
    static func usage<M: SwiftProtobuf.Message>(_ request: M) throws -> UsageBatch {
        let json: [UInt8] = try request.jsonUTF8Bytes()
        let document = try JSONSerialization.jsonObject(with: Data(json))
        return OTLPExport.read(document, origin: "otlp")
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
