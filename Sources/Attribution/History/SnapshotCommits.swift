import Foundation
import GitKit

/// Details of a repository's commits: teams from people, else CODEOWNERS over the commit's
/// diff; lines and measures from its diffs.
public final class SnapshotCommits: CommitDetails {
    public let diffs: RepositoryDiffs
    let history: History
    let people: People
    let codeOwners: CodeOwners?
    /// git-ai notes and the work tree's Agent Trace file; nil when the repository has neither.
    let lineAuthors: AILineReader?
    private var written: [CommitIndex: Int?] = [:]

    public init(diffs: RepositoryDiffs, history: History, people: People, codeOwners: CodeOwners?) {
        self.diffs = diffs
        self.history = history
        self.people = people
        self.codeOwners = codeOwners
        lineAuthors = AILineReader.ifAny(in: diffs.repository)
    }

    public func aiLines(of commit: CommitIndex) -> Int? {
        guard let lineAuthors else { return nil }
        if let known = written[commit] { return known }
        let count = lineAuthors.lines(of: history.id(commit), in: diffs.repository)
        written[commit] = .some(count)
        return count
    }

    public func team(of commit: CommitIndex) -> String {
        CommitTeam.resolve(person: history.facts[commit].person, people: people, codeOwners: codeOwners) { diffs.stats(of: commit) }
    }

    public func linesChanged(of commit: CommitIndex) -> Int { diffs.linesChanged(of: commit) }
    public func measure(of commit: CommitIndex) -> ChangeMeasure? { diffs.measure(of: commit) }
    public func prefetch(_ commits: [CommitIndex]) { diffs.prefetch(commits) }
}
