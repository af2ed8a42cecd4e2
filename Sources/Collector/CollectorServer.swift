import Attribution
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Ledger
import Logging
import NIOCore
import NIOSSL
import OTLPWire
import Reporting
import ShipmeterEngine
import Synchronization
import Usage

/// How `shipmeter serve` runs.
public struct CollectorConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 4318
    /// The tokens file; nil: no authentication (allowed on loopback only).
    public var tokensPath: String?
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// The largest request body taken, compressed and inflated alike.
    public var maxBody = 16 << 20
    /// Records that may wait for the ledger before requests are refused with 429.
    public var queueCapacity = 200_000
    /// Export requests read and decoded at once; more are refused with 429 before their body is
    /// read (with `maxBody`, what bounds the memory bodies take).
    public var maxRequestsInFlight = 64
    /// What 429 and 503 responses ask clients to wait, in seconds.
    public var retryAfter = 2
    public var prices = PriceTable.bundled
    public var version = ""

    public init() {}

    public var isLoopback: Bool { Self.isLoopback(host) }

    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var scheme: String { tlsCertificate != nil ? "https" : "http" }
}

/// A configuration `serve` refuses to start with.
public struct CollectorSetupError: Error, CustomStringConvertible {
    public var description: String
}

/// `shipmeter serve`: the OTLP/HTTP receiver and the dashboard over one ledger.
public enum CollectorServer {
    /// Serves until SIGTERM or SIGINT (requests in flight finish first). `listening` is called
    /// with the address once the socket is bound (the port is the real one when 0 was asked for).
    public static func run(ledger: LedgerStore, configuration: CollectorConfiguration, listening: @escaping @Sendable (String) -> Void) async throws {
        guard configuration.tokensPath != nil || configuration.isLoopback else {
            throw CollectorSetupError(
                description:
                    "listening on \(configuration.host) without --tokens would let anyone on the network write to the ledger and read the dashboard: create tokens with `shipmeter serve tokens add NAME --tokens FILE` and pass --tokens FILE (or listen on 127.0.0.1)"
            )
        }
        guard (configuration.tlsCertificate == nil) == (configuration.tlsKey == nil) else {
            throw CollectorSetupError(description: "--tls-cert and --tls-key go together")
        }
        let tokens = try configuration.tokensPath.map { path in
            do {
                return try TokenFile(path: path)
            } catch {
                throw CollectorSetupError(description: "\(error)")
            }
        }
        let metrics = CollectorMetrics()
        let routes = Routes(
            inFlight: InFlight(limit: configuration.maxRequestsInFlight), ledger: ledger,
            writer: LedgerWriter(ledger: ledger, capacity: configuration.queueCapacity, version: configuration.version, metrics: metrics),
            dashboard: Dashboard(ledger: ledger, version: configuration.version), tokens: tokens, metrics: metrics, configuration: configuration)
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: Timing(metrics: metrics))
        routes.register(on: router)

        let server: HTTPServerBuilder
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
                let tls = TLSConfiguration.makeServerConfiguration(
                    certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
                server = try .tls(.http1(), tlsConfiguration: tls)
            } catch {
                throw CollectorSetupError(description: "cannot use --tls-cert \(certificate) and --tls-key \(key): \(error)")
            }
        } else {
            server = .http1()
        }
        let scheme = configuration.scheme
        let app = Application(
            router: router, server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(1024)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
                listening("\(scheme)://\(host):\(port)")
            },
            logger: Self.quietLogger())
        try await app.runService()
    }

    static func quietLogger() -> Logger {
        var logger = Logger(label: "shipmeter-serve")
        logger.logLevel = ProcessInfo.processInfo.environment["SHIPMETER_SERVE_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }
}

/// The routes and what they share.
struct Routes: Sendable {
    let inFlight: InFlight
    let ledger: LedgerStore
    let writer: LedgerWriter
    let dashboard: Dashboard
    let tokens: TokenFile?
    let metrics: CollectorMetrics
    let configuration: CollectorConfiguration
    let spanServices = SpanServices()

    func register(on router: Router<BasicRequestContext>) {
        for signal in OTLPSignal.allCases {
            router.post(RouterPath(signal.path)) { request, _ in await export(signal, request) }
        }
        router.get("/") { request, _ in await page(request) }
        router.get("/api/report") { request, _ in await report(request) }
        router.get("/healthz") { _, _ in await health() }
        router.get("/metrics") { _, _ in
            Self.response(.ok, "text/plain; version=0.0.4; charset=utf-8", Array(metrics.text().utf8))
        }
    }

    // MARK: OTLP/HTTP

    func export(_ signal: OTLPSignal, _ request: Request) async -> Response {
        let contentType = request.headers[.contentType]
        guard let encoding = OTLPEncoding(contentType: contentType) else {
            return failure(
                OTLPRejection(
                    status: 415, message: "Content-Type \(contentType ?? "(none)") is not OTLP: send application/x-protobuf or application/json"),
                encoding: .json)
        }
        if let refusal = authorize(request, role: .ingest) { return failure(refusal, encoding: encoding) }
        guard inFlight.enter() else {
            metrics.refused.increment()
            return failure(
                OTLPRejection(
                    status: 429, message: "\(inFlight.limit) requests are being handled: retry later", retryAfter: configuration.retryAfter),
                encoding: encoding)
        }
        defer { inFlight.leave() }
        do {
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: configuration.maxBody)
            } catch is NIOTooManyBytesError {
                throw OTLPRejection(status: 413, message: "the body is larger than \(configuration.maxBody) bytes: export smaller batches")
            } catch {
                throw OTLPRejection.badRequest("the body could not be read: \(error)")
            }
            let contentEncoding = request.headers[.contentEncoding]
            let (maxBody, prices, services) = (configuration.maxBody, configuration.prices, spanServices.current)
            let decoded = try await OffPool.run { () throws(OTLPRejection) -> OTLPExportRequest in
                var decoded = try OTLPExportRequest.decode(
                    body, signal: signal, encoding: encoding, contentEncoding: contentEncoding, limit: maxBody,
                    servicesWithSpans: services)
                var pricing = Pricing(prices)
                decoded.batch.mapRecords { pricing.price(&$0) }
                return decoded
            }
            do {
                try await writer.store(decoded.batch)
            } catch is LedgerWriter.Full {
                metrics.refused.increment()
                throw OTLPRejection(status: 429, message: "the write queue is full: retry later", retryAfter: configuration.retryAfter)
            } catch {
                throw OTLPRejection(
                    status: 503, message: "the ledger could not store the records (nothing was stored): \(error)",
                    retryAfter: configuration.retryAfter)
            }
            metrics.received[signal]?.increment(by: Int64(decoded.items))
            metrics.rejected[signal]?.increment(by: Int64(decoded.batch.malformedCount))
            metrics.spansWithoutUsage.increment(by: Int64(decoded.batch.spansWithoutUsage))
            metrics.countSpellings(decoded.batch.spellings)
            spanServices.add(decoded.servicesWithUsageSpans)
            let message = decoded.batch.malformedSummary
            return Self.response(
                .ok, encoding.contentType,
                OTLPResponseBody.success(signal, rejected: decoded.batch.malformedCount, message: message, encoding: encoding))
        } catch let rejection as OTLPRejection {
            return failure(rejection, encoding: encoding)
        } catch {
            return failure(OTLPRejection(status: 500, message: "\(error)"), encoding: encoding)
        }
    }

    func failure(_ rejection: OTLPRejection, encoding: OTLPEncoding) -> Response {
        var headers = HTTPFields()
        if let wait = rejection.retryAfter { headers[.retryAfter] = String(wait) }
        if rejection.status == 401 { headers[.wwwAuthenticate] = "Bearer realm=\"shipmeter\"" }
        return Self.response(
            HTTPResponse.Status(code: rejection.status), encoding.contentType,
            OTLPResponseBody.status(code: Self.grpcCode(rejection.status), message: rejection.message, encoding: encoding), headers: headers)
    }

    /// The gRPC status code an OTLP error body carries for an HTTP status.
    static func grpcCode(_ status: Int) -> Int {
        switch status {
        case 400, 413, 415: return 3  // INVALID_ARGUMENT
        case 401: return 16  // UNAUTHENTICATED
        case 403: return 7  // PERMISSION_DENIED
        case 429: return 8  // RESOURCE_EXHAUSTED
        case 503: return 14  // UNAVAILABLE
        default: return 13  // INTERNAL
        }
    }

    // MARK: Authentication

    /// Nil when the request may go on; else the refusal (401 without a valid token, 403 with a
    /// token of the other role). With no tokens file everyone may (loopback only).
    func authorize(_ request: Request, role: TokenRole) -> OTLPRejection? {
        guard let tokens else { return nil }
        guard let presented = Self.credential(request.headers[.authorization]) else {
            return OTLPRejection(
                status: 401,
                message: "no token: send Authorization: Bearer <token> (for agents, OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer <token>\")")
        }
        guard let entry = tokens.tokens.entry(for: presented) else {
            return OTLPRejection(status: 401, message: "the token is not valid (revoked, mistyped, or from another collector)")
        }
        guard entry.role == role else {
            return OTLPRejection(
                status: 403,
                message:
                    "token '\(entry.name)' is a\(entry.role == .ingest ? "n ingest" : " viewer") token; this needs a\(role == .ingest ? "n ingest" : " viewer") token"
            )
        }
        return nil
    }

    /// The token in `Authorization`: `Bearer TOKEN`, or HTTP Basic with the token as the
    /// password (what a browser sends after asking; any user name).
    static func credential(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        switch parts[0].lowercased() {
        case "bearer":
            return parts[1].trimmingCharacters(in: .whitespaces)
        case "basic":
            guard let data = Data(base64Encoded: parts[1].trimmingCharacters(in: .whitespaces)),
                let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
            else { return nil }
            return String(text[text.index(after: colon)...])
        default:
            return nil
        }
    }

    func health() async -> Response {
        do {
            _ = try await ledger.usageMark()
            return Self.response(.ok, "text/plain; charset=utf-8", Array("ok\n".utf8))
        } catch {
            return Self.response(.serviceUnavailable, "text/plain; charset=utf-8", Array("the ledger is not reachable: \(error)\n".utf8))
        }
    }

    static func response(_ status: HTTPResponse.Status, _ contentType: String, _ body: [UInt8], headers: HTTPFields = HTTPFields()) -> Response {
        var headers = headers
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
