#if Collector
import ArgumentParser
import Collector
import Foundation
import ShipmeterEngine

extension Shipmeter {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Collect agents' usage over OTLP/HTTP into a ledger and serve the live dashboard.",
            subcommands: [Run.self, Tokens.self],
            defaultSubcommand: Run.self
        )
    }
}

extension Shipmeter.Serve {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Serve (the default): OTLP/HTTP at /v1/logs and /v1/metrics, the dashboard at /.",
            discussion: """
                Agents export to it with OTEL_EXPORTER_OTLP_ENDPOINT=http://HOST:PORT, \
                OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (or http/json) and, with --tokens, \
                OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <ingest token>". What they send is \
                stored as `ingest` stores the same telemetry from a file (same records, same keys: a \
                retry adds nothing), and each request is answered only after its records are \
                committed. GET / is the report from the ledger (filters in the query string), \
                GET /api/report its JSON, GET /healthz and GET /metrics (Prometheus) need no token. \
                Without --tokens it listens on loopback only.
                """
        )

        @OptionGroup var ledgerOptions: LedgerOptions

        @Option(
            help: ArgumentHelp(
                "Where to listen: HOST:PORT, [IPv6]:PORT or PORT (on 127.0.0.1). Any other address needs --tokens.", valueName: "host:port"))
        var listen = "127.0.0.1:4318"

        @Option(
            help: ArgumentHelp("The tokens file (`serve tokens add`): agents need an ingest token, the dashboard a viewer token.", valueName: "file"))
        var tokens: String?

        @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (with --tls-key).", valueName: "file"))
        var tlsCert: String?

        @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "file"))
        var tlsKey: String?

        @Option(
            name: .customLong("max-body"),
            help: ArgumentHelp("The largest request body taken, in MiB, compressed or inflated (larger: 413).", valueName: "MiB"))
        var maxBody = 16

        @Option(
            help: ArgumentHelp("Records that may wait for the ledger before requests are refused with 429 and Retry-After.", valueName: "records"))
        var queue = 200_000

        @Option(help: ArgumentHelp("Model prices, as `ingest --prices` takes them.", valueName: "file"))
        var prices: String?

        func validate() throws {
            _ = try Self.address(listen)
            guard maxBody > 0, maxBody <= 1024 else { throw ValidationError("--max-body must be between 1 and 1024 (MiB)") }
            guard queue > 0 else { throw ValidationError("--queue must be positive") }
        }

        /// `HOST:PORT`, `[IPv6]:PORT` or `PORT`.
        static func address(_ text: String) throws -> (host: String, port: Int) {
            func port(_ value: Substring) throws -> Int {
                guard let number = Int(value), (0...65_535).contains(number) else {
                    throw ValidationError("--listen \(text): '\(value)' is not a port")
                }
                return number
            }
            if let number = Int(text) { return ("127.0.0.1", try port(Substring(String(number)))) }
            if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
                let rest = text[text.index(after: close)...]
                guard rest.hasPrefix(":") else { throw ValidationError("--listen \(text): expected [ADDRESS]:PORT") }
                return (String(text[text.index(after: text.startIndex)..<close]), try port(rest.dropFirst()))
            }
            guard let colon = text.lastIndex(of: ":"), colon != text.startIndex else {
                throw ValidationError("--listen \(text): expected HOST:PORT (e.g. 127.0.0.1:4318 or 0.0.0.0:4318)")
            }
            return (String(text[..<colon]), try port(text[text.index(after: colon)...]))
        }

        func run() async throws {
            guard let named = ledgerOptions.named else {
                throw ShipmeterError.usage(
                    "serve needs a ledger: --ledger postgres://… (shared, any number of collectors) or --ledger FILE.sqlite (one collector), or SHIPMETER_LEDGER"
                )
            }
            let location = try LedgerLocation.resolve(named: named, repository: nil, existing: false)
            let (host, port) = try Self.address(listen)
            var configuration = CollectorConfiguration()
            configuration.host = host
            configuration.port = port
            configuration.tokensPath = tokens
            configuration.tlsCertificate = tlsCert
            configuration.tlsKey = tlsKey
            configuration.maxBody = maxBody << 20
            configuration.queueCapacity = queue
            configuration.prices = try UsageReading(pricesFile: prices).priceTable(overrides: [:])
            configuration.version = Shipmeter.version
            if let tokens, !FileManager.default.fileExists(atPath: tokens) {
                throw ShipmeterError.invalidInput(
                    "the tokens file \(tokens) does not exist: create it with `shipmeter serve tokens add NAME --tokens \(tokens)`")
            }
            let ledger = try await location.open()
            let access = tokens == nil ? "no tokens: anyone who can reach it may push and view" : "tokens from \(tokens ?? "")"
            if !configuration.isLoopback, tlsCert == nil {
                Output.diagnostic(
                    "warning: tokens cross the network in clear text: pass --tls-cert/--tls-key, or put a TLS-terminating proxy in front")
            }
            do {
                try await CollectorServer.run(ledger: ledger, configuration: configuration) { url in
                    Output.diagnostic(
                        "shipmeter serve: listening on \(url) (ledger \(ledger.location); \(access)); OTLP at \(url)/v1/logs, /v1/metrics and /v1/traces, dashboard at \(url)/"
                    )
                }
            } catch let error as CollectorSetupError {
                await ledger.close()
                throw ShipmeterError.invalidInput(error.description)
            } catch {
                await ledger.close()
                throw ShipmeterError.invalidInput("serve stopped: \(error)")
            }
            await ledger.close()
        }
    }

    struct Tokens: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tokens",
            abstract: "Manage the tokens `serve --tokens` accepts (kept hashed; a running server picks changes up).",
            subcommands: [Add.self, List.self, Remove.self]
        )
    }

    struct TokensFileOption: ParsableArguments {
        @Option(help: ArgumentHelp("The tokens file.", valueName: "file"))
        var tokens: String
    }
}

extension Shipmeter.Serve.Tokens {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a token and print it, once: only its SHA-256 is kept.")

        @Argument(help: "A name for the token (who or what holds it).")
        var name: String

        @Flag(help: "A read-only token for the dashboard and /api/report (default: an ingest token for agents).")
        var viewer = false

        @OptionGroup var file: Shipmeter.Serve.TokensFileOption

        func run() async throws {
            var tokens = try load(file.tokens)
            let token: String
            do {
                token = try tokens.add(name: name, role: viewer ? .viewer : .ingest)
                try tokens.write(to: file.tokens)
            } catch {
                throw ShipmeterError.invalidInput("\(error)")
            }
            Output.write(token)
            Output.diagnostic(
                viewer
                    ? "added viewer token '\(name)' to \(file.tokens): open the dashboard with it as the password (any user name), or send Authorization: Bearer <token>"
                    : "added ingest token '\(name)' to \(file.tokens): agents send it with OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer <token>\""
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens' names, roles and creation times (never the tokens).")

        @OptionGroup var file: Shipmeter.Serve.TokensFileOption

        func run() async throws {
            let tokens = try load(file.tokens)
            for entry in tokens.entries { Output.write("\(entry.role.rawValue)\t\(entry.name)\t\(entry.created)") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by name.")

        @Argument(help: "The token's name.")
        var name: String

        @OptionGroup var file: Shipmeter.Serve.TokensFileOption

        func run() async throws {
            var tokens = try load(file.tokens)
            guard tokens.remove(name: name) else { throw ShipmeterError.invalidInput("\(file.tokens) has no token named '\(name)'") }
            do {
                try tokens.write(to: file.tokens)
            } catch {
                throw ShipmeterError.invalidInput("\(error)")
            }
            Output.diagnostic("removed token '\(name)' from \(file.tokens)")
        }
    }
}

private func load(_ path: String) throws -> AccessTokens {
    do {
        return try AccessTokens.load(path)
    } catch {
        throw ShipmeterError.invalidInput("\(error)")
    }
}
#endif
