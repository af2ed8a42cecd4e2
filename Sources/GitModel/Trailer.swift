#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `Key: value` line from the trailer block at the end of a commit message.
public struct Trailer: Hashable, Sendable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// The trailers of `message` exactly as `git log --format=%(trailers:only,unfold)` reads
    /// them (git's trailer.c): the last paragraph after the title, above any trailing comments,
    /// blank lines and scissors line, when all its lines are trailers or at least a quarter are
    /// and one is git-generated (`Signed-off-by: `, `(cherry picked from commit `); lines that
    /// start with whitespace continue the trailer above. A line of dashes is not a patch divider
    /// here: git reads commit messages without one (libgit2 stops at any line starting `---`,
    /// which loses the co-authors GitHub writes after a squash merge's `---------`).
    public static func parse(message: String) -> [Trailer] {
        var message = message
        return message.withUTF8 { TrailerBlock(UnsafeRawBufferPointer($0)).trailers }
    }

    /// Whether `message` ends in a trailer block by git's rules (it may hold lines that are not
    /// `Key: value`, such as `(cherry picked from commit …)`): where `git interpret-trailers`
    /// adds trailers without a blank line first.
    public static func hasBlock(message: String) -> Bool {
        var message = message
        return message.withUTF8 { bytes in
            let block = TrailerBlock(UnsafeRawBufferPointer(bytes))
            return block.start < block.end
        }
    }

    /// Trailer-shaped lines (`Key: value`) of the body outside the trailer block: what squash
    /// merges copy from the commits they squashed. They are not the commit's trailers.
    public static func embedded(message: String) -> [Trailer] {
        read(message: message).embedded
    }

    /// Both, from one look for the trailer block (history reads every commit's).
    public static func read(message: String) -> (trailers: [Trailer], embedded: [Trailer]) {
        var message = message
        return message.withUTF8 { bytes in
            let block = TrailerBlock(UnsafeRawBufferPointer(bytes))
            return (block.trailers, block.embedded)
        }
    }
}

extension Array where Element == Trailer {
    /// Values of every trailer whose key matches `key` in any letter case.
    public func values(for key: String) -> [String] {
        let wanted = key.lowercased()
        return filter { $0.key.lowercased() == wanted }.map(\.value)
    }
}

/// git's rules for finding a message's trailer block, over its bytes.
struct TrailerBlock {
    let buffer: UnsafeRawBufferPointer
    /// The block: from its first line to the end of its last.
    let start: Int
    let end: Int
    /// Where the body starts: after the title paragraph.
    let endOfTitle: Int

    static let comment = UInt8(ascii: "#")
    static let newline = UInt8(ascii: "\n")
    static let scissors = Array("\n# ------------------------ >8 ------------------------\n".utf8)
    static let generatedPrefixes = [Array("Signed-off-by: ".utf8), Array("(cherry picked from commit ".utf8)]
    static let conflicts = Array("Conflicts:\n".utf8)

    init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
        let end = Self.trailerEnd(buffer)
        let (start, title) = Self.trailerStart(buffer, end: end)
        self.start = start
        self.end = end
        endOfTitle = title
    }

    var trailers: [Trailer] {
        guard start < end else { return [] }
        return Self.joinContinuations(buffer, from: start, to: end).compactMap { Self.trailer(buffer, $0) }
    }

    var embedded: [Trailer] {
        var found = [Trailer]()
        var line = endOfTitle
        let stop = start < end ? start : end
        while line < stop {
            let next = Self.nextLine(buffer, line)
            if !Self.isSpace(Self.at(buffer, line)), Self.separator(buffer, line) >= 1, let trailer = Self.trailer(buffer, line..<min(next, stop)) {
                found.append(trailer)
            }
            line = next
        }
        return found
    }
}
