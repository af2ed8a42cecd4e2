import Foundation
import GitKit
import Usage

/// What one commit changed, measured so that splitting, padding and churn cannot inflate it.
///
/// **Effective lines** — the information in the changed lines, in line-equivalents:
/// 1. files a `ChangeFilter` leaves out (lock files, generated, vendored, `.gitattributes`
///    `linguist-generated`/`linguist-vendored`/`-diff`/`binary`), binary files, and files whose
///    first changed lines say they are generated (`@generated`, `DO NOT EDIT`), and files of 20 or
///    more changed lines four fifths of which are 32 bytes or longer without a space (base64, hex,
///    one-record-per-line JSON) count nothing;
/// 2. each remaining added or deleted line is normalised: whitespace trimmed and runs of it made
///    one space, every run of digits made `0`, cut at 512 bytes;
/// 3. a line added and deleted in the same commit (a move, a re-indent) counts neither time;
/// 4. what is left counts once per distinct line, however often it repeats — and a line with
///    numbers in it (a *template*) counts once per person across a report's window;
/// 5. a distinct line is worth its word tokens (runs of letters, digits and `_`), at most
///    `maximumTokensPerLine`, over `tokensPerLine`: a line of punctuation is worth nothing.
/// The sum over lines is additive: a change split over k commits measures what it measured as
/// one. (A compressed size is not: deflating a commit's lines in five parts costs 1.4–1.6× the
/// bytes of deflating them at once, measured on this repository and four public histories.)
/// A report caps it per commit (`report.line_cap`).
///
/// **Fingerprints** — an order-free hash of the change (each non-blank line's path, side and
/// trimmed text) and of its inverse: a commit whose fingerprint is an earlier commit's inverse
/// undoes it, whatever its message says.
public struct ChangeMeasure: Sendable, Hashable {
    public var effectiveLines: Double
    public var fingerprint: Int64
    public var inverseFingerprint: Int64
    /// The distinct lines that had numbers in them (`entry_7 = 49` and `entry_8 = 56` are one
    /// template), with their word tokens, by hash: a report counts a template once per person
    /// across the window, so numbered lines cannot be multiplied by cutting them into commits.
    public var templates: [Template]

    public struct Template: Sendable, Hashable {
        public var key: Int64
        public var tokens: Int

        public init(key: Int64, tokens: Int) {
            self.key = key
            self.tokens = tokens
        }
    }

    public init(effectiveLines: Double, fingerprint: Int64, inverseFingerprint: Int64, templates: [Template] = []) {
        self.effectiveLines = effectiveLines
        self.fingerprint = fingerprint
        self.inverseFingerprint = inverseFingerprint
        self.templates = templates
    }

    public static let empty = ChangeMeasure(effectiveLines: 0, fingerprint: 0, inverseFingerprint: 0)

    /// Word tokens in an ordinary line of code: the median over the distinct changed lines of this
    /// repository (Swift 8.2) and four public histories (Go 6.2, JavaScript 5.5, Python 4.7,
    /// Rust 4.5) is 5.5.
    public static let tokensPerLine = 5
    /// A longer line (prose, data, a long call) counts as two lines at most.
    public static let maximumTokensPerLine = 10
    /// Longer lines are data or minified code: only their start is read.
    static let maximumLineBytes = 512
    /// A file of at least this many changed lines, four fifths of them at least `denseLineBytes`
    /// long without a space, is data (base64, hex dumps, one-record-per-line JSON) and counts nothing.
    static let dataFileLines = 20
    static let denseLineBytes = 32

    /// Whether the change can pair with another as a revert: it has lines, and is not its own
    /// inverse (a pure move of lines within files).
    public var canPair: Bool { fingerprint != 0 && fingerprint != inverseFingerprint }
}

/// Accumulates one commit's changed lines, file by file, into a `ChangeMeasure`. Allocation-free
/// per line: a normalised line is kept as its hash and its word tokens.
public struct ChangeMeasurer {
    let filter: ChangeFilter
    /// Whether a path is left out, remembered: commits touch the same paths again and again.
    private var excludedPaths: [String: Bool] = [:]

    private var path: String?
    private var pathHash: UInt64 = 0
    /// The current file's normalised lines: side, hash, word tokens, whether numbers were in it.
    private var fileLines: [(added: Bool, key: UInt64, tokens: Int, numbered: Bool)] = []
    /// How many of them are dense: long and without a space (base64, hex, minified data).
    private var denseLines = 0
    /// The start of the current file's first changed lines, for generated-file markers.
    private var fileHead: [UInt8] = []
    private var headLines = 0
    /// Distinct normalised lines of the commit: how often added (or deleted), and their tokens.
    private var added: [UInt64: (count: Int, tokens: Int, numbered: Bool)] = [:]
    private var deleted: [UInt64: (count: Int, tokens: Int, numbered: Bool)] = [:]
    private var forward: UInt64 = 0
    private var inverse: UInt64 = 0

    public init(filter: ChangeFilter) {
        self.filter = filter
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
        let normalised = Self.normalised(trimmed)
        if normalised.length > 0 { fileLines.append((isAdded, normalised.hash, normalised.tokens, normalised.numbered)) }
        // Density is a property of the line as written: normalising collapses digit runs, so a
        // hex dump's lines could fall under the length and slip through as authored lines.
        if trimmed.count >= ChangeMeasure.denseLineBytes, !normalised.spaced { denseLines += 1 }
    }

    /// The measure of everything visited since the last `finish`; starts the next commit.
    public mutating func finish() -> ChangeMeasure {
        flushFile()
        path = nil
        // A line both added and deleted moved or was re-indented: neither side is new work.
        // (Order does not matter: the measure is a sum over distinct lines.)
        var tokens = 0
        var templates = [ChangeMeasure.Template]()
        func count(_ key: UInt64, _ entry: (count: Int, tokens: Int, numbered: Bool)) {
            tokens += entry.tokens
            if entry.numbered, entry.tokens > 0 { templates.append(.init(key: Int64(bitPattern: key), tokens: entry.tokens)) }
        }
        for (key, entry) in added where entry.count > (deleted[key]?.count ?? 0) { count(key, entry) }
        for (key, entry) in deleted where entry.count > (added[key]?.count ?? 0) { count(key, entry) }
        let measure = ChangeMeasure(
            effectiveLines: Double(tokens) / Double(ChangeMeasure.tokensPerLine), fingerprint: Int64(bitPattern: forward),
            inverseFingerprint: Int64(bitPattern: inverse), templates: templates.sorted { $0.key < $1.key })
        added.removeAll(keepingCapacity: true)
        deleted.removeAll(keepingCapacity: true)
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
        defer {
            fileLines.removeAll(keepingCapacity: true)
            fileHead.removeAll(keepingCapacity: true)
            headLines = 0
            denseLines = 0
        }
        guard let path, !fileLines.isEmpty else { return }
        let excluded: Bool
        if let known = excludedPaths[path] {
            excluded = known
        } else {
            excluded = filter.excludes(path)
            excludedPaths[path] = excluded
        }
        if excluded || ChangeFilter.isGenerated(head: fileHead) { return }
        // Encoded or dumped data (base64, hex, one-record-per-line JSON): no authored lines.
        if fileLines.count >= ChangeMeasure.dataFileLines, denseLines * 5 >= fileLines.count * 4 { return }
        for line in fileLines {
            if line.added {
                added[line.key, default: (0, line.tokens, line.numbered)].count += 1
            } else {
                deleted[line.key, default: (0, line.tokens, line.numbered)].count += 1
            }
        }
    }

    // MARK: - Rules

    static let addedSalt: UInt64 = 0x9E37_79B9_7F4A_7C15
    static let deletedSalt: UInt64 = 0xC2B2_AE3D_27D4_EB4F

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

    /// The normalised line — whitespace runs made one space, digit runs made `0`, at most
    /// `maximumLineBytes` — as its length, hash and word tokens (runs of letters, digits, `_`
    /// and bytes above ASCII; at most `maximumTokensPerLine`), without building it.
    static func normalised(_ trimmed: UnsafeRawBufferPointer) -> (length: Int, hash: UInt64, tokens: Int, numbered: Bool, spaced: Bool) {
        var hash = StableHash.seed
        var length = 0, tokens = 0, numbered = false, spaced = false
        var inSpace = false, inDigits = false, inWord = false
        @inline(__always) func emit(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
            length += 1
            let word = isWord(byte)
            if word, !inWord { tokens += 1 }
            inWord = word
        }
        for byte in trimmed {
            if isSpace(byte) {
                inSpace = true
                inDigits = false
                continue
            }
            if inSpace {
                emit(0x20)
                inSpace = false
                spaced = true
            }
            if byte >= 0x30 && byte <= 0x39 {
                if !inDigits { emit(0x30) }
                inDigits = true
                numbered = true
            } else {
                inDigits = false
                emit(byte)
            }
            if length >= ChangeMeasure.maximumLineBytes { break }
        }
        return (length, mix(hash), min(tokens, ChangeMeasure.maximumTokensPerLine), numbered, spaced)
    }
}

extension Repository {
    /// A commit's diff stats and change measure, read in one pass over its diff; the measure is
    /// nil when some of its blobs are missing (the line counts are unknown then).
    public func measuredChange(for id: ObjectID, measurer: inout ChangeMeasurer) throws(GitError) -> (DiffStats, ChangeMeasure?) {
        do {
            let stats = try diffStats(for: id) { path, added, line in
                measurer.visit(path: path, added: added, line: line)
            }
            let measure = measurer.finish()
            return (stats, stats.linesKnown ? measure : nil)
        } catch {
            _ = measurer.finish()  // what was read of this commit must not count for the next
            throw error
        }
    }

    /// The same; with `fetchingMissing`, in a partial clone whose blobs for the commit are
    /// missing, git fetches them and the commit is read again.
    public func measuredChange(for id: ObjectID, measurer: inout ChangeMeasurer, fetchingMissing: Bool) throws(GitError) -> (DiffStats, ChangeMeasure?) {
        let read = try measuredChange(for: id, measurer: &measurer)
        guard read.1 == nil, fetchingMissing, isPartialClone, (try? fetchMissingBlobs(of: [id])) != nil else { return read }
        return try measuredChange(for: id, measurer: &measurer)
    }
}
