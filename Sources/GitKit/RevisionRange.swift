/// A range as `git rev-list` takes it: `A..B` (reachable from B, not from A), `A...B`
/// (reachable from either, not from both) or one revision. An empty side means HEAD.
public struct RevisionRange: Sendable, Equatable {
    /// Commits whose history is in the range.
    public var include: [ObjectID]
    /// Commits whose history is not.
    public var exclude: [ObjectID]

    public static func parse(_ text: String, in repository: Repository) throws(GitError) -> RevisionRange {
        func side(_ part: Substring) throws(GitError) -> ObjectID {
            try repository.resolveCommit(part.isEmpty ? "HEAD" : String(part))
        }
        if let split = text.range(of: "...") {
            let a = try side(text[..<split.lowerBound]), b = try side(text[split.upperBound...])
            return RevisionRange(include: [a, b], exclude: try repository.mergeBases(a, b))
        }
        if let split = text.range(of: "..") {
            return RevisionRange(include: [try side(text[split.upperBound...])], exclude: [try side(text[..<split.lowerBound])])
        }
        return RevisionRange(include: [try repository.resolveCommit(text)], exclude: [])
    }
}
