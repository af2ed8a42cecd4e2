import Foundation
import ShipmeterTestSupport
import Testing

/// TLS to the shared ledger, against the PostgreSQL the test command starts with `ssl = on`, a
/// throwaway CA, a server certificate issued for `localhost` only, a role that pg_hba lets in
/// over TLS only (`shipmeter_tls`) and one that logs in with a client certificate
/// (`shipmeter_cert`).
@Suite(
    .enabled(
        if: LedgerBackend.postgresURL != nil && ProcessInfo.processInfo.environment["SHIPMETER_TEST_PGTLS"] != nil,
        "needs the TLS-enabled PostgreSQL the test command starts"))
struct PostgresTLSTests {
    let tls = ProcessInfo.processInfo.environment["SHIPMETER_TEST_PGTLS"] ?? ""

    /// A new database on the test server and a URL for it as `user`@`host` with `query`.
    func ledger(user: String = "postgres", host: String = "localhost", query: String) throws -> (url: String, database: String) {
        let server = try #require(LedgerBackend.postgresURL)
        let name = "shipmeter_tls_" + UUID().uuidString.prefix(8).lowercased()
        let created = run("psql", [server, "-q", "-c", "CREATE DATABASE \(name)"])
        try #require(created.status == 0, "\(created.stderr)")
        let port = try #require(URLComponents(string: server)?.port)
        return ("postgres://\(user)@\(host):\(port)/\(name)?\(query)", name)
    }

    /// The usage records the database holds; nil when the ledger's tables were never created.
    func records(_ database: String) -> Int? {
        let server = LedgerBackend.postgresURL ?? ""
        let url = server.prefix(upTo: server.lastIndex(of: "/") ?? server.endIndex) + "/" + database
        let out = run("psql", [url, "-At", "-c", "SELECT count(*) FROM usage_records"])
        return out.status == 0 ? Int(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) : nil
    }

    func ingest(_ url: String, environment: [String: String] = [:]) -> ProcessResult {
        let folder = ScratchDirectory()
        folder.write(
            "u.jsonl",
            #"{"timestamp":"2026-01-01T00:30:00Z","actor":"ann@acme.test","session":"s1","model":"claude-sonnet-4-5","input":100,"output":0,"cache_write":0,"cache_read":0}"#
                + "\n")
        return ShipmeterBinary.run(["ingest", folder.file("u.jsonl"), "--ledger", url], in: folder.path, environment: environment)
    }

    @Test func requireAndVerifyFullConnectAndWrite() throws {
        for query in ["sslmode=require", "sslmode=verify-ca&sslrootcert=\(tls)/ca.crt", "sslmode=verify-full&sslrootcert=\(tls)/ca.crt"] {
            // shipmeter_tls is refused by pg_hba without TLS: success proves the link is encrypted.
            let (url, database) = try ledger(user: "shipmeter_tls", query: query)
            let result = ingest(url)
            #expect(result.status == 0, "\(query): \(result.stderr)")
            #expect(records(database) == 1, "\(query)")
        }
    }

    @Test func theDefaultPrefersTLSAndTheEnvironmentSetsTheMode() throws {
        let (url, database) = try ledger(user: "shipmeter_tls", host: "127.0.0.1", query: "")
        let plain = ingest(String(url.dropLast()))
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(records(database) == 1)
        // PGSSLMODE and PGSSLROOTCERT as libpq reads them; the URL's own sslmode wins over them.
        let (strict, strictDatabase) = try ledger(host: "127.0.0.1", query: "")
        let refused = ingest(String(strict.dropLast()), environment: ["PGSSLMODE": "verify-full", "PGSSLROOTCERT": "\(tls)/ca.crt"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("not issued for that host name"), "\(refused.stderr)")
        let overridden = ingest(strict + "sslmode=require", environment: ["PGSSLMODE": "verify-full", "PGSSLROOTCERT": "\(tls)/ca.crt"])
        #expect(overridden.status == 0, "\(overridden.stderr)")
        #expect(records(strictDatabase) == 1)
    }

    @Test func aCertificateThatFailsTheCheckIsAClearErrorAndNothingIsWritten() throws {
        let cases: [(user: String, host: String, query: String, message: String)] = [
            ("postgres", "localhost", "sslmode=verify-full&sslrootcert=\(tls)/other-ca.crt", "not signed by sslrootcert '\(tls)/other-ca.crt'"),
            ("postgres", "localhost", "sslmode=verify-ca&sslrootcert=\(tls)/other-ca.crt", "not signed by sslrootcert"),
            ("postgres", "127.0.0.1", "sslmode=verify-full&sslrootcert=\(tls)/ca.crt", "not issued for that host name (sslmode=verify-full)"),
            ("shipmeter_tls", "127.0.0.1", "sslmode=disable", "the server requires TLS"),
            ("postgres", "localhost", "sslmode=verify-full&sslrootcert=\(tls)/missing.crt", "sslrootcert '\(tls)/missing.crt' cannot be read"),
            ("postgres", "localhost", "sslmode=sure", "sslmode 'sure' is not one of disable, prefer, require, verify-ca, verify-full"),
            ("postgres", "localhost", "sslmod=require", "parameter 'sslmod' is not one shipmeter knows"),
        ]
        for item in cases {
            let (url, database) = try ledger(user: item.user, host: item.host, query: item.query)
            let result = ingest(url)
            #expect(result.status != 0, "\(item.query)")
            #expect(result.stderr.contains(item.message), "\(item.query): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
            #expect(records(database) == nil, "\(item.query) created the ledger")
        }
    }

    @Test func aClientCertificateLogsIn() throws {
        let withCertificate = try ledger(
            user: "shipmeter_cert", query: "sslmode=verify-full&sslrootcert=\(tls)/ca.crt&sslcert=\(tls)/client.crt&sslkey=\(tls)/client.key")
        let result = ingest(withCertificate.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(records(withCertificate.database) == 1)

        let without = try ledger(user: "shipmeter_cert", query: "sslmode=verify-full&sslrootcert=\(tls)/ca.crt")
        let refused = ingest(without.url)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("requires a valid client certificate"), "\(refused.stderr)")
        #expect(records(without.database) == nil)

        let halfPair = try ledger(user: "shipmeter_cert", query: "sslmode=require&sslcert=\(tls)/client.crt")
        #expect(ingest(halfPair.url).stderr.contains("needs both sslcert and sslkey"))
    }

    /// A server that answers the TLS request with "N" (no TLS): `require` stops before sending
    /// anything else; `prefer` would go on in the clear, as libpq does.
    @Test func requireRefusesAServerWithoutTLS() throws {
        let folder = ScratchDirectory()
        let received = folder.file("received")
        let server = try LoopbackListener(
            script: """
                import socket, sys
                s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
                print(s.getsockname()[1], flush=True)
                c, _ = s.accept(); c.settimeout(5)
                data = c.recv(8); c.sendall(b"N")
                try:
                    more = c.recv(4096)
                except Exception:
                    more = b""
                open(sys.argv[1], "wb").write(data + b"|" + more)
                """, arguments: [received])
        defer { kill(server.process.processIdentifier, SIGKILL) }
        let port = try #require(server.port)
        let result = ingest("postgres://someone:s3cret@127.0.0.1:\(port)/x?sslmode=require")
        #expect(result.status != 0)
        #expect(result.stderr.contains("does not offer TLS and sslmode=require requires it"), "\(result.stderr)")
        server.process.waitUntilExit()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: received))
        // The SSLRequest (length 8, code 80877103) and nothing after it: no startup message, no user name.
        #expect(Array(bytes.prefix(8)) == [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F])
        #expect(bytes.count == 9, "sent after the refusal: \(bytes.dropFirst(9).count) bytes")
    }
}
