import Foundation
import GitKit
import Usage

/// Joins usage records to commits (DESIGN.md, "Joining usage to commits"): each record to at
/// most one commit, so every token is counted exactly once.
public struct UsageJoiner {
    let history: History
    let people: People
    let scope: RepositoryScope
    let window: TimeInterval
    /// Whether a commit counts as shipped (in the reporting environment, as of the window's end).
    let isShipped: (Int) -> Bool

    public init(history: History, people: People, scope: RepositoryScope, windowHours: Double, isShipped: @escaping (Int) -> Bool) {
        self.history = history
        self.people = people
        self.scope = scope
        self.window = windowHours * 3600
        self.isShipped = isShipped
    }

    public func join(_ records: [UsageRecord], links: [SessionCommitLink]) -> [RecordJoin] {
        var linksBySession = [String: [(time: Date, commit: Int)]]()
        for link in links {
            guard let commit = resolve(link.commit) else { continue }
            linksBySession[link.session, default: []].append((link.time, commit))
        }
        for key in linksBySession.keys { linksBySession[key]?.sort { $0.time < $1.time } }
        return records.map { join($0, linksBySession: linksBySession) }
    }

    func join(_ record: UsageRecord, linksBySession: [String: [(time: Date, commit: Int)]]) -> RecordJoin {
        // 1. linked
        if let named = record.commit, let commit = resolve(named) {
            return .attributed(commit, .linked)
        }
        if let session = record.session, let links = linksBySession[session],
            let link = links.first(where: { $0.time >= record.timestamp })
        {
            return .attributed(link.commit, .linked)
        }
        // 2. explicit: a trailer naming the session, or a git-ai note naming its key
        for (session, agent) in Self.sessionNames(of: record) {
            guard let candidates = history.commitsBySession[session] else { continue }
            let matching = candidates.filter { commit in
                history.facts[commit].sessions.contains { $0.id == session && Self.sameAgent($0.agent, agent) }
            }
            if !matching.isEmpty {
                let seconds = Int64(record.timestamp.timeIntervalSince1970.rounded(.down))
                let shipped = matching.filter(isShipped)
                if let commit = shipped.first(where: { history.facts[$0].authorTime.seconds >= seconds })
                    ?? matching.first(where: { history.facts[$0].authorTime.seconds >= seconds })
                {
                    return .attributed(commit, .explicit)
                }
                // After the session's last commit: not (yet) committed.
                return .uncommitted
            }
        }
        // 3. inferred
        guard scope.contains(record.repository), let actor = record.actor else { return .uncommitted }
        let person = people.canonical(email: actor)
        guard let commits = history.commitsByPerson[person] else { return .uncommitted }
        let start = record.timestamp.timeIntervalSince1970
        let first = Self.firstIndex(in: commits) { Double(history.facts[$0].authorTime.seconds) >= start.rounded(.down) }
        for commit in commits[first...] {
            let time = Double(history.facts[commit].authorTime.seconds)
            if time > start + window { break }
            if !history.facts[commit].isMerge { return .attributed(commit, .inferred) }
        }
        return .uncommitted
    }

    /// The names a record's session goes by in commits: its id (as trailers write it) and, with
    /// its agent known, git-ai's key for it (`s_` + sha256("<tool>:<id>")[0..14]).
    public static func sessionNames(of record: UsageRecord) -> [(session: String, agent: String?)] {
        guard let session = record.session else { return [] }
        var names: [(session: String, agent: String?)] = [(session, record.agent)]
        if let agent = record.agent {
            names.append((GitAINote.sessionKey(tool: GitAINote.tool(forAgent: agent), session: session), History.gitAIAgent))
        }
        return names
    }

    static func sameAgent(_ trailer: String?, _ record: String?) -> Bool {
        guard let trailer = trailer?.lowercased(), let record = record?.lowercased() else { return true }
        return trailer == record || trailer.hasPrefix(record) || record.hasPrefix(trailer)
    }

    /// A full or abbreviated (7+ digit) commit id, when it is in the history.
    func resolve(_ text: String) -> Int? {
        let hex = text.lowercased().trimmingCharacters(in: .whitespaces)
        if hex.count == 40 { return (try? ObjectID(hex: hex)).flatMap(history.number(of:)) }
        guard hex.count >= 7, hex.allSatisfy(\.isHexDigit) else { return nil }
        let matches = history.facts.indices.lazy.filter { history.facts[$0].id.hex.hasPrefix(hex) }.prefix(2)
        return matches.count == 1 ? matches.first : nil
    }

    static func firstIndex(in sorted: [Int], where predicate: (Int) -> Bool) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if predicate(sorted[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
