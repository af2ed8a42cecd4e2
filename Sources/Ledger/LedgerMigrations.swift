/// The ledger's schema history: one ordered list of steps both backends run, each taking a ledger
/// from the version before it to its own. What the backends write differently (key and real
/// types, `ADD COLUMN IF NOT EXISTS`, PostgreSQL's record sequence) is data of `SQLDialect`; a
/// step is SQL text, never a backend's API. A ledger records the version it is at
/// (`shipmeter_meta.schema_version`); opening one runs the steps after it, in one transaction.
enum LedgerMigrations {
    struct Step: Sendable {
        let version: Int
        let statements: @Sendable (SQLDialect) -> [String]
    }

    /// The version this binary writes; a ledger at a higher one is refused.
    static var latest: Int { steps[steps.count - 1].version }

    /// The steps after `version`, up to `target`.
    static func pending(after version: Int, through target: Int = latest) -> [Step] {
        steps.filter { $0.version > version && $0.version <= target }
    }

    /// Records the version reached (in the same transaction as the steps).
    static func recordVersion(_ version: Int) -> String {
        """
        INSERT INTO shipmeter_meta (key, value) VALUES ('schema_version', '\(version)')
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """
    }

    static let steps: [Step] = [
        // 1: usage records, the sessions commits name, and the runs that wrote them.
        Step(version: 1) { sql in
            [
                "CREATE TABLE IF NOT EXISTS shipmeter_meta (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
                "INSERT INTO shipmeter_meta (key, value) VALUES ('kind', '\(SQLiteLedger.marker)') ON CONFLICT (key) DO NOTHING",
                """
                CREATE TABLE IF NOT EXISTS usage_records (source TEXT NOT NULL, key TEXT NOT NULL, timestamp \(sql.double) NOT NULL,
                    granularity TEXT NOT NULL, actor TEXT, session TEXT, agent TEXT, model TEXT NOT NULL, repository TEXT, branch TEXT,
                    commit_id TEXT, input \(sql.integer) NOT NULL, output \(sql.integer) NOT NULL, cache_write \(sql.integer) NOT NULL,
                    cache_write_1h \(sql.integer) NOT NULL, cache_read \(sql.integer) NOT NULL, cost_usd TEXT, PRIMARY KEY (source, key))
                """,
                "CREATE INDEX IF NOT EXISTS usage_records_time ON usage_records (timestamp)",
                """
                CREATE TABLE IF NOT EXISTS session_links (session TEXT NOT NULL, commit_id TEXT NOT NULL, time \(sql.double) NOT NULL,
                    PRIMARY KEY (session, commit_id, time))
                """,
                """
                CREATE TABLE IF NOT EXISTS runs (id \(sql.serialKey), command TEXT NOT NULL, started_at \(sql.double) NOT NULL,
                    finished_at \(sql.double) NOT NULL, version TEXT NOT NULL, counts TEXT NOT NULL)
                """,
            ] + sql.recordSequence
        },
        // 2: repositories, their deployments, what each shipped, and where records are attributed.
        // Every large table carries the repository id, so it can be distributed by it.
        Step(version: 2) { sql in
            [
                "CREATE TABLE IF NOT EXISTS repositories (id \(sql.serialKey), identity TEXT NOT NULL UNIQUE, name TEXT NOT NULL)",
                """
                CREATE TABLE IF NOT EXISTS deployments (repository_id \(sql.integer) NOT NULL REFERENCES repositories ON DELETE CASCADE,
                    environment TEXT NOT NULL, id TEXT NOT NULL, ref TEXT NOT NULL, commit_id TEXT NOT NULL, time \(sql.double) NOT NULL,
                    status TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (repository_id, environment, id))
                """,
                """
                CREATE TABLE IF NOT EXISTS shipped_commits (repository_id \(sql.integer) NOT NULL REFERENCES repositories ON DELETE CASCADE,
                    environment TEXT NOT NULL, deployment_id TEXT NOT NULL, commit_id TEXT NOT NULL,
                    PRIMARY KEY (repository_id, environment, commit_id))
                """,
                """
                CREATE TABLE IF NOT EXISTS attributions (repository_id \(sql.integer) NOT NULL REFERENCES repositories ON DELETE CASCADE,
                    source TEXT NOT NULL, key TEXT NOT NULL, commit_id TEXT NOT NULL, confidence TEXT NOT NULL,
                    PRIMARY KEY (repository_id, source, key))
                """,
            ]
        },
        // 3: what a report needs without the repository at hand, and the usage rollup, filled
        // from the records already kept.
        Step(version: 3) { sql in
            LedgerSchema.version3(integerKey: sql.integer, real: sql.real) + [
                // `forget` compares lower(actor), which this index (of early ledgers) never served.
                "DROP INDEX IF EXISTS usage_records_actor",
                "DELETE FROM usage_rollup",
                UsageRollup.change(1, where: "1 = 1", sql),
            ]
        },
        Step(version: 4) { sql in LedgerSchema.version4(real: sql.real, ifNotExists: sql.addColumnIfNotExists) },
        Step(version: 5) { sql in LedgerSchema.version5(ifNotExists: sql.addColumnIfNotExists) },
        Step(version: 6) { sql in LedgerSchema.version6(ifNotExists: sql.addColumnIfNotExists) },
        Step(version: 7) { sql in LedgerSchema.version7(real: sql.real, ifNotExists: sql.addColumnIfNotExists) },
    ]
}

extension SQLDialect {
    /// A whole-number column.
    var integer: String { self == .sqlite ? "INTEGER" : "BIGINT" }
    /// A floating-point column.
    var real: String { self == .sqlite ? "REAL" : "DOUBLE PRECISION" }
    /// The same, as the first two versions declared it (SQLite: `DOUBLE`, of the same affinity).
    var double: String { self == .sqlite ? "DOUBLE" : "DOUBLE PRECISION" }
    /// A primary key numbered by the database.
    var serialKey: String { self == .sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY" }
    /// SQLite has no `ADD COLUMN IF NOT EXISTS`; its steps run exactly once, in a transaction.
    var addColumnIfNotExists: String { self == .sqlite ? "" : "IF NOT EXISTS " }
    /// The column numbering usage records in the order they were added: SQLite's rowid is one;
    /// PostgreSQL needs its own.
    var recordSequence: [String] {
        self == .sqlite
            ? []
            : [
                "ALTER TABLE usage_records ADD COLUMN IF NOT EXISTS seq BIGSERIAL",
                "CREATE INDEX IF NOT EXISTS usage_records_seq ON usage_records (seq)",
            ]
    }
}
