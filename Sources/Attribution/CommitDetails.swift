import Foundation
import GitKit

/// Each commit's team, changed lines and change measure, as a report reads them: worked out on
/// demand from a repository (`SnapshotCommits`), or as `attribute` stored them (`StoredCommits`).
public protocol CommitDetails {
    /// The commit's team: its author's; else the team owning most of its changed lines; else
    /// `unassigned`.
    func team(of commit: CommitIndex) -> String
    /// Added plus deleted lines (0 when unknown).
    func linesChanged(of commit: CommitIndex) -> Int
    /// Effective size and fingerprints (nil when unknown).
    func measure(of commit: CommitIndex) -> ChangeMeasure?
    /// Works out many commits' details ahead of their use (in parallel where it can).
    func prefetch(_ commits: [CommitIndex])
}

extension CommitDetails {
    public func prefetch(_ commits: [CommitIndex]) {}
}

/// Details `attribute` stored, by commit number.
public struct StoredCommits: CommitDetails {
    public var teams: [String]
    public var lines: [Int?]
    public var measures: [ChangeMeasure?]

    public init(teams: [String], lines: [Int?], measures: [ChangeMeasure?]) {
        precondition(teams.count == lines.count && lines.count == measures.count, "one entry per commit")
        self.teams = teams
        self.lines = lines
        self.measures = measures
    }

    public func team(of commit: CommitIndex) -> String { teams[commit] }
    public func linesChanged(of commit: CommitIndex) -> Int { lines[commit] ?? 0 }
    public func measure(of commit: CommitIndex) -> ChangeMeasure? { measures[commit] }
}

/// Details of a repository's commits: teams from people, else CODEOWNERS over the commit's
/// diff; lines and measures from its diffs.
public final class SnapshotCommits: CommitDetails {
    public let diffs: RepositoryDiffs
    let history: History
    let people: People
    let codeOwners: CodeOwners?

    public init(diffs: RepositoryDiffs, history: History, people: People, codeOwners: CodeOwners?) {
        self.diffs = diffs
        self.history = history
        self.people = people
        self.codeOwners = codeOwners
    }

    public func team(of commit: CommitIndex) -> String {
        CommitTeam.resolve(person: history.facts[commit].person, people: people, codeOwners: codeOwners) { diffs.stats(of: commit) }
    }

    public func linesChanged(of commit: CommitIndex) -> Int { diffs.linesChanged(of: commit) }
    public func measure(of commit: CommitIndex) -> ChangeMeasure? { diffs.measure(of: commit) }
    public func prefetch(_ commits: [CommitIndex]) { diffs.prefetch(commits) }
}

/// The rule for a commit's team.
public enum CommitTeam {
    /// The author's team; else the team owning most of the commit's changed lines by CODEOWNERS
    /// (`stats` read only then); else `unassigned`.
    public static func resolve(person: String, people: People, codeOwners: CodeOwners?, stats: () -> DiffStats?) -> String {
        if let team = people.team(ofPerson: person) { return team }
        guard let codeOwners, let stats = stats() else { return People.unassigned }
        var byTeam = [String: Int]()
        for file in stats.files {
            let owners = codeOwners.owners(of: file.path)
            guard let team = owners.lazy.compactMap(people.team(forOwner:)).first else { continue }
            byTeam[team, default: 0] += max(file.linesAdded + file.linesDeleted, 1)
        }
        return byTeam.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? People.unassigned
    }
}
