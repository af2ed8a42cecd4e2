import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes only the named fields of a JSON object, skipping everything else at memory speed.
///
/// Transcript lines that carry usage also carry the whole response text; Foundation's decoder
/// builds all of it. This reader validates the structure of the whole line but materialises
/// only the fields asked for (as `String`, `NSNumber` or nested `[String: Any]`), so a line
/// costs little more than a scan for its quotes.
struct SelectiveJSON {
    /// Which keys to keep at each level: `nil` keeps the value whole (scalars), a nested
    /// `Selection` descends into an object and keeps only its named keys.
    final class Selection: Sendable {
        let fields: [String: Selection?]
        init(_ fields: [String: Selection?]) { self.fields = fields }
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    /// The selected fields of the object on this line; nil when the line is not a valid JSON object.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, selection: Selection) -> [String: Any]? {
        var reader = SelectiveJSON(bytes: bytes)
        reader.skipSpace()
        guard reader.peek == UInt8(ascii: "{"), let object = reader.object(selection) else { return nil }
        reader.skipSpace()
        return reader.position == bytes.count ? object : nil
    }

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        position += 1
        return true
    }

    /// An object, keeping the selected keys.
    mutating func object(_ selection: Selection) -> [String: Any]? {
        guard expect(UInt8(ascii: "{")) else { return nil }
        var result = [String: Any]()
        skipSpace()
        if expect(UInt8(ascii: "}")) { return result }
        while true {
            skipSpace()
            guard let key = string() else { return nil }
            skipSpace()
            guard expect(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            if let wanted = selection.fields[key] {
                if let nested = wanted {
                    if peek == UInt8(ascii: "{") {
                        guard let value = object(nested) else { return nil }
                        result[key] = value
                    } else {
                        guard let value = value() else { return nil }
                        result[key] = value
                    }
                } else {
                    guard let value = value() else { return nil }
                    result[key] = value
                }
            } else {
                guard skipValue() else { return nil }
            }
            skipSpace()
            if expect(UInt8(ascii: ",")) { continue }
            return expect(UInt8(ascii: "}")) ? result : nil
        }
    }

    /// A scalar value (objects and arrays are validated and kept as `NSNull`).
    mutating func value() -> Any? {
        switch peek {
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true") ? NSNumber(value: true) : nil
        case UInt8(ascii: "f"): return literal("false") ? NSNumber(value: false) : nil
        case UInt8(ascii: "n"): return literal("null") ? NSNull() : nil
        case UInt8(ascii: "{"), UInt8(ascii: "["): return skipValue() ? NSNull() : nil
        default: return number()
        }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard position + length <= bytes.count, let base = bytes.baseAddress, memcmp(base + position, word.utf8Start, length) == 0 else {
            return false
        }
        position += length
        return true
    }

    mutating func number() -> NSNumber? {
        let start = position
        if peek == UInt8(ascii: "-") { position += 1 }
        var integral = true
        var digits = 0
        while let byte = peek {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"): integral = false
            case UInt8(ascii: "-") where position > start: integral = false
            default:
                return make(start: start, integral: integral, digits: digits)
            }
            position += 1
        }
        return make(start: start, integral: integral, digits: digits)
    }

    private func make(start: Int, integral: Bool, digits: Int) -> NSNumber? {
        guard digits > 0 else { return nil }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if integral, digits < 19, let value = Int64(text) { return NSNumber(value: value) }
        guard let value = Double(text) else { return nil }
        return NSNumber(value: value)
    }

    /// A string, unescaped.
    mutating func string() -> String? {
        guard expect(UInt8(ascii: "\"")) else { return nil }
        let start = position
        guard let end = closingQuote(from: start) else { return nil }
        position = end + 1
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        return Self.unescape(raw)
    }

    /// The index of the quote that ends a string starting at `start` (after its opening quote).
    func closingQuote(from start: Int) -> Int? {
        var index = start
        guard let base = bytes.baseAddress else { return nil }
        while index < bytes.count {
            guard let found = memchr(base + index, 0x22, bytes.count - index) else { return nil }
            let quote = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base
            var backslashes = 0
            var back = quote - 1
            while back >= start, bytes[back] == UInt8(ascii: "\\") {
                backslashes += 1
                back -= 1
            }
            if backslashes % 2 == 0 { return quote }
            index = quote + 1
        }
        return nil
    }

    /// Skips any value, checking that brackets balance and strings close.
    mutating func skipValue() -> Bool {
        switch peek {
        case UInt8(ascii: "\""):
            guard let end = closingQuote(from: position + 1) else { return false }
            position = end + 1
            return true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\""):
                    guard let end = closingQuote(from: position + 1) else { return false }
                    position = end
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        position += 1
                        return true
                    }
                default:
                    break
                }
                position += 1
            }
            return false
        default:
            return value() != nil
        }
    }

    static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        var out = [UInt8]()
        out.reserveCapacity(raw.count)
        var index = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.count else { return nil }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = raw[at + offset]
                let digit: UInt32
                switch byte {
                case 48...57: digit = UInt32(byte - 48)
                case 65...70: digit = UInt32(byte - 55)
                case 97...102: digit = UInt32(byte - 87)
                default: return nil
                }
                value = value << 4 | digit
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < raw.count else { return nil }
            let escaped = raw[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(index) else { return nil }
                index += 4
                if (0xD800...0xDBFF).contains(scalar), index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u"),
                    let low = hex4(index + 2), (0xDC00...0xDFFF).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
            default:
                return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
