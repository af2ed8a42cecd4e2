/// A git object id (SHA-1), as a value.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The 20 raw bytes, packed in two words and an int so hashing and comparing stay cheap.
    package let a: UInt64
    package let b: UInt64
    package let c: UInt32

    package init(words a: UInt64, _ b: UInt64, _ c: UInt32) {
        (self.a, self.b, self.c) = (a, b, c)
    }

    package init(bytes: [UInt8]) {
        func word(_ range: Range<Int>) -> UInt64 {
            range.reduce(into: UInt64(0)) { $0 = $0 << 8 | UInt64(bytes[$1]) }
        }
        a = word(0..<8)
        b = word(8..<16)
        c = UInt32(word(16..<20))
    }

    /// Parses a full 40-character hexadecimal id.
    public init(hex: String) throws(GitError) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 40 else {
            throw GitError(code: GitError.Code.gitKit, message: "'\(hex)' is not a 40-character object id")
        }
        var bytes = [UInt8](repeating: 0, count: 20)
        for index in 0..<20 {
            guard let high = Self.nibble(utf8[2 * index]), let low = Self.nibble(utf8[2 * index + 1]) else {
                throw GitError(code: GitError.Code.gitKit, message: "'\(hex)' is not a hexadecimal object id")
            }
            bytes[index] = high << 4 | low
        }
        self.init(bytes: bytes)
    }

    /// Parses 40 hex digits from raw bytes (used when reading commit headers).
    package init?(hexBytes: UnsafeBufferPointer<UInt8>) {
        guard hexBytes.count >= 40 else { return nil }
        // Three words in locals (no array per id: a walk parses a few per commit).
        func word(_ range: Range<Int>) -> UInt64? {
            var value: UInt64 = 0
            for index in range {
                guard let nibble = Self.nibble(hexBytes[index]) else { return nil }
                value = value << 4 | UInt64(nibble)
            }
            return value
        }
        guard let first = word(0..<16), let second = word(16..<32), let third = word(32..<40) else { return nil }
        (a, b, c) = (first, second, UInt32(third))
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    package var bytes: [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(20)
        for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: a >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: b >> UInt64(shift))) }
        for shift in stride(from: 24, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: c >> UInt32(shift))) }
        return result
    }

    /// The 40-character lowercase hexadecimal form.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(40)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var hex: String { description }

    /// The abbreviated form (first `length` hex digits, 7 by default as git prints it).
    public func short(_ length: Int = 7) -> String {
        String(description.prefix(length))
    }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        (lhs.a, lhs.b, lhs.c) < (rhs.a, rhs.b, rhs.c)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(hex: text)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
