import Foundation
import Usage

/// What a report reads from a ledger, without any repository at hand: the attributed
/// repositories with their commits, deployments and actors, and usage summed per
/// (attributed commit, actor, model, agent, session, day) — a report over millions of records
/// reads thousands of rows.
public struct LedgerReportData: Sendable {
    public struct Repository: Sendable {
        public var id: Int64
        public var identity: String
        public var name: String
        public var remotes: [String]
        public var commits: [LedgerCommit] = []
        public var deployments: [UsageLedger.Attribution.StoredDeployment] = []
        public var actors: [LedgerActor] = []
    }

    /// Usage summed over one day (from `dayBase`) of one actor, model, agent and session, with
    /// where it was attributed.
    public struct UsageSum: Sendable {
        public var repositoryID: Int64?
        public var commit: String?
        public var confidence: String?
        public var actor: String?
        public var model: String
        public var agent: String?
        public var session: String?
        /// The records' working directory or remote (the first of the group).
        public var location: String?
        public var day: Int64
        public var input: Int64, output: Int64, cacheWrite: Int64, cacheWrite1h: Int64, cacheRead: Int64
        public var costUSD: Double?
        public var records: Int64
    }

    public var repositories: [Repository]
    public var usage: [UsageSum]
    /// Day 0 of `UsageSum.day`.
    public var dayBase: Date
}

extension LedgerSQL {
    /// Repositories `attribute` has stored (with their state), by id.
    public func attributedRepositories() async throws -> [(id: Int64, identity: String, name: String, remotes: [String])] {
        try await select("""
            SELECT r.id, r.identity, r.name, s.remotes FROM repositories r JOIN repository_state s ON s.repository_id = r.id ORDER BY r.id
            """, []).map { ($0[0].integer ?? 0, $0[1].text ?? "", $0[2].text ?? "", Self.list($0[3])) }
    }

    /// The report's input for `repositories` (ids; all attributed ones when empty), usage before
    /// `until` bucketed in days aligned on `alignedTo`.
    public func reportData(repositories wanted: [Int64], alignedTo: Date, until: Date) async throws -> LedgerReportData {
        let known = try await attributedRepositories()
        let chosen = wanted.isEmpty ? known : known.filter { wanted.contains($0.id) }
        var repositories = [LedgerReportData.Repository]()
        for item in chosen {
            var repository = LedgerReportData.Repository(id: item.id, identity: item.identity, name: item.name, remotes: item.remotes)
            repository.commits = try await commits(where: "c.repository_id = ? ORDER BY c.author_time, c.commit_id", [.integer(item.id)]).map(\.commit)
            var shipped = [String: [String]]()
            for row in try await select("SELECT environment, deployment_id, commit_id FROM shipped_commits WHERE repository_id = ?", [.integer(item.id)]) {
                shipped[(row[0].text ?? "") + "\u{1F}" + (row[1].text ?? ""), default: []].append(row[2].text ?? "")
            }
            repository.deployments = try await deployments(repository: item.id)
            for index in repository.deployments.indices {
                let deployment = repository.deployments[index]
                repository.deployments[index].shipped = shipped[deployment.environment + "\u{1F}" + deployment.id] ?? []
            }
            repository.actors = try await select("SELECT actor, person, team, bot FROM actors WHERE repository_id = ?", [.integer(item.id)]).map {
                LedgerActor(actor: $0[0].text ?? "", person: $0[1].text ?? "", team: $0[2].text ?? "", bot: $0[3].bool)
            }
            repositories.append(repository)
        }
        // Days counted from a base 100 years before the window, so every bucket starts on a
        // window-aligned day and no day number is negative.
        let base = alignedTo.timeIntervalSince1970 - 36_500 * 86_400
        let ids = repositories.map { SQLValue.integer($0.id) }
        let joinCondition = ids.isEmpty ? "1 = 0" : "a.repository_id IN (" + Array(repeating: "?", count: ids.count).joined(separator: ",") + ")"
        let day = days("u.timestamp", from: base)
        let rows = try await select("""
            SELECT a.repository_id, a.commit_id, a.confidence, u.actor, u.model, u.agent, u.session, min(u.repository), \(day),
                CAST(sum(u.input) AS BIGINT), CAST(sum(u.output) AS BIGINT), CAST(sum(u.cache_write) AS BIGINT),
                CAST(sum(u.cache_write_1h) AS BIGINT), CAST(sum(u.cache_read) AS BIGINT),
                sum(CAST(u.cost_usd AS DOUBLE PRECISION)), CAST(count(*) AS BIGINT)
            FROM usage_records u LEFT JOIN attributions a ON a.source = u.source AND a.key = u.key AND \(joinCondition)
            WHERE u.timestamp < ?
            GROUP BY a.repository_id, a.commit_id, a.confidence, u.actor, u.model, u.agent, u.session, \(day)
            """, ids + [.real(until.timeIntervalSince1970)])
        let usage = rows.map { row in
            LedgerReportData.UsageSum(
                repositoryID: row[0].integer, commit: row[1].text, confidence: row[2].text, actor: row[3].text, model: row[4].text ?? "",
                agent: row[5].text, session: row[6].text, location: row[7].text, day: row[8].integer ?? 0,
                input: row[9].integer ?? 0, output: row[10].integer ?? 0, cacheWrite: row[11].integer ?? 0, cacheWrite1h: row[12].integer ?? 0,
                cacheRead: row[13].integer ?? 0, costUSD: row[14].real, records: row[15].integer ?? 0)
        }
        return LedgerReportData(repositories: repositories, usage: usage, dayBase: Date(timeIntervalSince1970: base))
    }
}
