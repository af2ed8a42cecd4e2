import CGit2

/// A tag reference, peeled.
public struct Tag: Hashable, Sendable {
    public enum Target: Hashable, Sendable {
        case commit(ObjectID)
        /// The tag ends at a tree, blob or other non-commit object (e.g. `v2.6.11-tree` in Linux).
        case other(id: ObjectID, type: String)
        /// The reference, or a tag on the way, names an object the repository does not have (a
        /// corrupt or partially copied repository); the tag is skipped, the run goes on.
        case missing(ObjectID)
    }

    /// Name without `refs/tags/`.
    public var name: String
    public var reference: String
    /// The tag object for an annotated tag, the target itself for a lightweight one.
    public var objectID: ObjectID
    public var isAnnotated: Bool
    /// Tagger of the outermost annotated tag; nil for a lightweight tag or a tagger-less tag.
    public var tagger: Signature?
    public var message: String?
    /// What the tag leads to after peeling every tag level.
    public var target: Target

    public var commit: ObjectID? {
        if case .commit(let id) = target { return id }
        return nil
    }
}

extension Repository {
    /// Tags whose name (without `refs/tags/`) matches `glob` (fnmatch rules; default all).
    public func tags(matching glob: String = "*") throws(GitError) -> [Tag] {
        try references(matching: "refs/tags/" + glob).map { (reference) throws(GitError) in try tag(reference) }
    }

    /// Peels one tag reference: annotated or not, a tag of a tag, a tag of a tree or blob.
    public func tag(_ reference: Reference) throws(GitError) -> Tag {
        var oid = reference.target.raw
        var object: OpaquePointer?
        guard git_object_lookup(&object, pointer, &oid, GIT_OBJECT_ANY) == 0, let object else {
            return Tag(
                name: reference.shortName, reference: reference.name, objectID: reference.target,
                isAnnotated: false, tagger: nil, message: nil, target: .missing(reference.target))
        }
        defer { git_object_free(object) }

        var tagger: Signature?
        var message: String?
        let annotated = git_object_type(object) == GIT_OBJECT_TAG
        if annotated {
            let tag = object
            if let signature = git_tag_tagger(tag) { tagger = Signature(signature) }
            message = git_tag_message(tag).map { String(decodingCString: $0) }
        }
        let target = try peelFully(object)
        return Tag(
            name: reference.shortName, reference: reference.name, objectID: reference.target,
            isAnnotated: annotated, tagger: tagger, message: message, target: target)
    }

    private func peelFully(_ start: OpaquePointer) throws(GitError) -> Tag.Target {
        var current = ObjectID(pointer: git_object_id(start))
        var type = git_object_type(start)
        var depth = 0
        // Iterative, and bounded: a chain of tags can be long but never cyclic (ids are hashes
        // of content), so the bound only guards against a corrupt object store.
        while type == GIT_OBJECT_TAG, depth < 100_000 {
            var oid = current.raw
            var tag: OpaquePointer?
            guard git_tag_lookup(&tag, pointer, &oid) == 0 else { return .missing(current) }
            defer { git_tag_free(tag) }
            current = ObjectID(pointer: git_tag_target_id(tag))
            type = git_tag_target_type(tag)
            depth += 1
        }
        if type == GIT_OBJECT_COMMIT { return .commit(current) }
        let name = git_object_type2string(type).map { String(cString: $0) } ?? "unknown"
        return .other(id: current, type: name)
    }

    /// Creates an annotated tag `name` at `target`; refuses to overwrite an existing tag.
    @discardableResult
    public func createAnnotatedTag(
        name: String, target: ObjectID, message: String, tagger: Signature? = nil
    ) throws(GitError) -> ObjectID {
        var oid = target.raw
        var object: OpaquePointer?
        try check(git_object_lookup(&object, pointer, &oid, GIT_OBJECT_COMMIT), "tag target \(target)")
        defer { git_object_free(object) }
        let signature: Signature
        if let tagger { signature = tagger } else { signature = try defaultSignature() }
        var created = git_oid()
        try signature.withGitSignature { (sig) throws(GitError) in
            let result = git_tag_create(&created, pointer, name, object, sig, message, 0)
            if result == GIT_EEXISTS.rawValue {
                throw GitError(code: result, message: "tag '\(name)' already exists")
            }
            try check(result, "cannot create tag '\(name)'")
        }
        return ObjectID(created)
    }
}
