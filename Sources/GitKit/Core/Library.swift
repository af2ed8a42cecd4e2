import CGit2

/// libgit2 wants `git_libgit2_init()` once per process before any other call. A lazily
/// initialised static runs it exactly once, thread-safely; it is never shut down because
/// handles may outlive any owner we could name.
enum Library {
    private static let initialised: Bool = {
        git_libgit2_init()
        // libgit2 caches trees only up to 4 KB, so large folders (hundreds of entries) were
        // re-read and inflated for every commit that touched them. Diffs of consecutive
        // commits share those trees: keep them.
        _ = shipmeter_git_set_cache_object_limit(GIT_OBJECT_TREE, 1 << 20)
        // Walking history, a blob read as one commit's new side is its child's old side: keep
        // ordinary-sized ones (libgit2 caches none by default).
        _ = shipmeter_git_set_cache_object_limit(GIT_OBJECT_BLOB, 256 << 10)
        _ = shipmeter_git_set_cache_max_size(128 << 20)
        return true
    }()

    static func ensureInitialised() {
        _ = initialised
    }
}
