import CGit2
import GitModel

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
