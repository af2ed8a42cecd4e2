/// ASCII case-insensitive search over bytes, without lowercasing or bridging any string.
enum ASCIISearch {
    /// Whether `haystack` contains `needle` (given in lower case), ASCII letters compared in any case.
    static func contains(_ haystack: UnsafeBufferPointer<UInt8>, lowercase needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard needle.count > 0, haystack.count >= needle.count else { return false }
        var index = 0
        while index <= haystack.count - needle.count {
            var matched = true
            for offset in 0..<needle.count {
                let byte = haystack[index + offset]
                let folded = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                if folded != needle[offset] {
                    matched = false
                    break
                }
            }
            if matched { return true }
            index += 1
        }
        return false
    }
}
