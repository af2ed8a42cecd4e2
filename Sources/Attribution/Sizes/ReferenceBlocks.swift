import GitKit
import Glibc
import Usage

/// The blocks of code one tree holds: every run of `blockLines` consecutive lines with words (each
/// line hashed without its whitespace, so indentation changes nothing) of every file that
/// counts, as a multiset of hashes. A commit's added lines inside such a block already existed
/// at its parent — copied from anywhere in the repository — and add nothing.
///
/// It moves from tree to tree by what differs between them (only changed subtrees are opened;
/// of a changed file, only the blocks that differ touch the multiset), and remembers each blob's
/// blocks, so measuring commits in history order reads each file version about once. One per
/// worker: it is not shared between threads.
public final class ReferenceBlocks {
    /// Consecutive lines (with words) that make a block: fewer match by chance (`return nil`).
    public static let blockLines = 3
    /// Larger files are data, not code anyone copies by hand.
    static let maximumBlobBytes = 1 << 20
    /// Blocks remembered per blob before the memory is given back (about 64 MB).
    static let cacheLimit = 8_000_000

    let filter: ChangeFilter
    private var counts: [UInt64: Int32] = [:]
    private var tree: ObjectID?
    private var positioned = false
    /// Each blob's blocks, sorted.
    private var blobBlocks: [ObjectID: [UInt64]] = [:]
    private var cached = 0

    public init(filter: ChangeFilter) {
        self.filter = filter
    }

    /// Forgets everything: the next move reads its tree whole.
    public func clear() {
        counts.removeAll()
        tree = nil
        positioned = false
    }

    /// Whether it holds no block.
    public var isEmpty: Bool { counts.isEmpty }

    /// Makes it the blocks of `target` (nil: the empty tree).
    public func move(to target: ObjectID?, in repository: Repository) throws(GitError) {
        if positioned, target == tree { return }
        let changes = try repository.blobChanges(from: positioned ? tree : nil, to: target)
        for change in changes where !excluded(change.path) {
            let before = try change.old.map { blob throws(GitError) in try blocks(of: blob, in: repository) } ?? []
            let after = try change.new.map { blob throws(GitError) in try blocks(of: blob, in: repository) } ?? []
            apply(removing: before, adding: after)
        }
        tree = target
        positioned = true
    }

    /// Replaces one file's blocks by another's: both sorted, so only the blocks that differ
    /// (around the changed lines) touch the multiset.
    private func apply(removing before: [UInt64], adding after: [UInt64]) {
        var i = 0, j = 0
        while i < before.count || j < after.count {
            if j == after.count || (i < before.count && before[i] < after[j]) {
                remove(before[i])
                i += 1
            } else if i == before.count || after[j] < before[i] {
                add(after[j])
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
    }

    /// Adds the blocks of a file's text (for tests).
    public func add(text: String) {
        for block in Array(text.utf8).withUnsafeBytes(Self.blocks) { add(block) }
    }

    /// For each of a file's added lines (their `lineHash` and whether they have words, in
    /// order), whether it lies in a block held here.
    func copied(_ lines: [(hash: UInt64, words: Bool)]) -> [Bool] {
        Self.copied(lines) { counts[$0] != nil }
    }

    /// The same against one file version's blocks (sorted).
    static func copied(_ lines: [(hash: UInt64, words: Bool)], in blocks: [UInt64]) -> [Bool] {
        copied(lines) { block in
            var low = 0, high = blocks.count
            while low < high {
                let middle = (low + high) / 2
                if blocks[middle] < block { low = middle + 1 } else { high = middle }
            }
            return low < blocks.count && blocks[low] == block
        }
    }

    static func copied(_ lines: [(hash: UInt64, words: Bool)], held: (UInt64) -> Bool) -> [Bool] {
        var result = [Bool](repeating: false, count: lines.count)
        let meaningful = lines.indices.filter { lines[$0].words }
        guard meaningful.count >= Self.blockLines else { return result }
        for start in 0...(meaningful.count - Self.blockLines) {
            let run = meaningful[start..<(start + Self.blockLines)]
            if held(Self.block(run.map { lines[$0].hash })) {
                for index in run { result[index] = true }
            }
        }
        return result
    }

    // MARK: - Blocks

    /// Whether a path is left out, remembered: trees hold the same paths again and again.
    private var excludedPaths: [String: Bool] = [:]

    private func excluded(_ path: String) -> Bool {
        if let known = excludedPaths[path] { return known }
        let excluded = filter.excludes(path)
        excludedPaths[path] = excluded
        return excluded
    }

    private func add(_ block: UInt64) { counts[block, default: 0] += 1 }

    private func remove(_ block: UInt64) {
        guard let count = counts[block] else { return }
        counts[block] = count > 1 ? count - 1 : nil
    }

    /// A blob's blocks, sorted (remembered by id).
    func blocks(of blob: ObjectID, in repository: Repository) throws(GitError) -> [UInt64] {
        if let known = blobBlocks[blob] { return known }
        let found =
            try repository.withBlob(blob) { bytes -> [UInt64] in
                guard bytes.count <= Self.maximumBlobBytes, !bytes.prefix(8000).contains(0) else { return [] }
                return Self.sorted(Self.blocks(bytes))
            } ?? []
        if cached + found.count > Self.cacheLimit {
            blobBlocks.removeAll()
            cached = 0
        }
        blobBlocks[blob] = found
        cached += found.count
        return found
    }

    /// The block hashes of a file's text: its lines with words, `blockLines` at a time.
    static func blocks(_ bytes: UnsafeRawBufferPointer) -> [UInt64] {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return [] }
        var hashes = [UInt64]()
        var start = 0
        while start < bytes.count {
            let rest = bytes.count - start
            let found: UnsafeMutableRawPointer? = memchr(base + start, 0x0A, rest)
            let end = found.map { UnsafeRawPointer($0) - base } ?? bytes.count
            let line = lineHash(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            if line.words { hashes.append(line.hash) }
            start = end + 1
        }
        guard hashes.count >= blockLines else { return [] }
        return (0...(hashes.count - blockLines)).map { block(hashes[$0..<($0 + blockLines)]) }
    }

    /// A line's hash without its whitespace (at most `ChangeMeasure.maximumLineBytes` read), and
    /// whether it has a word byte. The bytes kept go into the hash eight at a time; the count of
    /// the last few closes it, so lines that differ only by leading zero bytes differ. Only
    /// compared within one run, never stored: it may change between versions.
    @inline(__always)
    static func lineHash(_ line: UnsafeRawBufferPointer) -> (hash: UInt64, words: Bool) {
        var hash = StableHash.seed, word: UInt64 = 0, held: UInt64 = 0, words: UInt64 = 0
        for byte in line.prefix(ChangeMeasure.maximumLineBytes) {
            // Without branches on the byte: whitespace is everywhere in code, and a branch on it
            // is mispredicted about as often as it is taken.
            let kind = UInt64(truncatingIfNeeded: Self.byteClass[Int(byte)])
            let kept = kind & 1
            word = word << (8 &* kept) | UInt64(byte) &* kept
            held &+= kept
            words |= kind >> 1
            if held == 8 {
                hash = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
                hash ^= hash >> 29
                (word, held) = (0, 0)
            }
        }
        return (ChangeMeasurer.mix(hash ^ word ^ held << 60), words != 0)
    }

    /// Each byte value's class: bit 0 set when it is not whitespace, bit 1 when it is a word
    /// byte. Read without bounds checks (a byte indexes all 256), never written after it is made.
    nonisolated(unsafe) private static let byteClass: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for value in 0...255 {
            let byte = UInt8(value)
            table[value] = (ChangeMeasurer.isSpace(byte) ? 0 : 1) | (ChangeMeasurer.isWord(byte) ? 2 : 0)
        }
        return UnsafePointer(table)
    }()

    /// `values` in ascending order: a radix sort, eight passes of one byte (the standard
    /// library's merge sort of these hashes was 5% of `commits` on junegunn/fzf, this is under
    /// 2%); the few of a short file by the standard library's sort.
    static func sorted(_ values: [UInt64]) -> [UInt64] {
        let count = values.count
        guard count > 256 else { return values.sorted() }
        var counts = [Int](repeating: 0, count: 8 * 256)
        var source = values
        var target = [UInt64](repeating: 0, count: count)
        counts.withUnsafeMutableBufferPointer { counts in
            for value in values {
                for digit in 0..<8 { counts[digit << 8 | Int(truncatingIfNeeded: value >> (digit * 8)) & 0xFF] += 1 }
            }
            for digit in 0..<8 {
                let shift = UInt64(digit * 8)
                let histogram = UnsafeMutableBufferPointer(rebasing: counts[(digit << 8)..<((digit + 1) << 8)])
                if histogram.contains(count) { continue }  // every value has the same byte here
                var offset = 0
                for bucket in 0..<256 {
                    let size = histogram[bucket]
                    histogram[bucket] = offset
                    offset += size
                }
                source.withUnsafeBufferPointer { from in
                    target.withUnsafeMutableBufferPointer { to in
                        for value in from {
                            let bucket = Int(truncatingIfNeeded: value >> shift) & 0xFF
                            to[histogram[bucket]] = value
                            histogram[bucket] += 1
                        }
                    }
                }
                swap(&source, &target)
            }
        }
        return source
    }

    /// One block's hash, from its lines' keys in order.
    static func block<Keys: Collection<UInt64>>(_ keys: Keys) -> UInt64 {
        var hash: UInt64 = 0x243F_6A88_85A3_08D3
        for key in keys { hash = ChangeMeasurer.mix(hash ^ key) &* 0x9E37_79B9_7F4A_7C15 }
        return hash
    }
}
