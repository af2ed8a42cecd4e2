import GitKit

/// The blocks of code one tree holds: every run of `blockLines` consecutive logical lines (with
/// word tokens) of every file that counts, as a multiset of hashes. A commit's added lines inside
/// such a block already existed at its parent — copied from anywhere in the repository, or laid
/// out anew — and add nothing.
///
/// It moves from tree to tree by what differs between them (only changed subtrees are opened),
/// and remembers each blob's blocks, so measuring commits in history order reads each file
/// version about once. One per worker: it is not shared between threads.
public final class ReferenceBlocks {
    /// Consecutive logical lines that make a block: fewer match by chance (`}` `return nil` `}`).
    public static let blockLines = 3
    /// Larger files are data, not code anyone copies by hand.
    static let maximumBlobBytes = 1 << 20
    /// Blocks remembered per blob before the memory is given back (about 64 MB).
    static let cacheLimit = 8_000_000

    let filter: ChangeFilter
    private var counts: [UInt64: Int32] = [:]
    private var tree: ObjectID?
    private var positioned = false
    private var blobBlocks: [ObjectID: [UInt64]] = [:]
    private var cached = 0

    public init(filter: ChangeFilter) {
        self.filter = filter
    }

    /// Whether it holds no block.
    public var isEmpty: Bool { counts.isEmpty }

    /// Distinct blocks held.
    public var count: Int { counts.count }

    /// Makes it the blocks of `target` (nil: the empty tree).
    public func move(to target: ObjectID?, in repository: Repository) throws(GitError) {
        if positioned, target == tree { return }
        let changes = try repository.blobChanges(from: positioned ? tree : nil, to: target)
        for change in changes where !excluded(change.path) {
            if let old = change.old { for block in try blocks(of: old, in: repository) { remove(block) } }
            if let new = change.new { for block in try blocks(of: new, in: repository) { add(block) } }
        }
        tree = target
        positioned = true
    }

    /// Adds the blocks of a file's text (for tests, and files that never were in a tree).
    public func add(text: String) {
        for block in Array(text.utf8).withUnsafeBytes(Self.blocks) { add(block) }
    }

    /// For each of a file's added logical lines (in order), whether it lies in a block held here;
    /// a line without word tokens is copied when the line before it is.
    func copied(_ lines: [LogicalLine]) -> [Bool] {
        var result = [Bool](repeating: false, count: lines.count)
        guard !counts.isEmpty else { return result }
        let meaningful = lines.indices.filter { lines[$0].tokens > 0 }
        guard meaningful.count >= Self.blockLines else { return result }
        for start in 0...(meaningful.count - Self.blockLines) {
            let run = meaningful[start..<(start + Self.blockLines)]
            if counts[Self.block(run.map { lines[$0].key })] != nil {
                for index in run { result[index] = true }
            }
        }
        for index in lines.indices.dropFirst() where lines[index].tokens == 0 { result[index] = result[index - 1] }
        return result
    }

    // MARK: - Blocks

    private func excluded(_ path: String) -> Bool { filter.excludes(path) }

    private func add(_ block: UInt64) { counts[block, default: 0] += 1 }

    private func remove(_ block: UInt64) {
        guard let count = counts[block] else { return }
        counts[block] = count > 1 ? count - 1 : nil
    }

    private func blocks(of blob: ObjectID, in repository: Repository) throws(GitError) -> [UInt64] {
        if let known = blobBlocks[blob] { return known }
        let found = try repository.withBlob(blob) { bytes -> [UInt64] in
            guard bytes.count <= Self.maximumBlobBytes, !bytes.prefix(8000).contains(0) else { return [] }
            return Self.blocks(bytes)
        } ?? []
        if cached + found.count > Self.cacheLimit {
            blobBlocks.removeAll()
            cached = 0
        }
        blobBlocks[blob] = found
        cached += found.count
        return found
    }

    /// The block hashes of a file's text: its logical lines with word tokens, `blockLines` at a time.
    static func blocks(_ bytes: UnsafeRawBufferPointer) -> [UInt64] {
        var keys = [UInt64]()
        var builder = LogicalLineBuilder()
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            let trimmed = ChangeMeasurer.trimmed(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            if trimmed.count > 0, let logical = builder.feed(trimmed), logical.tokens > 0 { keys.append(logical.key) }
            start = end + 1
        }
        if let logical = builder.finish(), logical.tokens > 0 { keys.append(logical.key) }
        guard keys.count >= blockLines else { return [] }
        return (0...(keys.count - blockLines)).map { block(keys[$0..<($0 + blockLines)]) }
    }

    /// One block's hash, from its lines' keys in order.
    static func block<Keys: Collection<UInt64>>(_ keys: Keys) -> UInt64 {
        var hash: UInt64 = 0x243F_6A88_85A3_08D3
        for key in keys { hash = ChangeMeasurer.mix(hash ^ key) &* 0x9E37_79B9_7F4A_7C15 }
        return hash
    }
}
