import CGit2

/// A lazy walk over commit ids, like `git rev-list`. Iterate with `next()`; every libgit2
/// failure is thrown, and only the end of history returns nil.
public final class RevisionWalk {
    public struct Sorting: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// libgit2's default order: unspecified, cheapest.
        public static let none: Sorting = []
        public static let topological = Sorting(rawValue: GIT_SORT_TOPOLOGICAL.rawValue)
        public static let time = Sorting(rawValue: GIT_SORT_TIME.rawValue)
        public static let reverse = Sorting(rawValue: GIT_SORT_REVERSE.rawValue)
    }

    let pointer: OpaquePointer
    // The walk borrows the repository's handle; keep the repository alive while it walks.
    private let repository: Repository

    public init(_ repository: Repository, sorting: Sorting = .none) throws(GitError) {
        var handle: OpaquePointer?
        try check(git_revwalk_new(&handle, repository.pointer), "cannot start a walk")
        guard let handle else { throw GitError(code: GitError.Code.gitKit, message: "cannot start a walk") }
        pointer = handle
        self.repository = repository
        git_revwalk_sorting(pointer, sorting.rawValue)
    }

    deinit {
        git_revwalk_free(pointer)
    }

    public func push(_ id: ObjectID) throws(GitError) {
        var oid = id.raw
        try check(git_revwalk_push(pointer, &oid), "cannot walk from \(id)")
    }

    public func hide(_ id: ObjectID) throws(GitError) {
        var oid = id.raw
        try check(git_revwalk_hide(pointer, &oid), "cannot hide \(id)")
    }

    /// Starts from every reference matching `glob` (e.g. `refs/tags/*`); tags are peeled.
    public func push(glob: String) throws(GitError) {
        try check(git_revwalk_push_glob(pointer, glob), "cannot walk from \(glob)")
    }

    public func hide(glob: String) throws(GitError) {
        try check(git_revwalk_hide_glob(pointer, glob), "cannot hide \(glob)")
    }

    /// Starts from a revision (`HEAD`, a branch, a tag, an id).
    public func push(revision: String) throws(GitError) {
        try push(repository.resolveCommit(revision))
    }

    public func hide(revision: String) throws(GitError) {
        try hide(repository.resolveCommit(revision))
    }

    /// A range as `git rev-list` takes it (see `RevisionRange`).
    public func push(range: String) throws(GitError) {
        let parsed = try RevisionRange.parse(range, in: repository)
        for id in parsed.include { try push(id) }
        for id in parsed.exclude { try hide(id) }
    }

    /// The next commit id, nil at the end of history.
    public func next() throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let result = git_revwalk_next(&oid, pointer)
        if result == GIT_ITEROVER.rawValue { return nil }
        try check(result, "walk failed")
        return ObjectID(oid)
    }

    /// Drains the walk into an array.
    public func all() throws(GitError) -> [ObjectID] {
        var ids = [ObjectID]()
        while let id = try next() { ids.append(id) }
        return ids
    }
}

@available(*, unavailable)
extension RevisionWalk: Sendable {}
