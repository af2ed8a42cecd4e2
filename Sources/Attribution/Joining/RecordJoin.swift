import Foundation
import GitKit
import Usage

/// Where a record ended up: a commit and how, or nowhere.
public enum RecordJoin: Sendable, Hashable {
    /// Not attributed to any commit (yet).
    case uncommitted
    case attributed(CommitIndex, JoinConfidence)

    /// The commit, when attributed.
    public var commit: CommitIndex? {
        if case .attributed(let commit, _) = self { return commit }
        return nil
    }

    /// How, when attributed.
    public var confidence: JoinConfidence? {
        if case .attributed(_, let confidence) = self { return confidence }
        return nil
    }
}
