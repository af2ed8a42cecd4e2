import Foundation

/// FNV-1a, 64-bit: a stable key for records whose source has no id of its own, and a stable
/// hash of bytes for anything else that must not change between runs or machines.
public enum StableHash {
    public static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    /// FNV-1a of `bytes`, continuing from `hash`.
    @inline(__always)
    public static func fnv1a(_ bytes: UnsafeRawBufferPointer, from hash: UInt64 = seed) -> UInt64 {
        var hash = hash
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// FNV-1a of `text`'s UTF-8, continuing from `hash`.
    public static func fnv1a(_ text: String, from hash: UInt64 = seed) -> UInt64 {
        var copy = text
        return copy.withUTF8 { fnv1a(UnsafeRawBufferPointer($0), from: hash) }
    }

    /// The parts, each followed by a unit separator, as hex: record keys of sources without ids.
    static func hex(_ parts: [String]) -> String {
        var hash = seed
        for part in parts { hash = fnv1a("\u{1F}", from: fnv1a(part, from: hash)) }
        return String(hash, radix: 16)
    }

    /// The parts, each prefixed by its length, as hex: a digest no other list of parts shares.
    public static func digest(_ parts: [String]) -> String {
        var hash = seed
        for part in parts { hash = fnv1a(part, from: fnv1a("\(part.utf8.count):", from: hash)) }
        return String(hash, radix: 16)
    }
}
