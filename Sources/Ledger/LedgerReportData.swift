import AttributionModel
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
        /// The tips the last `attribute` read history from, in its order.
        public var tips: [String] = []
        public var commits: [StoredCommit] = []
        public var deployments: [StoredDeployment] = []
        public var actors: [LedgerActor] = []
    }

    /// Usage summed over one UTC day (or one record, at the window's edges) of one actor, model,
    /// agent, session and location, with where it was attributed.
    public struct UsageSum: Sendable {
        public var repositoryID: Int64?
        public var commit: String?
        public var confidence: JoinConfidence?
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
        /// The record's own source and key at the window's edges; nil for a day's sum.
        public var origin: (source: String, key: String)?

        /// As a usage record: the record itself at the window's edges, else the day's sum as
        /// one record of day granularity (source `ledger-rollup`, keyed by what it sums over).
        public var record: UsageRecord {
            var record = UsageRecord(
                source: origin?.source ?? "ledger-rollup",
                key: origin?.key
                    ?? [
                        String(Int64(time.timeIntervalSince1970) / 86_400), repositoryID.map(String.init) ?? "", commit ?? "", actor ?? "",
                        model, agent ?? "", session ?? "", location ?? "",
                    ].joined(separator: "\u{1F}"),
                timestamp: time, granularity: origin == nil ? .day : .request,
                actor: actor, session: session, agent: agent, model: model, repository: location,
                input: input, output: output, cacheWrite: cacheWrite, cacheRead: cacheRead,
                costUSD: costUSD.flatMap { Decimal(string: String(format: "%.9f", $0)) })
            record.cacheWrite1h = cacheWrite1h
            return record
        }
    }

    public var repositories: [Repository]
    public var usage: [UsageSum]
}

/// A repository `attribute` has stored: its ledger id, identity, name, and where its usage is made.
public struct AttributedRepository: Sendable {
    public var id: Int64
    public var identity: String
    public var name: String
    public var remotes: [String]
    /// The tips its last `attribute` read history from, in that run's order.
    public var tips: [String] = []
}

extension LedgerStore {
    /// Repositories `attribute` has stored, by id.
    public func attributedRepositories() async throws -> [AttributedRepository] {
        try await select(
            """
            SELECT r.id, r.identity, r.name, s.remotes, s.tips FROM repositories r JOIN repository_state s ON s.repository_id = r.id ORDER BY r.id
            """, []
        ).map {
            AttributedRepository(
                id: $0["id"].integer ?? 0, identity: $0["identity"].text ?? "", name: $0["name"].text ?? "", remotes: Self.list($0["remotes"]),
                tips: Self.list($0["tips"]))
        }
    }

    /// The report's input for `chosen` (of `attributedRepositories()`): usage before `until`,
    /// summed per day except on the days of the window's edges.
    public func reportData(repositories chosen: [AttributedRepository], since: Date, until: Date) async throws -> LedgerReportData {
        var repositories = [LedgerReportData.Repository]()
        for item in chosen {
            var repository = LedgerReportData.Repository(
                id: item.id, identity: item.identity, name: item.name, remotes: item.remotes, tips: item.tips)
            repository.commits = try await allCommits(repository: item.id)
            repository.deployments = try await deployments(repository: item.id, withShipped: true)
            repository.actors = try await select("SELECT actor, person, team, bot FROM actors WHERE repository_id = ?", [.integer(item.id)]).map {
                LedgerActor(actor: $0["actor"].text ?? "", person: $0["person"].text ?? "", team: $0["team"].text ?? "", bot: $0["bot"].bool)
            }
            repositories.append(repository)
        }
        // Whole days from the rollup; the day `since` falls in and the part of `until`'s day before
        // it record by record, so the window's edges are exact.
        let sinceDay = Int64((since.timeIntervalSince1970 / 86_400).rounded(.down))
        let untilDay = Int64((until.timeIntervalSince1970 / 86_400).rounded(.down))
        func text(_ value: SQLValue) -> String? { value.text.flatMap { $0.isEmpty ? nil : $0 } }
        let summed = try await select(
            """
            SELECT repository_id, commit_id, confidence, actor, model, agent, session, location, day,
                input, output, cache_write, cache_write_1h, cache_read, cost_usd, priced, records
            FROM usage_rollup WHERE (day < ? OR day > ?) AND day < ?
            """, [.integer(sinceDay), .integer(sinceDay), .integer(untilDay)])
        let sums = UsageColumns(summed, location: "location", time: "day")
        let (priced, records) = (summed.column("priced"), summed.column("records"))
        var usage = summed.map { row in
            var sum = sums.read(row, day: true, text: text)
            sum.costUSD = (row[priced].integer ?? 0) > 0 ? row[sums.cost].real : nil
            sum.records = row[records].integer ?? 0
            return sum
        }
        var edges = [(Double(sinceDay * 86_400), Double((sinceDay + 1) * 86_400))]
        if untilDay > sinceDay { edges.append((Double(untilDay * 86_400), until.timeIntervalSince1970)) }
        for (low, high) in edges {
            let rows = try await select(
                """
                SELECT a.repository_id, a.commit_id, a.confidence, u.actor, u.model, u.agent, u.session, u.repository, u.timestamp,
                    u.input, u.output, u.cache_write, u.cache_write_1h, u.cache_read, u.cost_usd, u.source, u.key
                \(UsageRollup.placed)
                WHERE u.timestamp >= ? AND u.timestamp < ? AND u.timestamp < ?
                """, [.real(low), .real(high), .real(until.timeIntervalSince1970)])
            let columns = UsageColumns(rows, location: "repository", time: "timestamp")
            let (source, key) = (rows.column("source"), rows.column("key"))
            usage += rows.map { row in
                var sum = columns.read(row, day: false) { $0.text }
                sum.costUSD = row[columns.cost].text.flatMap(Double.init)
                sum.origin = (row[source].text ?? "", row[key].text ?? "")
                return sum
            }
        }
        return LedgerReportData(repositories: repositories, usage: usage)
    }
}

/// The columns a usage sum is read from, resolved once per query: the rollup's and the records'
/// (which name the place and time differently).
struct UsageColumns {
    let repository, commit, confidence, actor, model, agent, session, location, time: SQLColumn
    let input, output, cacheWrite, cacheWrite1h, cacheRead, cost: SQLColumn

    init(_ rows: SQLRows, location: String, time: String) {
        (repository, commit, confidence) = (rows.column("repository_id"), rows.column("commit_id"), rows.column("confidence"))
        (actor, model, agent, session) = (rows.column("actor"), rows.column("model"), rows.column("agent"), rows.column("session"))
        (self.location, self.time) = (rows.column(location), rows.column(time))
        (input, output, cacheWrite) = (rows.column("input"), rows.column("output"), rows.column("cache_write"))
        (cacheWrite1h, cacheRead, cost) = (rows.column("cache_write_1h"), rows.column("cache_read"), rows.column("cost_usd"))
    }

    /// A sum with one record and no cost; `day`: the time is a whole UTC day (the rollup's).
    func read(_ row: SQLRow, day: Bool, text: (SQLValue) -> String?) -> LedgerReportData.UsageSum {
        let repositoryID = row[repository].integer
        return LedgerReportData.UsageSum(
            repositoryID: day ? repositoryID.flatMap { $0 == 0 ? nil : $0 } : repositoryID, commit: text(row[commit]),
            confidence: text(row[confidence]).flatMap(JoinConfidence.init(rawValue:)), actor: text(row[actor]),
            model: row[model].text ?? "", agent: text(row[agent]), session: text(row[session]), location: text(row[location]),
            time: day
                ? Date(timeIntervalSince1970: TimeInterval((row[time].integer ?? 0) * 86_400)) : Date(timeIntervalSince1970: row[time].real ?? 0),
            input: row[input].integer ?? 0, output: row[output].integer ?? 0, cacheWrite: row[cacheWrite].integer ?? 0,
            cacheWrite1h: row[cacheWrite1h].integer ?? 0, cacheRead: row[cacheRead].integer ?? 0, costUSD: nil, records: 1)
    }
}
