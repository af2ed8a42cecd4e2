/// Shell-style wildcards for configuration patterns: `*` any run of characters, `?` one
/// character, everything else literal (so `*[bot]@*` means a literal `[bot]`). Case-insensitive.
public struct Glob: Sendable, Hashable {
    public let pattern: String
    private let characters: [Character]

    public init(_ pattern: String) {
        self.pattern = pattern
        characters = Array(pattern.lowercased())
    }

    public var hasWildcards: Bool { characters.contains("*") || characters.contains("?") }

    public func matches(_ text: String) -> Bool {
        let subject = Array(text.lowercased())
        var p = 0, s = 0
        var star = -1, mark = 0
        while s < subject.count {
            if p < characters.count, characters[p] == "?" || characters[p] == subject[s] {
                p += 1
                s += 1
            } else if p < characters.count, characters[p] == "*" {
                star = p
                mark = s
                p += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                s = mark
            } else {
                return false
            }
        }
        while p < characters.count, characters[p] == "*" { p += 1 }
        return p == characters.count
    }
}
