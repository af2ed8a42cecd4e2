import Foundation
import GitKit

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
