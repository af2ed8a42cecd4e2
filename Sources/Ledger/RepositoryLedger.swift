import Attribution
import Foundation
import Usage

/// One commit as the ledger keeps it: counts and identifiers, the summary line and no other text.
public struct LedgerCommit: Sendable, Equatable {
    public var id: String
    public var authorTime: Int64
    public var person: String
    public var authorName: String
    public var isMerge: Bool
    public var isBot: Bool
    public var summary: String
    public var signals: [String]
    /// Sessions its trailers name (agent "" when the trailer names none).
    public var sessions: [LedgerSession]
    public var agent: String?
    public var model: String?
    public var reverts: String?
    public var team: String
    /// Added plus deleted lines, when worked out (shipped and attributed commits).
    public var lines: Int?
    /// Effective size and fingerprints, worked out with `lines`.
    public var measure: ChangeMeasure?

    public init(id: String, authorTime: Int64, person: String, authorName: String, isMerge: Bool, isBot: Bool, summary: String,
                signals: [String], sessions: [LedgerSession], agent: String?, model: String?, reverts: String?, team: String, lines: Int?,
                measure: ChangeMeasure? = nil) {
        (self.id, self.authorTime, self.person, self.authorName, self.isMerge, self.isBot, self.summary) = (id, authorTime, person, authorName, isMerge, isBot, summary)
        (self.signals, self.sessions, self.agent, self.model, self.reverts, self.team, self.lines) = (signals, sessions, agent, model, reverts, team, lines)
        self.measure = measure
    }
}

public struct LedgerSession: Sendable, Hashable {
    public var agent: String
    public var id: String

    public init(agent: String, id: String) {
        self.agent = agent
        self.id = id
    }
}

/// Who a usage record's actor is, as one repository's configuration says.
public struct LedgerActor: Sendable, Hashable {
    public var actor: String, person: String, team: String, bot: Bool

    public init(actor: String, person: String, team: String, bot: Bool) {
        (self.actor, self.person, self.team, self.bot) = (actor, person, team, bot)
    }
}

/// Where a repository's last `attribute` stopped.
public struct LedgerRepositoryState: Sendable, Equatable {
    public var revision: Int64
    /// Commits history was read from (hex), so the next run reads only what is beyond them.
    public var tips: [String]
    /// A digest of everything attribution depends on besides history and usage (settings,
    /// mailmap, CODEOWNERS, the environment, shipmeter's rules); a change means starting over.
    public var settings: String
    /// The last usage record (in ingest order) the run saw.
    public var usageMark: Int64
    /// Normalised remote URLs, then work-tree folders (absolute paths): where its usage is made.
    public var remotes: [String]

    public init(revision: Int64, tips: [String], settings: String, usageMark: Int64, remotes: [String]) {
        (self.revision, self.tips, self.settings, self.usageMark, self.remotes) = (revision, tips, settings, usageMark, remotes)
    }
}

/// What one `attribute` run writes for a repository, in one transaction.
public struct AttributionChange: Sendable {
    public typealias Deployment = UsageLedger.Attribution.StoredDeployment
    public typealias Join = UsageLedger.Attribution.Join

    public var identity: String
    public var name: String
    /// The revision read at the start (nil: no state yet). A different revision at write time
    /// means another run got there first, and nothing is written.
    public var expectedRevision: Int64?
    /// Replace everything stored for the repository (a first run, or settings changed).
    public var replacesAll: Bool
    public var commits: [LedgerCommit] = []
    /// Line counts and measures of commits stored before.
    public var lines: [String: Int] = [:]
    public var measures: [String: ChangeMeasure] = [:]
    public var deployments: [Deployment] = []
    /// New statuses of stored deployments (rolled back): key (environment, id) → status.
    public var statuses: [(environment: String, id: String, status: String)] = []
    public var joins: [Join] = []
    /// Records no longer attributed here.
    public var unjoined: [(source: String, key: String)] = []
    public var actors: [LedgerActor] = []
    public var state: LedgerRepositoryState
    public var counts: [String: Int] = [:]

    public init(identity: String, name: String, expectedRevision: Int64?, replacesAll: Bool, state: LedgerRepositoryState) {
        self.identity = identity
        self.name = name
        self.expectedRevision = expectedRevision
        self.replacesAll = replacesAll
        self.state = state
    }
}

/// A record with its place in ingest order.
public struct SequencedRecord: Sendable {
    public var sequence: Int64
    public var record: UsageRecord
}

/// The reads and the one write `attribute` needs, in the SQL both backends share.
extension LedgerSQL {
    /// The repository's id, added when new.
    public func repositoryID(identity: String, name: String) async throws -> Int64 {
        _ = try await write(guard: nil, [SQLWrite("INSERT INTO repositories (identity, name) VALUES (?, ?) ON CONFLICT (identity) DO NOTHING", [.text(identity), .text(name)])])
        guard let id = try await select("SELECT id FROM repositories WHERE identity = ?", [.text(identity)]).first?.first?.integer else {
            throw UsageLedger.Failure.database("cannot record repository \(identity)")
        }
        return id
    }

    public func state(repository: Int64) async throws -> LedgerRepositoryState? {
        guard let row = try await select("SELECT revision, tips, settings, usage_mark, remotes FROM repository_state WHERE repository_id = ?", [.integer(repository)]).first else {
            return nil
        }
        return LedgerRepositoryState(
            revision: row[0].integer ?? 0, tips: Self.list(row[1]), settings: row[2].text ?? "",
            usageMark: row[3].integer ?? 0, remotes: Self.list(row[4]))
    }

    static func list(_ value: SQLValue) -> [String] { (value.text ?? "").split(separator: "\n").map(String.init) }

    /// The stored attribution of one repository: deployments in time order with their shipped
    /// sets, joins by record.
    public func attribution(identity: String) async throws -> UsageLedger.Attribution? {
        guard let row = try await select("SELECT id, name FROM repositories WHERE identity = ?", [.text(identity)]).first,
              let repository = row[0].integer else { return nil }
        var shipped = [String: [String]]()
        for item in try await select("SELECT environment, deployment_id, commit_id FROM shipped_commits WHERE repository_id = ? ORDER BY commit_id", [.integer(repository)]) {
            shipped[(item[0].text ?? "") + "\u{1F}" + (item[1].text ?? ""), default: []].append(item[2].text ?? "")
        }
        var deployments = try await deployments(repository: repository)
        for index in deployments.indices {
            deployments[index].shipped = shipped[deployments[index].environment + "\u{1F}" + deployments[index].id] ?? []
        }
        let joins = try await select("SELECT source, key, commit_id, confidence FROM attributions WHERE repository_id = ? ORDER BY source, key", [.integer(repository)]).map {
            UsageLedger.Attribution.Join(source: $0[0].text ?? "", key: $0[1].text ?? "", commit: $0[2].text ?? "", confidence: $0[3].text ?? "")
        }
        return UsageLedger.Attribution(identity: identity, name: row[1].text ?? "", deployments: deployments, joins: joins)
    }

    /// Stored deployments (their shipped sets left empty), in time order.
    public func deployments(repository: Int64) async throws -> [UsageLedger.Attribution.StoredDeployment] {
        try await select("SELECT environment, id, ref, commit_id, time, status, kind FROM deployments WHERE repository_id = ? ORDER BY time, environment, id",
                         [.integer(repository)]).map { row in
            .init(environment: row[0].text ?? "", id: row[1].text ?? "", ref: row[2].text ?? "", commit: row[3].text ?? "",
                  time: Date(timeIntervalSince1970: row[4].real ?? 0), status: row[5].text ?? "", kind: row[6].text ?? "", shipped: [])
        }
    }

    /// Which of `commits` a deployment in `environment` shipped.
    public func shipped(repository: Int64, environment: String, commits: [String]) async throws -> Set<String> {
        Set(try await selectIn({ "SELECT commit_id FROM shipped_commits WHERE repository_id = ? AND environment = ? AND commit_id IN \($0)" },
                               values: commits.map(SQLValue.text), prefix: [.integer(repository), .text(environment)]).compactMap { $0[0].text })
    }

    static var recordColumns: String {
        "source, key, timestamp, granularity, actor, session, agent, model, repository, branch, commit_id, input, output, cache_write, cache_write_1h, cache_read, cost_usd"
    }

    /// Usage records matching `condition` (SQL over usage_records' columns), with their sequence.
    public func records(where condition: String, _ arguments: [SQLValue]) async throws -> [SequencedRecord] {
        try await select("SELECT \(sequenceColumn), \(Self.recordColumns) FROM usage_records WHERE \(condition)", arguments).map(Self.record)
    }

    /// Records whose `column` is one of `values`.
    public func records(column: String, in values: [String]) async throws -> [SequencedRecord] {
        try await selectIn({ "SELECT \(self.sequenceColumn), \(Self.recordColumns) FROM usage_records WHERE \(column) IN \($0)" },
                           values: values.map(SQLValue.text)).map(Self.record)
    }

    static func record(_ row: [SQLValue]) -> SequencedRecord {
        var record = UsageRecord(
            source: row[1].text ?? "", key: row[2].text ?? "", timestamp: Date(timeIntervalSince1970: row[3].real ?? 0),
            granularity: UsageRecord.Granularity(rawValue: row[4].text ?? "") ?? .request,
            actor: row[5].text, session: row[6].text, agent: row[7].text, model: row[8].text ?? "",
            repository: row[9].text, branch: row[10].text, commit: row[11].text,
            input: row[12].integer ?? 0, output: row[13].integer ?? 0, cacheWrite: row[14].integer ?? 0, cacheRead: row[16].integer ?? 0,
            costUSD: row[17].text.flatMap { Decimal(string: $0) })
        record.cacheWrite1h = row[15].integer ?? 0
        return SequencedRecord(sequence: row[0].integer ?? 0, record: record)
    }

    /// Session links naming one of `commits` (full ids or prefixes), or one of `sessions`.
    public func links(commits: [String], sessions: [String]) async throws -> [SessionCommitLink] {
        var rows = try await selectIn({ "SELECT session, commit_id, time FROM session_links WHERE commit_id IN \($0)" }, values: commits.map(SQLValue.text))
        rows += try await selectIn({ "SELECT session, commit_id, time FROM session_links WHERE session IN \($0)" }, values: sessions.map(SQLValue.text))
        var seen = Set<[SQLValue]>()
        return rows.filter { seen.insert($0).inserted }.map {
            SessionCommitLink(session: $0[0].text ?? "", commit: $0[1].text ?? "", time: Date(timeIntervalSince1970: $0[2].real ?? 0))
        }
    }

    static var commitColumns: String {
        "c.commit_id, c.author_time, c.person, c.author_name, c.is_merge, c.is_bot, c.summary, c.signals, c.agent, c.model, c.reverts, c.team, c.lines, c.repository_id, "
            + "c.effective_lines, c.fingerprint, c.inverse_fingerprint, c.templates"
    }

    /// Stored commits matching `condition` (SQL over `commits c`), with the sessions they name
    /// unless `sessions` is false (reports do not read them).
    public func commits(where condition: String, _ arguments: [SQLValue], sessions: Bool = true) async throws -> [(repository: Int64, commit: LedgerCommit)] {
        let rows = try await select("SELECT \(Self.commitColumns) FROM commits c WHERE \(condition)", arguments)
        return try await withSessions(rows, reading: sessions)
    }

    /// Stored commits of `repository` whose id is one of `ids`.
    public func commits(repository: Int64, ids: [String]) async throws -> [LedgerCommit] {
        let rows = try await selectIn({ "SELECT \(Self.commitColumns) FROM commits c WHERE c.repository_id = ? AND c.commit_id IN \($0)" },
                                      values: ids.map(SQLValue.text), prefix: [.integer(repository)])
        return try await withSessions(rows).map(\.commit)
    }

    /// Stored commits of `repository` naming one of `sessions`.
    public func commits(repository: Int64, sessions: [String]) async throws -> [LedgerCommit] {
        let rows = try await selectIn({ """
            SELECT \(Self.commitColumns) FROM commits c WHERE c.repository_id = ? AND c.commit_id IN
                (SELECT commit_id FROM commit_sessions WHERE repository_id = ? AND session IN \($0))
            """ }, values: sessions.map(SQLValue.text), prefix: [.integer(repository), .integer(repository)])
        return try await withSessions(rows).map(\.commit)
    }

    private func withSessions(_ rows: [[SQLValue]], reading: Bool = true) async throws -> [(repository: Int64, commit: LedgerCommit)] {
        var commits = rows.map { row in
            (repository: row[13].integer ?? 0, commit: LedgerCommit(
                id: row[0].text ?? "", authorTime: row[1].integer ?? 0, person: row[2].text ?? "", authorName: row[3].text ?? "",
                isMerge: row[4].bool, isBot: row[5].bool, summary: row[6].text ?? "", signals: Self.list(row[7]), sessions: [],
                agent: row[8].text, model: row[9].text, reverts: row[10].text, team: row[11].text ?? "", lines: row[12].integer.map(Int.init),
                measure: ChangeMeasure(row[14], row[15], row[16], row[17])))
        }
        guard reading, !commits.isEmpty else { return commits }
        var sessions = [String: [LedgerSession]]()
        let repositories = Set(commits.map(\.repository))
        for repository in repositories {
            let ids = commits.filter { $0.repository == repository }.map(\.commit.id)
            let found = try await selectIn({ "SELECT commit_id, agent, session FROM commit_sessions WHERE repository_id = ? AND commit_id IN \($0)" },
                                           values: ids.map(SQLValue.text), prefix: [.integer(repository)])
            for row in found {
                sessions["\(repository)/\(row[0].text ?? "")", default: []].append(LedgerSession(agent: row[1].text ?? "", id: row[2].text ?? ""))
            }
        }
        for index in commits.indices {
            commits[index].commit.sessions = (sessions["\(commits[index].repository)/\(commits[index].commit.id)"] ?? []).sorted { ($0.id, $0.agent) < ($1.id, $1.agent) }
        }
        return commits
    }

    /// Stored attributions of `repository` for these records: record identity → (commit, confidence).
    public func attributions(repository: Int64, records: [UsageRecord]) async throws -> [String: (commit: String, confidence: String)] {
        var result = [String: (commit: String, confidence: String)]()
        var bySource = [String: [String]]()
        for record in records { bySource[record.source, default: []].append(record.key) }
        for (source, keys) in bySource {
            let rows = try await selectIn({ "SELECT key, commit_id, confidence FROM attributions WHERE repository_id = ? AND source = ? AND key IN \($0)" },
                                          values: keys.map(SQLValue.text), prefix: [.integer(repository), .text(source)])
            for row in rows { result[source + "\u{1F}" + (row[0].text ?? "")] = (row[1].text ?? "", row[2].text ?? "") }
        }
        return result
    }

    /// Writes `change` in one transaction. Returns false, writing nothing, when another run
    /// changed the repository since `change.expectedRevision` was read.
    public func apply(_ change: AttributionChange, repository: Int64, version: String, started: Date) async throws -> Bool {
        let id = SQLValue.integer(repository)
        let check = change.expectedRevision.map { revision in
            SQLWrite("UPDATE repository_state SET revision = revision + 1 WHERE repository_id = ? AND revision = ?", [id, .integer(revision)])
        } ?? SQLWrite("""
            INSERT INTO repository_state (repository_id, revision, tips, settings, usage_mark, remotes, updated_at)
            VALUES (?, 1, '', '', 0, '', 0) ON CONFLICT (repository_id) DO NOTHING
            """, [id])
        var writes = [SQLWrite]()
        writes.append(SQLWrite("UPDATE repositories SET name = ? WHERE id = ?", [.text(change.name), id]))
        // The rollup: the records whose attribution here changes leave their place before the
        // change and take their new one after it.
        let token = UUID().uuidString
        var changed = Set<[SQLValue]>()
        for join in change.joins { changed.insert([.text(token), .text(join.source), .text(join.key)]) }
        for item in change.unjoined { changed.insert([.text(token), .text(item.source), .text(item.key)]) }
        writes.append(SQLWrite("INSERT INTO changed_records (token, source, key) VALUES (?, ?, ?)", rows: Array(changed)))
        if change.replacesAll {
            writes.append(SQLWrite("INSERT INTO changed_records (token, source, key) SELECT ?, source, key FROM attributions WHERE repository_id = ?", [.text(token), id]))
        }
        writes.append(SQLWrite(UsageRollup.change(-1, where: UsageRollup.changed(token), dialect)))
        if change.replacesAll {
            for table in ["shipped_commits", "deployments", "attributions", "commit_sessions", "commits", "actors"] {
                writes.append(SQLWrite("DELETE FROM \(table) WHERE repository_id = ?", [id]))
            }
        }
        writes.append(SQLWrite("""
            INSERT INTO commits (repository_id, commit_id, author_time, person, author_name, is_merge, is_bot, summary, signals, agent, model, reverts, team, lines,
                effective_lines, fingerprint, inverse_fingerprint, templates)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repository_id, commit_id) DO NOTHING
            """, rows: Self.unique(change.commits, by: \.id).map { commit in
            [id, .text(commit.id), .integer(commit.authorTime), .text(commit.person), .text(commit.authorName), SQLValue(commit.isMerge),
             SQLValue(commit.isBot), .text(commit.summary), .text(commit.signals.joined(separator: "\n")), SQLValue(commit.agent),
             SQLValue(commit.model), SQLValue(commit.reverts), .text(commit.team), SQLValue(commit.lines)]
                + (commit.measure?.columnValues ?? [.null, .null, .null, .null])
        }))
        var sessionRows = Set<[SQLValue]>()
        for commit in change.commits {
            for session in commit.sessions { sessionRows.insert([id, .text(session.id), .text(session.agent), .text(commit.id)]) }
        }
        writes.append(SQLWrite("INSERT INTO commit_sessions (repository_id, session, agent, commit_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                               rows: Array(sessionRows)))
        writes.append(SQLWrite("UPDATE commits SET lines = ? WHERE repository_id = ? AND commit_id = ?",
                               rows: change.lines.sorted { $0.key < $1.key }.map { [.integer(Int64($0.value)), id, .text($0.key)] }))
        writes.append(SQLWrite("UPDATE commits SET effective_lines = ?, fingerprint = ?, inverse_fingerprint = ?, templates = ? WHERE repository_id = ? AND commit_id = ?",
                               rows: change.measures.sorted { $0.key < $1.key }.map { $0.value.columnValues + [id, .text($0.key)] }))
        let deployments = Self.unique(change.deployments) { $0.environment + "\u{1F}" + $0.id }
        writes.append(SQLWrite("""
            INSERT INTO deployments (repository_id, environment, id, ref, commit_id, time, status, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (repository_id, environment, id) DO UPDATE SET ref = excluded.ref, commit_id = excluded.commit_id,
                time = excluded.time, status = excluded.status, kind = excluded.kind
            """, rows: deployments.map { item in
            [id, .text(item.environment), .text(item.id), .text(item.ref), .text(item.commit), .real(item.time.timeIntervalSince1970),
             .text(item.status), .text(item.kind)]
        }))
        var shipped = Set<[SQLValue]>()
        for item in deployments {
            for commit in item.shipped { shipped.insert([id, .text(item.environment), .text(item.id), .text(commit)]) }
        }
        writes.append(SQLWrite("INSERT INTO shipped_commits (repository_id, environment, deployment_id, commit_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                               rows: Array(shipped)))
        writes.append(SQLWrite("UPDATE deployments SET status = ? WHERE repository_id = ? AND environment = ? AND id = ?",
                               rows: change.statuses.map { [.text($0.status), id, .text($0.environment), .text($0.id)] }))
        writes.append(SQLWrite("""
            INSERT INTO attributions (repository_id, source, key, commit_id, confidence) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (repository_id, source, key) DO UPDATE SET commit_id = excluded.commit_id, confidence = excluded.confidence
            """, rows: Self.unique(change.joins) { $0.source + "\u{1F}" + $0.key }.map {
            [id, .text($0.source), .text($0.key), .text($0.commit), .text($0.confidence)]
        }))
        writes.append(SQLWrite("DELETE FROM attributions WHERE repository_id = ? AND source = ? AND key = ?",
                               rows: change.unjoined.map { [id, .text($0.source), .text($0.key)] }))
        writes.append(SQLWrite(UsageRollup.change(1, where: UsageRollup.changed(token), dialect)))
        writes.append(SQLWrite(UsageRollup.dropEmpty))
        writes.append(SQLWrite("DELETE FROM changed_records WHERE token = ?", [.text(token)]))
        writes.append(SQLWrite("""
            INSERT INTO actors (repository_id, actor, person, team, bot) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (repository_id, actor) DO UPDATE SET person = excluded.person, team = excluded.team, bot = excluded.bot
            """, rows: Self.unique(change.actors, by: \.actor).map { [id, .text($0.actor), .text($0.person), .text($0.team), SQLValue($0.bot)] }))
        let state = change.state
        writes.append(SQLWrite("UPDATE repository_state SET tips = ?, settings = ?, usage_mark = ?, remotes = ?, updated_at = ? WHERE repository_id = ?", [
            .text(state.tips.joined(separator: "\n")), .text(state.settings), .integer(state.usageMark),
            .text(state.remotes.joined(separator: "\n")), .real(Date().timeIntervalSince1970), id,
        ]))
        let counts = change.counts.keys.sorted().map { "\($0)=\(change.counts[$0] ?? 0)" }.joined(separator: " ")
        writes.append(SQLWrite("INSERT INTO runs (command, started_at, finished_at, version, counts) VALUES (?, ?, ?, ?, ?)",
                               [.text("attribute"), .real(started.timeIntervalSince1970), .real(Date().timeIntervalSince1970), .text(version), .text(counts)]))
        return try await write(guard: check, writes.filter { !$0.rows.isEmpty })
    }

    static func unique<Item>(_ items: [Item], by key: (Item) -> String) -> [Item] {
        var seen = Set<String>()
        return items.reversed().filter { seen.insert(key($0)).inserted }.reversed()
    }
}
