import CGit2
import Foundation

/// An open git repository. Owns its libgit2 handle; use it from one thread at a time.
public final class Repository {
    let pointer: OpaquePointer

    /// Opens the repository containing `path` (a work tree, a bare repository, or a linked
    /// worktree), searching upwards like `git` does.
    public init(discovering path: String) throws(GitError) {
        Library.ensureInitialised()
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: absolute) else {
            throw GitError(code: GIT_ENOTFOUND.rawValue, message: "\(absolute) does not exist")
        }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        let found = git_repository_discover(&buffer, absolute, 0, nil)
        guard found == 0, let discovered = buffer.ptr else {
            throw GitError(code: GIT_ENOTFOUND.rawValue, message: "\(absolute) is not inside a git repository")
        }
        var handle: OpaquePointer?
        try check(git_repository_open(&handle, discovered), "cannot open the repository at \(absolute)")
        guard let handle else { throw GitError(code: GitError.Code.gitKit, message: "cannot open \(absolute)") }
        pointer = handle
    }

    /// Opens a git directory as a bare repository, ignoring any work tree. Reading history this
    /// way skips work-tree lookups such as per-directory `.gitattributes` files, which cost
    /// file-system calls for every path a diff touches.
    public init(gitDirectoryIgnoringWorkTree path: String) throws(GitError) {
        Library.ensureInitialised()
        var handle: OpaquePointer?
        try check(
            git_repository_open_ext(&handle, path, GIT_REPOSITORY_OPEN_BARE.rawValue | GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil),
            "cannot open \(path)")
        guard let handle else { throw GitError(code: GitError.Code.gitKit, message: "cannot open \(path)") }
        pointer = handle
    }

    deinit {
        git_repository_free(pointer)
    }

    /// The work tree root (without trailing slash), nil for a bare repository.
    public var workDirectory: String? {
        git_repository_workdir(pointer).map { Self.trimSlash(String(cString: $0)) }
    }

    /// The `.git` folder of this work tree (for a linked worktree, its private folder).
    public var gitDirectory: String { Self.trimSlash(String(cString: git_repository_path(pointer))) }

    /// The folder shared by all worktrees: where hooks, refs and the shipmeter ledger live.
    public var commonDirectory: String { Self.trimSlash(String(cString: git_repository_commondir(pointer))) }

    public var isBare: Bool { git_repository_is_bare(pointer) == 1 }
    public var isShallow: Bool { git_repository_is_shallow(pointer) == 1 }
    /// No commits at all: HEAD is unborn and no reference exists. (libgit2's own check assumes
    /// the initial branch is named by `init.defaultBranch`, which `git init -b` overrides.)
    public var isEmpty: Bool {
        guard git_repository_head_unborn(pointer) == 1 else { return false }
        return ((try? references(matching: "refs/*")) ?? []).isEmpty
    }
    public var isWorktree: Bool { git_repository_is_worktree(pointer) == 1 }

    /// Commits listed in `shallow`: their parents are not in this clone.
    public func shallowBoundary() -> Set<ObjectID> {
        guard let text = try? String(contentsOfFile: commonDirectory + "/shallow", encoding: .utf8) else { return [] }
        return Set(text.split(whereSeparator: \.isNewline).compactMap { try? ObjectID(hex: String($0)) })
    }

    static func trimSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    // MARK: - Objects

    public func commit(_ id: ObjectID) throws(GitError) -> Commit {
        var oid = id.raw
        var handle: OpaquePointer?
        try check(git_commit_lookup(&handle, pointer, &oid), "commit \(id)")
        guard let handle else { throw GitError(code: GitError.Code.gitKit, message: "commit \(id) missing") }
        defer { git_commit_free(handle) }
        return Commit(handle)
    }

    /// Resolves a revision (`HEAD`, a branch, a tag, `abc1234`, `main~2`) to the commit it names,
    /// peeling tags.
    public func resolveCommit(_ revision: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, pointer, revision), "cannot resolve '\(revision)'")
        guard let object else { throw GitError(code: GIT_ENOTFOUND.rawValue, message: "cannot resolve '\(revision)'") }
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        let result = git_object_peel(&peeled, object, GIT_OBJECT_COMMIT)
        guard result == 0, let peeled else {
            throw GitError(code: result < 0 ? result : GitError.Code.gitKit, message: "'\(revision)' does not name a commit")
        }
        defer { git_object_free(peeled) }
        return ObjectID(pointer: git_object_id(peeled))
    }

    /// The commit HEAD points at, nil in a repository with no commits yet.
    public func head() throws(GitError) -> ObjectID? {
        var reference: OpaquePointer?
        let result = git_repository_head(&reference, pointer)
        if result == GIT_EUNBORNBRANCH.rawValue || result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "cannot read HEAD")
        defer { git_reference_free(reference) }
        return try resolveCommit("HEAD")
    }

    /// The best common ancestor of two commits, nil when their histories are unrelated.
    public func mergeBase(_ one: ObjectID, _ other: ObjectID) throws(GitError) -> ObjectID? {
        var out = git_oid()
        var a = one.raw, b = other.raw
        let result = git_merge_base(&out, pointer, &a, &b)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "merge-base of \(one.short()) and \(other.short())")
        return ObjectID(out)
    }

    /// Every best common ancestor (criss-cross merges have several).
    public func mergeBases(_ one: ObjectID, _ other: ObjectID) throws(GitError) -> [ObjectID] {
        var array = git_oidarray()
        var a = one.raw, b = other.raw
        let result = git_merge_bases(&array, pointer, &a, &b)
        if result == GIT_ENOTFOUND.rawValue { return [] }
        try check(result, "merge-bases of \(one.short()) and \(other.short())")
        defer { git_oidarray_dispose(&array) }
        return (0..<array.count).map { ObjectID(array.ids[$0]) }
    }

    /// Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor).
    public func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws(GitError) -> Bool {
        if ancestor == descendant { return true }
        var a = descendant.raw, b = ancestor.raw
        let result = git_graph_descendant_of(pointer, &a, &b)
        try check(result, "ancestry of \(ancestor.short())")
        return result == 1
    }

    // MARK: - Configuration

    /// A configuration value as `git config --get` resolves it, nil when unset.
    public func configString(_ name: String) -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, pointer) == 0, let config else { return nil }
        defer { git_config_free(config) }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_config_get_string_buf(&buffer, config, name) == 0, let text = buffer.ptr else { return nil }
        return String(cString: text)
    }

    /// Several configuration values from one read of the configuration files (a hook reads a
    /// few settings and wants to read the files once).
    public func configStrings(_ names: [String]) -> [String: String] {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, pointer) == 0, let config else { return [:] }
        defer { git_config_free(config) }
        var values = [String: String]()
        for name in names {
            var buffer = git_buf()
            defer { git_buf_dispose(&buffer) }
            if git_config_get_string_buf(&buffer, config, name) == 0, let text = buffer.ptr { values[name] = String(cString: text) }
        }
        return values
    }

    /// A boolean configuration value, nil when unset or not a boolean.
    public func configBool(_ name: String) -> Bool? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, pointer) == 0, let config else { return nil }
        defer { git_config_free(config) }
        var value: Int32 = 0
        guard git_config_get_bool(&value, config, name) == 0 else { return nil }
        return value != 0
    }

    /// Sets a value in the repository's own configuration (`.git/config`).
    public func setConfigString(_ name: String, _ value: String) throws(GitError) {
        var config: OpaquePointer?
        try check(git_repository_config(&config, pointer), "cannot open the configuration")
        defer { git_config_free(config) }
        var local: OpaquePointer?
        try check(git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL), "cannot open the repository configuration")
        defer { git_config_free(local) }
        try check(git_config_set_string(local, name, value), "cannot set \(name)")
    }

    /// The URL of a remote as configured (`remote.<name>.url`, before any `insteadOf`
    /// rewriting, so it matches what agents record), nil when there is no such remote.
    public func remoteURL(_ name: String = "origin") -> String? {
        configString("remote.\(name).url")
    }

    /// The default signature (`user.name`, `user.email`) stamped with the current time.
    public func defaultSignature() throws(GitError) -> Signature {
        var signature: UnsafeMutablePointer<git_signature>?
        try check(git_signature_default(&signature, pointer), "set user.name and user.email")
        guard let signature else { throw GitError(code: GitError.Code.gitKit, message: "no default signature") }
        defer { git_signature_free(signature) }
        return Signature(signature)
    }
}

@available(*, unavailable)
extension Repository: Sendable {}

extension Repository {
    /// The bytes of `path` in the tree of `revision` (e.g. `HEAD`), nil when there is no such file.
    public func fileContents(_ path: String, at revision: String = "HEAD") -> [UInt8]? {
        var object: OpaquePointer?
        guard git_revparse_single(&object, pointer, "\(revision):\(path)") == 0, let object else { return nil }
        defer { git_object_free(object) }
        guard git_object_type(object) == GIT_OBJECT_BLOB else { return nil }
        let size = Int(git_blob_rawsize(object))
        guard let content = git_blob_rawcontent(object) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }
}
