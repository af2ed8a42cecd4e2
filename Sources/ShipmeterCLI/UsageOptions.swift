import ArgumentParser
import Foundation
import GitKit
import Usage

/// How usage files are read: shared by `usage`, `report`, `attribute` and `ingest`.
struct UsageOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Format of the usage files: auto, \(UsageFormat.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "format"))
    var source: String = "auto"

    @Flag(help: "Fail on the first malformed line instead of skipping it.")
    var strict = false

    @Option(help: ArgumentHelp("Model prices: LiteLLM's model_prices_and_context_window.json, or {\"model\": {\"input\": 3, \"output\": 15, \"cache_write\": 3.75, \"cache_read\": 0.3}} in USD per million tokens.", valueName: "file"))
    var prices: String?

    func format() throws -> UsageFormat? {
        if source == "auto" { return nil }
        guard let format = UsageFormat(rawValue: source) else {
            throw ShipmeterError.invalidInput("--source '\(source)' is unknown. Use auto or one of: \(UsageFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return format
    }

    /// The settings as a plain value, for commands that read usage without these flags.
    func reading() throws -> UsageReading {
        UsageReading(format: try format(), strict: strict, pricesFile: prices)
    }

    func load(paths: [String], repo: Repository?, overrides: [String: ModelPrice]) throws -> UsageBatch {
        try reading().load(paths: paths, repo: repo, overrides: overrides)
    }
}

/// How usage is read: forced format, strictness, extra prices.
struct UsageReading {
    var format: UsageFormat?
    var strict = false
    var pricesFile: String?

    func priceTable(overrides: [String: ModelPrice]) throws -> PriceTable {
        var table = PriceTable.bundled
        if let prices = pricesFile {
            do {
                table = table.merging(try PriceTable.load(json: Data(contentsOf: URL(fileURLWithPath: prices))))
            } catch let error as UsageError {
                throw ShipmeterError.invalidInput("\(prices): \(error.localizedDescription)")
            } catch {
                throw ShipmeterError.invalidInput("cannot read prices from \(prices): \(error.localizedDescription)")
            }
        }
        return table.merging(overrides)
    }

    /// Reads `paths`, or with none the local agent sessions of `repo`; prices the records and
    /// reports skipped lines and unknown models on stderr.
    func load(paths: [String], repo: Repository?, overrides: [String: ModelPrice]) throws -> UsageBatch {
        var batch: UsageBatch
        if paths.isEmpty {
            guard let repo, let root = repo.workDirectory else { return UsageBatch() }
            let (found, _) = try LocalSessions().load(for: root)
            batch = found
            // Local transcripts carry no identity: they are the work of this clone's user.
            if let email = repo.configString("user.email") {
                batch.mapRecords { if $0.actor == nil { $0.actor = email } }
            }
        } else {
            let (loaded, notes) = try UsageLoader(format: format).load(paths)
            batch = loaded
            for note in notes { Output.diagnostic("note: \(note)") }
        }
        if strict, let first = batch.malformed.first {
            throw ShipmeterError.invalidInput(UsageError.strict(first, count: batch.malformedCount).localizedDescription)
        }
        if let summary = batch.malformedSummary { Output.diagnostic("warning: \(summary)") }
        let unknown = batch.price(with: try priceTable(overrides: overrides))
        if !unknown.isEmpty {
            Output.diagnostic("warning: no price for \(unknown.sorted().joined(separator: ", ")): their cost is left out (add them under prices: in .shipmeter.yml or pass --prices)")
        }
        return batch
    }
}
