import Foundation

/// The canonical JSONL line on its common path, decoded straight into a record: keys matched
/// by their bytes, counts parsed as integers, no dictionary, no `NSNumber`. Anything off that
/// path (a count written as a string or a float, a number where a string belongs, a missing
/// field, invalid JSON) answers nil, and the general reader decides — with its error message.
enum CanonicalLine {
    private enum Field: Int, CaseIterable {
        case timestamp, model, input, output, cacheWrite, cacheRead, actor, session, agent, repository, branch, commit, costUSD, key, source

        var name: String {
            switch self {
            case .timestamp: return "timestamp"
            case .model: return "model"
            case .input: return "input"
            case .output: return "output"
            case .cacheWrite: return "cache_write"
            case .cacheRead: return "cache_read"
            case .actor: return "actor"
            case .session: return "session"
            case .agent: return "agent"
            case .repository: return "repository"
            case .branch: return "branch"
            case .commit: return "commit"
            case .costUSD: return "cost_usd"
            case .key: return "key"
            case .source: return "source"
            }
        }

        static let names: [(bytes: [UInt8], field: Field)] = allCases.map { (Array($0.name.utf8), $0) }

        static func named(_ raw: UnsafeBufferPointer<UInt8>) -> Field? {
            for (bytes, field) in names where bytes.count == raw.count && bytes.elementsEqual(raw) { return field }
            return nil
        }
    }

    /// The fields of the line being decoded, kept from line to line so decoding one allocates
    /// nothing but the record's own strings.
    struct Scratch {
        fileprivate var strings = [String?](repeating: nil, count: Field.allCases.count)
        fileprivate var counts = [Int64](repeating: 0, count: 4)
        fileprivate var seen = [Bool](repeating: false, count: Field.allCases.count)

        init() {}

        fileprivate mutating func reset() {
            for index in strings.indices {
                strings[index] = nil
                seen[index] = false
            }
            for index in counts.indices { counts[index] = 0 }
        }
    }

    static func decode(_ line: UnsafeBufferPointer<UInt8>, defaultSource: String) -> UsageRecord? {
        var scratch = Scratch()
        return decode(line, defaultSource: defaultSource, scratch: &scratch)
    }

    static func decode(_ line: UnsafeBufferPointer<UInt8>, defaultSource: String, scratch: inout Scratch) -> UsageRecord? {
        scratch.reset()
        var reader = SelectiveJSON(bytes: line)
        var cost: Decimal?
        reader.skipSpace()
        guard reader.expect(UInt8(ascii: "{")) else { return nil }
        reader.skipSpace()
        if !reader.expect(UInt8(ascii: "}")) {
            while true {
                reader.skipSpace()
                guard reader.expect(UInt8(ascii: "\"")), let end = reader.closingQuote(from: reader.position) else { return nil }
                let rawKey = UnsafeBufferPointer(rebasing: line[reader.position..<end])
                reader.position = end + 1
                reader.skipSpace()
                guard reader.expect(UInt8(ascii: ":")) else { return nil }
                reader.skipSpace()
                if let field = Field.named(rawKey) {
                    scratch.seen[field.rawValue] = true
                    switch field {
                    case .input, .output, .cacheWrite, .cacheRead:
                        guard let count = integer(&reader) else { return nil }
                        scratch.counts[field.rawValue - Field.input.rawValue] = count
                    case .costUSD:
                        if reader.peek == UInt8(ascii: "n") {
                            guard reader.literal("null") else { return nil }
                        } else {
                            let start = reader.position
                            guard reader.peek != UInt8(ascii: "\""), reader.number() != nil else { return nil }
                            let text = String(decoding: UnsafeBufferPointer(rebasing: line[start..<reader.position]), as: UTF8.self)
                            guard !text.contains(where: { $0 == "e" || $0 == "E" || $0 == "-" }), let value = Decimal(string: text) else {
                                return nil
                            }
                            cost = value
                        }
                    default:
                        if reader.peek == UInt8(ascii: "n") {
                            guard reader.literal("null") else { return nil }
                            scratch.strings[field.rawValue] = nil
                        } else {
                            guard reader.peek == UInt8(ascii: "\""), let text = reader.string() else { return nil }
                            scratch.strings[field.rawValue] = text.isEmpty ? nil : text
                        }
                    }
                } else {
                    guard reader.skipValue() else { return nil }
                }
                reader.skipSpace()
                if reader.expect(UInt8(ascii: ",")) { continue }
                guard reader.expect(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        reader.skipSpace()
        guard reader.position == line.count else { return nil }
        for field in Self.required where !scratch.seen[field.rawValue] { return nil }
        let strings = scratch.strings, counts = scratch.counts
        guard let model = strings[Field.model.rawValue], let time = strings[Field.timestamp.rawValue], let timestamp = Timestamp.parse(time) else {
            return nil
        }
        var record = UsageRecord(
            source: strings[Field.source.rawValue] ?? defaultSource, key: "", timestamp: timestamp,
            actor: strings[Field.actor.rawValue], session: strings[Field.session.rawValue], agent: strings[Field.agent.rawValue], model: model,
            repository: strings[Field.repository.rawValue], branch: strings[Field.branch.rawValue], commit: strings[Field.commit.rawValue],
            input: counts[0], output: counts[1], cacheWrite: counts[2], cacheRead: counts[3], costUSD: cost)
        record.key = strings[Field.key.rawValue] ?? CanonicalReader.derivedKey(record)
        return record
    }

    private static let required: [Field] = [.timestamp, .model, .input, .output, .cacheWrite, .cacheRead]

    /// A plain non-negative integer of at most 13 digits (counts are capped at 10^12).
    private static func integer(_ reader: inout SelectiveJSON) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        while let byte = reader.peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            digits += 1
            reader.position += 1
            if digits > 13 { return nil }
        }
        guard digits > 0, value <= JSONFields.absurdCount else { return nil }
        if let next = reader.peek, next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") { return nil }
        return value
    }
}
