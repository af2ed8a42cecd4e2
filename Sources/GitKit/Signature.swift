import CGit2
import Foundation
import GitModel

/// Signatures to and from libgit2's.
extension Signature {
    init(_ pointer: UnsafePointer<git_signature>) {
        let signature = pointer.pointee
        self.init(
            name: signature.name.map { String(decodingCString: $0) } ?? "", email: signature.email.map { String(decodingCString: $0) } ?? "",
            time: GitTime(seconds: signature.when.time, offsetMinutes: signature.when.offset))
    }

    /// Runs `body` with a libgit2 signature for this value; the C object lives only for the call.
    func withGitSignature<T>(_ body: (UnsafePointer<git_signature>) throws(GitError) -> T) throws(GitError) -> T {
        var pointer: UnsafeMutablePointer<git_signature>?
        try check(git_signature_new(&pointer, name, email, git_time_t(time.seconds), Int32(time.offsetMinutes)), "invalid signature")
        guard let pointer else { throw GitError(code: GitError.Code.gitKit, message: "invalid signature") }
        defer { git_signature_free(pointer) }
        return try body(pointer)
    }
}

extension String {
    /// Decodes C text that may not be valid UTF-8, replacing bad bytes rather than failing.
    init(decodingCString pointer: UnsafePointer<CChar>) {
        let length = strlen(pointer)
        self = pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}
