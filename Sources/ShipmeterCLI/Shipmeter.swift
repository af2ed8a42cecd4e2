import ArgumentParser
import Foundation

/// The `shipmeter` command: what AI coding spend turns into, measured in shipped work.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct Shipmeter: AsyncParsableCommand {
    /// From the `VERSION` file at the package's root (the BuildInfo plugin reads it at build time).
    public static let version = BuildInfo.version

    /// What `--version` prints: the version, the commit the binary was built from (with
    /// `-modified` when tracked files differed from it) and the ledgers it can open.
    public static var versionLine: String {
        #if PostgreSQL
        let ledgers = "SQLite and PostgreSQL ledgers"
        #else
        let ledgers = "SQLite ledger only, built without the PostgreSQL trait"
        #endif
        #if Collector
        let serve = "; serve"
        #else
        let serve = ""
        #endif
        return "shipmeter \(version) (commit \(BuildInfo.commit); \(ledgers)\(serve))"
    }

    public static let configuration = CommandConfiguration(
        commandName: "shipmeter",
        abstract: "Measure what AI coding spend turns into: normalised deployments per token, per team.",
        discussion: """
            shipmeter walks a git repository and its deployments, joins the commits each \
            deployment shipped against the token-usage records of the AI agents that helped \
            write them, and reports yield per team.
            """,
        version: versionLine,
        subcommands: commands
    )

    static var commands: [any ParsableCommand.Type] {
        var commands: [any ParsableCommand.Type] = [
            ReportCommand.self, Deployments.self, Deploy.self, Commits.self, UsageCommand.self, Ingest.self,
            Attribute.self, LedgerCommand.self, Budget.self, Hooks.self, Hook.self, Demo.self,
        ]
        #if Collector
        commands.insert(Serve.self, at: 8)
        #endif
        return commands
    }

    public init() {}
}

@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
extension Shipmeter {
    /// Parses the process arguments and runs the chosen command, exiting with its status.
    /// (Top-level code in another module resolves `main()` to the synchronous overload, so the
    /// executable calls this instead.)
    public static func runFromCommandLine(_ arguments: [String]? = nil) async {
        // Past a file-size limit a write fails (EFBIG) and is reported, instead of the signal
        // killing the process mid-command.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try await asyncParseAsRoot(arguments)
            // SIGINT and SIGTERM end a command through exit(), so the SQLite ledgers it has open
            // are closed (checkpointed into their one file); `serve` stops gracefully instead.
            #if Collector
            let serves = command is Serve
            #else
            let serves = false
            #endif
            if !serves { Interruption.exitOnSignals() }
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let presented = ShipmeterError.presenting(error)
            // A wrong command line exits 2 (argument-parser's own code is 64).
            if ShipmeterError.isUsage(presented) {
                FileHandle.standardError.write(Data((fullMessage(for: presented) + "\n").utf8))
                Foundation.exit(ExitStatus.usage)
            }
            exit(withError: presented)
        }
        if ExitStatus.isPartial { Foundation.exit(ExitStatus.partial) }
    }
}

/// Turns SIGINT and SIGTERM into an exit with the signal's conventional status (130, 143): exit
/// runs the handlers that close open ledgers, where the default action would end the process
/// with them open. A transaction cut short is rolled back either way.
enum Interruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func exitOnSignals() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { Foundation.exit(128 + number) }
            source.resume()
            sources.append(source)
        }
    }
}
