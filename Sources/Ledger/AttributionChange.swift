import AttributionModel
import Foundation
import GitModel
import Usage

/// Where a repository's last `attribute` stopped.
public struct LedgerRepositoryState: Sendable, Equatable {
    public var revision: Int64
    /// Commits history was read from (hex), so the next run reads only what is beyond them.
    public var tips: [String]
    /// A digest of everything attribution depends on besides history and usage (settings,
    /// mailmap, CODEOWNERS, the environment, shipmeter's rules); a change means starting over.
    public var settings: String
    /// The last usage record (in ingest order) the run saw.
    public var usageMark: Int64
    /// Normalised remote URLs, then work-tree folders (absolute paths): where its usage is made.
    public var remotes: [String]

    public init(revision: Int64, tips: [String], settings: String, usageMark: Int64, remotes: [String]) {
        (self.revision, self.tips, self.settings, self.usageMark, self.remotes) = (revision, tips, settings, usageMark, remotes)
    }
}

/// What one `attribute` run writes for a repository, in one transaction.
public struct AttributionChange: Sendable {
    public var identity: String
    public var name: String
    /// The revision read at the start (nil: no state yet). A different revision at write time
    /// means another run got there first, and nothing is written.
    public var expectedRevision: Int64?
    /// Replace everything stored for the repository (a first run, or settings changed).
    public var replacesAll: Bool
    public var commits: [StoredCommit] = []
    /// Line counts and measures of commits stored before.
    public var lines: [String: Int] = [:]
    public var measures: [String: ChangeMeasure] = [:]
    public var deployments: [StoredDeployment] = []
    /// Stored deployments a rollback undid: their status becomes rolled back.
    public var rolledBack: [DeploymentKey] = []
    public var joins: [StoredJoin] = []
    /// Records no longer attributed here.
    public var unjoined: [(source: String, key: String)] = []
    public var actors: [LedgerActor] = []
    public var state: LedgerRepositoryState
    public var counts: [String: Int] = [:]

    public init(identity: String, name: String, expectedRevision: Int64?, replacesAll: Bool, state: LedgerRepositoryState) {
        self.identity = identity
        self.name = name
        self.expectedRevision = expectedRevision
        self.replacesAll = replacesAll
        self.state = state
    }
}

/// A record with its place in ingest order.
public struct SequencedRecord: Sendable {
    public var sequence: Int64
    public var record: UsageRecord
}
