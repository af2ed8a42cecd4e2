import CGit2

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

    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
    public var isAlreadyExisting: Bool { code == GIT_EEXISTS.rawValue }

    public enum Code {
        /// A GitKit-level failure that did not come from a libgit2 call.
        public static let gitKit: Int32 = -1000
    }
}

/// Turns a libgit2 return code into a thrown `GitError`, reading libgit2's thread-local
/// message at once (no suspension point may sit between the call and this read).
@inline(__always)
@discardableResult
func check(_ result: Int32, _ context: @autoclosure () -> String = "") throws(GitError) -> Int32 {
    guard result < 0 else { return result }
    throw lastError(code: result, context: context())
}

func lastError(code: Int32, context: String = "") -> GitError {
    var message = "libgit2 error \(code)"
    var errorClass: Int32 = 0
    if let last = git_error_last() {
        errorClass = last.pointee.klass
        if let text = last.pointee.message {
            message = String(cString: text)
        }
    }
    if !context.isEmpty { message = "\(context): \(message)" }
    return GitError(code: code, errorClass: errorClass, message: message)
}
