/// How a usage record reached its commit.
public enum JoinConfidence: String, Sendable {
    /// The record names the commit (e.g. OTel `git_commit_id`).
    case linked
    /// A commit trailer names the record's session.
    case explicit
    /// Same repository, same person, that person's next commit within the window.
    case inferred
}
