import Foundation

/// A CODEOWNERS file with GitHub's rules: gitignore-style patterns, the last matching line
/// wins, and a line without owners leaves its paths unowned.
public struct CodeOwners: Sendable {
    struct Rule: @unchecked Sendable {
        // @unchecked: NSRegularExpression is immutable once built and safe to share for matching.
        var pattern: String
        var regex: NSRegularExpression
        var owners: [String]
    }

    let rules: [Rule]

    /// Where GitHub looks, in order; the first that exists is used.
    public static let locations = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]

    public init(text: String) {
        var rules = [Rule]()
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = String(rawLine)
            if let hash = Self.commentStart(line) { line = String(line[..<hash]) }
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let pattern = parts.first, let regex = Self.regex(for: pattern) else { continue }
            rules.append(Rule(pattern: pattern, regex: regex, owners: Array(parts.dropFirst())))
        }
        self.rules = rules
    }

    /// A `#` starts a comment unless escaped.
    static func commentStart(_ line: String) -> String.Index? {
        var previous: Character?
        for index in line.indices {
            if line[index] == "#", previous != "\\" { return index }
            previous = line[index]
        }
        return nil
    }

    /// Owners of `path` (relative to the root, no leading slash); empty when unowned.
    public func owners(of path: String) -> [String] {
        let range = NSRange(path.startIndex..., in: path)
        for rule in rules.reversed() where rule.regex.firstMatch(in: path, range: range) != nil {
            return rule.owners
        }
        return []
    }

    /// Translates one pattern to a regular expression over repository-relative paths.
    static func regex(for raw: String) -> NSRegularExpression? {
        var pattern = raw.replacingOccurrences(of: "\\#", with: "#")
        guard !pattern.isEmpty, !pattern.hasPrefix("!") else { return nil }  // negation is not supported by GitHub
        let directoryOnly = pattern.hasSuffix("/")
        while pattern.hasSuffix("/") { pattern.removeLast() }
        if pattern.isEmpty { return nil }
        // A slash at the start or in the middle anchors the pattern at the root.
        let anchored = pattern.contains("/")
        if pattern.hasPrefix("/") { pattern.removeFirst() }
        // A run of stars is one star (`***` is `**`, `a**b` is `a*b`): each would be a regex
        // quantifier, and a line from a cloned repository must not make matching take forever.
        while pattern.contains("***") { pattern = pattern.replacingOccurrences(of: "***", with: "**") }
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0 == "**" ? $0 : Substring($0.replacingOccurrences(of: "**", with: "*")) }
        // Backtracking grows as a power of the wildcards in a row: patterns with more than any
        // real CODEOWNERS uses are left out, as GitHub leaves out lines it cannot use.
        guard segments.filter({ $0 == "**" }).count <= 2,
            segments.allSatisfy({ $0 == "**" || $0.filter({ $0 == "*" }).count <= 3 })
        else { return nil }
        var body = ""
        var index = 0
        while index < segments.count {
            let segment = segments[index]
            let last = index == segments.count - 1
            if segment == "**" {
                body += last ? ".*" : "(?:.*/)?"
            } else {
                body += translate(segment)
                if !last { body += "/" }
            }
            index += 1
        }
        let lastSegment = segments.last.map(String.init) ?? ""
        // A literal last segment may name a directory and so covers what is under it; a
        // wildcard one (`docs/*`, `*.js`) matches only the paths it names (GitHub's rule).
        let descendants: String
        if directoryOnly {
            descendants = "/.*"
        } else if lastSegment == "**" || lastSegment.contains("*") || lastSegment.contains("?") {
            descendants = ""
        } else {
            descendants = "(?:/.*)?"
        }
        let prefix = anchored ? "^" : "^(?:.*/)?"
        return try? NSRegularExpression(pattern: prefix + body + descendants + "$")
    }

    static func translate(_ segment: Substring) -> String {
        var out = ""
        for character in segment {
            switch character {
            case "*": out += "[^/]*"
            case "?": out += "[^/]"
            default: out += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        return out
    }
}
