import Foundation
import GitModel

/// A pull request (GitHub) or merge request (GitLab) as a commit message names it.
public struct PullRequestReference: Hashable, Sendable {
    public enum Forge: String, Sendable {
        case github, gitlab
    }

    public var forge: Forge
    public var number: Int
    /// The pull request's title, as the message gives it (empty when it gives none).
    public var title: String

    public init(forge: Forge, number: Int, title: String) {
        self.forge = forge
        self.number = number
        self.title = title
    }

    /// `#123` (GitHub) or `!45` (GitLab), as the forges write them.
    public var key: String { (forge == .github ? "#" : "!") + String(number) }
}

/// What a commit's own message says about the pull request and branch it landed: GitHub squash
/// subjects `Title (#123)`, GitHub merges `Merge pull request #123 from owner/branch`, GitLab
/// merges `Merge branch 'x' into 'main'` … `See merge request group/project!45`, squash subjects
/// `Title (!45)` or `(group/project!45)`, `Pull-Request:` and `PR-URL:` trailers, and plain
/// git merges `Merge branch 'x'` / `Merge remote-tracking branch 'origin/x'` (a branch, no PR).
/// Commits the message names nothing for take the pull request of the merge that brought them
/// in (`PullRequests`).
public struct MergeReference: Hashable, Sendable {
    public var pullRequest: PullRequestReference?
    /// The branch a merge commit merged, when its message names it.
    public var branch: String?

    public init(pullRequest: PullRequestReference?, branch: String?) {
        self.pullRequest = pullRequest
        self.branch = branch
    }

    public var isEmpty: Bool { pullRequest == nil && branch == nil }

    /// Reads a commit's message (and its trailers, as git reads them); nil when it names nothing.
    public static func parse(message: String, trailers: [Trailer], isMerge: Bool) -> MergeReference? {
        let lines: [String] = message.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let subject = lines.first ?? ""
        // The first non-empty line of the body: GitHub and GitLab put the pull request's title there.
        let bodyTitle = lines.dropFirst().first { !$0.isEmpty && !$0.hasPrefix("See merge request ") } ?? ""
        var reference = MergeReference(pullRequest: nil, branch: nil)
        if isMerge, let (number, source) = githubMerge(subject) {
            reference.pullRequest = PullRequestReference(forge: .github, number: number, title: bodyTitle)
            reference.branch = source
        } else if let (number, title) = squashSubject(subject) {
            reference.pullRequest = PullRequestReference(forge: number.forge, number: number.number, title: title)
        }
        if isMerge, reference.branch == nil { reference.branch = mergedBranch(subject) }
        if reference.pullRequest == nil, let number = lines.lazy.compactMap(seeMergeRequest).first {
            let title = isMerge ? bodyTitle : subject
            reference.pullRequest = PullRequestReference(forge: .gitlab, number: number, title: title)
        }
        if reference.pullRequest == nil {
            for trailer in trailers where ["pull-request", "pr-url"].contains(trailer.key.lowercased()) {
                guard let (forge, number) = trailerReference(trailer.value) else { continue }
                reference.pullRequest = PullRequestReference(forge: forge, number: number, title: subject)
                break
            }
        }
        return reference.isEmpty ? nil : reference
    }

    /// `Merge pull request #123 from owner/branch` → (123, `branch`).
    static func githubMerge(_ subject: String) -> (Int, String?)? {
        let prefix = "Merge pull request #"
        guard subject.hasPrefix(prefix) else { return nil }
        let rest = subject.dropFirst(prefix.count)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard let number = Int(digits), number > 0 else { return nil }
        var branch: String?
        if let from = rest.range(of: " from ") {
            let source = rest[from.upperBound...].trimmingCharacters(in: .whitespaces)
            // `owner/branch`: the fork's owner, then the branch (which may hold slashes itself).
            if let slash = source.firstIndex(of: "/") {
                branch = String(source[source.index(after: slash)...])
            } else if !source.isEmpty {
                branch = source
            }
        }
        return (number, branch?.isEmpty == false ? branch : nil)
    }

    /// `Title (#123)`, `Title (!45)`, `Title (group/project!45)` → the reference and the title.
    static func squashSubject(_ subject: String) -> ((forge: PullRequestReference.Forge, number: Int), String)? {
        guard subject.hasSuffix(")"), let open = subject.lastIndex(of: "(") else { return nil }
        let inside = subject[subject.index(after: open)..<subject.index(before: subject.endIndex)]
        let title = subject[..<open].trimmingCharacters(in: .whitespaces)
        if inside.hasPrefix("#"), let number = Int(inside.dropFirst()), number > 0 { return ((.github, number), title) }
        if let bang = inside.lastIndex(of: "!"), !inside[..<bang].contains(" "), let number = Int(inside[inside.index(after: bang)...]), number > 0 {
            return ((.gitlab, number), title)
        }
        return nil
    }

    /// `See merge request group/project!45` → 45.
    static func seeMergeRequest(_ line: String) -> Int? {
        let prefix = "See merge request "
        guard line.hasPrefix(prefix), let bang = line.lastIndex(of: "!") else { return nil }
        return Int(line[line.index(after: bang)...]).flatMap { $0 > 0 ? $0 : nil }
    }

    /// `Merge branch 'x' into 'main'`, `Merge branch 'x' of https://…`, `Merge remote-tracking
    /// branch 'origin/x'` → `x`.
    static func mergedBranch(_ subject: String) -> String? {
        var rest: Substring
        if subject.hasPrefix("Merge branch '") {
            rest = subject.dropFirst("Merge branch '".count)
        } else if subject.hasPrefix("Merge remote-tracking branch '") {
            rest = subject.dropFirst("Merge remote-tracking branch '".count)
            if let slash = rest.firstIndex(of: "/"), slash < (rest.firstIndex(of: "'") ?? rest.endIndex) { rest = rest[rest.index(after: slash)...] }
        } else {
            return nil
        }
        guard let close = rest.firstIndex(of: "'") else { return nil }
        let name = String(rest[..<close])
        return name.isEmpty ? nil : name
    }

    /// A `Pull-Request:` / `PR-URL:` value: `https://github.com/o/r/pull/12`, a GitLab
    /// `…/-/merge_requests/45` URL, `#12`, or `!45`.
    static func trailerReference(_ value: String) -> (PullRequestReference.Forge, Int)? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("#"), let number = Int(text.dropFirst()), number > 0 { return (.github, number) }
        if text.hasPrefix("!"), let number = Int(text.dropFirst()), number > 0 { return (.gitlab, number) }
        let parts = text.split(separator: "/").map(String.init)
        for (index, part) in parts.enumerated() where index + 1 < parts.count {
            let number = Int(parts[index + 1].prefix { $0.isASCII && $0.isNumber }) ?? 0
            guard number > 0 else { continue }
            if part == "pull" || part == "pulls" { return (.github, number) }
            if part == "merge_requests" { return (.gitlab, number) }
        }
        return nil
    }
}
