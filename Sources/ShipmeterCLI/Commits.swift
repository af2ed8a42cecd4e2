import ArgumentParser
import Attribution
import Foundation
import GitKit
import Reporting

extension Shipmeter {
    struct Commits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List commits with authors, trailers, diff stats and AI-assistance signals.",
            discussion: "Without --range: every commit reachable from HEAD, newest first."
        )

        @OptionGroup var repository: RepositoryOptions

        @Option(help: ArgumentHelp("Commits to list, as git rev-list takes them: A..B, A...B or a single revision.", valueName: "range"))
        var range: String?

        @Option(help: "Output format: \(ListFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
        var format: ListFormat = .table

        @OptionGroup var missing: MissingObjectsOptions

        func run() async throws {
            let repo = try repository.open()
            let settings = try Settings.load(for: repo)
            let filter = settings.configuration.changeFilter(gitattributes: RepositorySnapshot.gitattributes(of: repo))
            let entries = try CommitListing.list(repo, range: range, detector: settings.configuration.aiDetector, filter: filter,
                                                 lineCap: settings.configuration.lineWeightCap, fetchMissing: missing.fetchMissing)
            missing.report(unknown: entries.filter { !$0.stats.linesKnown }.count, in: repo)
            switch format {
            case .json:
                Output.write(CommitListing.json(entries).serialized())
            case .table:
                Output.write(CommitListing.table(entries))
            }
        }
    }
}

/// One commit as `shipmeter commits` shows it.
struct CommitEntry: Sendable {
    var commit: Commit
    var author: Signature
    var trailers: [Trailer]
    var stats: DiffStats
    /// Effective lines, capped per commit as a report counts them; nil when the lines are unknown.
    var effectiveLines: Double?
    var signals: [String]
}

enum CommitListing {
    static func list(_ repo: Repository, range: String?, detector: AISignalDetector, filter: ChangeFilter, lineCap: Int,
                     fetchMissing: Bool = false) throws -> [CommitEntry] {
        let ids: [ObjectID]
        do {
            ids = try selection(repo, range: range)
        } catch {
            throw ShipmeterError.badRevision(range ?? "HEAD", detail: error.message)
        }
        if fetchMissing, repo.isPartialClone {
            // One git run fetches what any listed commit lacks (git skips what is present).
            try repo.fetchMissingBlobs(of: ids)
        }
        let noted = try repo.notedCommits(notesRef: "refs/notes/ai")
        // Diffs dominate: every core (see `ParallelBlocks`). The mailmap (which a work tree's
        // uncommitted .mailmap can change) is applied afterwards, from this repository.
        let path = repo.commonDirectory
        let entries = try ParallelBlocks.map(count: ids.count, setup: {
            (try Repository(gitDirectoryIgnoringWorkTree: path), ChangeMeasurer(filter: filter))
        }) { worker, index in
            let id = ids[index]
            let commit = try worker.0.commit(id)
            let (trailers, embedded) = Trailer.read(message: commit.message)
            let (stats, measure) = try worker.0.measuredChange(for: id, measurer: &worker.1)
            return CommitEntry(
                commit: commit, author: commit.author, trailers: trailers, stats: stats,
                effectiveLines: measure.map { min($0.effectiveLines, Double(lineCap)) },
                signals: detector.signals(for: commit, summary: commit.summary, trailers: trailers, embedded: embedded, hasAINote: noted.contains(id)))
        }
        let mailmap = try Mailmap(repo)
        return entries.map { entry in
            var entry = entry
            entry.author = mailmap.resolve(entry.commit.author)
            return entry
        }
    }

    /// The commits of `range` (`A..B`, `A...B`, a revision; default HEAD), newest first as
    /// `git log` orders them. Read from the commit graph, which also handles shallow clones
    /// (libgit2's own walk stops with an error at a shallow boundary).
    static func selection(_ repo: Repository, range: String?) throws(GitError) -> [ObjectID] {
        var include = [ObjectID](), exclude = [ObjectID]()
        if let range, let split = range.range(of: "...") {
            let a = try repo.resolveCommit(range[..<split.lowerBound].isEmpty ? "HEAD" : String(range[..<split.lowerBound]))
            let b = try repo.resolveCommit(range[split.upperBound...].isEmpty ? "HEAD" : String(range[split.upperBound...]))
            include = [a, b]
            exclude = try repo.mergeBases(a, b)
        } else if let range, let split = range.range(of: "..") {
            exclude = [try repo.resolveCommit(range[..<split.lowerBound].isEmpty ? "HEAD" : String(range[..<split.lowerBound]))]
            include = [try repo.resolveCommit(range[split.upperBound...].isEmpty ? "HEAD" : String(range[split.upperBound...]))]
        } else if let range {
            include = [try repo.resolveCommit(range)]
        } else {
            guard let head = try repo.head() else { return [] }
            include = [head]
        }
        let graph = try CommitGraph.load(repo, tips: include + exclude)
        let numbers = graph.range(include: include.compactMap(graph.number(of:)), exclude: exclude.compactMap(graph.number(of:)))
        return numbers
            .sorted { (graph.committerTimes[$0].seconds, graph.generations[$0]) > (graph.committerTimes[$1].seconds, graph.generations[$1]) }
            .map { graph.ids[$0] }
    }

    static func json(_ entries: [CommitEntry]) -> JSONValue {
        .object([
            ("schema_version", .int(1)),
            ("commits", .array(entries.map { entry in
                .object([
                    ("id", .string(entry.commit.id.hex)),
                    ("parents", .array(entry.commit.parents.map { .string($0.hex) })),
                    ("author", .object([("name", .string(entry.author.name)), ("email", .string(entry.author.email))])),
                    ("author_time", .string(entry.commit.author.time.iso8601)),
                    ("committer_time", .string(entry.commit.committer.time.iso8601)),
                    ("summary", .string(entry.commit.summary)),
                    ("trailers", .array(entry.trailers.map { .object([("key", .string($0.key)), ("value", .string($0.value))]) })),
                    ("files_changed", .int(Int64(entry.stats.filesChanged))),
                    ("lines_added", entry.stats.linesKnown ? .int(Int64(entry.stats.linesAdded)) : .null),
                    ("lines_deleted", entry.stats.linesKnown ? .int(Int64(entry.stats.linesDeleted)) : .null),
                    ("effective_lines", entry.effectiveLines.map(JSONValue.double) ?? .null),
                    ("ai_signals", .array(entry.signals.map(JSONValue.string))),
                ])
            })),
        ])
    }

    static func table(_ entries: [CommitEntry]) -> String {
        let rows = entries.map { entry in
            [
                entry.commit.id.short(),
                String(entry.commit.author.time.iso8601.prefix(10)),
                entry.author.email,
                entry.stats.linesKnown ? "+\(entry.stats.linesAdded) -\(entry.stats.linesDeleted)" : "?",
                entry.signals.isEmpty ? "" : "AI",
                entry.commit.summary,
            ]
        }
        return TextTable(header: ["commit", "date", "author", "lines", "ai", "summary"], rows: rows).render()
            + "\n\(entries.count) commits, \(entries.filter { !$0.signals.isEmpty }.count) AI-assisted"
    }
}

