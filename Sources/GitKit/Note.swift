import CGit2

extension Repository {
    /// The note attached to `commit` under `notesRef` (e.g. `refs/notes/ai`), nil when there is none.
    public func note(for commit: ObjectID, notesRef: String = "refs/notes/commits") throws(GitError) -> String? {
        var oid = commit.raw
        var note: OpaquePointer?
        let result = git_note_read(&note, pointer, notesRef, &oid)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "cannot read note of \(commit.short()) in \(notesRef)")
        defer { git_note_free(note) }
        return git_note_message(note).map { String(decodingCString: $0) }
    }

    /// Every commit that has a note under `notesRef`; empty when the ref does not exist.
    public func notedCommits(notesRef: String) throws(GitError) -> Set<ObjectID> {
        var iterator: OpaquePointer?
        let result = git_note_iterator_new(&iterator, pointer, notesRef)
        if result == GIT_ENOTFOUND.rawValue { return [] }
        try check(result, "cannot list notes in \(notesRef)")
        defer { git_note_iterator_free(iterator) }
        var ids = Set<ObjectID>()
        while true {
            var noteID = git_oid(), annotated = git_oid()
            let status = git_note_next(&noteID, &annotated, iterator)
            if status == GIT_ITEROVER.rawValue { break }
            try check(status, "cannot list notes in \(notesRef)")
            ids.insert(ObjectID(annotated))
        }
        return ids
    }
}
