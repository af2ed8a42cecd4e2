import Foundation
import NIOCore
import SwiftProtobuf
import Testing
import Usage

@testable import Collector
@testable import OTLPWire

@Suite struct OTLPDecodingTests {
    static func apiRequest(
        session: String, requestID: String?, input: Int, output: Int, time: UInt64 = 1_780_000_000_000_000_000
    ) -> Opentelemetry_Proto_Logs_V1_LogRecord {
        var record = Opentelemetry_Proto_Logs_V1_LogRecord()
        record.timeUnixNano = time
        record.body.stringValue = "claude_code.api_request"
        func attribute(_ key: String, _ value: String) -> Opentelemetry_Proto_Common_V1_KeyValue {
            var pair = Opentelemetry_Proto_Common_V1_KeyValue()
            pair.key = key
            pair.value.stringValue = value
            return pair
        }
        record.attributes = [
            attribute("event.name", "api_request"), attribute("session.id", session), attribute("model", "claude-sonnet-4-5"),
            attribute("input_tokens", String(input)), attribute("output_tokens", String(output)), attribute("user.email", "dev@example.com"),
        ]
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
        let request = Self.logsRequest([
            Self.apiRequest(session: "s1", requestID: "req_1", input: 120, output: 30),
            Self.apiRequest(session: "s1", requestID: nil, input: 7, output: 3),
        ])
        let protobuf = try OTLPExportRequest.decode(
            ByteBuffer(bytes: try request.serializedBytes() as [UInt8]), signal: .logs, encoding: .protobuf,
            contentEncoding: nil, limit: 1 << 20)
        let json = try OTLPExportRequest.decode(
            ByteBuffer(bytes: try request.jsonUTF8Bytes() as [UInt8]), signal: .logs, encoding: .json,
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
            _ = try OTLPExportRequest.decode(
                ByteBuffer(string: "{\"resourceLogs\": 3}"), signal: .logs, encoding: .json, contentEncoding: nil, limit: 1 << 20)
            Issue.record("a malformed body was accepted")
        } catch {
            #expect(error.status == 400)
        }
    }

    /// Metrics too: the message read directly gives what its JSON gives through the file reader.
    @Test func metricsGiveTheSameRecordsAsTheFileReader() throws {
        func attribute(_ key: String, _ value: String) -> Opentelemetry_Proto_Common_V1_KeyValue {
            var pair = Opentelemetry_Proto_Common_V1_KeyValue()
            pair.key = key
            pair.value.stringValue = value
            return pair
        }
        func point(_ value: Double?, integer: Int64?, type: String?, time: UInt64) -> Opentelemetry_Proto_Metrics_V1_NumberDataPoint {
            var point = Opentelemetry_Proto_Metrics_V1_NumberDataPoint()
            point.timeUnixNano = time
            if let value { point.asDouble = value }
            if let integer { point.asInt = integer }
            point.attributes = [attribute("session.id", "m2"), attribute("model", "claude-opus-4-1"), attribute("user.email", "dev@example.com")]
            if let type { point.attributes.append(attribute("type", type)) }
            return point
        }
        var tokens = Opentelemetry_Proto_Metrics_V1_Metric()
        tokens.name = "claude_code.token.usage"
        tokens.sum.aggregationTemporality = .delta
        tokens.sum.dataPoints = [
            point(nil, integer: 1500, type: "input", time: 1_780_000_000_000_000_000),
            point(nil, integer: 250, type: "output", time: 1_780_000_000_000_000_000),
            point(12.5, integer: nil, type: "cacheRead", time: 1_780_000_000_000_000_000),
            point(nil, integer: 40, type: "input", time: 1_780_000_060_000_000_000),
        ]
        var cost = Opentelemetry_Proto_Metrics_V1_Metric()
        cost.name = "claude_code.cost.usage"
        cost.sum.aggregationTemporality = .delta
        cost.sum.dataPoints = [point(0.0421, integer: nil, type: nil, time: 1_780_000_000_000_000_000)]
        var other = Opentelemetry_Proto_Metrics_V1_Metric()
        other.name = "claude_code.session.count"
        other.gauge.dataPoints = [point(nil, integer: 1, type: nil, time: 1_780_000_000_000_000_000)]
        var scope = Opentelemetry_Proto_Metrics_V1_ScopeMetrics()
        scope.metrics = [tokens, cost, other]
        var resource = Opentelemetry_Proto_Metrics_V1_ResourceMetrics()
        resource.resource.attributes = [attribute("service.name", "claude-code")]
        resource.scopeMetrics = [scope]
        var request = Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest()
        request.resourceMetrics = [resource]
        let decoded = try OTLPExportRequest.decode(
            ByteBuffer(bytes: try request.serializedBytes() as [UInt8]), signal: .metrics, encoding: .protobuf,
            contentEncoding: nil, limit: 1 << 20)
        #expect(decoded.items == 6)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otlp-metrics-\(UUID().uuidString).json")
        try Data(try request.jsonUTF8Bytes() as [UInt8]).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (read, _) = try UsageLoader(format: .otel).load([file.path])
        let order = { (a: UsageRecord, b: UsageRecord) in a.key < b.key }
        #expect(decoded.batch.records.count == 2)
        #expect(decoded.batch.records.sorted(by: order) == read.records.sorted(by: order))
        let first = try #require(decoded.batch.records.sorted { $0.timestamp < $1.timestamp }.first)
        #expect(first.input == 1500 && first.output == 250 && first.cacheRead == 13 && first.costUSD == Decimal(string: "0.0421"))
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
        let delta = try OTLPExportRequest.decode(
            ByteBuffer(bytes: try request.serializedBytes() as [UInt8]), signal: .metrics, encoding: .protobuf,
            contentEncoding: nil, limit: 1 << 20)
        #expect(delta.items == 1 && delta.batch.records.map(\.input) == [500] && delta.batch.malformedCount == 0)

        metric.sum.aggregationTemporality = .cumulative
        scope.metrics = [metric]
        resource.scopeMetrics = [scope]
        request.resourceMetrics = [resource]
        let cumulative = try OTLPExportRequest.decode(
            ByteBuffer(bytes: try request.serializedBytes() as [UInt8]), signal: .metrics, encoding: .protobuf,
            contentEncoding: nil, limit: 1 << 20)
        #expect(cumulative.batch.records.isEmpty && cumulative.batch.malformedCount == 1)
        #expect(cumulative.batch.malformed.first?.reason.contains("TEMPORALITY_PREFERENCE=delta") == true)
    }
}
