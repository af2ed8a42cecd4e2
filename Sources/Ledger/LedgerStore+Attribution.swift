import AttributionModel
import Foundation
import GitModel
import Usage

/// The reads `attribute` needs, in the SQL both backends share.
extension LedgerStore {
    /// The repository's id, added when new.
    public func repositoryID(identity: String, name: String) async throws -> Int64 {
        _ = try await write(
            guard: nil,
            [SQLWrite("INSERT INTO repositories (identity, name) VALUES (?, ?) ON CONFLICT (identity) DO NOTHING", [.text(identity), .text(name)])])
        guard let id = try await select("SELECT id FROM repositories WHERE identity = ?", [.text(identity)]).first?["id"].integer else {
            throw LedgerError.database("cannot record repository \(identity) in \(location)")
        }
        return id
    }

    /// Where the repository's last `attribute` stopped; nil before the first.
    public func state(repository: Int64) async throws -> LedgerRepositoryState? {
        guard
            let row = try await select(
                "SELECT revision, tips, settings, usage_mark, remotes FROM repository_state WHERE repository_id = ?", [.integer(repository)]
            ).first
        else {
            return nil
        }
        return LedgerRepositoryState(
            revision: row["revision"].integer ?? 0, tips: Self.list(row["tips"]), settings: row["settings"].text ?? "",
            usageMark: row["usage_mark"].integer ?? 0, remotes: Self.list(row["remotes"]))
    }

    static func list(_ value: SQLValue) -> [String] { (value.text ?? "").split(separator: "\n").map(String.init) }

    /// The stored attribution of one repository: deployments in time order with their shipped
    /// sets, joins by record.
    public func attribution(identity: String) async throws -> StoredAttribution? {
        guard let row = try await select("SELECT id, name FROM repositories WHERE identity = ?", [.text(identity)]).first,
            let repository = row["id"].integer
        else { return nil }
        let deployments = try await deployments(repository: repository, withShipped: true)
        let joins = try await select(
            "SELECT source, key, commit_id, confidence FROM attributions WHERE repository_id = ? ORDER BY source, key", [.integer(repository)]
        ).compactMap { row -> StoredJoin? in
            guard let confidence = JoinConfidence(rawValue: row["confidence"].text ?? "") else { return nil }
            return StoredJoin(
                source: row["source"].text ?? "", key: row["key"].text ?? "", commit: row["commit_id"].text ?? "", confidence: confidence)
        }
        return StoredAttribution(identity: identity, name: row["name"].text ?? "", deployments: deployments, joins: joins)
    }

    /// Stored deployments in time order, with their shipped sets when `withShipped` (else empty).
    public func deployments(repository: Int64, withShipped: Bool = false) async throws -> [StoredDeployment] {
        var shipped = [DeploymentKey: [String]]()
        if withShipped {
            for row in try await select(
                "SELECT environment, deployment_id, commit_id FROM shipped_commits WHERE repository_id = ? ORDER BY commit_id", [.integer(repository)]
            ) {
                shipped[DeploymentKey(environment: row["environment"].text ?? "", id: row["deployment_id"].text ?? ""), default: []]
                    .append(row["commit_id"].text ?? "")
            }
        }
        return try await select(
            "SELECT environment, id, ref, commit_id, time, status, kind FROM deployments WHERE repository_id = ? ORDER BY time, environment, id",
            [.integer(repository)]
        ).compactMap { row in
            guard let status = Deployment.Status(rawValue: row["status"].text ?? ""), let kind = Deployment.Kind(rawValue: row["kind"].text ?? "")
            else {
                return nil
            }
            let key = DeploymentKey(environment: row["environment"].text ?? "", id: row["id"].text ?? "")
            return StoredDeployment(
                environment: key.environment, id: key.id, ref: row["ref"].text ?? "", commit: row["commit_id"].text ?? "",
                time: Date(timeIntervalSince1970: row["time"].real ?? 0), status: status, kind: kind, shipped: shipped[key] ?? [])
        }
    }

    /// Which of `commits` a deployment in `environment` shipped.
    public func shipped(repository: Int64, environment: String, commits: [String]) async throws -> Set<String> {
        Set(
            try await selectIn(
                { "SELECT commit_id FROM shipped_commits WHERE repository_id = ? AND environment = ? AND commit_id IN \($0)" },
                values: commits.map(SQLValue.text), prefix: [.integer(repository), .text(environment)]
            ).compactMap { $0["commit_id"].text })
    }

    /// How many usage records are attributed in `repository`.
    public func attributionCount(repository: Int64) async throws -> Int {
        Int(try await select("SELECT count(*) AS attributed FROM attributions WHERE repository_id = ?", [.integer(repository)]).scalar?.integer ?? 0)
    }

    // MARK: - Usage records

    static var recordColumns: String {
        "source, key, timestamp, granularity, actor, session, agent, model, repository, branch, commit_id, input, output, cache_write, cache_write_1h, cache_read, cost_usd"
    }

    /// Records ingested after sequence `after`, up to and including `through`.
    public func records(ingestedAfter after: Int64, through: Int64) async throws -> [SequencedRecord] {
        try await records(where: "\(sequenceColumn) > ? AND \(sequenceColumn) <= ?", [.integer(after), .integer(through)])
    }

    /// Records made in `[from, to)` (seconds since 1970).
    public func records(madeFrom from: Double, to: Double) async throws -> [SequencedRecord] {
        try await records(where: "timestamp >= ? AND timestamp < ?", [.real(from), .real(to)])
    }

    /// Records of one of `sessions`.
    public func records(sessions: [String]) async throws -> [SequencedRecord] {
        try await records(column: "session", in: sessions)
    }

    /// Records naming one of `commits` (full ids or abbreviations, exactly as recorded).
    public func records(naming commits: [String]) async throws -> [SequencedRecord] {
        try await records(column: "commit_id", in: commits)
    }

    func records(where condition: String, _ arguments: [SQLValue]) async throws -> [SequencedRecord] {
        Self.records(try await select("SELECT \(sequenceColumn) AS sequence, \(Self.recordColumns) FROM usage_records WHERE \(condition)", arguments))
    }

    func records(column: String, in values: [String]) async throws -> [SequencedRecord] {
        Self.records(
            try await selectIn(
                { "SELECT \(self.sequenceColumn) AS sequence, \(Self.recordColumns) FROM usage_records WHERE \(column) IN \($0)" },
                values: values.map(SQLValue.text)))
    }

    /// Records read with `recordColumns` and their sequence (many rows: columns resolved once).
    static func records(_ rows: SQLRows) -> [SequencedRecord] {
        guard !rows.isEmpty else { return [] }
        let sequence = rows.column("sequence")
        let (source, key, timestamp, granularity) = (rows.column("source"), rows.column("key"), rows.column("timestamp"), rows.column("granularity"))
        let (actor, session, agent, model) = (rows.column("actor"), rows.column("session"), rows.column("agent"), rows.column("model"))
        let (repository, branch, commit) = (rows.column("repository"), rows.column("branch"), rows.column("commit_id"))
        let (input, output, cacheWrite) = (rows.column("input"), rows.column("output"), rows.column("cache_write"))
        let (cacheWrite1h, cacheRead, cost) = (rows.column("cache_write_1h"), rows.column("cache_read"), rows.column("cost_usd"))
        return rows.map { row in
            var record = UsageRecord(
                source: row[source].text ?? "", key: row[key].text ?? "", timestamp: Date(timeIntervalSince1970: row[timestamp].real ?? 0),
                granularity: UsageRecord.Granularity(rawValue: row[granularity].text ?? "") ?? .request,
                actor: row[actor].text, session: row[session].text, agent: row[agent].text, model: row[model].text ?? "",
                repository: row[repository].text, branch: row[branch].text, commit: row[commit].text,
                input: row[input].integer ?? 0, output: row[output].integer ?? 0, cacheWrite: row[cacheWrite].integer ?? 0,
                cacheRead: row[cacheRead].integer ?? 0, costUSD: row[cost].text.flatMap { Decimal(string: $0) })
            record.cacheWrite1h = row[cacheWrite1h].integer ?? 0
            return SequencedRecord(sequence: row[sequence].integer ?? 0, record: record)
        }
    }

    /// Session links naming one of `commits` (full ids or prefixes), or one of `sessions`.
    public func links(commits: [String], sessions: [String]) async throws -> [SessionCommitLink] {
        var rows = try await selectIn(
            { "SELECT session, commit_id, time FROM session_links WHERE commit_id IN \($0)" }, values: commits.map(SQLValue.text))
        rows += try await selectIn(
            { "SELECT session, commit_id, time FROM session_links WHERE session IN \($0)" }, values: sessions.map(SQLValue.text))
        var seen = Set<[SQLValue]>()
        return rows.filter { seen.insert($0.values).inserted }.map {
            SessionCommitLink(
                session: $0["session"].text ?? "", commit: $0["commit_id"].text ?? "", time: Date(timeIntervalSince1970: $0["time"].real ?? 0))
        }
    }

    /// Stored attributions of `repository` for these records, by record identity.
    public func attributions(repository: Int64, records: [UsageRecord]) async throws -> [UsageRecord.Identity: StoredJoin] {
        var result = [UsageRecord.Identity: StoredJoin]()
        var bySource = [String: [String]]()
        for record in records { bySource[record.source, default: []].append(record.key) }
        for (source, keys) in bySource {
            let rows = try await selectIn(
                { "SELECT key, commit_id, confidence FROM attributions WHERE repository_id = ? AND source = ? AND key IN \($0)" },
                values: keys.map(SQLValue.text), prefix: [.integer(repository), .text(source)])
            for row in rows {
                guard let confidence = JoinConfidence(rawValue: row["confidence"].text ?? "") else { continue }
                let join = StoredJoin(source: source, key: row["key"].text ?? "", commit: row["commit_id"].text ?? "", confidence: confidence)
                result[UsageRecord.identity(source: source, key: join.key)] = join
            }
        }
        return result
    }
}
