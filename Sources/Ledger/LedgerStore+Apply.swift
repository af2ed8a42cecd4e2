import AttributionModel
import Foundation
import GitModel
import Usage

extension LedgerStore {
    /// Writes `change` in one transaction. Returns false, writing nothing, when another run
    /// changed the repository since `change.expectedRevision` was read.
    public func apply(_ change: AttributionChange, repository: Int64, version: String, started: Date) async throws -> Bool {
        let id = SQLValue.integer(repository)
        let check =
            change.expectedRevision.map { revision in
                SQLWrite("UPDATE repository_state SET revision = revision + 1 WHERE repository_id = ? AND revision = ?", [id, .integer(revision)])
            }
            ?? SQLWrite(
                """
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
            writes.append(
                SQLWrite(
                    "INSERT INTO changed_records (token, source, key) SELECT ?, source, key FROM attributions WHERE repository_id = ?",
                    [.text(token), id]))
        }
        writes.append(SQLWrite(UsageRollup.change(-1, where: UsageRollup.changed(token), dialect)))
        if change.replacesAll {
            for table in ["shipped_commits", "deployments", "attributions", "commit_sessions", "commits", "actors"] {
                writes.append(SQLWrite("DELETE FROM \(table) WHERE repository_id = ?", [id]))
            }
        }
        writes.append(
            SQLWrite(
                """
                INSERT INTO commits (repository_id, commit_id, author_time, person, author_name, is_merge, is_bot, summary, signals, agent, model, reverts, team, lines,
                    effective_lines, fingerprint, inverse_fingerprint, templates, added_lines, copied_lines, moved_lines, templated_lines, ai_lines,
                    parents, committer_time, pr_forge, pr_number, pr_title, merged_branch, hotfix)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repository_id, commit_id) DO NOTHING
                """,
                rows: Self.unique(change.commits, by: \.id).map { commit in
                    let facts = commit.facts
                    return [
                        id, .text(commit.id), .integer(facts.authorTime.seconds), .text(facts.person), .text(facts.authorName),
                        SQLValue(facts.isMerge),
                        SQLValue(facts.isBot), .text(facts.summary), .text(facts.signals.joined(separator: "\n")), SQLValue(facts.agent),
                        SQLValue(facts.model), SQLValue(facts.reverts?.hex), .text(commit.team), SQLValue(commit.lines),
                    ]
                        + (commit.measure?.columnValues ?? ChangeMeasure.nullColumns) + [SQLValue(commit.aiLines)] + Self.mergeColumns(facts)
                }))
        var sessionRows = Set<[SQLValue]>()
        for commit in change.commits {
            for session in commit.facts.sessions { sessionRows.insert([id, .text(session.id), .text(session.agent ?? ""), .text(commit.id)]) }
        }
        writes.append(
            SQLWrite(
                "INSERT INTO commit_sessions (repository_id, session, agent, commit_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                rows: Array(sessionRows)))
        writes.append(
            SQLWrite(
                "UPDATE commits SET lines = ? WHERE repository_id = ? AND commit_id = ?",
                rows: change.lines.sorted { $0.key < $1.key }.map { [.integer(Int64($0.value)), id, .text($0.key)] }))
        writes.append(
            SQLWrite(
                """
                UPDATE commits SET effective_lines = ?, fingerprint = ?, inverse_fingerprint = ?, templates = ?,
                    added_lines = ?, copied_lines = ?, moved_lines = ?, templated_lines = ? WHERE repository_id = ? AND commit_id = ?
                """,
                rows: change.measures.sorted { $0.key < $1.key }.map { $0.value.columnValues + [id, .text($0.key)] }))
        let deployments = Self.unique(change.deployments, by: \.key)
        writes.append(
            SQLWrite(
                """
                INSERT INTO deployments (repository_id, environment, id, ref, commit_id, time, status, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (repository_id, environment, id) DO UPDATE SET ref = excluded.ref, commit_id = excluded.commit_id,
                    time = excluded.time, status = excluded.status, kind = excluded.kind
                """,
                rows: deployments.map { item in
                    [
                        id, .text(item.environment), .text(item.id), .text(item.ref), .text(item.commit), .real(item.time.timeIntervalSince1970),
                        .text(item.status.rawValue), .text(item.kind.rawValue),
                    ]
                }))
        var shipped = Set<[SQLValue]>()
        for item in deployments {
            for commit in item.shipped { shipped.insert([id, .text(item.environment), .text(item.id), .text(commit)]) }
        }
        writes.append(
            SQLWrite(
                "INSERT INTO shipped_commits (repository_id, environment, deployment_id, commit_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                rows: Array(shipped)))
        writes.append(
            SQLWrite(
                "UPDATE deployments SET status = ? WHERE repository_id = ? AND environment = ? AND id = ?",
                rows: change.rolledBack.map { [.text(Deployment.Status.rolledBack.rawValue), id, .text($0.environment), .text($0.id)] }))
        writes.append(
            SQLWrite(
                """
                INSERT INTO attributions (repository_id, source, key, commit_id, confidence) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (repository_id, source, key) DO UPDATE SET commit_id = excluded.commit_id, confidence = excluded.confidence
                """,
                rows: Self.unique(change.joins) { UsageRecord.identity(source: $0.source, key: $0.key) }.map {
                    [id, .text($0.source), .text($0.key), .text($0.commit), .text($0.confidence.rawValue)]
                }))
        writes.append(
            SQLWrite(
                "DELETE FROM attributions WHERE repository_id = ? AND source = ? AND key = ?",
                rows: change.unjoined.map { [id, .text($0.source), .text($0.key)] }))
        writes.append(SQLWrite(UsageRollup.change(1, where: UsageRollup.changed(token), dialect)))
        writes.append(SQLWrite(UsageRollup.dropEmpty))
        writes.append(SQLWrite("DELETE FROM changed_records WHERE token = ?", [.text(token)]))
        writes.append(
            SQLWrite(
                """
                INSERT INTO actors (repository_id, actor, person, team, bot) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (repository_id, actor) DO UPDATE SET person = excluded.person, team = excluded.team, bot = excluded.bot
                """, rows: Self.unique(change.actors, by: \.actor).map { [id, .text($0.actor), .text($0.person), .text($0.team), SQLValue($0.bot)] }))
        let state = change.state
        writes.append(
            SQLWrite(
                "UPDATE repository_state SET tips = ?, settings = ?, usage_mark = ?, remotes = ?, updated_at = ? WHERE repository_id = ?",
                [
                    .text(state.tips.joined(separator: "\n")), .text(state.settings), .integer(state.usageMark),
                    .text(state.remotes.joined(separator: "\n")), .real(Date().timeIntervalSince1970), id,
                ]))
        let counts = change.counts.keys.sorted().map { "\($0)=\(change.counts[$0] ?? 0)" }.joined(separator: " ")
        writes.append(
            SQLWrite(
                "INSERT INTO runs (command, started_at, finished_at, version, counts) VALUES (?, ?, ?, ?, ?)",
                [.text("attribute"), .real(started.timeIntervalSince1970), .real(Date().timeIntervalSince1970), .text(version), .text(counts)]))
        return try await write(guard: check, writes.filter { !$0.rows.isEmpty })
    }

    /// The last of the items with each key, in their order.
    static func unique<Item, Key: Hashable>(_ items: [Item], by key: (Item) -> Key) -> [Item] {
        var seen = Set<Key>()
        return items.reversed().filter { seen.insert(key($0)).inserted }.reversed()
    }
}
