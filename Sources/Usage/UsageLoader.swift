import Foundation
import WorkProgress

/// Reads usage files and folders of any supported format into one de-duplicated batch.
public struct UsageLoader: Sendable {
    /// Forces one format instead of detecting each file's.
    public var format: UsageFormat?
    /// Keep only records whose working directory passes (used for discovered local sessions).
    public var includeDirectory: (@Sendable (String) -> Bool)?
    /// The repository root sessions are discovered for (Gemini CLI names projects by its hash).
    public var projectRoot: String?

    public init(format: UsageFormat? = nil, includeDirectory: (@Sendable (String) -> Bool)? = nil, projectRoot: String? = nil) {
        self.format = format
        self.includeDirectory = includeDirectory
        self.projectRoot = projectRoot
    }

    /// Reads every path; a folder is walked recursively for `.jsonl`, `.json`, `.csv`,
    /// `.ndjson` and `.db` (agents' SQLite stores) files. A file given by name whose format is unknown is an error; one met
    /// while walking a folder is skipped with a note.
    /// With `spill`, records go there a chunk at a time and the batch returned holds what was
    /// left over (the last chunk), with the links and counts of the whole read.
    public func load(_ paths: [String], spill: UsageSpill? = nil) throws -> (UsageBatch, notes: [UsageNote]) {
        var batch = UsageBatch()
        batch.spill = spill
        var notes = [UsageNote]()
        var otel = OTelReader()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw UsageError.unreadable(file: path, reason: "no such file or folder")
            }
            if isDirectory.boolValue {
                let walk = FolderWalk(path, suffixes: Self.suffixes)
                notes += walk.notes
                for file in walk.files {
                    guard let format = format ?? UsageFormat.detect(path: file) else {
                        if !Self.isEmpty(file) { notes.append(.notUsage(path: file)) }
                        continue
                    }
                    var fileBatch = UsageBatch()
                    do {
                        try read(file, as: format, into: &fileBatch, otel: &otel)
                    } catch UsageError.unreadable(let file, let reason) {
                        // Unreadable, or gone since the folder was listed (a session cleaned up).
                        notes.append(.unreadable(path: file, reason: reason))
                        continue
                    }
                    // Transcripts carry no identity: a folder named after an email says whose they are.
                    if let owner = Self.owner(of: file, under: path) {
                        fileBatch.mapRecords { if $0.actor == nil { $0.actor = owner } }
                    }
                    batch.merge(fileBatch)
                }
            } else {
                guard FolderWalk.isRegularFile(path) else {
                    throw UsageError.unreadable(file: path, reason: "not a regular file (a FIFO, socket or device)")
                }
                if Self.isEmpty(file: path) {
                    batch.filesRead += 1
                    continue
                }
                guard let format = format ?? UsageFormat.detect(path: path) else { throw UsageError.unknownFormat(file: path) }
                try read(path, as: format, into: &batch, otel: &otel)
            }
        }
        otel.finish(into: &batch)
        if let failure = spill?.failure { throw failure }
        return (batch, notes)
    }

    /// The bytes `load` would read from `paths` (the folders walked as it walks them): the total
    /// of a progress line counting bytes.
    public static func bytes(of paths: [String]) -> Int {
        var total = 0
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            for file in isDirectory.boolValue ? FolderWalk(path, suffixes: suffixes).files : [path] {
                var info = stat()
                if stat(file, &info) == 0 { total += Int(info.st_size) }
            }
        }
        return total
    }

    /// Reads one file of a known format; progress counts its bytes (line by line where the reader
    /// scans lines, else the whole file once it is read).
    func read(_ path: String, as format: UsageFormat, into batch: inout UsageBatch, otel: inout OTelReader) throws {
        let counting = WorkProgress.isEnabled
        let before = counting ? WorkProgress.done() : 0
        defer {
            var info = stat()
            if counting, stat(path, &info) == 0 {
                let unread = Int(info.st_size) - (WorkProgress.done() - before)
                if unread > 0 { WorkProgress.advance(unread) }
            }
        }
        batch.filesRead += 1
        switch format {
        case .claudeCode: try ClaudeCodeReader(includeDirectory: includeDirectory).read(path, into: &batch)
        case .codex: try CodexReader(includeDirectory: includeDirectory).read(path, into: &batch)
        case .geminiCLI: try GeminiCLIReader(includeDirectory: includeDirectory, knownRoot: projectRoot).read(path, into: &batch)
        case .opencode:
            if AgentDatabase.isSQLite(path) {
                try OpenCodeReader(includeDirectory: includeDirectory).readDatabase(path, into: &batch)
            } else {
                try OpenCodeReader(includeDirectory: includeDirectory).readJSON(path, into: &batch)
            }
        case .copilotCLI: try CopilotCLIReader(includeDirectory: includeDirectory).read(path, into: &batch)
        case .qwenCode: try QwenCodeReader(includeDirectory: includeDirectory).read(path, into: &batch)
        case .crush: try CrushReader(includeDirectory: includeDirectory).read(path, into: &batch)
        case .goose: try GooseReader(includeDirectory: includeDirectory).read(path, into: &batch)
        case .amp: try AmpReader(includeDirectory: includeDirectory).read(path, into: &batch)
        case .cursor:
            if Self.looksLikeJSON(path) { try CursorReader().readJSON(path, into: &batch) } else { try CursorReader().readCSV(path, into: &batch) }
        case .otel: try otel.read(path, into: &batch)
        case .claudeCodeAnalytics: try ClaudeCodeAnalyticsReader().read(path, into: &batch)
        case .anthropicUsage: try AnthropicUsageReader().read(path, into: &batch)
        case .openaiUsage: try OpenAIUsageReader().read(path, into: &batch)
        case .litellm:
            if Self.looksLikeJSON(path) { try LiteLLMReader().readJSON(path, into: &batch) } else { try LiteLLMReader().readCSV(path, into: &batch) }
        case .jsonl, .csv:
            if Self.looksLikeJSON(path) {
                try CanonicalReader().readJSONL(path, into: &batch)
            } else {
                try CanonicalReader().readCSV(path, into: &batch)
            }
        }
    }

    /// The email named by the nearest folder between `root` (inclusive) and `file`, if any.
    static func owner(of file: String, under root: String) -> String? {
        let relative = file.hasPrefix(root) ? String(file.dropFirst(root.count)) : file
        let folders = relative.split(separator: "/").dropLast().map(String.init)
        let candidates = folders.reversed() + [URL(fileURLWithPath: root).lastPathComponent]
        return candidates.first { $0.contains("@") && $0.contains(".") && !$0.hasPrefix("@") }?.lowercased()
    }

    static func looksLikeJSON(_ path: String) -> Bool {
        let head = LineScanner.head(of: path, limit: 4096)
        let first = head.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    static func isEmpty(file path: String) -> Bool { isEmpty(path) }

    static func isEmpty(_ path: String) -> Bool {
        LineScanner.head(of: path, limit: 4096).allSatisfy { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
    }

    /// Usage-looking files under a folder, sorted so runs are reproducible.
    static func files(under root: String) -> [String] {
        FolderWalk(root, suffixes: suffixes).files
    }

    static let suffixes = [".jsonl", ".json", ".csv", ".ndjson", ".db"]
}

extension UsageBatch {
    /// Fills in missing costs from `prices`; returns the models that have no price.
    @discardableResult
    public mutating func price(with prices: PriceTable) -> Set<String> {
        var pricing = Pricing(prices)
        mapRecords { pricing.price(&$0) }
        return pricing.unknown
    }
}

/// Prices records one at a time, one price lookup per distinct model; whole-number arithmetic
/// where the price allows it.
public struct Pricing {
    let prices: PriceTable
    private var known = [String: (scaled: ScaledPrice?, perToken: ModelPrice)?]()
    /// Models seen without a price.
    public private(set) var unknown = Set<String>()

    public init(_ prices: PriceTable) {
        self.prices = prices
    }

    /// Fills in `record`'s cost when it has none and its model has a price.
    public mutating func price(_ record: inout UsageRecord) {
        guard record.costUSD == nil else { return }
        let entry: (scaled: ScaledPrice?, perToken: ModelPrice)?
        if let cached = known[record.model] {
            entry = cached
        } else {
            entry = prices.price(for: record.model).map { (ScaledPrice($0), $0.perToken) }
            known[record.model] = entry
        }
        guard let entry else {
            unknown.insert(record.model)
            return
        }
        if let scaled = entry.scaled {
            record.costUSD = PriceTable.cost(of: record, scaled: scaled)
        } else {
            record.costUSD = PriceTable.cost(of: record, perToken: entry.perToken)
        }
    }
}
