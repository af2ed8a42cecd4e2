import CGit2

/// A file that differs between two trees: its blob on each side (nil where it is absent).
public struct BlobChange: Sendable, Hashable {
    public var path: String
    public var old: ObjectID?
    public var new: ObjectID?
}

extension Repository {
    /// The tree of `commit`'s first parent (nil for a root commit, or a shallow clone's missing
    /// parent), and whether the commit is a merge.
    public func firstParentTree(of commit: ObjectID) throws(GitError) -> (tree: ObjectID?, isMerge: Bool) {
        var oid = commit.raw
        var handle: OpaquePointer?
        try check(git_commit_lookup(&handle, pointer, &oid), "commit \(commit)")
        defer { git_commit_free(handle) }
        let isMerge = git_commit_parentcount(handle) > 1
        guard git_commit_parentcount(handle) > 0, let parentID = git_commit_parent_id(handle, 0) else { return (nil, isMerge) }
        var parentOID = parentID.pointee
        var parent: OpaquePointer?
        let found = git_commit_lookup(&parent, pointer, &parentOID)
        if found == GIT_ENOTFOUND.rawValue { return (nil, isMerge) }
        try check(found, "first parent of \(commit.short())")
        defer { git_commit_free(parent) }
        return (ObjectID(pointer: git_commit_tree_id(parent)), isMerge)
    }

    /// The regular files (and symbolic links) that differ between two trees (nil: the empty
    /// tree), opening only the subtrees that differ; submodules are left out.
    public func blobChanges(from old: ObjectID?, to new: ObjectID?) throws(GitError) -> [BlobChange] {
        var changes = [TreeChange]()
        try compareTrees(old, new, prefix: "", into: &changes)
        return changes.compactMap { change in
            let oldBlob = change.old?.mode == Self.submoduleMode ? nil : change.old?.id
            let newBlob = change.new?.mode == Self.submoduleMode ? nil : change.new?.id
            guard oldBlob != nil || newBlob != nil else { return nil }
            return BlobChange(path: change.path, old: oldBlob, new: newBlob)
        }
    }

    /// `body` over a blob's bytes (valid only during the call); nil when the blob is not in the
    /// object store (a partial clone).
    public func withBlob<Result>(_ id: ObjectID, _ body: (UnsafeRawBufferPointer) throws(GitError) -> Result) throws(GitError) -> Result? {
        var oid = id.raw
        var handle: OpaquePointer?
        let found = git_blob_lookup(&handle, pointer, &oid)
        if found == GIT_ENOTFOUND.rawValue { return nil }
        try check(found, "blob \(id.short())")
        defer { git_blob_free(handle) }
        let size = Int(git_blob_rawsize(handle))
        return try body(UnsafeRawBufferPointer(start: git_blob_rawcontent(handle), count: size))
    }
}

extension Repository {
    /// The blob at `path` in `tree`; nil when there is none (or it is a folder or a submodule).
    public func blob(at path: String, in tree: ObjectID) throws(GitError) -> ObjectID? {
        var oid = tree.raw
        var handle: OpaquePointer?
        try check(git_tree_lookup(&handle, pointer, &oid), "tree \(tree.short())")
        defer { git_tree_free(handle) }
        var entry: OpaquePointer?
        let found = git_tree_entry_bypath(&entry, handle, path)
        if found == GIT_ENOTFOUND.rawValue { return nil }
        try check(found, "\(path) in tree \(tree.short())")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        return ObjectID(pointer: git_tree_entry_id(entry))
    }
}
