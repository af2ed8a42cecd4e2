#if PostgreSQL
import Foundation
import NIOSSL
import PostgresNIO

/// How the ledger talks to PostgreSQL, read from the URL's query (`?sslmode=verify-full&...`)
/// and libpq's environment variables, with libpq's meanings so a URL that works with `psql`
/// works here:
///
/// | `sslmode` | encrypted | server certificate checked |
/// |---|---|---|
/// | `disable` | never | — |
/// | `prefer` (default) | when the server offers TLS | no |
/// | `require` | always | no (against `sslrootcert` when one is given, like libpq) |
/// | `verify-ca` | always | signed by a trusted CA |
/// | `verify-full` | always | signed by a trusted CA and issued for the host name |
///
/// Trusted CAs: `sslrootcert` (`PGSSLROOTCERT`), else `~/.postgresql/root.crt` when it exists,
/// else the system's; `sslrootcert=system` asks for the system's. A client certificate comes
/// from `sslcert` and `sslkey` (`PGSSLCERT`, `PGSSLKEY`).
struct PostgresTransport {
    enum Mode: String, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    var mode: Mode = .prefer
    var rootCertificate: String?
    var clientCertificate: String?
    var clientKey: String?

    /// URL query parameters the ledger understands; any other is refused rather than ignored,
    /// so a typo (`sslmod=require`) cannot silently leave the connection unencrypted.
    static let parameters = ["sslmode", "sslrootcert", "sslcert", "sslkey"]

    /// The URL's parameters win over the environment, as with libpq.
    init(query: [URLQueryItem], environment: [String: String]) throws {
        var values: [String: String] = [:]
        for item in query {
            guard Self.parameters.contains(item.name) else {
                throw LedgerError.unsupported(
                    "the ledger URL's parameter '\(item.name)' is not one shipmeter knows; it understands \(Self.parameters.joined(separator: ", "))")
            }
            values[item.name] = item.value ?? ""
        }
        func value(_ name: String, _ variable: String) -> String? {
            (values[name] ?? environment[variable]).flatMap { $0.isEmpty ? nil : $0 }
        }
        if let text = value("sslmode", "PGSSLMODE") {
            guard let mode = Mode(rawValue: text) else {
                throw LedgerError.unsupported("sslmode '\(text)' is not one of \(Mode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.mode = mode
        }
        rootCertificate = value("sslrootcert", "PGSSLROOTCERT")
        clientCertificate = value("sslcert", "PGSSLCERT")
        clientKey = value("sslkey", "PGSSLKEY")
        if (clientCertificate == nil) != (clientKey == nil) {
            throw LedgerError.unsupported("a client certificate needs both sslcert and sslkey")
        }
    }

    /// What the connection's description says about its security, for messages.
    var summary: String { "sslmode=\(mode.rawValue)" }

    /// The TLS configuration for this mode, nil for `disable`. Certificate files are read here,
    /// so a missing or unreadable one is reported before any connection is tried.
    func tlsConfiguration(environment: [String: String]) throws -> TLSConfiguration? {
        if mode == .disable { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        let checksChain = mode == .verifyCA || mode == .verifyFull || (mode == .require && rootCertificate != nil)
        switch mode {
        case .verifyFull: configuration.certificateVerification = .fullVerification
        case _ where checksChain: configuration.certificateVerification = .noHostnameVerification
        default: configuration.certificateVerification = .none
        }
        if checksChain {
            let home = environment["HOME"] ?? NSHomeDirectory()
            let defaultRoot = home + "/.postgresql/root.crt"
            let root = rootCertificate ?? (FileManager.default.fileExists(atPath: defaultRoot) ? defaultRoot : "system")
            if root != "system" {
                configuration.trustRoots = .certificates(try Self.read("sslrootcert", root) { try NIOSSLCertificate.fromPEMFile($0) })
            }
        }
        if let certificate = clientCertificate, let key = clientKey {
            configuration.certificateChain = try Self.read("sslcert", certificate) { try NIOSSLCertificate.fromPEMFile($0) }.map { .certificate($0) }
            configuration.privateKey = .privateKey(try Self.read("sslkey", key) { try NIOSSLPrivateKey(file: $0, format: .pem) })
        }
        return configuration
    }

    private static func read<T>(_ parameter: String, _ path: String, _ load: (String) throws -> T) throws -> T {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw LedgerError.unsupported("\(parameter) '\(path)' cannot be read")
        }
        do {
            return try load(path)
        } catch {
            throw LedgerError.unsupported("\(parameter) '\(path)' is not a PEM file this ledger can use (\(error))")
        }
    }

    /// The same choice for the one direct connection and for the pool.
    func settings(environment: [String: String]) throws -> (PostgresConnection.Configuration.TLS, PostgresClient.Configuration.TLS) {
        guard let configuration = try tlsConfiguration(environment: environment) else { return (.disable, .disable) }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw LedgerError.unsupported("cannot set up TLS for the ledger: \(error)")
        }
        return mode == .prefer ? (.prefer(context), .prefer(configuration)) : (.require(context), .require(configuration))
    }

    /// A sentence for a connection that failed during or because of TLS, nil when `error` is
    /// something else.
    func explain(_ error: Error, location: String) -> String? {
        let text = String(reflecting: error)
        if let error = error as? PSQLError, error.code == .sslUnsupported {
            return "PostgreSQL at \(location) does not offer TLS and \(summary) requires it; nothing was sent"
        }
        let hostname = text.contains("failedToValidateHostname")
        let untrusted =
            text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") || text.contains("unable to get local issuer")
        if hostname {
            return "PostgreSQL at \(location) presented a certificate that is not issued for that host name (\(summary)); nothing was sent"
        }
        if untrusted {
            let roots = rootCertificate.map { "sslrootcert '\($0)'" } ?? "the trusted CAs"
            return "PostgreSQL at \(location) presented a certificate not signed by \(roots) (\(summary)); nothing was sent"
        }
        if error is NIOSSLError || text.contains("NIOSSL") || text.contains("handshakeFailed") {
            return "the TLS handshake with PostgreSQL at \(location) failed (\(summary)): \(error)"
        }
        return nil
    }
}
#endif
