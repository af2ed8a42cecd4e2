import CGit2

/// A reference (branch, tag, note ref…) with what it points at.
public struct Reference: Hashable, Sendable {
    /// Full name, e.g. `refs/tags/v1.0`.
    public var name: String
    /// The object the reference points at directly (for an annotated tag: the tag object).
    public var target: ObjectID

    public var shortName: String {
        for prefix in ["refs/heads/", "refs/tags/", "refs/remotes/", "refs/"] where name.hasPrefix(prefix) {
            return String(name.dropFirst(prefix.count))
        }
        return name
    }
}

extension Repository {
    /// References whose full name matches `glob` (e.g. `refs/tags/*`, `refs/tags/deploy/*`),
    /// symbolic ones resolved. Sorted by name.
    public func references(matching glob: String = "refs/*") throws(GitError) -> [Reference] {
        var iterator: OpaquePointer?
        try check(git_reference_iterator_glob_new(&iterator, pointer, glob), "listing references \(glob)")
        defer { git_reference_iterator_free(iterator) }
        var result = [Reference]()
        while true {
            var reference: OpaquePointer?
            let status = git_reference_next(&reference, iterator)
            if status == GIT_ITEROVER.rawValue { break }
            try check(status, "listing references \(glob)")
            guard let reference else { break }
            defer { git_reference_free(reference) }
            let name = String(decodingCString: git_reference_name(reference))
            var resolved: OpaquePointer?
            guard git_reference_resolve(&resolved, reference) == 0, let resolved else { continue }
            defer { git_reference_free(resolved) }
            guard let target = git_reference_target(resolved) else { continue }
            result.append(Reference(name: name, target: ObjectID(pointer: target)))
        }
        return result.sorted { $0.name < $1.name }
    }
}
