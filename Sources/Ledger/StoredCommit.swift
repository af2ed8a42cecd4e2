import AttributionModel
import Foundation
import GitModel
import Usage

/// One commit as the ledger keeps it: what attribution read from it (the summary line and no
/// other text), its team, and its line counts when they were worked out.
public struct StoredCommit: Sendable, Equatable {
    public var facts: CommitFacts
    public var team: String
    /// Added plus deleted lines, when worked out (shipped and attributed commits).
    public var lines: Int?
    /// Effective size and fingerprints, worked out with `lines`.
    public var measure: ChangeMeasure?
    /// Lines an agent wrote that the commit adds, when a git-ai note or Agent Trace covers it.
    public var aiLines: Int?

    public var id: String { facts.id.hex }

    public init(facts: CommitFacts, team: String, lines: Int?, measure: ChangeMeasure? = nil, aiLines: Int? = nil) {
        self.facts = facts
        self.team = team
        self.lines = lines
        self.measure = measure
        self.aiLines = aiLines
    }
}
