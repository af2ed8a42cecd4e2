import Foundation
import GitKit
import Usage

/// What a report is computed from, built the same way from a repository's history
/// (`RepositorySnapshot.reportInput`) and from a ledger: commits with their facts, teams and
/// lines; deployments with their kinds and shipped sets; usage records with their joins.
public struct ReportInput {
    public var history: History
    public var timeline: DeploymentTimeline
    public var records: [UsageRecord]
    /// Where each record was joined (parallel to `records`).
    public var joins: [RecordJoin]
    /// Who each record's actor is, and their team.
    public var people: any Roster
    public var commits: any CommitDetails
    /// The repositories reported on.
    public var repositories: [String]
    /// Each commit's repository and each record's (indices into `repositories`; a record's nil
    /// when none is known). Nil for a report on one repository: everything is its.
    public var commitRepositories: [Int]?
    public var recordRepositories: [Int?]?
    /// Per repository, the tips history was read from, HEAD first (pull requests and branches
    /// are found along first parents from them).
    public var tips: [[ObjectID]] = []

    public init(
        history: History, timeline: DeploymentTimeline, records: [UsageRecord], joins: [RecordJoin], people: any Roster,
        commits: any CommitDetails, repositories: [String], commitRepositories: [Int]? = nil, recordRepositories: [Int?]? = nil
    ) {
        precondition(records.count == joins.count, "one join per record")
        (self.history, self.timeline, self.records, self.joins, self.people) = (history, timeline, records, joins, people)
        (self.commits, self.repositories, self.commitRepositories, self.recordRepositories) = (
            commits, repositories, commitRepositories, recordRepositories
        )
    }

    /// The repository a record counts for, when grouping by repository.
    func repository(ofRecord index: Int, commit: CommitIndex?) -> String {
        guard let commitRepositories else { return repositories.first ?? "" }
        if let commit { return repositories[commitRepositories[commit]] }
        return recordRepositories?[index].map { repositories[$0] } ?? "(none)"
    }

    func repository(ofCommit commit: CommitIndex) -> String {
        guard let commitRepositories else { return repositories.first ?? "" }
        return repositories[commitRepositories[commit]]
    }
}
