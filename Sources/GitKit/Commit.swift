import CGit2
import Foundation

/// A commit, copied out of libgit2 into a value.
public struct Commit: Hashable, Sendable, Identifiable {
    public var id: ObjectID
    public var parents: [ObjectID]
    public var author: Signature
    public var committer: Signature
    /// The full message, decoded from its recorded encoding; invalid bytes become U+FFFD.
    public var message: String
    public var tree: ObjectID

    public init(id: ObjectID, parents: [ObjectID], author: Signature, committer: Signature, message: String, tree: ObjectID) {
        self.id = id
        self.parents = parents
        self.author = author
        self.committer = committer
        self.message = message
        self.tree = tree
    }

    /// The first line of the message, as `git log --format=%s` shows it (wrapped lines joined).
    public var summary: String {
        // Only the first paragraph matters; long bodies are never split up.
        var lines = [Substring]()
        var rest = message[...].drop(while: { $0 == "\n" || $0 == "\r" })
        while !rest.isEmpty {
            let end = rest.firstIndex(of: "\n") ?? rest.endIndex
            let line = rest[..<end].drop(while: { $0 == " " || $0 == "\t" })
            var trimmed = line
            while let last = trimmed.last, last == " " || last == "\t" || last == "\r" { trimmed = trimmed.dropLast() }
            if trimmed.isEmpty { break }
            lines.append(trimmed)
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
        }
        return lines.joined(separator: " ")
    }

    public var trailers: [Trailer] { Trailer.parse(message: message) }

    public var isMerge: Bool { parents.count > 1 }

    init(_ pointer: OpaquePointer) {
        id = ObjectID(pointer: git_commit_id(pointer))
        let count = git_commit_parentcount(pointer)
        var parents = [ObjectID]()
        parents.reserveCapacity(Int(count))
        for index in 0..<count {
            if let parent = git_commit_parent_id(pointer, index) { parents.append(ObjectID(pointer: parent)) }
        }
        self.parents = parents
        author = Signature(git_commit_author(pointer))
        committer = Signature(git_commit_committer(pointer))
        tree = ObjectID(pointer: git_commit_tree_id(pointer))
        message = Commit.decodeMessage(pointer)
    }

    private static func decodeMessage(_ pointer: OpaquePointer) -> String {
        guard let raw = git_commit_message_raw(pointer) else { return "" }
        let length = strlen(raw)
        return raw.withMemoryRebound(to: UInt8.self, capacity: length) {
            decode(UnsafeBufferPointer(start: $0, count: length), encoding: git_commit_message_encoding(pointer).map { String(cString: $0) })
        }
    }

    /// Decodes a message from its recorded encoding (Latin-1 variants), else as UTF-8 with
    /// invalid bytes replaced.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, encoding: String?) -> String {
        if let encoding = encoding?.lowercased(), ["iso-8859-1", "latin1", "latin-1", "iso8859-1"].contains(encoding) {
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
