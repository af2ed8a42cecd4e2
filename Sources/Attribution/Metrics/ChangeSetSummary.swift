import Foundation

/// Deployments a rework rate is over, and how many were rework.
public struct ReworkCounts: Sendable, Equatable {
    public struct Tally: Sendable, Equatable {
        public var counted = 0
        public var rework = 0

        public init(counted: Int = 0, rework: Int = 0) {
            self.counted = counted
            self.rework = rework
        }
    }

    public var all = Tally()
    /// Deployments that shipped an AI-assisted commit of the group, and the others.
    public var aiAssisted = Tally()
    public var other = Tally()

    public init() {}

    mutating func count(rework isRework: Bool, aiAssisted ai: Bool) {
        all.counted += 1
        if isRework { all.rework += 1 }
        if ai {
            aiAssisted.counted += 1
            if isRework { aiAssisted.rework += 1 }
        } else {
            other.counted += 1
            if isRework { other.rework += 1 }
        }
    }
}

/// What a pull request (or branch) cost and shipped, and whether those figures are final.
public struct ChangeSetSummary: Sendable {
    /// The pull request; nil for a branch.
    public var pullRequest: PullRequestReference?
    /// The branch it merged, when a merge message names it.
    public var branch: String?
    public var mergedAt: Date?
    /// Its non-merge commits, shipped or not.
    public var commits = 0
    /// The deployment of the reporting environment that shipped the last of its commits, when
    /// all of them have shipped before the window's end.
    public var shippedIn: String?
    public var shippedAt: Date?
    /// Hours from its first commit's author time to that deployment.
    public var leadTimeHours: Double?
    /// Usage in the window joined to its commits, by how it was joined: a trailer or the record
    /// names the commit (explicit), or by person and time (inferred).
    public var explicitTokens: Int64 = 0
    public var explicitCost: Decimal = 0
    public var inferredTokens: Int64 = 0
    public var inferredCost: Decimal = 0
    /// Sessions its commits name that no usage record has.
    public var unmatchedSessions = 0
    /// Records of its commits or sessions outside the window (their tokens are not in the figures).
    public var recordsOutsideWindow = 0

    public init() {}

    /// Shipped, and the window holds every record of its commits and sessions.
    public var isFinal: Bool { shippedIn != nil && recordsOutsideWindow == 0 }

    /// What its cost rests on: `explicit`, `inferred` (only inferred joins: say so), `mixed`, `none`.
    public var costBasis: String {
        switch (explicitTokens > 0, inferredTokens > 0) {
        case (true, false): return "explicit"
        case (false, true): return "inferred"
        case (true, true): return "mixed"
        case (false, false): return "none"
        }
    }
}
