import Foundation
import GitKit
import Usage

/// Accumulates one commit's changed lines, file by file, into a `ChangeMeasure` (the rules are
/// on `ChangeMeasure`). Physical lines become logical lines as they arrive; a logical line is
/// kept as its hashes and word tokens, never as text.
public struct ChangeMeasurer {
    let filter: ChangeFilter
    /// The blocks the commit's parent held, for copies: positioned by `prepare(for:in:)`; empty
    /// (no copies found) for lines fed without a repository.
    public let reference: ReferenceBlocks
    /// Whether a path is left out, remembered: commits touch the same paths again and again.
    private var excludedPaths: [String: Bool] = [:]

    private var path: String?
    private var pathHash: UInt64 = 0
    private var addedBuilder = LogicalLineBuilder()
    private var deletedBuilder = LogicalLineBuilder()
    /// The current file's logical lines, in order.
    private var fileAdded: [LogicalLine] = []
    /// The current file's added physical lines for copies: hash without whitespace, whether it
    /// has words, and the logical line it belongs to.
    private var fileAddedPhysical: [(hash: UInt64, words: Bool, logical: Int)] = []
    private var fileDeleted: [LogicalLine] = []
    private var fileLines = 0
    private var fileAddedLines = 0
    /// How many of its lines are dense: long and without a space (base64, hex, minified data).
    private var denseLines = 0
    /// The start of the current file's first changed lines, for generated-file markers.
    private var fileHead: [UInt8] = []
    private var headLines = 0

    struct Entry {
        var count = 0
        var copied = 0
        var tokens: Int
        var numbered: Bool
        var shape: UInt64
        var physical = 0
    }

    /// Distinct logical lines of the commit, by key.
    private var added: [UInt64: Entry] = [:]
    private var deleted: [UInt64: Entry] = [:]
    private var addedLines = 0
    private var forward: UInt64 = 0
    private var inverse: UInt64 = 0

    /// Distinct same-shape lines from which they are a template run (`ChangeMeasure.templateRun`;
    /// another value only to show in tests that the rule is what bounds a table).
    let templateRun: Int

    public init(filter: ChangeFilter, reference: ReferenceBlocks? = nil, templateRun: Int = ChangeMeasure.templateRun) {
        self.filter = filter
        self.reference = reference ?? ReferenceBlocks(filter: filter)
        self.templateRun = templateRun
    }

    /// The commit being measured's first parent tree (nil: the empty tree), in `repository`:
    /// what copies are looked for in.
    private var parent: (tree: ObjectID?, repository: Repository)?
    /// Whether copies are looked for in the commit being measured: not in a merge, whose change
    /// against its first parent is its branch's commits, each measured itself — a merge counts
    /// for no normalised deployment, so moving the reference for it would be wasted work.
    private var looksForCopies = true

    /// Measures the next commit against the tree of its first parent (the empty tree for a root).
    public mutating func prepare(for commit: ObjectID, in repository: Repository) throws(GitError) {
        let first = try repository.firstParentTree(of: commit)
        parent = (first.tree, repository)
        looksForCopies = !first.isMerge
    }

    /// Takes one added or deleted line of `path` (lines of one file arrive together).
    public mutating func visit(path: String, added isAdded: Bool, line: UnsafeRawBufferPointer) {
        if path != self.path { startFile(path) }
        let trimmed = Self.trimmed(line)
        guard trimmed.count > 0 else { return }
        let lineHash = Self.mix(StableHash.fnv1a(trimmed, from: pathHash))
        forward &+= Self.mix(lineHash &+ (isAdded ? Self.addedSalt : Self.deletedSalt))
        inverse &+= Self.mix(lineHash &+ (isAdded ? Self.deletedSalt : Self.addedSalt))
        if headLines < 10 {
            headLines += 1
            fileHead.append(contentsOf: UnsafeRawBufferPointer(rebasing: trimmed.prefix(200)))
            fileHead.append(0x0A)
        }
        fileLines += 1
        // Density is a property of the line as written (normalising would shorten a hex dump).
        if trimmed.count >= ChangeMeasure.denseLineBytes, !trimmed.prefix(ChangeMeasure.maximumLineBytes).contains(where: Self.isSpace) {
            denseLines += 1
        }
        if isAdded {
            fileAddedLines += 1
            if looksForCopies {
                let physical = ReferenceBlocks.lineHash(trimmed)
                fileAddedPhysical.append((physical.hash, physical.words, fileAdded.count))
            }
            if let line = addedBuilder.feed(trimmed) { fileAdded.append(line) }
        } else if let line = deletedBuilder.feed(trimmed) {
            fileDeleted.append(line)
        }
    }

    /// The measure of everything visited since the last `finish`; starts the next commit.
    public mutating func finish() -> ChangeMeasure {
        flushFile()
        path = nil
        parent = nil
        looksForCopies = true
        var tokens = 0
        var templates = [ChangeMeasure.Template]()
        var copiedLines = 0, movedLines = 0, templatedLines = 0
        // Statements both added and deleted moved or were re-laid out; copies add nothing.
        var fresh = [UInt64: [(key: UInt64, entry: Entry)]]()  // shape → distinct fresh lines
        for (key, entry) in added {
            let alsoDeleted = deleted[key]?.count ?? 0
            if entry.count <= alsoDeleted {
                movedLines += entry.physical
            } else if entry.copied == entry.count {
                copiedLines += entry.physical
            } else {
                movedLines += entry.physical * alsoDeleted / entry.count
                fresh[entry.shape, default: []].append((key, entry))
            }
        }
        for (shape, lines) in fresh {
            if lines.count < templateRun {
                for (key, entry) in lines {
                    tokens += entry.tokens
                    // A line with numbers is a template of its own, counted once per person.
                    if entry.numbered, entry.tokens > 0 { templates.append(.init(key: Int64(bitPattern: key), tokens: entry.tokens)) }
                }
                continue
            }
            // A run of one shape counts as its template, once per person in a report.
            let average = Double(lines.reduce(0) { $0 + $1.entry.tokens }) / Double(lines.count)
            let worth = Int((average * ChangeMeasure.templateWorth(lines.count)).rounded())
            tokens += worth
            templatedLines += lines.reduce(0) { $0 + $1.entry.physical }
            if worth > 0 { templates.append(.init(key: Int64(bitPattern: Self.mix(shape &+ Self.shapeSalt)), tokens: worth)) }
        }
        for (key, entry) in deleted where entry.count > (added[key]?.count ?? 0) {
            tokens += entry.tokens
            if entry.numbered, entry.tokens > 0 { templates.append(.init(key: Int64(bitPattern: key), tokens: entry.tokens)) }
        }
        let measure = ChangeMeasure(
            effectiveLines: Double(tokens) / Double(ChangeMeasure.tokensPerLine), fingerprint: Int64(bitPattern: forward),
            inverseFingerprint: Int64(bitPattern: inverse), templates: templates.sorted { $0.key < $1.key },
            addedLines: addedLines, copiedLines: copiedLines, movedLines: movedLines, templatedLines: templatedLines)
        added.removeAll(keepingCapacity: true)
        deleted.removeAll(keepingCapacity: true)
        addedLines = 0
        forward = 0
        inverse = 0
        return measure
    }

    private mutating func startFile(_ newPath: String) {
        flushFile()
        path = newPath
        var copy = newPath
        pathHash = copy.withUTF8 { StableHash.fnv1a(UnsafeRawBufferPointer($0)) }
    }

    private mutating func flushFile() {
        if let line = addedBuilder.finish() { fileAdded.append(line) }
        if let line = deletedBuilder.finish() { fileDeleted.append(line) }
        defer {
            fileAdded.removeAll(keepingCapacity: true)
            fileAddedPhysical.removeAll(keepingCapacity: true)
            fileDeleted.removeAll(keepingCapacity: true)
            fileHead.removeAll(keepingCapacity: true)
            (fileLines, fileAddedLines, headLines, denseLines) = (0, 0, 0, 0)
        }
        guard let path, fileLines > 0 else { return }
        let excluded: Bool
        if let known = excludedPaths[path] {
            excluded = known
        } else {
            excluded = filter.excludes(path)
            excludedPaths[path] = excluded
        }
        if excluded || ChangeFilter.isGenerated(head: fileHead) { return }
        // Encoded or dumped data (base64, hex, one-record-per-line JSON): no authored lines.
        if fileLines >= ChangeMeasure.dataFileLines, denseLines * 5 >= fileLines * 4 { return }
        addedLines += fileAddedLines
        let copied = copiedLogicalLines(path: path)
        for (index, line) in fileAdded.enumerated() {
            update(&added[line.key, default: Entry(tokens: line.tokens, numbered: line.numbered, shape: line.shape)], line, copied: copied[index])
        }
        for line in fileDeleted {
            update(&deleted[line.key, default: Entry(tokens: line.tokens, numbered: line.numbered, shape: line.shape)], line, copied: false)
        }
    }

    /// Which of the file's logical lines are copies: each of its physical lines with words lies
    /// in a block the parent held (a line without words goes with the line before it). A file
    /// the parent already had is compared with its own earlier version; a new file with the
    /// whole parent tree (the reference is moved there only then: a commit that adds no file of
    /// three or more lines costs no tree work, and the moves that remain skip the versions between).
    private mutating func copiedLogicalLines(path: String) -> [Bool] {
        var copied = [Bool](repeating: false, count: fileAdded.count)
        guard looksForCopies, !fileAdded.isEmpty, fileAddedPhysical.lazy.filter(\.words).count >= ReferenceBlocks.blockLines else { return copied }
        let lines = fileAddedPhysical.map { ($0.hash, $0.words) }
        let physical: [Bool]
        if let (tree, repository) = parent {
            // A tree that cannot be read leaves no reference (no copies found) rather than a wrong one.
            if let tree, let earlier = try? repository.blob(at: path, in: tree) {
                physical = ReferenceBlocks.copied(lines, in: (try? reference.blocks(of: earlier, in: repository)) ?? [])
            } else {
                if (try? reference.move(to: tree, in: repository)) == nil { reference.clear() }
                physical = reference.copied(lines)
            }
        } else {
            physical = reference.copied(lines)
        }
        var meaningful = [Int](repeating: 0, count: fileAdded.count), inBlocks = [Int](repeating: 0, count: fileAdded.count)
        for (index, line) in fileAddedPhysical.enumerated() where line.words && line.logical < fileAdded.count {
            meaningful[line.logical] += 1
            if physical[index] { inBlocks[line.logical] += 1 }
        }
        for index in copied.indices {
            copied[index] = meaningful[index] > 0 ? inBlocks[index] == meaningful[index] : index > 0 && copied[index - 1]
        }
        return copied
    }

    private func update(_ entry: inout Entry, _ line: LogicalLine, copied: Bool) {
        entry.count += 1
        entry.physical += line.physicalLines
        if copied { entry.copied += 1 }
    }

    // MARK: - Bytes

    static let addedSalt: UInt64 = 0x9E37_79B9_7F4A_7C15
    static let deletedSalt: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let shapeSalt: UInt64 = 0x1656_67B1_9E37_79F9

    /// splitmix64's finaliser: spreads FNV's weak low bits before the hashes are summed.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    @inline(__always)
    static func isWord(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
    }

    /// The line without leading and trailing whitespace (and its line end).
    static func trimmed(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0, end = line.count
        while start < end, isSpace(line[start]) { start += 1 }
        while end > start, isSpace(line[end - 1]) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: line[start..<end])
    }
}
