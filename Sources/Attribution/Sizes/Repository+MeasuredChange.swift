import GitKit

extension Repository {
    /// A commit's diff stats and change measure, read in one pass over its diff against a
    /// reference of what its parent held; the measure is nil when some of its blobs are missing
    /// (the line counts are unknown then).
    public func measuredChange(for id: ObjectID, measurer: inout ChangeMeasurer) throws(GitError) -> (DiffStats, ChangeMeasure?) {
        do {
            try measurer.prepare(for: id, in: self)
            let stats = try diffStats(for: id) { path, added, line in
                measurer.visit(path: path, added: added, line: line)
            }
            let measure = measurer.finish()
            return (stats, stats.linesKnown ? measure : nil)
        } catch {
            _ = measurer.finish()  // what was read of this commit must not count for the next
            throw error
        }
    }

    /// The same; with `fetchingMissing`, in a partial clone whose blobs for the commit are
    /// missing, git fetches them and the commit is read again.
    public func measuredChange(
        for id: ObjectID, measurer: inout ChangeMeasurer, fetchingMissing: Bool
    ) throws(GitError) -> (DiffStats, ChangeMeasure?) {
        let read = try measuredChange(for: id, measurer: &measurer)
        guard read.1 == nil, fetchingMissing, isPartialClone, (try? fetchMissingBlobs(of: [id])) != nil else { return read }
        return try measuredChange(for: id, measurer: &measurer)
    }
}
