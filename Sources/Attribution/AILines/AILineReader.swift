import Foundation
import GitKit

/// The lines an agent wrote that a commit adds, and which line-attribution formats said so.
public struct AILineCount: Sendable, Equatable {
    public var lines: Int
    /// Lines per format (`git-ai-note`, `agent-trace`); a line both name counts once in `lines`.
    public var sources: [String: Int]
    /// git-ai session keys the commit's note names.
    public var sessionKeys: Set<String>
}

/// Reads AI-written lines from git-ai notes (`refs/notes/ai`) and Agent Trace files. A commit
/// neither covers has no count (nil), which is not the same as 0 AI lines.
public struct AILineReader: Sendable {
    public static let notesRef = "refs/notes/ai"
    /// Where the Agent Trace reference hook writes, in the work tree.
    public static let traceFile = ".agent-trace/traces.jsonl"
    /// The most of it read (a trace file is a log: it grows with every edit).
    static let traceLimit = 1 << 30
    public let trace: AgentTrace
    public let noted: Set<ObjectID>
    let workTree: String?

    /// The repository's notes and its traces: `.agent-trace/traces.jsonl` in the work tree, and
    /// any `tracePaths` given.
    public init(repository: Repository, tracePaths: [String] = []) throws(GitError) {
        // The work tree's own trace file is the repository's to name: read as a regular file inside
        // it, of bounded size (a symlink out of the tree, a FIFO or a device is not read).
        var own: String?
        var paths = tracePaths
        if let workTree = repository.workDirectory {
            let root = workTree.hasSuffix("/") ? String(workTree.dropLast()) : workTree
            let standard = root + "/" + Self.traceFile
            paths.removeAll { $0 == standard }
            own = (try? RepositoryFile.contents(Self.traceFile, in: root, limit: Self.traceLimit)) ?? nil
        }
        trace = AgentTrace(paths: paths, text: own)
        noted = try repository.notedCommits(notesRef: Self.notesRef)
        workTree = repository.workDirectory.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// Whether any commit can have a count (no notes and no traces: skip the work).
    public var isEmpty: Bool { noted.isEmpty && trace.edits.isEmpty }

    /// The reader of a repository that has notes or traces; nil when it has neither (or they
    /// cannot be listed), so callers skip the per-commit work.
    public static func ifAny(in repository: Repository) -> AILineReader? {
        guard let reader = try? AILineReader(repository: repository), !reader.isEmpty else { return nil }
        return reader
    }

    /// The count for `commit`, read through `repository` (a worker's own handle in parallel use).
    public func count(for commit: Commit, in repository: Repository) -> AILineCount? {
        var lines = [String: Set<Int>]()
        var sources = [String: Int]()
        var keys = Set<String>()
        if noted.contains(commit.id), let text = try? repository.note(for: commit.id, notesRef: Self.notesRef) {
            let note = GitAINote(text: text)
            for (path, numbers) in note.aiLines { lines[path, default: []].formUnion(numbers) }
            sources[AISignalDetector.Signal.gitAINote] = note.aiLineCount
            keys = note.sessionKeys
        }
        if let parent = commit.parents.first, !trace.edits.isEmpty {
            let ranges = trace.ranges(parent: parent.hex, before: commit.committer.time.date)
            if !ranges.isEmpty, let added = try? repository.addedLineNumbers(for: commit.id) {
                var traced = 0
                for (path, spans) in ranges {
                    let relative = relativePath(path)
                    let covered = (added[relative] ?? []).filter { number in spans.contains { $0.contains(number) } }
                    traced += covered.count
                    lines[relative, default: []].formUnion(covered)
                }
                sources[AISignalDetector.Signal.agentTrace] = traced
            }
        }
        guard !sources.isEmpty else { return nil }
        return AILineCount(lines: lines.values.reduce(0) { $0 + $1.count }, sources: sources, sessionKeys: keys)
    }

    /// The AI-written line count of the commit `id`; nil when it cannot be read or nothing covers it.
    public func lines(of id: ObjectID, in repository: Repository) -> Int? {
        (try? repository.commit(id)).flatMap { count(for: $0, in: repository) }?.lines
    }

    /// A trace's path relative to the work tree (traces may record absolute paths).
    func relativePath(_ path: String) -> String {
        if let workTree, path.hasPrefix(workTree + "/") { return String(path.dropFirst(workTree.count + 1)) }
        return path.hasPrefix("./") ? String(path.dropFirst(2)) : path
    }
}
