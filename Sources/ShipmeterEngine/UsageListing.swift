import Foundation
import GitKit
import Usage

/// What `usage` lists: usage files or folders (none: this machine's agent sessions of the
/// repository at `repository`), the records in a window, summed by a grouping.
public struct UsageRequest: Sendable {
    public var paths: [String]
    /// A folder inside the repository whose sessions are read when `paths` is empty, and whose
    /// `.shipmeter.yml` prices apply when there is one.
    public var repository: String
    /// Only records at or after / before these edges, as written (`30d`, a date, ISO 8601).
    public var since: String?
    public var until: String?
    public var now: Date
    public var grouping: UsageSummary.Grouping?
    public var reading: UsageReading

    public init(
        paths: [String], repository: String = ".", since: String? = nil, until: String? = nil, now: Date = Date(),
        grouping: UsageSummary.Grouping? = nil, reading: UsageReading = UsageReading()
    ) {
        (self.paths, self.repository, self.since, self.until, self.now) = (paths, repository, since, until, now)
        (self.grouping, self.reading) = (grouping, reading)
    }
}

public struct UsageResult: Sendable {
    public var summary: UsageSummary
    /// Lines that were no record.
    public var malformedLines: Int
    /// Whether this machine's sessions were asked for and none were found.
    public var noLocalSessions: Bool
    public var diagnostics: [Diagnostic]
}

extension ReportEngine {
    /// The usage `request` lists.
    public static func usage(_ request: UsageRequest, notify: @escaping @Sendable (Diagnostic) -> Void = { _ in }) throws(EngineError) -> UsageResult
    {
        var log = DiagnosticLog(notify: notify)
        func edge(_ text: String?, _ which: ReportWindow.Edge) throws(EngineError) -> Date? {
            guard let text else { return nil }
            guard let date = Timestamp.parseWindowEdge(text, now: request.now) else { throw .badDate(which, text) }
            return date
        }
        let since = try edge(request.since, .start), until = try edge(request.until, .end)
        // The repository's prices apply; with no paths, its sessions are what is read.
        let repository =
            request.paths.isEmpty ? try RepositoryContext.discover(request.repository) : RepositoryContext.discoverIfAny(request.repository)
        var overrides = [String: ModelPrice]()
        // (Settings that cannot be read stop a read of the repository's own sessions; beside files
        // given by name they are passed over.)
        if let repository,
            let settings = request.paths.isEmpty ? try RepositoryContext.settings(of: repository) : try? RepositoryContext.settings(of: repository)
        {
            log.add(settings.diagnostics)
            overrides = settings.configuration.priceOverrides
        }
        let (batch, diagnostics) = try request.reading.load(
            paths: request.paths, repository: request.paths.isEmpty ? repository : nil, overrides: overrides)
        log.add(diagnostics)
        let records = batch.records.filter { record in
            (since.map { record.timestamp >= $0 } ?? true) && (until.map { record.timestamp < $0 } ?? true)
        }
        return UsageResult(
            summary: UsageSummary(records: records, by: request.grouping), malformedLines: batch.malformedCount,
            noLocalSessions: request.paths.isEmpty && records.isEmpty, diagnostics: log.all)
    }
}
