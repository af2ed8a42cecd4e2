import ArgumentParser
import Foundation
import Reporting
import ShipmeterEngine
import WorkProgress

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

        @Option(
            name: .customLong("traces"),
            help: ArgumentHelp("Agent Trace files (JSONL) besides the work tree's .agent-trace/traces.jsonl.", valueName: "path"))
        var traces: [String] = []

        @OptionGroup var progressOptions: ProgressOptions

        func run() async throws {
            let progress = progressOptions.start()
            defer { progress.finish() }
            let context = try repository.context()
            let entries = try CommitListing.list(context, range: range, fetchMissing: missing.fetchMissing, tracePaths: traces)
            progress.finish(isatty(STDOUT_FILENO) == 1 ? nil : "listed \(ProgressText.count(entries.count, "commit"))")
            missing.report(unknown: entries.filter { $0.linesAdded == nil }.count, in: context)
            switch format {
            case .json: Output.write(Self.json(entries).json)
            case .table: Output.write(Self.table(entries))
            }
        }

        static func json(_ entries: [CommitListing.Entry]) -> CommitsDocument {
            CommitsDocument(
                commits: entries.map { entry in
                    CommitsDocument.Commit(
                        id: entry.id, parents: entry.parents, authorName: entry.authorName, authorEmail: entry.authorEmail,
                        authorTime: entry.authorTime, committerTime: entry.committerTime, summary: entry.summary, trailers: entry.trailers,
                        filesChanged: entry.filesChanged, linesAdded: entry.linesAdded, linesDeleted: entry.linesDeleted,
                        effectiveLines: entry.effectiveLines, aiSignals: entry.signals, aiLines: entry.aiLines, aiLineSources: entry.aiLineSources)
                })
        }

        static func table(_ entries: [CommitListing.Entry]) -> String {
            let rows = entries.map { entry in
                [
                    entry.shortID,
                    String(entry.authorTime.prefix(10)),
                    entry.authorEmail,
                    entry.linesAdded.map { "+\($0) -\(entry.linesDeleted ?? 0)" } ?? "?",
                    entry.signals.isEmpty ? "" : entry.aiLines.map { "AI \($0)" } ?? "AI",
                    entry.summary,
                ]
            }
            return TextTable(header: ["commit", "date", "author", "lines", "ai", "summary"], rows: rows).render()
                + "\n\(entries.count) commits, \(entries.filter { !$0.signals.isEmpty }.count) AI-assisted"
        }
    }
}
