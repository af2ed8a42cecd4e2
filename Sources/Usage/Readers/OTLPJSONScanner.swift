import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An OTLP JSON export request (logs, metrics or traces, as exporters and collectors write them
/// one per line) read straight into the reader's records: log records, metric points and spans
/// with their attributes merged over their resource's — what `shipmeter serve` builds from a
/// decoded request — without building the whole document first. Attribute values other than
/// strings, numbers and booleans, and every field the reader does not use, are skipped unread.
struct OTLPJSONScanner {
    var logs: [OTLPExport.LogRecord] = []
    var metrics: [(name: String, cumulative: Bool, points: [OTLPExport.MetricPoint])] = []
    var spans: [OTelSpan] = []

    /// The request on one line; nil when it is not an OTLP JSON object this scanner can read
    /// (the caller then reads it the general way).
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> OTLPJSONScanner? {
        var json = SelectiveJSON(bytes: bytes)
        var result = OTLPJSONScanner()
        json.skipSpace()
        let read = json.fields { json, key in
            switch key {
            case "resourceLogs": return json.elements { result.resourceLogs(&$0) }
            case "resourceMetrics": return json.elements { result.resourceMetrics(&$0) }
            case "resourceSpans": return json.elements { result.resourceSpans(&$0) }
            default: return json.skipValue()
            }
        }
        json.skipSpace()
        return read && json.position == bytes.count ? result : nil
    }

    /// `{"resource": {"attributes": […]}, "<scopes>": [{"<items>": […]}]}`: the resource's
    /// attributes, then each item read by `item` with them.
    static func resource(
        _ json: inout SelectiveJSON, scopes: String, items: String,
        _ item: (inout SelectiveJSON, OTLPAttributes) -> Bool
    ) -> Bool {
        // The resource usually comes first; when it does not, the scopes are read again after it.
        var shared = OTLPAttributes()
        var pending: [Range<Int>] = []
        let read = json.fields { json, key in
            switch key {
            case "resource":
                return json.fields { json, key in key == "attributes" ? json.attributes(into: &shared) : json.skipValue() }
            case scopes:
                let start = json.position
                guard json.skipValue() else { return false }
                pending.append(start..<json.position)
                return true
            default:
                return json.skipValue()
            }
        }
        guard read else { return false }
        for range in pending {
            var scope = SelectiveJSON(bytes: UnsafeBufferPointer(rebasing: json.bytes[range]))
            let ok = scope.elements { json in
                json.fields { json, key in key == items ? json.elements { item(&$0, shared) } : json.skipValue() }
            }
            guard ok else { return false }
        }
        return true
    }

    mutating func resourceLogs(_ json: inout SelectiveJSON) -> Bool {
        Self.resource(&json, scopes: "scopeLogs", items: "logRecords") { json, shared in
            var record = OTLPExport.LogRecord(timeUnixNano: 0, observedTimeUnixNano: 0, body: "", attributes: shared)
            let read = json.fields { json, key in
                switch key {
                case "timeUnixNano": return json.nanos(into: &record.timeUnixNano)
                case "observedTimeUnixNano": return json.nanos(into: &record.observedTimeUnixNano)
                case "body":
                    return json.fields { json, key in
                        if key == "stringValue", let text = json.string() {
                            record.body = text
                            return true
                        }
                        return json.skipValue()
                    }
                case "attributes": return json.attributes(into: &record.attributes)
                default: return json.skipValue()
                }
            }
            logs.append(record)
            return read
        }
    }

    mutating func resourceMetrics(_ json: inout SelectiveJSON) -> Bool {
        Self.resource(&json, scopes: "scopeMetrics", items: "metrics") { json, shared in
            var name = "", cumulative = false
            var points = [OTLPExport.MetricPoint]()
            var data: Range<Int>?
            let read = json.fields { json, key in
                switch key {
                case "name":
                    guard let text = json.string() else { return false }
                    name = text
                    return true
                case "sum", "gauge", "histogram":
                    let start = json.position
                    guard json.skipValue() else { return false }
                    data = start..<json.position
                    return true
                default:
                    return json.skipValue()
                }
            }
            guard read else { return false }
            guard OTLPExport.wants(metric: name), let data else { return true }
            var body = SelectiveJSON(bytes: UnsafeBufferPointer(rebasing: json.bytes[data]))
            let parsed = body.fields { json, key in
                switch key {
                case "aggregationTemporality":
                    guard let value = json.value() else { return false }
                    cumulative = (value as? NSNumber)?.intValue == 2 || (value as? String) == "AGGREGATION_TEMPORALITY_CUMULATIVE"
                    return true
                case "dataPoints":
                    return json.elements { json in
                        var point = OTLPExport.MetricPoint(timeUnixNano: 0, value: 0, attributes: shared)
                        let read = json.fields { json, key in
                            switch key {
                            case "timeUnixNano": return json.nanos(into: &point.timeUnixNano)
                            case "asInt", "asDouble", "sum":
                                guard let value = json.value() else { return false }
                                point.value = (value as? NSNumber)?.doubleValue ?? (value as? String).flatMap(Double.init) ?? 0
                                return true
                            case "attributes": return json.attributes(into: &point.attributes)
                            default: return json.skipValue()
                            }
                        }
                        points.append(point)
                        return read
                    }
                default:
                    return json.skipValue()
                }
            }
            metrics.append((name, cumulative, points))
            return parsed
        }
    }

    mutating func resourceSpans(_ json: inout SelectiveJSON) -> Bool {
        Self.resource(&json, scopes: "scopeSpans", items: "spans") { json, shared in
            var span = OTelSpan(traceID: "", spanID: "", name: "", startUnixNano: 0, endUnixNano: 0, attributes: shared)
            let read = json.fields { json, key in
                switch key {
                case "traceId", "spanId", "name":
                    guard let text = json.string() else { return false }
                    if key == "traceId" { span.traceID = text } else if key == "spanId" { span.spanID = text } else { span.name = text }
                    return true
                case "startTimeUnixNano": return json.nanos(into: &span.startUnixNano)
                case "endTimeUnixNano": return json.nanos(into: &span.endUnixNano)
                case "attributes": return json.attributes(into: &span.attributes)
                default: return json.skipValue()
                }
            }
            spans.append(span)
            return read
        }
    }
}

extension SelectiveJSON {
    /// Each member of an object: `member` reads (or skips) the value of each key.
    mutating func fields(_ member: (inout SelectiveJSON, String) -> Bool) -> Bool {
        guard expect(UInt8(ascii: "{")) else { return false }
        skipSpace()
        if expect(UInt8(ascii: "}")) { return true }
        while true {
            skipSpace()
            guard let key = string() else { return false }
            skipSpace()
            guard expect(UInt8(ascii: ":")) else { return false }
            skipSpace()
            guard member(&self, key) else { return false }
            skipSpace()
            if expect(UInt8(ascii: ",")) { continue }
            return expect(UInt8(ascii: "}"))
        }
    }

    /// Each element of an array (or nothing for `null`).
    mutating func elements(_ element: (inout SelectiveJSON) -> Bool) -> Bool {
        if literal("null") { return true }
        guard expect(UInt8(ascii: "[")) else { return false }
        skipSpace()
        if expect(UInt8(ascii: "]")) { return true }
        while true {
            skipSpace()
            guard element(&self) else { return false }
            skipSpace()
            if expect(UInt8(ascii: ",")) { continue }
            return expect(UInt8(ascii: "]"))
        }
    }

    /// A time in nanoseconds, written as a string (OTLP JSON's 64-bit integers) or a number.
    mutating func nanos(into value: inout UInt64) -> Bool {
        guard let read = self.value() else { return false }
        if let text = read as? String { value = UInt64(text) ?? 0 } else if let number = read as? NSNumber { value = number.uint64Value }
        return true
    }

    /// OTLP attributes `[{"key": …, "value": {"stringValue"|"intValue"|"doubleValue"|"boolValue": …}}]`
    /// appended to `attributes` (later keys win); other kinds of value are left out.
    mutating func attributes(into attributes: inout OTLPAttributes) -> Bool {
        attributes.reserveCapacity(attributes.list.count + 16)
        return elements { json in
            var key: String?
            var value: OTLPAttributeValue?
            let read = json.fields { json, member in
                switch member {
                case "key":
                    key = json.string()
                    return key != nil
                case "value":
                    return json.fields { json, kind in
                        switch kind {
                        case "stringValue":
                            guard let text = json.string() else { return false }
                            value = .string(text)
                            return true
                        case "intValue", "doubleValue", "boolValue":
                            // OTLP JSON writes 64-bit integers as strings: read the digits in place.
                            if kind == "intValue", let number = json.quotedInteger() {
                                value = .int(number)
                                return true
                            }
                            guard let read = json.value() else { return false }
                            value = OTLPAttributeValue(json: read, integer: kind == "intValue")
                            return true
                        default:
                            return json.skipValue()
                        }
                    }
                default:
                    return json.skipValue()
                }
            }
            if let key, let value { attributes.append(key, value) }
            return read
        }
    }

    /// A quoted decimal integer (`"123"`, `"-5"`) read without making a string; nil (and nothing
    /// consumed) for anything else.
    mutating func quotedInteger() -> Int64? {
        guard peek == UInt8(ascii: "\""), position + 1 < bytes.count else { return nil }
        var index = position + 1
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var value: Int64 = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            guard digits < 18 else { return nil }
            value = value * 10 + Int64(bytes[index] - 0x30)
            digits += 1
            index += 1
        }
        guard digits > 0, index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        position = index + 1
        return negative ? -value : value
    }
}
