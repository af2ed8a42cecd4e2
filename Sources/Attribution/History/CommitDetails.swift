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
    /// Lines an agent wrote that the commit adds (git-ai notes, Agent Trace); nil when neither covers it.
    func aiLines(of commit: CommitIndex) -> Int?
}

extension CommitDetails {
    public func prefetch(_ commits: [CommitIndex]) {}
    public func aiLines(of commit: CommitIndex) -> Int? { nil }
}

/// Details `attribute` stored, by commit number.
public struct StoredCommits: CommitDetails {
    public var teams: [String]
    public var lines: [Int?]
    public var measures: [ChangeMeasure?]
    public var writtenLines: [Int?]

    public init(teams: [String], lines: [Int?], measures: [ChangeMeasure?], aiLines: [Int?]? = nil) {
        precondition(teams.count == lines.count && lines.count == measures.count, "one entry per commit")
        self.teams = teams
        self.lines = lines
        self.measures = measures
        writtenLines = aiLines ?? Array(repeating: nil, count: teams.count)
    }

    public func team(of commit: CommitIndex) -> String { teams[commit] }
    public func linesChanged(of commit: CommitIndex) -> Int { lines[commit] ?? 0 }
    public func measure(of commit: CommitIndex) -> ChangeMeasure? { measures[commit] }
    public func aiLines(of commit: CommitIndex) -> Int? { writtenLines[commit] }
}
