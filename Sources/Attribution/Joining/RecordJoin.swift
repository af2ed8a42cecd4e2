import Foundation
import GitKit
import Usage

/// How a usage record reached its commit.
public enum JoinConfidence: String, Sendable {
    /// The record names the commit (e.g. OTel `git_commit_id`).
    case linked
    /// A commit trailer names the record's session.
    case explicit
    /// Same repository, same person, that person's next commit within the window.
    case inferred
}

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
