import Foundation
import GitModel

/// A session named by a commit trailer (`AI-Session: claude-code/<id>`, `Claude-Session: <id>`).
public struct SessionReference: Hashable, Sendable {
    public var agent: String?
    public var id: String

    public init(agent: String?, id: String) {
        self.agent = agent
        self.id = id
    }

    /// Parses `agent/id`, a bare id, or a URL whose last path component is the id.
    public static func parse(_ value: String, defaultAgent: String? = nil) -> SessionReference? {
        var text = value.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return nil }
        if text.contains("://") {
            let last = text.split(separator: "/").last.map(String.init) ?? text
            return SessionReference(agent: defaultAgent, id: last)
        }
        if let slash = text.firstIndex(of: "/") {
            let agent = String(text[..<slash])
            text = String(text[text.index(after: slash)...])
            return text.isEmpty ? nil : SessionReference(agent: agent, id: text)
        }
        return SessionReference(agent: defaultAgent, id: text)
    }
}

/// What attribution needs to know about one commit, read once from history.
public struct CommitFacts: Sendable, Equatable {
    public var id: ObjectID
    /// Canonical author (mailmap, then configured aliases).
    public var person: String
    public var authorName: String
    public var authorTime: GitTime
    public var isMerge: Bool
    public var isBot: Bool
    public var summary: String
    public var signals: [String]
    public var sessions: [SessionReference]
    public var agent: String?
    public var model: String?
    /// The commit this one reverts (`This reverts commit <id>.`), when it says so.
    public var reverts: ObjectID?
    /// Its parents, first parent first (pull requests are found along them).
    public var parents: [ObjectID] = []
    /// When it was committed (a merge's or squash's time is when its pull request merged).
    public var committerTime: GitTime?
    /// The pull request and branch its own message names.
    public var merge: MergeReference?
    /// Whether it matches the configured hotfix patterns (`rework.hotfix_patterns`).
    public var isHotfix = false

    public var isAIAssisted: Bool { !signals.isEmpty }

    public init(
        id: ObjectID, person: String, authorName: String, authorTime: GitTime, isMerge: Bool, isBot: Bool, summary: String,
        signals: [String], sessions: [SessionReference], agent: String?, model: String?, reverts: ObjectID?
    ) {
        (self.id, self.person, self.authorName, self.authorTime, self.isMerge, self.isBot) = (id, person, authorName, authorTime, isMerge, isBot)
        (self.summary, self.signals, self.sessions, self.agent, self.model, self.reverts) = (summary, signals, sessions, agent, model, reverts)
    }
}
