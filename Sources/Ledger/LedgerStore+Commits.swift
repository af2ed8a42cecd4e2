import AttributionModel
import Foundation
import GitModel
import Usage

/// Stored commits, read by what a run knows of them.
extension LedgerStore {
    static var commitColumns: String {
        "c.commit_id, c.author_time, c.person, c.author_name, c.is_merge, c.is_bot, c.summary, c.signals, c.agent, c.model, c.reverts, c.team, c.lines, c.repository_id, "
            + "c.effective_lines, c.fingerprint, c.inverse_fingerprint, c.templates, c.ai_lines, "
            + "c.added_lines, c.copied_lines, c.moved_lines, c.templated_lines, "
            + "c.parents, c.committer_time, c.pr_forge, c.pr_number, c.pr_title, c.merged_branch, c.hotfix"
    }

    /// Stored commits of `repository` whose id is one of `ids`.
    public func commits(repository: Int64, ids: [String]) async throws -> [StoredCommit] {
        let rows = try await selectIn(
            { "SELECT \(Self.commitColumns) FROM commits c WHERE c.repository_id = ? AND c.commit_id IN \($0)" },
            values: ids.map(SQLValue.text), prefix: [.integer(repository)])
        return try await withSessions(rows, repository: repository)
    }

    /// Stored commits of `repository` naming one of `sessions`.
    public func commits(repository: Int64, sessions: [String]) async throws -> [StoredCommit] {
        let rows = try await selectIn(
            {
                """
                SELECT \(Self.commitColumns) FROM commits c WHERE c.repository_id = ? AND c.commit_id IN
                    (SELECT commit_id FROM commit_sessions WHERE repository_id = ? AND session IN \($0))
                """
            }, values: sessions.map(SQLValue.text), prefix: [.integer(repository), .integer(repository)])
        return try await withSessions(rows, repository: repository)
    }

    /// Stored commits of `repository` by one of `persons`, authored in `[from, through]` (seconds).
    public func commits(repository: Int64, persons: [String], authoredFrom from: Double, through: Double) async throws -> [StoredCommit] {
        let rows = try await selectIn(
            {
                "SELECT \(Self.commitColumns) FROM commits c WHERE c.repository_id = ? AND c.author_time >= ? AND c.author_time <= ? AND c.person IN \($0)"
            },
            values: persons.map(SQLValue.text), prefix: [.integer(repository), .real(from), .real(through)])
        return try await withSessions(rows, repository: repository)
    }

    /// Stored commits of `repository` whose id starts with `prefix` (lowercase hex).
    public func commits(repository: Int64, idPrefix prefix: String) async throws -> [StoredCommit] {
        let rows = try await select(
            "SELECT \(Self.commitColumns) FROM commits c WHERE c.repository_id = ? AND c.commit_id >= ? AND c.commit_id < ?",
            [.integer(repository), .text(prefix), .text(prefix + "g")])
        return try await withSessions(rows, repository: repository)
    }

    /// Every stored commit of `repository` by author time, with the sessions each names.
    public func allCommits(repository: Int64) async throws -> [StoredCommit] {
        var commits = try await select(
            "SELECT \(Self.commitColumns) FROM commits c WHERE c.repository_id = ? ORDER BY c.author_time, c.commit_id",
            [.integer(repository)]
        ).compactMap(Self.commit)
        // The sessions commits name, in one read.
        var named = [String: [SessionReference]]()
        for row in try await select(
            "SELECT commit_id, agent, session FROM commit_sessions WHERE repository_id = ? ORDER BY commit_id, session, agent",
            [.integer(repository)])
        {
            named[row["commit_id"].text ?? "", default: []].append(Self.session(agent: row["agent"], id: row["session"]))
        }
        for index in commits.indices { commits[index].facts.sessions = named[commits[index].id] ?? [] }
        return commits
    }

    static func session(agent: SQLValue, id: SQLValue) -> SessionReference {
        SessionReference(agent: agent.text.flatMap { $0.isEmpty ? nil : $0 }, id: id.text ?? "")
    }

    /// A commit row; nil when its id is not a commit id (never written by `attribute`).
    static func commit(_ row: SQLRow) -> StoredCommit? {
        guard let id = try? ObjectID(hex: row["commit_id"].text ?? "") else { return nil }
        var facts = CommitFacts(
            id: id, person: row["person"].text ?? "", authorName: row["author_name"].text ?? "",
            authorTime: GitTime(seconds: row["author_time"].integer ?? 0), isMerge: row["is_merge"].bool, isBot: row["is_bot"].bool,
            summary: row["summary"].text ?? "", signals: list(row["signals"]), sessions: [], agent: row["agent"].text, model: row["model"].text,
            reverts: row["reverts"].text.flatMap { try? ObjectID(hex: $0) })
        readMergeColumns(row, into: &facts)
        let lines = ["added_lines", "copied_lines", "moved_lines", "templated_lines"].map { row[$0] }
        return StoredCommit(
            facts: facts, team: row["team"].text ?? "", lines: row["lines"].integer.map(Int.init),
            measure: ChangeMeasure(row["effective_lines"], row["fingerprint"], row["inverse_fingerprint"], row["templates"], lines: lines),
            aiLines: row["ai_lines"].integer.map(Int.init))
    }

    /// The `parents`, `committer_time`, `pr_forge`, `pr_number`, `pr_title`, `merged_branch`
    /// and `hotfix` columns of a commit.
    static func mergeColumns(_ facts: CommitFacts) -> [SQLValue] {
        let pullRequest = facts.merge?.pullRequest
        return [
            .text(facts.parents.map(\.hex).joined(separator: " ")), facts.committerTime.map { .integer($0.seconds) } ?? .null,
            SQLValue(pullRequest?.forge.rawValue), SQLValue(pullRequest?.number), SQLValue(pullRequest?.title),
            SQLValue(facts.merge?.branch), SQLValue(facts.isHotfix),
        ]
    }

    static func readMergeColumns(_ row: SQLRow, into facts: inout CommitFacts) {
        facts.parents = (row["parents"].text ?? "").split(separator: " ").compactMap { try? ObjectID(hex: String($0)) }
        facts.committerTime = row["committer_time"].integer.map { GitTime(seconds: $0) }
        var merge = MergeReference(pullRequest: nil, branch: row["merged_branch"].text)
        if let forge = row["pr_forge"].text.flatMap(PullRequestReference.Forge.init(rawValue:)), let number = row["pr_number"].integer {
            merge.pullRequest = PullRequestReference(forge: forge, number: Int(number), title: row["pr_title"].text ?? "")
        }
        facts.merge = merge.isEmpty ? nil : merge
        facts.isHotfix = row["hotfix"].bool
    }

    private func withSessions(_ rows: SQLRows, repository: Int64) async throws -> [StoredCommit] {
        var commits = rows.compactMap(Self.commit)
        guard !commits.isEmpty else { return commits }
        var sessions = [String: [SessionReference]]()
        let found = try await selectIn(
            { "SELECT commit_id, agent, session FROM commit_sessions WHERE repository_id = ? AND commit_id IN \($0)" },
            values: commits.map { SQLValue.text($0.id) }, prefix: [.integer(repository)])
        for row in found { sessions[row["commit_id"].text ?? "", default: []].append(Self.session(agent: row["agent"], id: row["session"])) }
        for index in commits.indices {
            commits[index].facts.sessions = (sessions[commits[index].id] ?? []).sorted { ($0.id, $0.agent ?? "") < ($1.id, $1.agent ?? "") }
        }
        return commits
    }
}
