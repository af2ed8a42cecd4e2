import Foundation
import Testing

@testable import CommitTagging

/// The hook's own JSON parser agrees with JSONSerialization, which it replaced: on what it
/// accepts and on the values it reads, for real records and for generated and broken documents.
@Suite struct TranscriptJSONTests {
    /// JSONSerialization's value in the parser's terms; numbers and booleans both as numbers
    /// (NSNumber does not tell them apart on every platform).
    static func converted(_ value: Any) -> TranscriptJSON? {
        switch value {
        case let text as String: return .string(text)
        case is NSNull: return .null
        case let object as [String: Any]:
            var members = [String: TranscriptJSON]()
            for (key, member) in object {
                guard let converted = converted(member) else { return nil }
                members[key] = converted
            }
            return .object(members)
        case let array as [Any]:
            let elements = array.compactMap(converted)
            return elements.count == array.count ? .array(elements) : nil
        case let number as NSNumber: return .number(number.doubleValue)
        default: return nil
        }
    }

    static func booleansAsNumbers(_ value: TranscriptJSON) -> TranscriptJSON {
        switch value {
        case .bool(let flag): return .number(flag ? 1 : 0)
        case .object(let members): return .object(members.mapValues(booleansAsNumbers))
        case .array(let elements): return .array(elements.map(booleansAsNumbers))
        default: return value
        }
    }

    static func agree(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let theirs = (try? JSONSerialization.jsonObject(with: Data(bytes))).flatMap(converted)
        let ours = TranscriptJSON.parse(bytes).map(booleansAsNumbers)
        #expect(ours == theirs, "\(String(decoding: bytes, as: UTF8.self).debugDescription)", sourceLocation: sourceLocation)
    }

    @Test func readsTheRecordsTheHookLooksAt() throws {
        let line =
            #"{"type":"assistant","sessionId":"a86b46d0","cwd":"/w/r\u00e9po \ud83d\ude80","timestamp":"2026-03-02T08:00:00.123Z","message":{"model":"claude-sonnet-4-5","usage":{"input_tokens":12,"output_tokens":3.5e1}},"ok":true,"gone":null,"list":[1,-0.25,"x\"\\\/\b\f\n\r\t"]}"#
        let value = try #require(TranscriptJSON.object(Array(line.utf8)))
        #expect(value["sessionId"]?.string == "a86b46d0")
        #expect(value["cwd"]?.string == "/w/répo 🚀")
        #expect(value["message"]?["model"]?.string == "claude-sonnet-4-5")
        #expect(value["message"]?["usage"]?["output_tokens"]?.number == 35)
        #expect(value["ok"] == .bool(true))
        #expect(value["gone"] == .null)
        #expect(value["list"] == .array([.number(1), .number(-0.25), .string("x\"\\/\u{8}\u{c}\n\r\t")]))
        Self.agree(Array(line.utf8))
    }

    @Test(arguments: [
        "", " ", "{", "}", "[", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[01]", "[-]", "[1.]", "[.5]", "[1e]", "[+1]",
        "[\"\t\"]", "[\"\\x\"]", "[\"\\u12\"]", "[\"\\ud800\"]", "[\"\\udc00\"]", "[\"\\ud800\\u0041\"]", "[tru]", "[nul]",
        "{\"a\":1}x", "1", "\"text\"", "true", "null", "{'a':1}", "{a:1}", "[1 2]", "{\"a\" 1}", "[\"\u{7f}\"]",
        "{\"a\":1,\"a\":2}", "[-0]", "[0.0e+0]", "[1E-2]", "  {\"a\":[]}\n", "[[[[[]]]]]", "[{}]", "{\"\":\"\"}",
        "[,]", "{,}", "[1,,]", "{\"a\":1,,}", "[1 ,]", "[1e400]", "[-1e400]", "[1e-400]",
    ])
    func agreesOnEdges(_ text: String) {
        Self.agree(Array(text.utf8))
    }

    @Test func agreesOnInvalidUTF8AndDeepNesting() {
        Self.agree([0x5B, 0x22, 0xFF, 0x22, 0x5D])
        Self.agree([0x5B, 0x22, 0xC3, 0x22, 0x5D])
        Self.agree(Array((String(repeating: "[", count: 600) + String(repeating: "]", count: 600)).utf8))
        #expect(TranscriptJSON.parse(Array((String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).utf8)) != nil)
        #expect(TranscriptJSON.parse(Array((String(repeating: "[", count: 513) + String(repeating: "]", count: 513)).utf8)) == nil)
    }

    /// Random documents, and the same documents cut short or with one byte changed.
    @Test func agreesOnGeneratedAndDamagedDocuments() {
        var generator = SplitMix(seed: 0x5EED)
        let pieces: [String] = ["\"", "\\", "\\u00e9", "\\ud83d\\ude80", "é", "\t", " ", "a", "0", "-", ".", "e", "{", "}", "[", "]", ",", ":"]
        func string() -> String {
            "\"" + (0..<generator.next(6)).map { _ in ["a", "é", "\\n", "\\\"", "\\u00e9", "\\ud83d\\ude80", "z", " "][generator.next(8)] }.joined()
                + "\""
        }
        func value(_ depth: Int) -> String {
            switch generator.next(depth > 3 ? 4 : 6) {
            case 0: return string()
            case 1: return ["0", "-1", "12.5", "1e3", "-0.25E-2", "123456789012"][generator.next(6)]
            case 2: return ["true", "false", "null"][generator.next(3)]
            case 3: return "\(generator.next(1000))"
            case 4: return "{" + (0..<generator.next(4)).map { _ in string() + ":" + value(depth + 1) }.joined(separator: ",") + "}"
            default: return "[" + (0..<generator.next(4)).map { _ in value(depth + 1) }.joined(separator: ", ") + "]"
            }
        }
        for _ in 0..<3000 {
            let document = Array(("{" + (0..<generator.next(4)).map { _ in string() + ":" + value(1) }.joined(separator: ",") + "}").utf8)
            Self.agree(document)
            Self.agree(Array(document.prefix(generator.next(document.count))))
            var damaged = document
            let at = generator.next(damaged.count)
            damaged.replaceSubrange(at..<(at + 1), with: Array(pieces[generator.next(pieces.count)].utf8))
            Self.agree(damaged)
        }
    }
}

/// A small seeded generator, so a failure is the same failure on the next run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ below: Int) -> Int {
        guard below > 1 else { return 0 }
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((mixed ^ (mixed >> 31)) % UInt64(below))
    }
}
