import Foundation
import GRDB
import ShipmeterTestSupport
import Testing

@testable import Ledger

/// One schema history for both backends: a ledger left at any earlier version, with what that
/// version could hold, becomes the same ledger as a fresh one given the same data — the same
/// tables, columns, indexes and rows, on SQLite and PostgreSQL.
@Suite struct LedgerMigrationTests {
    static let earlier = Array(1..<LedgerMigrations.latest)

    @Test(arguments: Backend.available, earlier)
    func aLedgerAtAnEarlierSchemaMigratesToWhatAFreshOneHolds(_ backend: Backend, _ version: Int) async throws {
        let folder = ScratchDirectory()
        let old = try backend.freshLocation(in: folder)
        try await Self.write(backend, old, schema: version, rowsOf: version)
        let fresh = try backend.freshLocation(in: folder)
        try await Self.write(backend, fresh, schema: LedgerMigrations.latest, rowsOf: version)

        let migrated = try await LedgerStore.open(old)
        let expected = try await LedgerStore.open(fresh)
        let (migratedSchema, expectedSchema) = (try await Self.schema(migrated), try await Self.schema(expected))
        #expect(migratedSchema == expectedSchema)
        #expect(try await Self.rows(migrated, schema: migratedSchema) == (try await Self.rows(expected, schema: expectedSchema)))
        #expect(
            try await migrated.select("SELECT value FROM shipmeter_meta WHERE key = 'schema_version'", []).first?["value"].text
                == String(LedgerMigrations.latest))
        await migrated.close()
        await expected.close()
    }

    /// A ledger the previous release wrote (schema 7, its tables made through GRDB's table
    /// builder): the same tables, columns and indexes as the steps make now, and still readable.
    @Test func aLedgerThePreviousReleaseWroteHasTheSchemaTheStepsMake() async throws {
        let folder = ScratchDirectory()
        let copy = folder.file("previous.sqlite")
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/ledger-schema7.sqlite")
        try FileManager.default.copyItem(atPath: fixture.path, toPath: copy)
        let previous = try await LedgerStore.open(copy)
        let fresh = try await LedgerStore.open(folder.file("fresh.sqlite"))
        let (was, now) = (try await Self.schema(previous), try await Self.schema(fresh))
        #expect(
            was == now, "only in the previous release's: \(was.filter { !now.contains($0) }); only in the steps': \(now.filter { !was.contains($0) })"
        )
        #expect(try await previous.batch().records.count == 159)
        #expect(try await previous.attributedRepositories().map(\.name) == ["acme-app"])
        await previous.close()
        await fresh.close()
    }

    // MARK: - Helpers

    /// A ledger brought to `schema` by the steps alone, then given rows of every table version
    /// `rowsOf` has (and, from schema 3, the usage rollup they make, as every write keeps it).
    static func write(_ backend: Backend, _ location: String, schema: Int, rowsOf version: Int) async throws {
        var statements = [
            """
            INSERT INTO usage_records (source, key, timestamp, granularity, actor, session, agent, model, repository, branch, commit_id,
                input, output, cache_write, cache_write_1h, cache_read, cost_usd)
            VALUES ('jsonl', 'r1', 1767225600, 'request', 'ann@acme.test', 's1', 'claude-code', 'claude-sonnet-4-5', '/work/app', 'main',
                NULL, 100, 20, 5, 0, 1000, '0.0123'),
                ('jsonl', 'r2', 1767312000, 'request', 'bo@acme.test', NULL, NULL, 'gpt-4o', NULL, NULL, 'abc123', 7, 3, 0, 0, 0, NULL)
            """,
            "INSERT INTO session_links (session, commit_id, time) VALUES ('s1', 'abc123', 1767225700)",
            "INSERT INTO runs (command, started_at, finished_at, version, counts) VALUES ('ingest', 1767225600, 1767225601, 'test', '{}')",
        ]
        if version >= 2 {
            statements += [
                "INSERT INTO repositories (identity, name) VALUES ('github.com/acme/app', 'acme/app')",
                """
                INSERT INTO deployments (repository_id, environment, id, ref, commit_id, time, status, kind)
                VALUES (1, 'production', 'deploy/production/1', 'refs/tags/deploy/production/1', 'abc123', 1767300000, 'success', 'forward')
                """,
                "INSERT INTO shipped_commits (repository_id, environment, deployment_id, commit_id) VALUES (1, 'production', 'deploy/production/1', 'abc123')",
                "INSERT INTO attributions (repository_id, source, key, commit_id, confidence) VALUES (1, 'jsonl', 'r1', 'abc123', 'session')",
            ]
        }
        if version >= 3 {
            statements += [
                """
                INSERT INTO commits (repository_id, commit_id, author_time, person, author_name, is_merge, is_bot, summary, signals, team, lines)
                VALUES (1, 'abc123', 1767225000, 'ann@acme.test', 'Ann', 0, 0, 'Add cache', '["trailer"]', 'payments', 12)
                """,
                "INSERT INTO commit_sessions (repository_id, session, agent, commit_id) VALUES (1, 's1', 'claude-code', 'abc123')",
                "INSERT INTO actors (repository_id, actor, person, team, bot) VALUES (1, 'ann@acme.test', 'ann@acme.test', 'payments', 0)",
                """
                INSERT INTO repository_state (repository_id, revision, tips, settings, usage_mark, remotes, updated_at)
                VALUES (1, 3, '["abc123"]', '{}', 2, '[]', 1767300001)
                """,
            ]
        }
        if schema >= 3 {
            statements += ["DELETE FROM usage_rollup", UsageRollup.change(1, where: "1 = 1", backend == .sqlite ? .sqlite : .postgres)]
        }
        switch backend {
        case .sqlite:
            let queue = try DatabaseQueue(path: location)
            let statements = statements
            try await queue.write { db in
                try SQLiteLedger.migrate(db, from: 0, through: schema)
                for statement in statements { try db.execute(sql: statement) }
            }
            try queue.close()
        case .postgres:
            let ledger = try await PostgresLedger.open(url: location, environment: ProcessInfo.processInfo.environment, schema: schema)
            _ = try await ledger.write(guard: nil, statements.map { SQLWrite($0) })
            await ledger.close()
        }
    }

    /// Each table with its columns (name, type, whether it may be null) and the indexes.
    static func schema(_ ledger: LedgerStore) async throws -> [String] {
        var lines = [String]()
        switch ledger.dialect {
        case .sqlite:
            let tables = try await ledger.select(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations' ORDER BY name", [])
            for table in tables.compactMap({ $0["name"].text }) {
                for column in try await ledger.select(
                    "SELECT name, upper(type), \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid", [.text(table)])
                {
                    lines.append("\(table).\(column.values.map { $0.text ?? "" }.joined(separator: " "))")
                }
            }
            let indexes = try await ledger.select(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name", [])
            lines += indexes.map { "index \($0.values.map { $0.text ?? "" }.joined(separator: " "))" }
        case .postgres:
            let columns = try await ledger.select(
                """
                SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
                WHERE table_schema = 'public' ORDER BY table_name, ordinal_position
                """, [])
            lines += columns.map { "\($0["table_name"].text ?? "").\($0.values.dropFirst().map { $0.text ?? "" }.joined(separator: " "))" }
            let indexes = try await ledger.select(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname", [])
            lines += indexes.map { "index \($0.values.map { $0.text ?? "" }.joined(separator: " "))" }
        }
        return lines
    }

    /// Every row of every table, in a stable order.
    static func rows(_ ledger: LedgerStore, schema: [String]) async throws -> [String] {
        let tables = Set(schema.filter { !$0.hasPrefix("index ") }.compactMap { $0.split(separator: ".").first.map(String.init) })
        var lines = [String]()
        for table in tables.sorted() {
            let rows = try await ledger.select("SELECT * FROM \(table)", [])
            lines += rows.map { row in "\(table): " + row.values.map { $0.text ?? "NULL" }.joined(separator: "|") }.sorted()
        }
        return lines
    }
}
