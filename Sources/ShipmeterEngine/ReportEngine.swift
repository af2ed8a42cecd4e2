import Attribution
import Foundation
import Ledger
import Usage
import WorkProgress

/// The one way reports and budgets are made: the command line's `report`, `budget` and `demo`
/// and the collector's dashboard all ask here. History or ledger → usage → report → budget.
public enum ReportEngine {
    /// The report `request` asks for. `notify` hears each diagnostic as it arises (the command
    /// line prints them while work goes on); the result holds them all.
    public static func report(
        _ request: ReportRequest, notify: @escaping @Sendable (Diagnostic) -> Void = { _ in }
    ) async throws(EngineError) -> ReportResult {
        var log = DiagnosticLog(notify: notify)
        do {
            let started = Date()
            let source = try await load(request.source, reading: request.reading, log: &log) { configuration throws(EngineError) in
                try request.window.resolve(configured: configuration.reportSince)
            }
            let groupBy =
                try request.groupBy ?? source.configuration.reportGroupBy.map { value throws(EngineError) in
                    guard let parsed = GroupBy(rawValue: value) else { throw .unknownGrouping(value) }
                    return parsed
                } ?? .team
            if let environment = request.environment, !source.environments.contains(environment) {
                log.add(.unknownEnvironment(environment, found: source.environments, inLedger: source.isLedger))
            }
            let (since, until) = (source.since, source.until)
            let configuration = source.configuration
            switch source.data {
            case .ledger(let loaded):
                let report = loaded.report(
                    since: since, until: until, environment: request.environment, configured: configuration.reportEnvironment,
                    groupBy: groupBy, worth: configuration.deploymentWorth(weight: request.weight), rework: configuration.rework,
                    scope: request.scope)
                return ReportResult(
                    report: report, budget: loaded.budget(configuration, annual: nil, year: nil, asOf: until), diagnostics: log.all,
                    environments: source.environments, ledgerRepositories: loaded.ledgerRepositories, roster: loaded.roster, commits: nil,
                    records: nil,
                    timings: [("ledger", source.loadedAt.timeIntervalSince(started))] + report.phaseTimings.map { ($0.0, $0.1) })
            case .history(let context, let snapshot, let batch):
                WorkProgress.begin(
                    "attributing \(ProgressText.count(batch.records.count)) usage records to \(ProgressText.count(snapshot.history.count)) commits")
                let report = snapshot.report(
                    batch, since: since, until: until, environment: request.environment, groupBy: groupBy, weight: request.weight,
                    fetchMissing: request.fetchMissing, scope: request.scope)
                if report.unknownLineCommits > 0 {
                    log.add(
                        .unknownLines(commits: report.unknownLineCommits, partialClone: context.isPartialClone, fetchingMissing: request.fetchMissing)
                    )
                }
                let timings =
                    [
                        ("history and deployments", source.historyAt.timeIntervalSince(started)),
                        ("usage", source.loadedAt.timeIntervalSince(source.historyAt)),
                    ] + report.phaseTimings.map { ($0.0, $0.1) }
                return ReportResult(
                    report: report, budget: snapshot.budget(batch.records, annual: nil, year: nil, asOf: until), diagnostics: log.all,
                    environments: source.environments, roster: nil, commits: snapshot.history.count, records: batch.records.count,
                    timings: timings)
            }
        } catch {
            throw EngineError.wrapping(error)
        }
    }

    /// The budget projection `request` asks for, from the same sources as a report.
    public static func budget(
        _ request: BudgetRequest, notify: @escaping @Sendable (Diagnostic) -> Void = { _ in }
    ) async throws(EngineError) -> BudgetResult {
        var log = DiagnosticLog(notify: notify)
        do {
            let now = request.now
            let source = try await load(request.source, reading: request.reading, log: &log) { _ in (now, now) }
            let projection: BudgetProjection?
            switch source.data {
            case .ledger(let loaded):
                projection = loaded.budget(source.configuration, annual: request.annual, year: request.year, asOf: now)
            case .history(_, let snapshot, let batch):
                projection = snapshot.budget(batch.records, annual: request.annual, year: request.year, asOf: now)
            }
            guard let projection else { throw EngineError.noBudget }
            return BudgetResult(projection: projection, diagnostics: log.all)
        } catch {
            throw EngineError.wrapping(error)
        }
    }

    // MARK: - Sources

    /// What a source gave: the ledger's stored attribution, or a repository's history with usage.
    struct Loaded {
        enum Data {
            case ledger(LedgerReportReader)
            case history(RepositoryContext, RepositorySnapshot, UsageBatch)
        }

        var data: Data
        var configuration: Configuration
        var since: Date
        var until: Date
        var historyAt: Date
        var loadedAt: Date

        var isLedger: Bool {
            if case .ledger = data { return true }
            return false
        }

        var environments: [String] {
            switch data {
            case .ledger(let loaded): loaded.timeline.environments
            case .history(_, let snapshot, _): snapshot.timeline.environments
            }
        }
    }

    static func load(
        _ source: ReportSource, reading: UsageReading, log: inout DiagnosticLog,
        window: (Configuration) throws(EngineError) -> (since: Date, until: Date)
    ) async throws -> Loaded {
        switch source {
        case .history(let path, let usage, let ledger):
            let context = try RepositoryContext.load(RepositoryContext.discover(path))
            log.add(context.diagnostics)
            let snapshot = try context.snapshot()
            log.add(snapshot.notes.map(Diagnostic.note))
            let historyAt = Date()
            let (since, until) = try window(context.configuration)
            let overrides = context.configuration.priceOverrides
            let read =
                if let ledger {
                    try await ledger.with { try await reading.load(paths: usage, ledger: $0, repository: context.repository, overrides: overrides) }
                } else {
                    try await reading.load(paths: usage, ledger: nil, repository: context.repository, overrides: overrides)
                }
            log.add(read.diagnostics)
            return Loaded(
                data: .history(context, snapshot, read.batch), configuration: context.configuration, since: since, until: until,
                historyAt: historyAt, loadedAt: Date())
        case .ledger(let location, let filter, let repository):
            let here = repository.flatMap(RepositoryContext.discoverIfAny)
            let configuration = here.flatMap { try? RepositoryContext.settings(of: $0).configuration } ?? Configuration()
            let (since, until) = try window(configuration)
            WorkProgress.begin("reading the ledger")
            guard
                let loaded = try await location.with({
                    try await LedgerReportReader.read($0, filter: filter, since: since, until: until, fallback: here != nil)
                })
            else {
                // Nothing attributed yet: the repository's history, with the ledger's usage.
                return try await load(
                    .history(repository: repository ?? ".", usage: [], ledger: location), reading: reading, log: &log, window: window)
            }
            guard !loaded.names.isEmpty else { throw EngineError.nothingAttributed(location: loaded.location) }
            return Loaded(data: .ledger(loaded), configuration: configuration, since: since, until: until, historyAt: Date(), loadedAt: Date())
        case .openLedger(let store, let filter):
            let configuration = Configuration()
            let (since, until) = try window(configuration)
            let loaded = try await LedgerReportReader.read(store, filter: filter, since: since, until: until, fallback: false)
            guard let loaded else { throw EngineError.nothingAttributed(location: store.location) }
            return Loaded(data: .ledger(loaded), configuration: configuration, since: since, until: until, historyAt: Date(), loadedAt: Date())
        }
    }
}

/// Diagnostics in the order they arose, each passed on as it does.
struct DiagnosticLog {
    let notify: (Diagnostic) -> Void
    private(set) var all: [Diagnostic] = []

    init(notify: @escaping (Diagnostic) -> Void) { self.notify = notify }

    mutating func add(_ diagnostic: Diagnostic) {
        all.append(diagnostic)
        notify(diagnostic)
    }

    mutating func add(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics { add(diagnostic) }
    }
}
