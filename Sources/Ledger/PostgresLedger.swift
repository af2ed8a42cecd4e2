#if PostgreSQL
import Foundation
import Logging
import PostgresNIO
import Usage

/// The ledger on PostgreSQL (`postgres://user@host:port/database`), shared by many
/// repositories and CI jobs. Same schema, same operations and same idempotence as the SQLite
/// ledger; migrations are serialised across concurrent runs with an advisory lock. The password
/// comes from the URL, `PGPASSWORD` or `~/.pgpass`, and is never printed.
final class PostgresLedger: Sendable {
    let client: PostgresClient
    let runner: Task<Void, Never>
    let location: String
    static let logger: Logger = {
        var logger = Logger(label: "shipmeter.ledger")
        logger.logLevel = .critical
        return logger
    }()

    static let ingestLock: Int64 = 7_277_728

    init(client: PostgresClient, location: String) {
        self.client = client
        self.location = location
        runner = Task { await client.run() }
    }

    func close() async {
        runner.cancel()
        await runner.value
    }

    /// Opens the ledger at `url`, migrating it to `schema` (this binary's; earlier ones to test upgrades).
    static func open(url: String, environment: [String: String], schema: Int = LedgerMigrations.latest) async throws -> PostgresLedger {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw LedgerError.unsupported(
                "'\(url.replacingOccurrences(of: #":[^:@/]*@"#, with: ":***@", options: .regularExpression))' is not a PostgreSQL URL; use postgres://user@host:port/database"
            )
        }
        let port = components.port ?? 5432
        let user = components.user ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        var database = String(components.path.drop(while: { $0 == "/" }))
        if database.isEmpty { database = environment["PGDATABASE"] ?? user }
        let password =
            components.password ?? environment["PGPASSWORD"]
            ?? Self.pgpass(host: host, port: port, database: database, user: user, environment: environment)
        let location = "postgres://\(user)@\(host):\(port)/\(database)"
        // Transport security is decided here, once, for the probe and the pool alike.
        let transport = try PostgresTransport(query: components.queryItems ?? [], environment: environment)
        let (probeTLS, poolTLS) = try transport.settings(environment: environment)
        // One direct connection first: an unreachable server, a refused login or a certificate
        // that fails the check is reported at once (the pool would keep retrying until its
        // circuit breaker trips).
        var probe = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: probeTLS)
        probe.options.connectTimeout = .seconds(5)
        do {
            let connection = try await PostgresConnection.connect(configuration: probe, id: 1, logger: logger)
            try await connection.close()
        } catch let error as PSQLError where error.serverInfo?[.message] != nil {
            let message = error.serverInfo?[.message] ?? ""
            let hint =
                transport.mode == .disable && message.contains("no encryption") ? " (the server requires TLS; use sslmode=require or stronger)" : ""
            throw LedgerError.database("PostgreSQL at \(location) refused the ledger: \(message)\(hint)")
        } catch {
            if let reason = transport.explain(error, location: location) {
                throw LedgerError.unreachable(location: location, detail: reason)
            }
            throw LedgerError.unreachable(
                location: location, detail: "cannot reach PostgreSQL at \(location); check that it is running and accepts connections from here")
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: poolTLS)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 4
        let ledger = PostgresLedger(client: PostgresClient(configuration: configuration), location: location)
        do {
            try await ledger.migrate(through: schema)
        } catch {
            await ledger.close()
            throw ledger.describe(error)
        }
        return ledger
    }

    /// `~/.pgpass` lines: `host:port:database:user:password`, `*` matching anything.
    static func pgpass(host: String, port: Int, database: String, user: String, environment: [String: String]) -> String? {
        let path = environment["PGPASSFILE"] ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.pgpass"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    func describe(_ error: Error) -> Error {
        if let error = error as? PostgresTransactionError, let inner = error.closureError ?? error.beginError ?? error.commitError {
            return describe(inner)
        }
        if error is LedgerError || error is LedgerConflict || error is UsageChunkQueue.ReaderFailure { return error }
        let text = String(reflecting: error)
        if text.contains("connectionError") || text.contains("Connection refused") || text.contains("connect") && text.contains("timeout") {
            return LedgerError.unreachable(
                location: location, detail: "cannot reach PostgreSQL at \(location); check that it is running and accepts connections")
        }
        if let error = error as? PSQLError, let message = error.serverInfo?[.message] {
            return LedgerError.database("PostgreSQL ledger \(location): \(message)")
        }
        return LedgerError.database("PostgreSQL ledger \(location): \(error)")
    }

    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: Self.logger) { connection in try await body(connection) }
        } catch {
            throw describe(error)
        }
    }

    func migrate(through target: Int = LedgerMigrations.latest) async throws {
        try await transaction { connection in
            // One migration at a time, whatever else is running against this database.
            try await connection.query("SELECT pg_advisory_xact_lock(7277727)", logger: Self.logger)
            let meta = try await Self.single(connection, "SELECT to_regclass('shipmeter_meta') IS NOT NULL", as: Bool.self) ?? false
            var previous = 0
            if meta {
                let version =
                    Int(try await Self.single(connection, "SELECT value FROM shipmeter_meta WHERE key = 'schema_version'", as: String.self) ?? "0")
                    ?? 0
                if version > LedgerMigrations.latest { throw LedgerError.newerSchema(location: self.location, version: version) }
                previous = version
            } else if try await Self.single(connection, "SELECT to_regclass('usage_records') IS NOT NULL", as: Bool.self) == true {
                throw LedgerError.notALedger(self.location)
            }
            // Up to date: nothing to run (ALTER TABLE would lock tables other runs are writing).
            if previous >= target { return }
            for step in LedgerMigrations.pending(after: previous, through: target) {
                for statement in step.statements(.postgres) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Self.logger)
                }
                try await connection.query(PostgresQuery(unsafeSQL: LedgerMigrations.recordVersion(step.version)), logger: Self.logger)
            }
        }
    }

    static func single<Value: PostgresDecodable>(_ connection: PostgresConnection, _ query: PostgresQuery, as type: Value.Type) async throws -> Value?
    {
        var result: Value?
        for try await row in try await connection.query(query, logger: logger) {
            result = try row.decode(Value.self)
        }
        return result
    }

    static func count(_ rows: PostgresRowSequence) async throws -> Int {
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    static func recordRun(_ connection: PostgresConnection, command: String, started: Date, version: String, counts: [String: Int]) async throws {
        let text = counts.keys.sorted().map { "\($0)=\(counts[$0] ?? 0)" }.joined(separator: " ")
        try await connection.query(
            """
            INSERT INTO runs (command, started_at, finished_at, version, counts)
            VALUES (\(command), \(started.timeIntervalSince1970), \(Date().timeIntervalSince1970), \(version), \(text))
            """, logger: logger)
    }

    func batch(since: Date?, until: Date?) async throws -> UsageBatch {
        let lower = since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude
        let upper = until?.timeIntervalSince1970 ?? Double.greatestFiniteMagnitude
        return try await transaction { connection in
            var batch = UsageBatch()
            let rows = try await connection.query(
                """
                SELECT source, key, timestamp, granularity, actor, session, agent, model, repository, branch, commit_id,
                    input, output, cache_write, cache_write_1h, cache_read, cost_usd
                FROM usage_records WHERE timestamp >= \(lower) AND timestamp < \(upper) ORDER BY timestamp, source, key
                """, logger: Self.logger)
            for try await row in rows {
                let cells = row.makeRandomAccess()
                var record = UsageRecord(
                    source: try cells[0].decode(String.self), key: try cells[1].decode(String.self),
                    timestamp: Date(timeIntervalSince1970: try cells[2].decode(Double.self)),
                    granularity: UsageRecord.Granularity(rawValue: try cells[3].decode(String.self)) ?? .request,
                    actor: try cells[4].decode(String?.self), session: try cells[5].decode(String?.self), agent: try cells[6].decode(String?.self),
                    model: try cells[7].decode(String.self), repository: try cells[8].decode(String?.self), branch: try cells[9].decode(String?.self),
                    commit: try cells[10].decode(String?.self), input: try cells[11].decode(Int64.self), output: try cells[12].decode(Int64.self),
                    cacheWrite: try cells[13].decode(Int64.self), cacheRead: try cells[15].decode(Int64.self),
                    costUSD: try cells[16].decode(String?.self).flatMap { Decimal(string: $0) })
                record.cacheWrite1h = try cells[14].decode(Int64.self)
                batch.add(record)
            }
            for try await (session, commit, time) in try await connection.query(
                "SELECT session, commit_id, time FROM session_links", logger: Self.logger
            )
            .decode((String, String, Double).self) {
                batch.links.append(SessionCommitLink(session: session, commit: commit, time: Date(timeIntervalSince1970: time)))
            }
            return batch
        }
    }

    func forget(actor: String, version: String) async throws -> Int {
        let started = Date()
        return try await transaction { connection in
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: Self.numbered(UsageRollup.change(-1, where: "lower(u.actor) = lower(?)", .postgres)),
                    binds: Self.bindings([.text(actor)])), logger: Self.logger)
            try await connection.query(PostgresQuery(unsafeSQL: UsageRollup.dropEmpty), logger: Self.logger)
            try await connection.query(
                """
                DELETE FROM attributions a USING usage_records u
                WHERE a.source = u.source AND a.key = u.key AND lower(u.actor) = lower(\(actor))
                """, logger: Self.logger)
            let removed = try await Self.count(
                try await connection.query(
                    "DELETE FROM usage_records WHERE lower(actor) = lower(\(actor)) RETURNING 1", logger: Self.logger))
            try await Self.recordRun(connection, command: "forget", started: started, version: version, counts: ["removed": removed])
            return removed
        }
    }
}
#endif
