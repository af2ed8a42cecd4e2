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

    /// Usage summed over one UTC day (or one record, at the window's edges) of one actor, model,
    /// agent, session and location, with where it was attributed.
    public struct UsageSum: Sendable {
        public var repositoryID: Int64?
        public var commit: String?
        public var confidence: String?
        public var actor: String?
        public var model: String
        public var agent: String?
        public var session: String?
        /// The records' working directory or remote.
        public var location: String?
        /// The day's start, or the record's own time.
        public var time: Date
        public var input: Int64, output: Int64, cacheWrite: Int64, cacheWrite1h: Int64, cacheRead: Int64
        public var costUSD: Double?
        public var records: Int64
    }

    public var repositories: [Repository]
    public var usage: [UsageSum]
}

extension LedgerSQL {
    /// Repositories `attribute` has stored (with their state), by id.
    public func attributedRepositories() async throws -> [(id: Int64, identity: String, name: String, remotes: [String])] {
        try await select("""
            SELECT r.id, r.identity, r.name, s.remotes FROM repositories r JOIN repository_state s ON s.repository_id = r.id ORDER BY r.id
            """, []).map { ($0[0].integer ?? 0, $0[1].text ?? "", $0[2].text ?? "", Self.list($0[3])) }
    }

    /// The report's input for `repositories` (ids; all attributed ones when empty): usage before
    /// `until`, summed per day except on the days of the window's edges.
    public func reportData(repositories wanted: [Int64], since: Date, until: Date) async throws -> LedgerReportData {
        let known = try await attributedRepositories()
        let chosen = wanted.isEmpty ? known : known.filter { wanted.contains($0.id) }
        var repositories = [LedgerReportData.Repository]()
        for item in chosen {
            var repository = LedgerReportData.Repository(id: item.id, identity: item.identity, name: item.name, remotes: item.remotes)
            repository.commits = try await commits(where: "c.repository_id = ? ORDER BY c.author_time, c.commit_id", [.integer(item.id)],
                                                     sessions: false).map(\.commit)
            // The sessions commits name, in one read (the unbacked-session warning compares them with usage).
            var named = [String: [LedgerSession]]()
            for row in try await select("SELECT commit_id, agent, session FROM commit_sessions WHERE repository_id = ? ORDER BY commit_id, session, agent",
                                        [.integer(item.id)]) {
                named[row[0].text ?? "", default: []].append(LedgerSession(agent: row[1].text ?? "", id: row[2].text ?? ""))
            }
            for index in repository.commits.indices { repository.commits[index].sessions = named[repository.commits[index].id] ?? [] }
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
        // Whole days from the rollup; the day `since` falls in and the part of `until`'s day before
        // it record by record, so the window's edges are exact.
        let sinceDay = Int64((since.timeIntervalSince1970 / 86_400).rounded(.down))
        let untilDay = Int64((until.timeIntervalSince1970 / 86_400).rounded(.down))
        func text(_ value: SQLValue) -> String? { value.text.flatMap { $0.isEmpty ? nil : $0 } }
        var usage = try await select("""
            SELECT repository_id, commit_id, confidence, actor, model, agent, session, location, day,
                input, output, cache_write, cache_write_1h, cache_read, cost_usd, priced, records
            FROM usage_rollup WHERE (day < ? OR day > ?) AND day < ?
            """, [.integer(sinceDay), .integer(sinceDay), .integer(untilDay)]).map { row in
            LedgerReportData.UsageSum(
                repositoryID: row[0].integer.flatMap { $0 == 0 ? nil : $0 }, commit: text(row[1]), confidence: text(row[2]), actor: text(row[3]),
                model: row[4].text ?? "", agent: text(row[5]), session: text(row[6]), location: text(row[7]),
                time: Date(timeIntervalSince1970: TimeInterval((row[8].integer ?? 0) * 86_400)),
                input: row[9].integer ?? 0, output: row[10].integer ?? 0, cacheWrite: row[11].integer ?? 0, cacheWrite1h: row[12].integer ?? 0,
                cacheRead: row[13].integer ?? 0, costUSD: (row[15].integer ?? 0) > 0 ? row[14].real : nil, records: row[16].integer ?? 0)
        }
        var edges = [(Double(sinceDay * 86_400), Double((sinceDay + 1) * 86_400))]
        if untilDay > sinceDay { edges.append((Double(untilDay * 86_400), until.timeIntervalSince1970)) }
        for (low, high) in edges {
            let rows = try await select("""
                SELECT a.repository_id, a.commit_id, a.confidence, u.actor, u.model, u.agent, u.session, u.repository, u.timestamp,
                    u.input, u.output, u.cache_write, u.cache_write_1h, u.cache_read, u.cost_usd
                \(UsageRollup.placed)
                WHERE u.timestamp >= ? AND u.timestamp < ? AND u.timestamp < ?
                """, [.real(low), .real(high), .real(until.timeIntervalSince1970)])
            usage += rows.map { row in
                LedgerReportData.UsageSum(
                    repositoryID: row[0].integer, commit: row[1].text, confidence: row[2].text, actor: row[3].text, model: row[4].text ?? "",
                    agent: row[5].text, session: row[6].text, location: row[7].text, time: Date(timeIntervalSince1970: row[8].real ?? 0),
                    input: row[9].integer ?? 0, output: row[10].integer ?? 0, cacheWrite: row[11].integer ?? 0, cacheWrite1h: row[12].integer ?? 0,
                    cacheRead: row[13].integer ?? 0, costUSD: row[14].text.flatMap(Double.init), records: 1)
            }
        }
        return LedgerReportData(repositories: repositories, usage: usage)
    }
}
