import Attribution
import Foundation
import GitKit
import WorkProgress

/// `commits`: commits with authors (mailmap applied), trailers, diff stats, effective lines and
/// AI-assistance signals.
public enum CommitListing {
    /// One commit as the listing shows it.
    public struct Entry: Sendable {
        public var id: String
        public var shortID: String
        public var parents: [String]
        public var authorName: String
        public var authorEmail: String
        /// ISO 8601 in the recorded offset.
        public var authorTime: String
        public var committerTime: String
        public var summary: String
        public var trailers: [(key: String, value: String)]
        public var filesChanged: Int
        /// Nil when the lines are unknown (blobs not present).
        public var linesAdded: Int?
        public var linesDeleted: Int?
        /// Effective lines, capped per commit as a report counts them; nil when the lines are unknown.
        public var effectiveLines: Double?
        public var signals: [String]
        /// Lines an agent wrote that the commit adds (git-ai notes, Agent Trace); nil when neither covers it.
        public var aiLines: Int?
        /// The same lines per format.
        public var aiLineSources: [String: Int] = [:]
    }

    /// The commits of `range` (`A..B`, `A...B`, a revision; default HEAD), newest first.
    /// `tracePaths`: Agent Trace files besides the work tree's `.agent-trace/traces.jsonl`.
    public static func list(
        _ context: RepositoryContext, range: String?, fetchMissing: Bool = false, tracePaths: [String] = []
    ) throws(EngineError) -> [Entry] {
        let repo = context.repository
        let configuration = context.configuration
        let ids: [ObjectID]
        WorkProgress.begin("finding the commits of \(range ?? "HEAD")")
        do {
            ids = try selection(repo, range: range)
        } catch {
            throw .badRevision(range ?? "HEAD", detail: error.message)
        }
        do {
            if fetchMissing, repo.isPartialClone {
                // One git run fetches what any listed commit lacks (git skips what is present).
                try repo.fetchMissingBlobs(of: ids)
            }
            let aiLines = try AILineReader(repository: repo, tracePaths: tracePaths)
            let noted = aiLines.noted
            let detector = configuration.aiDetector, filter = context.changeFilter, lineCap = configuration.lineWeightCap
            // Diffs dominate: every core (see `ParallelBlocks`). The mailmap (which a work tree's
            // uncommitted .mailmap can change) is applied afterwards, from this repository.
            let path = repo.commonDirectory
            WorkProgress.begin("reading commits", total: ids.count, unit: "commits")
            let entries = try ParallelBlocks.map(
                count: ids.count,
                setup: {
                    (try Repository(gitDirectoryIgnoringWorkTree: path), ChangeMeasurer(filter: filter))
                },
                { worker, index -> (Commit, Entry) in
                    defer { WorkProgress.advance() }
                    let id = ids[index]
                    let commit = try worker.0.commit(id)
                    let (trailers, embedded) = Trailer.read(message: commit.message)
                    let (stats, measure) = try worker.0.measuredChange(for: id, measurer: &worker.1)
                    let written = aiLines.isEmpty ? nil : aiLines.count(for: commit, in: worker.0)
                    var signals = detector.signals(
                        for: commit, summary: commit.summary, trailers: trailers, embedded: embedded, hasAINote: noted.contains(id))
                    if let traced = written?.sources[AISignalDetector.Signal.agentTrace], traced > 0 {
                        signals.append(AISignalDetector.Signal.agentTrace)
                    }
                    var entry = Entry(
                        id: id.hex, shortID: id.short(), parents: commit.parents.map(\.hex), authorName: commit.author.name,
                        authorEmail: commit.author.email,
                        authorTime: commit.author.time.iso8601, committerTime: commit.committer.time.iso8601, summary: commit.summary,
                        trailers: trailers.map { ($0.key, $0.value) }, filesChanged: stats.filesChanged,
                        linesAdded: stats.linesKnown ? stats.linesAdded : nil, linesDeleted: stats.linesKnown ? stats.linesDeleted : nil,
                        effectiveLines: measure.map { min($0.effectiveLines, Double(lineCap)) },
                        signals: signals)
                    entry.aiLines = written?.lines
                    entry.aiLineSources = written?.sources ?? [:]
                    return (commit, entry)
                }
            )
            let mailmap = try Mailmap(repo)
            return entries.map { commit, entry in
                var entry = entry
                let author = mailmap.resolve(commit.author)
                (entry.authorName, entry.authorEmail) = (author.name, author.email)
                return entry
            }
        } catch {
            throw EngineError.wrapping(error)
        }
    }

    /// The commits of `range`, newest first as `git log` orders them. Read from the commit
    /// graph, which also handles shallow clones (libgit2's own walk stops with an error at a
    /// shallow boundary).
    static func selection(_ repo: Repository, range: String?) throws(GitError) -> [ObjectID] {
        var include = [ObjectID](), exclude = [ObjectID]()
        if let range {
            let parsed = try RevisionRange.parse(range, in: repo)
            include = parsed.include
            exclude = parsed.exclude
        } else {
            guard let head = try repo.head() else { return [] }
            include = [head]
        }
        let graph = try CommitGraph.load(repo, tips: include + exclude)
        let numbers = graph.range(include: include.compactMap(graph.number(of:)), exclude: exclude.compactMap(graph.number(of:)))
        return
            numbers
            .sorted { (graph.committerTimes[$0].seconds, graph.generations[$0]) > (graph.committerTimes[$1].seconds, graph.generations[$1]) }
            .map { graph.ids[$0] }
    }
}
