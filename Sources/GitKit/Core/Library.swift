import CGit2

/// libgit2 wants `git_libgit2_init()` once per process before any other call. A lazily
/// initialised static runs it exactly once, thread-safely; it is never shut down because
/// handles may outlive any owner we could name.
enum Library {
    private static let initialised: Bool = {
        git_libgit2_init()
        return true
    }()

    static func ensureInitialised() {
        _ = initialised
    }
}
