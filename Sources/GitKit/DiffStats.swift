import CGit2

/// What one commit changed, file by file, against its first parent (a root commit against the
/// empty tree), with renames detected as `git show --numstat` does by default.
public struct DiffStats: Hashable, Sendable {
    public struct File: Hashable, Sendable {
        public var path: String
        public var oldPath: String?
        public var linesAdded: Int
        public var linesDeleted: Int
        public var isBinary: Bool
    }

    public var files: [File]

    public var filesChanged: Int { files.count }
    public var linesAdded: Int { files.reduce(0) { $0 + $1.linesAdded } }
    public var linesDeleted: Int { files.reduce(0) { $0 + $1.linesDeleted } }
    public var linesChanged: Int { linesAdded + linesDeleted }
}

extension Repository {
    public func diffStats(for id: ObjectID) throws(GitError) -> DiffStats {
        var oid = id.raw
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, pointer, &oid), "commit \(id)")
        defer { git_commit_free(commit) }

        var newTree: OpaquePointer?
        try check(git_commit_tree(&newTree, commit), "tree of \(id.short())")
        defer { git_tree_free(newTree) }

        var oldTree: OpaquePointer?
        defer { if let oldTree { git_tree_free(oldTree) } }
        if git_commit_parentcount(commit) > 0 {
            var parent: OpaquePointer?
            let result = git_commit_parent(&parent, commit, 0)
            // In a shallow clone the first parent may be absent: diff against the empty tree.
            if result != GIT_ENOTFOUND.rawValue {
                try check(result, "first parent of \(id.short())")
                defer { git_commit_free(parent) }
                try check(git_commit_tree(&oldTree, parent), "tree of the parent of \(id.short())")
            }
        }

        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)))
        var diff: OpaquePointer?
        try check(git_diff_tree_to_tree(&diff, pointer, oldTree, newTree, &options), "diff of \(id.short())")
        defer { git_diff_free(diff) }

        var find = git_diff_find_options()
        try check(git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION)))
        find.flags = GIT_DIFF_FIND_RENAMES.rawValue
        try check(git_diff_find_similar(diff, &find), "rename detection for \(id.short())")

        var files = [DiffStats.File]()
        let count = git_diff_num_deltas(diff)
        files.reserveCapacity(count)
        for index in 0..<count {
            var patch: OpaquePointer?
            try check(git_patch_from_diff(&patch, diff, index), "patch \(index) of \(id.short())")
            defer { git_patch_free(patch) }
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
            let newPath = delta.new_file.path.map { String(decodingCString: $0) } ?? ""
            let oldPath = delta.old_file.path.map { String(decodingCString: $0) }
            let binary = delta.flags & GIT_DIFF_FLAG_BINARY.rawValue != 0
            var context = 0, added = 0, deleted = 0
            if !binary, patch != nil {
                try check(git_patch_line_stats(&context, &added, &deleted, patch), "line stats of \(id.short())")
            }
            files.append(DiffStats.File(
                path: newPath, oldPath: oldPath == newPath ? nil : oldPath,
                linesAdded: added, linesDeleted: deleted, isBinary: binary))
        }
        return DiffStats(files: files)
    }
}
