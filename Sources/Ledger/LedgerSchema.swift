/// Tables both backends share, written once.
enum LedgerSchema {
    /// Schema 3: what a report needs without the repository at hand, and what lets `attribute`
    /// pick up where its last run stopped. Every table carries the repository id (distribution key).
    static func version3(integerKey: String, real: String) -> [String] {
        [
            // Commits with their AI signals, team and weight; the summary is the only message text.
            """
            CREATE TABLE IF NOT EXISTS commits (repository_id \(integerKey) NOT NULL REFERENCES repositories ON DELETE CASCADE,
                commit_id TEXT NOT NULL, author_time \(real) NOT NULL, person TEXT NOT NULL, author_name TEXT NOT NULL,
                is_merge INTEGER NOT NULL, is_bot INTEGER NOT NULL, summary TEXT NOT NULL, signals TEXT NOT NULL,
                agent TEXT, model TEXT, reverts TEXT, team TEXT NOT NULL, lines INTEGER,
                PRIMARY KEY (repository_id, commit_id))
            """,
            "CREATE INDEX IF NOT EXISTS commits_person ON commits (repository_id, person, author_time)",
            // Sessions named by commit trailers (agent '' when the trailer names none).
            """
            CREATE TABLE IF NOT EXISTS commit_sessions (repository_id \(integerKey) NOT NULL REFERENCES repositories ON DELETE CASCADE,
                session TEXT NOT NULL, agent TEXT NOT NULL, commit_id TEXT NOT NULL,
                PRIMARY KEY (repository_id, session, commit_id, agent))
            """,
            // Who a record's actor is in a repository: canonical person, team, bot.
            """
            CREATE TABLE IF NOT EXISTS actors (repository_id \(integerKey) NOT NULL REFERENCES repositories ON DELETE CASCADE,
                actor TEXT NOT NULL, person TEXT NOT NULL, team TEXT NOT NULL, bot INTEGER NOT NULL,
                PRIMARY KEY (repository_id, actor))
            """,
            // Where the last `attribute` stopped: the tips it walked, the settings it used, the last
            // usage record it saw, and a revision that concurrent runs compare and bump.
            """
            CREATE TABLE IF NOT EXISTS repository_state (repository_id \(integerKey) PRIMARY KEY REFERENCES repositories ON DELETE CASCADE,
                revision INTEGER NOT NULL, tips TEXT NOT NULL, settings TEXT NOT NULL, usage_mark INTEGER NOT NULL,
                remotes TEXT NOT NULL, updated_at \(real) NOT NULL)
            """,
            // Usage summed per (where it is attributed, actor, model, agent, session, location, UTC
            // day): what reports read instead of every record. Kept in step by every write.
            """
            CREATE TABLE IF NOT EXISTS usage_rollup (repository_id \(integerKey) NOT NULL, commit_id TEXT NOT NULL, confidence TEXT NOT NULL,
                actor TEXT NOT NULL, model TEXT NOT NULL, agent TEXT NOT NULL, session TEXT NOT NULL, location TEXT NOT NULL, day INTEGER NOT NULL,
                input BIGINT NOT NULL, output BIGINT NOT NULL, cache_write BIGINT NOT NULL, cache_write_1h BIGINT NOT NULL, cache_read BIGINT NOT NULL,
                cost_usd \(real) NOT NULL, priced BIGINT NOT NULL, records BIGINT NOT NULL,
                PRIMARY KEY (repository_id, commit_id, confidence, actor, model, agent, session, location, day))
            """,
            // The records one `attribute` run re-places in the rollup, under that run's token.
            "CREATE TABLE IF NOT EXISTS changed_records (token TEXT NOT NULL, source TEXT NOT NULL, key TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS usage_records_session ON usage_records (session)",
            // Few records name a commit: a partial index stays small and cheap to keep up.
            "CREATE INDEX IF NOT EXISTS usage_records_commit ON usage_records (commit_id) WHERE commit_id IS NOT NULL",
            "CREATE INDEX IF NOT EXISTS attributions_record ON attributions (source, key)",
            "CREATE INDEX IF NOT EXISTS session_links_commit ON session_links (commit_id)",
        ]
    }

    /// Schema 4: each commit's effective size and change fingerprints (the revised normalised
    /// deployment rule reads them; a report from the ledger needs no diff).
    static func version4(real: String, ifNotExists: String) -> [String] {
        [
            "ALTER TABLE commits ADD COLUMN \(ifNotExists)effective_lines \(real)",
            "ALTER TABLE commits ADD COLUMN \(ifNotExists)fingerprint BIGINT",
            "ALTER TABLE commits ADD COLUMN \(ifNotExists)inverse_fingerprint BIGINT",
            "ALTER TABLE commits ADD COLUMN \(ifNotExists)templates TEXT",
        ]
    }

    /// Schema 5: the lines an agent wrote that each commit adds (git-ai notes, Agent Trace).
    static func version5(ifNotExists: String) -> [String] {
        ["ALTER TABLE commits ADD COLUMN \(ifNotExists)ai_lines INTEGER"]
    }

    /// Schema 6: what the information measure found in each commit's added lines — copies,
    /// moves and re-layouts, same-shape runs — for the warnings a report from the ledger gives.
    /// (Effective sizes measured by the earlier rule are measured again: the attribution rules'
    /// version changed with it, so the next `attribute` starts over.)
    static func version6(ifNotExists: String) -> [String] {
        ["added_lines", "copied_lines", "moved_lines", "templated_lines"].map { "ALTER TABLE commits ADD COLUMN \(ifNotExists)\($0) INTEGER" }
    }

    /// Schema 7: what pull requests, branches and rework are found from — each commit's parents
    /// and commit time, the pull request and branch its own message names, and whether it is a
    /// hotfix — and the tips are kept in order (they already were). Commits stored before it lack
    /// them: the attribution rules' version changed with it, so the next `attribute` starts over.
    static func version7(real: String, ifNotExists: String) -> [String] {
        [
            ("parents", "TEXT"), ("committer_time", real), ("pr_forge", "TEXT"), ("pr_number", "INTEGER"), ("pr_title", "TEXT"),
            ("merged_branch", "TEXT"), ("hotfix", "INTEGER"),
        ].map { "ALTER TABLE commits ADD COLUMN \(ifNotExists)\($0.0) \($0.1)" }
    }
}
