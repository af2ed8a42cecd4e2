import Foundation
import GitKit
import Usage

/// What counts as "this repository" for a record's working directory or remote.
public struct RepositoryScope: Sendable {
    public var roots: [String]
    public var remotes: [String]

    public init(roots: [String], remotes: [String]) {
        self.roots = roots
        self.remotes = remotes.map(Self.normalise)
    }

    public func contains(_ location: String?) -> Bool {
        guard let location, !location.isEmpty else { return false }
        if location.contains("://") || (location.contains("@") && location.contains(":")) {
            return remotes.contains(Self.normalise(location))
        }
        return roots.contains { LocalSessions.directory(location, isInside: $0) }
    }

    /// `git@host:org/repo.git`, `https://user@host/org/repo` → `host/org/repo`.
    public static func normalise(_ url: String) -> String {
        var text = url.trimmingCharacters(in: .whitespaces).lowercased()
        if let scheme = text.range(of: "://") { text = String(text[scheme.upperBound...]) }
        if let at = text.firstIndex(of: "@"), !text[..<at].contains("/") { text = String(text[text.index(after: at)...]) }
        if let colon = text.firstIndex(of: ":"), !text[..<colon].contains("/") {
            let rest = text[text.index(after: colon)...]
            // `host:port/path` keeps the path; scp-style `host:org/repo` becomes `host/org/repo`.
            let path = rest.drop(while: \.isNumber)
            text = String(text[..<colon]) + (path.hasPrefix("/") ? String(path) : "/" + path)
        }
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix(".git") { text.removeLast(4) }
        return text
    }
}
