import Testing

@testable import Attribution

/// The copy search's own arithmetic: the line hash it compares and the sort of block hashes.
@Suite struct ReferenceBlocksTests {
    static func hash(_ text: String) -> (hash: UInt64, words: Bool) {
        Array(text.utf8).withUnsafeBytes(ReferenceBlocks.lineHash)
    }

    @Test func aLineHashIgnoresWhitespaceAndNothingElse() {
        // Indentation, tabs and spacing inside the line change nothing, eight bytes or more.
        #expect(Self.hash("return value + other;").hash == Self.hash("\t  return value+other ;").hash)
        #expect(Self.hash("abcdefgh").hash == Self.hash("abcd efgh").hash)
        // What the kept bytes are and their order do.
        #expect(Self.hash("return a;").hash != Self.hash("return b;").hash)
        #expect(Self.hash("ab").hash != Self.hash("ba").hash)
        #expect(Self.hash("abcdefgh").hash != Self.hash("abcdefghi").hash)
        #expect(Self.hash("abcdefgh").hash != Self.hash("abcdefg").hash)
        // A line that differs by a leading zero byte is another line.
        #expect(Self.hash("ab").hash != Self.hash("\u{0}ab").hash)
        #expect(Self.hash("").hash != Self.hash("\u{0}").hash)
        // Words: a letter, digit, underscore or non-ASCII byte; punctuation alone has none.
        #expect(Self.hash("x = 1").words)
        #expect(Self.hash("  é").words)
        #expect(!Self.hash("  });").words)
        #expect(!Self.hash("").words)
    }

    @Test(arguments: [0, 1, 2, 255, 256, 257, 1000, 4096, 20_000])
    func blockHashesSortAsTheStandardLibrarySortsThem(_ count: Int) {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<count).map { _ in UInt64.random(in: .min ... .max, using: &generator) }
        #expect(ReferenceBlocks.sorted(random) == random.sorted())
        // Repeats, values that share their high bytes (passes where every byte is the same are
        // skipped), and the extremes.
        let repeats = (0..<count).map { UInt64($0 % 7) &* 0x0101_0101 }
        #expect(ReferenceBlocks.sorted(repeats) == repeats.sorted())
        let extremes = (0..<count).map { $0.isMultiple(of: 2) ? UInt64.max - UInt64($0) : UInt64($0) }
        #expect(ReferenceBlocks.sorted(extremes) == extremes.sorted())
    }
}
