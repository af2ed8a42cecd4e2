/// A failure reported by libgit2, or by GitKit about a repository.
public struct GitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libgit2's `git_error_code` (negative), or `GitError.Code.gitKit` for GitKit's own checks.
    public var code: Int32
    /// libgit2's `git_error_t` class, 0 when libgit2 gave none.
    public var errorClass: Int32
    public var message: String

    public init(code: Int32, errorClass: Int32 = 0, message: String) {
        self.code = code
        self.errorClass = errorClass
        self.message = message
    }

    public var description: String { message }

    /// libgit2's `GIT_ENOTFOUND`.
    public var isNotFound: Bool { code == -3 }
    /// libgit2's `GIT_EEXISTS`.
    public var isAlreadyExisting: Bool { code == -4 }

    public enum Code {
        /// A GitKit-level failure that did not come from a libgit2 call.
        public static let gitKit: Int32 = -1000
    }
}
