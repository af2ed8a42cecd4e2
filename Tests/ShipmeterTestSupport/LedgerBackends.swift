import Foundation

/// The ledger backends a behavioural test runs against: SQLite always; PostgreSQL when the test
/// command started one (`SHIPMETER_TEST_POSTGRES`), and always in CI.
public enum LedgerBackend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, postgres
    public var description: String { rawValue }

    public static var postgresURL: String? { ProcessInfo.processInfo.environment["SHIPMETER_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 } }

    public static var available: [LedgerBackend] {
        if postgresURL != nil || ProcessInfo.processInfo.environment["CI"] == "true" { return allCases }
        return [.sqlite]
    }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// A new, empty ledger location of this kind.
    public func freshLocation(in folder: ScratchDirectory) throws -> String {
        switch self {
        case .sqlite:
            return folder.file("ledger-\(UUID().uuidString.prefix(8)).sqlite")
        case .postgres:
            guard let server = LedgerBackend.postgresURL else {
                throw Unavailable(description: "CI=true but the test command started no PostgreSQL (SHIPMETER_TEST_POSTGRES)")
            }
            let name = "shipmeter_test_" + UUID().uuidString.prefix(8).lowercased()
            let created = run("psql", [server, "-q", "-c", "CREATE DATABASE \(name)"])
            guard created.status == 0 else { throw Unavailable(description: "cannot create a test database: \(created.stderr)") }
            let base = server.prefix(upTo: server.lastIndex(of: "/") ?? server.endIndex)
            return base + "/" + name
        }
    }

    /// Every row of `tables` in `location`, in a stable order, one line each (`columns` lists
    /// what to print of each table, so backend-only columns stay out).
    public func dump(_ location: String, _ tables: [(table: String, columns: String)]) -> String {
        var out = ""
        for (table, columns) in tables {
            let sql = "SELECT \(columns) FROM \(table) ORDER BY \(columns)"
            switch self {
            case .sqlite:
                out +=
                    run(
                        "python3",
                        [
                            "-c",
                            """
                            import sqlite3, sys
                            for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print(sys.argv[3], row)
                            """, location, sql, table,
                        ]
                    ).stdout
            case .postgres:
                out += run("psql", [location, "-At", "-c", sql]).stdout.split(separator: "\n").map { "\(table) \($0)\n" }.joined()
            }
        }
        return out
    }
}
