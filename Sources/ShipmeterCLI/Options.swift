import ArgumentParser
import Attribution
import Foundation
import ShipmeterEngine
import Usage

/// `--repo`: which repository to read; any folder inside it works.
struct RepositoryOptions: ParsableArguments {
    @Option(
        name: .customLong("repo"),
        help: ArgumentHelp(
            "A folder inside the repository to read (default: the current folder). With a ledger report, a repository's folder or its name in the ledger.",
            valueName: "path"))
    var given: String?

    var path: String { given ?? "." }

    /// The repository's context (settings, people, deployments…), its warnings printed.
    func context() throws -> RepositoryContext {
        let context = try RepositoryContext.load(try open())
        Output.diagnostics(context.diagnostics)
        return context
    }

    /// The repository, or the error that says how to name one.
    func open() throws -> RepositoryHandle {
        try RepositoryContext.discover(path)
    }

    /// The repository, when the path is inside one.
    var ifAny: RepositoryHandle? { RepositoryContext.discoverIfAny(path) }

    /// A repository's settings alone (prices, report defaults), its warnings printed unless
    /// `quietly`; defaults when there is no repository.
    static func configuration(of repository: RepositoryHandle?, quietly: Bool = false) throws -> Configuration {
        guard let repository else { return Configuration() }
        let settings = try RepositoryContext.settings(of: repository)
        if !quietly { Output.diagnostics(settings.diagnostics) }
        return settings.configuration
    }
}

/// Output formats of listing commands.
enum ListFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

extension GroupBy: ExpressibleByArgument {}
extension DeploymentWeight: ExpressibleByArgument {}
extension UsageFormat: ExpressibleByArgument {}
extension UsageSummary.Grouping: ExpressibleByArgument {}

/// `--since`, `--until`, `--env`: the window and environment a report is about.
struct WindowOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Start of the window: 30d, 12w, 2026-03-01 or an ISO 8601 time (default: .shipmeter.yml's report.since, else 30d).", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("End of the window, exclusive (default: now). States are as of this moment.", valueName: "date"))
    var until: String?

    @Option(help: ArgumentHelp("The environment whose deployments count (default: production, else release, else the busiest).", valueName: "env"))
    var env: String?

    /// The window for the engine, which resolves it against the settings' `report.since`.
    func request(now: Date) -> ReportWindow { ReportWindow(since: since, until: until, now: now) }
}

/// `--fetch-missing`, and the one line that says how many commits' line counts are unknown.
struct MissingObjectsOptions: ParsableArguments {
    @Flag(help: "In a partial clone (git clone --filter=blob:none), let git fetch the blobs line counts need, as git log --numstat does.")
    var fetchMissing = false

    /// Says once, on stderr, that `unknown` commits' line counts are unknown, and what to do.
    func report(unknown: Int, in context: RepositoryContext) {
        guard unknown > 0 else { return }
        Output.diagnostics([.unknownLines(commits: unknown, partialClone: context.isPartialClone, fetchingMissing: fetchMissing)])
    }
}
