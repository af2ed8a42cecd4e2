import Foundation
import NIOCore
import SwiftProtobuf
import Testing
@testable import Collector
import Usage

@Suite struct OTLPDecodingTests {
    static func apiRequest(session: String, requestID: String?, input: Int, output: Int, time: UInt64 = 1_780_000_000_000_000_000) -> Opentelemetry_Proto_Logs_V1_LogRecord {
        var record = Opentelemetry_Proto_Logs_V1_LogRecord()
        record.timeUnixNano = time
        record.body.stringValue = "claude_code.api_request"
        func attribute(_ key: String, _ value: String) -> Opentelemetry_Proto_Common_V1_KeyValue {
            var pair = Opentelemetry_Proto_Common_V1_KeyValue()
            pair.key = key
            pair.value.stringValue = value
            return pair
        }
        record.attributes = [attribute("event.name", "api_request"), attribute("session.id", session), attribute("model", "claude-sonnet-4-5"),
                             attribute("input_tokens", String(input)), attribute("output_tokens", String(output)), attribute("user.email", "dev@example.com")]
        if let requestID { record.attributes.append(attribute("request_id", requestID)) }
        return record
    }

    static func logsRequest(_ records: [Opentelemetry_Proto_Logs_V1_LogRecord]) -> Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest {
        var scope = Opentelemetry_Proto_Logs_V1_ScopeLogs()
        scope.logRecords = records
        var resource = Opentelemetry_Proto_Logs_V1_ResourceLogs()
        resource.scopeLogs = [scope]
        var request = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest()
        request.resourceLogs = [resource]
        return request
    }

    @Test func protobufAndJSONGiveTheSameRecordsAsTheFileReader() throws {
        let request = Self.logsRequest([Self.apiRequest(session: "s1", requestID: "req_1", input: 120, output: 30),
                                        Self.apiRequest(session: "s1", requestID: nil, input: 7, output: 3)])
        let protobuf = try OTLPExportRequest.decode(ByteBuffer(bytes: try request.serializedBytes() as [UInt8]), signal: .logs, encoding: .protobuf,
                                                    contentEncoding: nil, limit: 1 << 20)
        let json = try OTLPExportRequest.decode(ByteBuffer(bytes: try request.jsonUTF8Bytes() as [UInt8]), signal: .logs, encoding: .json,
                                                contentEncoding: nil, limit: 1 << 20)
        #expect(protobuf.items == 2)
        #expect(protobuf.batch.records.map(\.key) == ["req_1", json.batch.records[1].key])
        #expect(protobuf.batch.records == json.batch.records)
        let first = try #require(protobuf.batch.records.first)
        #expect(first.source == "otel" && first.session == "s1" && first.input == 120 && first.output == 30 && first.actor == "dev@example.com")
        // The same request as a file `ingest` reads: the same records under the same keys.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otlp-\(UUID().uuidString).json")
        try Data(try request.jsonUTF8Bytes() as [UInt8]).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (read, _) = try UsageLoader(format: .otel).load([file.path])
        #expect(read.records == protobuf.batch.records)
    }

    @Test func gzipIsInflatedWithinTheLimitAndRefusedBeyondIt() throws {
        let request = Self.logsRequest((0..<200).map { Self.apiRequest(session: "s", requestID: "r\($0)", input: $0, output: 1) })
        let plain: [UInt8] = try request.serializedBytes()
        var buffer = ByteBuffer(bytes: plain)
        let gzipped = try buffer.compress(with: .gzip())
        let decoded = try OTLPExportRequest.decode(gzipped, signal: .logs, encoding: .protobuf, contentEncoding: "gzip", limit: 1 << 20)
        #expect(decoded.batch.records.count == 200)
        #expect(throws: OTLPRejection.self) {
            try OTLPExportRequest.decode(gzipped, signal: .logs, encoding: .protobuf, contentEncoding: "gzip", limit: plain.count / 2)
        }
        do {
            _ = try OTLPExportRequest.decode(gzipped, signal: .logs, encoding: .protobuf, contentEncoding: "gzip", limit: plain.count / 2)
        } catch {
            #expect(error.status == 413)
        }
        do {
            _ = try OTLPExportRequest.decode(ByteBuffer(bytes: plain), signal: .logs, encoding: .protobuf, contentEncoding: "br", limit: 1 << 20)
        } catch {
            #expect(error.status == 415)
        }
        do {
            _ = try OTLPExportRequest.decode(ByteBuffer(string: "{\"resourceLogs\": 3}"), signal: .logs, encoding: .json, contentEncoding: nil, limit: 1 << 20)
            Issue.record("a malformed body was accepted")
        } catch {
            #expect(error.status == 400)
        }
    }

    @Test func cumulativeMetricPointsAreRefusedNotDoubleCounted() throws {
        var point = Opentelemetry_Proto_Metrics_V1_NumberDataPoint()
        point.timeUnixNano = 1_780_000_000_000_000_000
        point.asInt = 500
        var type = Opentelemetry_Proto_Common_V1_KeyValue()
        type.key = "type"
        type.value.stringValue = "input"
        var session = Opentelemetry_Proto_Common_V1_KeyValue()
        session.key = "session.id"
        session.value.stringValue = "m1"
        point.attributes = [type, session]
        var metric = Opentelemetry_Proto_Metrics_V1_Metric()
        metric.name = "claude_code.token.usage"
        metric.sum.dataPoints = [point]
        metric.sum.isMonotonic = true
        var scope = Opentelemetry_Proto_Metrics_V1_ScopeMetrics()
        var request = Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest()
        var resource = Opentelemetry_Proto_Metrics_V1_ResourceMetrics()

        metric.sum.aggregationTemporality = .delta
        scope.metrics = [metric]
        resource.scopeMetrics = [scope]
        request.resourceMetrics = [resource]
        let delta = try OTLPExportRequest.decode(ByteBuffer(bytes: try request.serializedBytes() as [UInt8]), signal: .metrics, encoding: .protobuf,
                                                 contentEncoding: nil, limit: 1 << 20)
        #expect(delta.items == 1 && delta.batch.records.map(\.input) == [500] && delta.batch.malformedCount == 0)

        metric.sum.aggregationTemporality = .cumulative
        scope.metrics = [metric]
        resource.scopeMetrics = [scope]
        request.resourceMetrics = [resource]
        let cumulative = try OTLPExportRequest.decode(ByteBuffer(bytes: try request.serializedBytes() as [UInt8]), signal: .metrics, encoding: .protobuf,
                                                      contentEncoding: nil, limit: 1 << 20)
        #expect(cumulative.batch.records.isEmpty && cumulative.batch.malformedCount == 1)
        #expect(cumulative.batch.malformed.first?.reason.contains("TEMPORALITY_PREFERENCE=delta") == true)
    }
}
