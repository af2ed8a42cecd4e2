import Foundation
import GitKit
import WorkProgress

/// Changed lines, files and change measures of a repository's commits (by graph number), read on
/// demand — diffs are the costly part of history — and remembered once read.
public final class RepositoryDiffs {
    let repository: Repository
    let graph: CommitGraph
    let filter: ChangeFilter
    private var measurer: ChangeMeasurer
    private var cache: [Int: DiffStats?] = [:]
    /// Line counts and measures alone, for the many commits whose files nobody asks about.
    private var lineCounts: [Int: Int] = [:]
    private var measures: [Int: ChangeMeasure?] = [:]
    /// Let git fetch blobs a partial clone lacks before a commit's lines are given up as unknown.
    public var fetchMissing = false
    /// Commits read so far whose line counts are unknown: blobs not present.
    public private(set) var unknownLines = Set<Int>()
    private lazy var canFetch = fetchMissing && repository.isPartialClone

    public init(repository: Repository, graph: CommitGraph, filter: ChangeFilter = ChangeFilter()) {
        self.repository = repository
        self.graph = graph
        self.filter = filter
        measurer = ChangeMeasurer(filter: filter)
    }

    public func stats(of commit: Int) -> DiffStats? {
        if let cached = cache[commit] { return cached }
        let read = try? repository.measuredChange(for: graph.ids[commit], measurer: &measurer, fetchingMissing: fetchMissing)
        cache[commit] = read?.0
        remember(commit, lines: read?.0.linesChanged, measure: read?.1)
        return read?.0
    }

    private func remember(_ commit: Int, lines: Int?, measure: ChangeMeasure?) {
        lineCounts[commit] = lines ?? 0
        measures[commit] = .some(measure)  // nil remembered too: an unreadable diff is not read again
        if measure == nil { unknownLines.insert(commit) } else { unknownLines.remove(commit) }
    }

    public func linesChanged(of commit: Int) -> Int {
        if let count = lineCounts[commit] { return count }
        return stats(of: commit)?.linesChanged ?? 0
    }

    public func measure(of commit: Int) -> ChangeMeasure? {
        if let known = measures[commit] { return known }
        _ = stats(of: commit)
        return measures[commit] ?? nil
    }

    /// Line counts and measures of `commits` on every core; in a partial clone with
    /// `fetchMissing`, git fetches what was missing and those are read again.
    public func prefetch(_ commits: [Int]) {
        // By generation: neighbours in the order have parent trees of the same age, so the
        // reference of what the parent held (for copies) moves a short way between them.
        let generations = graph.generations
        let missing = Array(Set(commits.filter { measures[$0] == nil })).sorted { (generations[$0], $0) < (generations[$1], $1) }
        guard missing.count > 64 else { return }
        var results = read(missing)
        let unknown = missing.indices.filter { results[$0]?.measure == nil }
        if !unknown.isEmpty, canFetch, (try? repository.fetchMissingBlobs(of: unknown.map { graph.ids[missing[$0]] })) != nil {
            let again = read(unknown.map { missing[$0] })
            for (position, index) in unknown.enumerated() { results[index] = again[position] }
        }
        for (index, commit) in missing.enumerated() { remember(commit, lines: results[index]?.lines, measure: results[index]?.measure) }
    }

    /// Reads `commits` on every core (see `ParallelBlocks`); nil where a diff cannot be read.
    private func read(_ commits: [Int]) -> [(lines: Int, measure: ChangeMeasure?)?] {
        let path = repository.commonDirectory
        let ids = commits.map { graph.ids[$0] }
        let filter = self.filter
        WorkProgress.begin("measuring changed lines", total: ids.count, unit: "commits")
        // Bare: work-tree attribute files would cost file-system lookups for every path.
        let read = try? ParallelBlocks.map(
            count: ids.count, minimumToSplit: 0,
            setup: {
                (try Repository(gitDirectoryIgnoringWorkTree: path), ChangeMeasurer(filter: filter))
            },
            { worker, index -> (lines: Int, measure: ChangeMeasure?)? in
                defer { WorkProgress.advance() }
                return (try? worker.0.measuredChange(for: ids[index], measurer: &worker.1)).map { ($0.0.linesChanged, $0.1) }
            }
        )
        return read ?? Array(repeating: nil, count: ids.count)
    }
}
