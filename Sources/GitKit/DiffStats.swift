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
        /// False when a blob of the file is not in the object store (a partial clone, a
        /// snapshot without large files): its line counts are unknown, not 0.
        public var linesKnown = true
    }

    public var files: [File]

    /// Whether every file's line counts are known.
    public var linesKnown: Bool { files.allSatisfy(\.linesKnown) }

    public var filesChanged: Int { files.count }
    public var linesAdded: Int { files.reduce(0) { $0 + $1.linesAdded } }
    public var linesDeleted: Int { files.reduce(0) { $0 + $1.linesDeleted } }
    public var linesChanged: Int { linesAdded + linesDeleted }
}

/// Receives each added or deleted line of a diff: the file's path, whether the line was added,
/// and its bytes (with the line end). Binary files have no lines.
public typealias DiffLineVisitor = (_ path: String, _ added: Bool, _ line: UnsafeRawBufferPointer) -> Void

extension Repository {
    /// The changes of one commit, and with `lines` every added and deleted line, read in the same
    /// pass as the counts.
    public func diffStats(for id: ObjectID, lines: DiffLineVisitor) throws(GitError) -> DiffStats {
        // The visitor is only called during this call; an optional closure is escaping by type.
        let result: Result<DiffStats, GitError> = withoutActuallyEscaping(lines) { visitor in
            do throws(GitError) { return .success(try diffStats(for: id, visitor: visitor)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The changes of one commit. Trees are compared by id and only differing subtrees are
    /// opened (libgit2's tree diff visits every entry of both trees, which dominates on large
    /// trees); when files were both added and deleted, libgit2's full diff runs instead so that
    /// renames are found exactly as `git` finds them.
    public func diffStats(for id: ObjectID) throws(GitError) -> DiffStats {
        try diffStats(for: id, visitor: nil)
    }

    private func diffStats(for id: ObjectID, visitor: DiffLineVisitor?) throws(GitError) -> DiffStats {
        var oid = id.raw
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, pointer, &oid), "commit \(id)")
        defer { git_commit_free(commit) }
        let newTree = ObjectID(pointer: git_commit_tree_id(commit))
        var oldTree: ObjectID?
        if git_commit_parentcount(commit) > 0, let parentID = git_commit_parent_id(commit, 0) {
            var parentOID = parentID.pointee
            var parent: OpaquePointer?
            // In a shallow clone the first parent may be absent: diff against the empty tree.
            let found = git_commit_lookup(&parent, pointer, &parentOID)
            if found != GIT_ENOTFOUND.rawValue {
                try check(found, "first parent of \(id.short())")
                defer { git_commit_free(parent) }
                oldTree = ObjectID(pointer: git_commit_tree_id(parent))
            }
        }
        var changes = [TreeChange]()
        try compareTrees(oldTree, newTree, prefix: "", into: &changes)
        if changes.contains(where: { $0.old == nil }) && changes.contains(where: { $0.new == nil }) {
            do {
                return try fullDiffStats(for: id, visitor: visitor)
            } catch  where error.code == GIT_ENOTFOUND.rawValue {
                // Rename detection reads blobs; without them, file by file with the lines unknown.
                return DiffStats(
                    files: try changes.map { change throws(GitError) in try lineStats(change, visitor: nil) }.sorted { $0.path < $1.path })
            }
        }
        var files = [DiffStats.File]()
        files.reserveCapacity(changes.count)
        for change in changes {
            files.append(try lineStats(change, visitor: visitor))
        }
        return DiffStats(files: files.sorted { $0.path < $1.path })
    }

    struct TreeChange {
        var path: String
        var old: (id: ObjectID, mode: UInt32)?
        var new: (id: ObjectID, mode: UInt32)?
    }

    static let treeMode: UInt32 = 0o040000
    static let submoduleMode: UInt32 = 0o160000

    private func lookupTree(_ id: ObjectID?) throws(GitError) -> OpaquePointer? {
        guard let id else { return nil }
        var oid = id.raw
        var handle: OpaquePointer?
        try check(git_tree_lookup(&handle, pointer, &oid), "tree \(id.short())")
        return handle
    }

    /// Walks both trees in git's entry order at once; only entries that differ are named.
    func compareTrees(_ old: ObjectID?, _ new: ObjectID?, prefix: String, into changes: inout [TreeChange]) throws(GitError) {
        if old == new { return }
        let before = try lookupTree(old)
        defer { if let before { git_tree_free(before) } }
        let after = try lookupTree(new)
        defer { if let after { git_tree_free(after) } }
        let beforeCount = before.map { git_tree_entrycount($0) } ?? 0, afterCount = after.map { git_tree_entrycount($0) } ?? 0
        var i = 0, j = 0
        func side(_ entry: OpaquePointer) -> (id: ObjectID, mode: UInt32) {
            (ObjectID(pointer: git_tree_entry_id(entry)), git_tree_entry_filemode(entry).rawValue)
        }
        while i < beforeCount || j < afterCount {
            let a = i < beforeCount ? git_tree_entry_byindex(before, i) : nil
            let b = j < afterCount ? git_tree_entry_byindex(after, j) : nil
            var order: Int32 = 0
            if let a, let b {
                // git's entry order (a folder sorts as if its name ended in `/`), the order both
                // trees are stored in; a file and a folder of one name are two entries.
                order = git_tree_entry_cmp(a, b)
            } else {
                order = a == nil ? 1 : -1
            }
            let oldSide = order <= 0 ? a.map(side) : nil
            let newSide = order >= 0 ? b.map(side) : nil
            if order <= 0 { i += 1 }
            if order >= 0 { j += 1 }
            if let oldSide, let newSide, oldSide.id == newSide.id, oldSide.mode == newSide.mode { continue }
            guard let entry = order <= 0 ? a : b else { continue }
            let name = String(decodingCString: git_tree_entry_name(entry))
            let path = prefix + name
            let oldIsTree = oldSide?.mode == Self.treeMode, newIsTree = newSide?.mode == Self.treeMode
            if oldIsTree || newIsTree {
                try compareTrees(oldIsTree ? oldSide?.id : nil, newIsTree ? newSide?.id : nil, prefix: path + "/", into: &changes)
                if let oldSide, !oldIsTree { changes.append(TreeChange(path: path, old: oldSide, new: nil)) }
                if let newSide, !newIsTree { changes.append(TreeChange(path: path, old: nil, new: newSide)) }
            } else {
                changes.append(TreeChange(path: path, old: oldSide, new: newSide))
            }
        }
    }

    private func lineStats(_ change: TreeChange, visitor: DiffLineVisitor?) throws(GitError) -> DiffStats.File {
        // Submodule pointers count as a one-line change, as git counts them.
        if change.old?.mode == Self.submoduleMode || change.new?.mode == Self.submoduleMode {
            return DiffStats.File(
                path: change.path, oldPath: nil, linesAdded: change.new == nil ? 0 : 1, linesDeleted: change.old == nil ? 0 : 1, isBinary: false)
        }
        if let old = change.old, let new = change.new, old.id == new.id {
            return DiffStats.File(path: change.path, oldPath: nil, linesAdded: 0, linesDeleted: 0, isBinary: false)  // mode only
        }
        var missing = false
        func blob(_ side: (id: ObjectID, mode: UInt32)?) throws(GitError) -> OpaquePointer? {
            guard let side else { return nil }
            var oid = side.id.raw
            var handle: OpaquePointer?
            let found = git_blob_lookup(&handle, pointer, &oid)
            if found == GIT_ENOTFOUND.rawValue {
                missing = true
                return nil
            }
            try check(found, "blob \(side.id.short())")
            return handle
        }
        let oldBlob = try blob(change.old)
        defer { if let oldBlob { git_blob_free(oldBlob) } }
        let newBlob = try blob(change.new)
        defer { if let newBlob { git_blob_free(newBlob) } }
        if missing {
            return DiffStats.File(path: change.path, oldPath: nil, linesAdded: 0, linesDeleted: 0, isBinary: false, linesKnown: false)
        }
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)))
        var patch: OpaquePointer?
        try check(git_patch_from_blobs(&patch, oldBlob, change.path, newBlob, change.path, &options), "diff of \(change.path)")
        defer { git_patch_free(patch) }
        let binary = git_patch_get_delta(patch).map { $0.pointee.flags & GIT_DIFF_FLAG_BINARY.rawValue != 0 } ?? false
        var context = 0, added = 0, deleted = 0
        if !binary {
            try check(git_patch_line_stats(&context, &added, &deleted, patch), "line stats of \(change.path)")
            if let visitor { try Self.visitLines(patch, path: change.path, visitor) }
        }
        return DiffStats.File(path: change.path, oldPath: nil, linesAdded: added, linesDeleted: deleted, isBinary: binary)
    }

    /// libgit2's own diff with rename detection, as `git show --numstat` does by default.
    func fullDiffStats(for id: ObjectID, visitor: DiffLineVisitor? = nil) throws(GitError) -> DiffStats {
        let diff = try firstParentDiff(of: id)
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
                if let visitor { try Self.visitLines(patch, path: newPath, visitor) }
            }
            files.append(
                DiffStats.File(
                    path: newPath, oldPath: oldPath == newPath ? nil : oldPath,
                    linesAdded: added, linesDeleted: deleted, isBinary: binary))
        }
        return DiffStats(files: files)
    }

    /// libgit2's diff of `id` against its first parent (a root commit, or a shallow clone's
    /// missing parent, against the empty tree); the caller frees it.
    func firstParentDiff(of id: ObjectID, contextLines: UInt32? = nil) throws(GitError) -> OpaquePointer? {
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
            if result != GIT_ENOTFOUND.rawValue {
                try check(result, "first parent of \(id.short())")
                defer { git_commit_free(parent) }
                try check(git_commit_tree(&oldTree, parent), "tree of the parent of \(id.short())")
            }
        }
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)))
        if let contextLines { options.context_lines = contextLines }
        var diff: OpaquePointer?
        try check(git_diff_tree_to_tree(&diff, pointer, oldTree, newTree, &options), "diff of \(id.short())")
        return diff
    }

    /// Hands every added and deleted line of `patch` to `visitor`.
    static func visitLines(_ patch: OpaquePointer?, path: String, _ visitor: DiffLineVisitor) throws(GitError) {
        let hunks = git_patch_num_hunks(patch)
        for hunk in 0..<hunks {
            let count = git_patch_num_lines_in_hunk(patch, hunk)
            guard count > 0 else { continue }
            for index in 0..<Int(count) {
                var line: UnsafePointer<git_diff_line>?
                try check(git_patch_get_line_in_hunk(&line, patch, hunk, index), "line \(index) of \(path)")
                guard let line = line?.pointee else { continue }
                let origin = UInt8(bitPattern: line.origin)
                guard origin == UInt8(ascii: "+") || origin == UInt8(ascii: "-") else { continue }
                visitor(path, origin == UInt8(ascii: "+"), UnsafeRawBufferPointer(start: line.content, count: line.content_len))
            }
        }
    }
}

extension Repository {
    /// The line numbers (in the new file, from 1) of the lines `id` adds against its first
    /// parent, by path; files whose blobs are missing or binary have none.
    public func addedLineNumbers(for id: ObjectID) throws(GitError) -> [String: [Int]] {
        let diff = try firstParentDiff(of: id, contextLines: 0)
        defer { git_diff_free(diff) }
        var result = [String: [Int]]()
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index)?.pointee, delta.flags & GIT_DIFF_FLAG_BINARY.rawValue == 0 else { continue }
            var patch: OpaquePointer?
            guard git_patch_from_diff(&patch, diff, index) == 0, patch != nil else { continue }  // a missing blob: no lines
            defer { git_patch_free(patch) }
            let path = delta.new_file.path.map { String(decodingCString: $0) } ?? ""
            var numbers = [Int]()
            for hunk in 0..<git_patch_num_hunks(patch) {
                let count = git_patch_num_lines_in_hunk(patch, hunk)
                for line in 0..<max(0, Int(count)) {
                    var pointer: UnsafePointer<git_diff_line>?
                    guard git_patch_get_line_in_hunk(&pointer, patch, hunk, line) == 0, let entry = pointer?.pointee,
                        UInt8(bitPattern: entry.origin) == UInt8(ascii: "+")
                    else { continue }
                    numbers.append(Int(entry.new_lineno))
                }
            }
            if !numbers.isEmpty { result[path] = numbers }
        }
        return result
    }
}
