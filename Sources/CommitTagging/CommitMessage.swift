import GitModel

/// Adds trailers to a commit message the way `git interpret-trailers` does: after an existing
/// trailer block, else after one blank line; before git's comment section; never twice.
public enum CommitMessage {
    static let scissors = "------------------------ >8 ------------------------"

    /// The message with `trailers` added, or nil when there is nothing to change (all present,
    /// or the message is empty, so git will abort the commit anyway).
    public static func adding(_ trailers: [(key: String, value: String)], to message: String, commentCharacter: Character = "#") -> String? {
        var lines = message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        // The comment section: from the scissors line on, and trailing comment or blank lines.
        var end = lines.count
        if let cut = lines.firstIndex(where: { $0.hasPrefix(String(commentCharacter)) && $0.contains(scissors) }) { end = cut }
        while end > 0, lines[end - 1].hasPrefix(String(commentCharacter)) || lines[end - 1].trimmingBlanks.isEmpty {
            end -= 1
        }
        var body = Array(lines[..<end])
        let tail = Array(lines[end...])
        let content = body.filter { !$0.hasPrefix(String(commentCharacter)) }
        guard content.contains(where: { !$0.trimmingBlanks.isEmpty }) else { return nil }

        let existing = Set(content.compactMap(parse).map { "\($0.key.lowercased()):\($0.value)" })
        let missing = trailers.filter { !existing.contains("\($0.key.lowercased()):\($0.value)") }
        guard !missing.isEmpty else { return nil }
        let newLines = missing.map { "\($0.key): \($0.value)" }

        // Does the message end in a trailer block, by git's rules (the ones history is read by: the
        // last paragraph after the subject, all trailers, or a quarter with a git-generated one)?
        let isTrailerBlock = Trailer.hasBlock(message: content.joined(separator: "\n") + "\n")
        if !isTrailerBlock { body.append("") }
        body.append(contentsOf: newLines)
        var result = body.joined(separator: "\n") + "\n"
        if !tail.isEmpty { result += tail.joined(separator: "\n") + "\n" }
        return result
    }

    /// `Key: value` with a key of letters, digits and dashes.
    static func parse(_ line: String) -> (key: String, value: String)? {
        guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { return nil }
        let key = line[..<colon]
        guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return nil }
        return (String(key), line[line.index(after: colon)...].trimmingBlanks)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (a byte scan, not Foundation's character sets).
    var trimmingBlanks: String {
        let bytes = Array(utf8)
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
        while end > start, bytes[end - 1] == 32 || bytes[end - 1] == 9 { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
