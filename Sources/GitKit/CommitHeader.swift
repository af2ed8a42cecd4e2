import CGit2

/// The few header fields of a raw commit object that the graph needs.
struct CommitHeader: Sendable {
    var tree: ObjectID?
    var parents: [ObjectID] = []
    var authorTime = GitTime(seconds: 0)
    var committerTime = GitTime(seconds: 0)
    var authorEmail = ""
    var authorName = ""
    var committerEmail = ""
    var committerName = ""
    var encoding: String?
    /// Where the message starts (after the blank line ending the header).
    var messageStart: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        var position = 0
        let newline = UInt8(ascii: "\n")
        messageStart = bytes.count
        while position < bytes.count {
            var end = position
            while end < bytes.count, bytes[end] != newline { end += 1 }
            if end == position {
                messageStart = min(position + 1, bytes.count)
                break
            }  // blank line: the message starts
            let line = UnsafeBufferPointer(rebasing: bytes[position..<end])
            if line.starts(with: Self.tree) {
                tree = ObjectID(hexBytes: UnsafeBufferPointer(rebasing: line[5...]))
            } else if line.starts(with: Self.encodingKey) {
                encoding = String(decoding: UnsafeBufferPointer(rebasing: line[9...]), as: UTF8.self)
            } else if line.starts(with: Self.parent) {
                if let id = ObjectID(hexBytes: UnsafeBufferPointer(rebasing: line[7...])) { parents.append(id) }
            } else if line.starts(with: Self.author) {
                let (name, email, time) = Self.identity(UnsafeBufferPointer(rebasing: line[7...]))
                authorName = name
                authorEmail = email
                authorTime = time
            } else if line.starts(with: Self.committer) {
                (committerName, committerEmail, committerTime) = Self.identity(UnsafeBufferPointer(rebasing: line[10...]))
            }
            position = end + 1
        }
    }

    private static let tree = Array("tree ".utf8)
    private static let encodingKey = Array("encoding ".utf8)
    private static let parent = Array("parent ".utf8)
    private static let author = Array("author ".utf8)
    private static let committer = Array("committer ".utf8)

    /// Parses `Name <email> 1700000000 +0100`.
    static func identity(_ line: UnsafeBufferPointer<UInt8>) -> (String, String, GitTime) {
        guard let open = line.firstIndex(of: UInt8(ascii: "<")),
            let close = line.lastIndex(of: UInt8(ascii: ">")), open < close
        else { return ("", "", GitTime(seconds: 0)) }
        var nameEnd = open
        while nameEnd > 0, line[nameEnd - 1] == UInt8(ascii: " ") { nameEnd -= 1 }
        let name = String(decoding: UnsafeBufferPointer(rebasing: line[0..<nameEnd]), as: UTF8.self)
        let email = String(decoding: UnsafeBufferPointer(rebasing: line[(open + 1)..<close]), as: UTF8.self)
        var index = close + 1
        func skipSpaces() { while index < line.count, line[index] == UInt8(ascii: " ") { index += 1 } }
        skipSpaces()
        var seconds: Int64 = 0
        var negativeTime = false
        if index < line.count, line[index] == UInt8(ascii: "-") {
            negativeTime = true
            index += 1
        }
        while index < line.count, line[index] >= 48, line[index] <= 57 {
            seconds = seconds &* 10 &+ Int64(line[index] - 48)
            index += 1
        }
        if negativeTime { seconds = -seconds }
        skipSpaces()
        var offset: Int32 = 0
        if index + 4 < line.count, line[index] == UInt8(ascii: "+") || line[index] == UInt8(ascii: "-") {
            let sign: Int32 = line[index] == UInt8(ascii: "-") ? -1 : 1
            func digit(_ at: Int) -> Int32? {
                let value = Int32(line[index + at]) - 48
                return (0...9).contains(value) ? value : nil
            }
            if let h1 = digit(1), let h2 = digit(2), let m1 = digit(3), let m2 = digit(4) {
                offset = sign * ((h1 * 10 + h2) * 60 + m1 * 10 + m2)
            }
        }
        return (name, email, GitTime(seconds: seconds, offsetMinutes: offset))
    }
}

extension Commit {
    /// A commit value from its raw object bytes, as the graph loader read them.
    init(id: ObjectID, raw bytes: UnsafeBufferPointer<UInt8>, header: CommitHeader, shallow: Bool) {
        let messageBytes = UnsafeBufferPointer(rebasing: bytes[header.messageStart..<bytes.count])
        self.init(
            id: id, parents: shallow ? [] : header.parents,
            author: Signature(name: header.authorName, email: header.authorEmail, time: header.authorTime),
            committer: Signature(name: header.committerName, email: header.committerEmail, time: header.committerTime),
            message: Commit.decode(messageBytes, encoding: header.encoding),
            tree: header.tree ?? id)
    }
}
