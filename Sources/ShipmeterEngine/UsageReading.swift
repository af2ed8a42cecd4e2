import Foundation
import GitKit
import Ledger
import Usage
import WorkProgress

/// How usage is read for a repository: files (any supported format, or a forced one), else the
/// agent sessions recorded on this machine for the repository; priced from the bundled table,
/// a prices file and the repository's overrides.
public struct UsageReading: Sendable {
    /// A forced format; nil detects each file's from its content.
    public var format: UsageFormat?
    /// Fail on the first malformed line instead of skipping it.
    public var strict = false
    /// LiteLLM's price file, or `{"model": {"input": …}}` in USD per million tokens.
    public var pricesFile: String?

    public init(format: UsageFormat? = nil, strict: Bool = false, pricesFile: String? = nil) {
        self.format = format
        self.strict = strict
        self.pricesFile = pricesFile
    }

    /// The bundled prices, then the prices file's, then `overrides`.
    public func priceTable(overrides: [String: ModelPrice]) throws(EngineError) -> PriceTable {
        var table = PriceTable.bundled
        if let prices = pricesFile {
            do {
                table = table.merging(try PriceTable.load(json: Data(contentsOf: URL(fileURLWithPath: prices))))
            } catch let error as UsageError {
                throw .prices(path: prices, detail: error.localizedDescription, unreadable: false)
            } catch {
                let reason = FileManager.default.fileExists(atPath: prices) ? error.localizedDescription : "no such file"
                throw .prices(path: prices, detail: reason, unreadable: true)
            }
        }
        return table.merging(overrides)
    }

    /// Reads `paths`, or with none the local agent sessions of `repository` (the work of this
    /// clone's `user.email`); prices the records.
    public func load(
        paths: [String], repository: Repository?, overrides: [String: ModelPrice]
    ) throws(EngineError) -> (batch: UsageBatch, diagnostics: [Diagnostic]) {
        var batch: UsageBatch
        var diagnostics = [Diagnostic]()
        do {
            if paths.isEmpty {
                guard let repository, let root = repository.workDirectory else { return (UsageBatch(), []) }
                WorkProgress.begin("reading this machine's agent sessions", unit: "bytes")
                let (found, _) = try LocalSessions().load(for: root)
                batch = found
                // Local transcripts carry no identity: they are the work of this clone's user.
                if let email = repository.configString("user.email") {
                    batch.mapRecords { if $0.actor == nil { $0.actor = email } }
                }
            } else {
                WorkProgress.begin("reading usage files", total: WorkProgress.isEnabled ? UsageLoader.bytes(of: paths) : nil, unit: "bytes")
                let (loaded, notes) = try UsageLoader(format: format).load(paths)
                batch = loaded
                diagnostics += notes.map { .usage($0) }
            }
        } catch {
            throw EngineError.wrapping(error)
        }
        if strict, let first = batch.malformed.first {
            throw .usage(.strict(first, count: batch.malformedCount))
        }
        if let malformed = Diagnostic.malformed(in: batch) { diagnostics.append(malformed) }
        if let unpriced = Self.unpriced(batch.price(with: try priceTable(overrides: overrides))) { diagnostics.append(unpriced) }
        return (batch, diagnostics)
    }

    /// The warning for models without a price; nil when every model had one.
    static func unpriced(_ models: Set<String>) -> Diagnostic? {
        guard !models.isEmpty else { return nil }
        return .unpriced(models: models.sorted())
    }

    /// Usage for a report or budget: the ledger's records when `ledger` is given, with any files
    /// in `paths` added; else the files, or the repository's local sessions.
    public func load(
        paths: [String], ledger: LedgerStore?, repository: Repository, overrides: [String: ModelPrice]
    ) async throws -> (batch: UsageBatch, diagnostics: [Diagnostic]) {
        guard let ledger else { return try load(paths: paths, repository: repository, overrides: overrides) }
        WorkProgress.begin("reading usage records from the ledger")
        var batch = try await ledger.batch()
        var diagnostics = [Diagnostic]()
        if !paths.isEmpty {
            let (files, notes) = try load(paths: paths, repository: repository, overrides: overrides)
            batch.merge(files)
            diagnostics = notes
        }
        return (batch, diagnostics)
    }
}
