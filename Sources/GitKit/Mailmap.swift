import CGit2

/// The repository's `.mailmap` (and `mailmap.file` / `mailmap.blob`), as libgit2 resolves it.
public final class Mailmap {
    let pointer: OpaquePointer

    public init(_ repository: Repository) throws(GitError) {
        var handle: OpaquePointer?
        try check(git_mailmap_from_repository(&handle, repository.pointer), "cannot read .mailmap")
        guard let handle else { throw GitError(code: GitError.Code.gitKit, message: "cannot read .mailmap") }
        pointer = handle
    }

    /// A mailmap from text in `.mailmap` syntax.
    public init(text: String) throws(GitError) {
        Library.ensureInitialised()
        var handle: OpaquePointer?
        try check(git_mailmap_from_buffer(&handle, text, text.utf8.count), "invalid mailmap")
        guard let handle else { throw GitError(code: GitError.Code.gitKit, message: "invalid mailmap") }
        pointer = handle
    }

    deinit {
        git_mailmap_free(pointer)
    }

    /// The canonical name and email for an identity.
    public func resolve(name: String, email: String) -> (name: String, email: String) {
        // libgit2 may hand back the very pointers it was given, so the inputs must outlive the
        // copy made here.
        name.withCString { namePointer in
            email.withCString { emailPointer in
                var realName: UnsafePointer<CChar>?
                var realEmail: UnsafePointer<CChar>?
                guard git_mailmap_resolve(&realName, &realEmail, pointer, namePointer, emailPointer) == 0 else {
                    return (name, email)
                }
                return (
                    realName.map { String(decodingCString: $0) } ?? name,
                    realEmail.map { String(decodingCString: $0) } ?? email
                )
            }
        }
    }

    public func resolve(_ signature: Signature) -> Signature {
        let (name, email) = resolve(name: signature.name, email: signature.email)
        return Signature(name: name, email: email, time: signature.time)
    }
}

@available(*, unavailable)
extension Mailmap: Sendable {}
