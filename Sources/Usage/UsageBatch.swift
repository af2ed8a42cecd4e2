import Foundation
import Synchronization

/// A session known to have produced a commit (e.g. Claude Code's OTel `tool_result` event with
/// `git_commit_id`): records of the session up to `time` are linked to that commit.
public struct SessionCommitLink: Hashable, Sendable {
    public var session: String
    public var commit: String
    public var time: Date

    public init(session: String, commit: String, time: Date) {
        self.session = session
        self.commit = commit
        self.time = time
    }
}

/// What a read produced: de-duplicated records, links, and what could not be read.
public struct UsageBatch: Sendable {
    public private(set) var records: [UsageRecord] = []
    private var positions: [UsageRecord.Identity: Int] = [:]
    public var links: [SessionCommitLink] = []
    /// Lines that could not be read (the first few kept, all counted).
    public private(set) var malformed: [MalformedLine] = []
    public private(set) var malformedCount = 0
    /// Records seen again under the same `(source, key)` and dropped.
    public private(set) var duplicates = 0
    public var filesRead = 0
    /// OpenTelemetry spans read, and those that carried no usage of their own (no token counts,
    /// or an agent or tool span whose counts total its children's): counted, not stored.
    public var spansRead = 0
    public var spansWithoutUsage = 0
    /// Which attribute spelling each usage field was read from (`input: gen_ai.usage.input_tokens`),
    /// with how many spans, events or metric points used it: what the collector's `/metrics` shows.
    public var spellings: [String: Int] = [:]
    /// Where records go, a chunk at a time, while a large read goes on (nil: all stay here).
    public var spill: UsageSpill?

    public init() {}

    /// Adds a record unless its `(source, key)` was seen; a repeat with a larger total (a
    /// streamed message whose usage grew) replaces the earlier reading.
    public mutating func add(_ record: UsageRecord) {
        if let spill, spill.hasFailed { return }
        // Every later step turns times into days and dates: one no clock could give is refused here.
        let seconds = record.timestamp.timeIntervalSince1970
        guard seconds.isFinite, seconds >= 0, seconds < Self.latestTime else {
            reject(MalformedLine(file: record.source, line: 0, reason: "\(record.key): a time outside 1970–9999"))
            return
        }
        let identity = record.identity
        if let index = positions[identity] {
            duplicates += 1
            if record.total > records[index].total { records[index] = record }
            return
        }
        positions[identity] = records.count
        records.append(record)
        if let spill, records.count >= spill.limit { flush() }
    }

    /// Hands the records read so far to the spill (when there is one) and forgets them; a
    /// repeat of one of them in a later chunk is the receiver's to settle.
    /// 9999-12-31T23:59:59Z.
    static let latestTime: Double = 253_402_300_799

    public mutating func flush() {
        guard let spill, !spill.hasFailed, !records.isEmpty else { return }
        do {
            try spill.receive(records)
        } catch {
            spill.fail(error)
        }
        records.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
    }

    mutating func reject(_ line: MalformedLine) {
        malformedCount += 1
        if malformed.count < 20 { malformed.append(line) }
    }

    /// Replaces the records (used after filtering or pricing); keys stay unique.
    public mutating func mapRecords(_ transform: (inout UsageRecord) -> Void) {
        for index in records.indices { transform(&records[index]) }
    }

    public mutating func merge(_ other: UsageBatch) {
        for record in other.records { add(record) }
        duplicates += other.duplicates
        links.append(contentsOf: other.links)
        for line in other.malformed { reject(line) }
        malformedCount += other.malformedCount - other.malformed.count
        filesRead += other.filesRead
        spansRead += other.spansRead
        spansWithoutUsage += other.spansWithoutUsage
        spellings.merge(other.spellings, uniquingKeysWith: +)
    }

    /// `skipped 3 malformed lines; first: FILE:LINE: reason`, nil when nothing was skipped.
    public var malformedSummary: String? {
        guard let first = malformed.first else { return nil }
        return Self.malformedSummary(count: malformedCount, first: "\(first.location): \(first.reason)")
    }

    public static func malformedSummary(count: Int, first: String) -> String {
        "skipped \(count) malformed line\(count == 1 ? "" : "s"); first: \(first)"
    }
}

/// Receives a read's records in chunks of `limit` as they are read (a streaming ingest), so a
/// large read never holds all of them. The first error `receive` throws stops the read's adding
/// and is kept for the reader's caller.
public final class UsageSpill: Sendable {
    public let limit: Int
    let receive: @Sendable ([UsageRecord]) throws -> Void
    private let failed = Atomic(false)
    private let error = Mutex<(any Error)?>(nil)

    public init(limit: Int, receive: @escaping @Sendable ([UsageRecord]) throws -> Void) {
        precondition(limit > 0, "a chunk holds at least one record")
        self.limit = limit
        self.receive = receive
    }

    /// What `receive` threw first; nil while it has thrown nothing.
    public var failure: (any Error)? { error.withLock { $0 } }

    /// Whether `receive` has thrown (checked per record: no lock).
    var hasFailed: Bool { failed.load(ordering: .acquiring) }

    func fail(_ failure: any Error) {
        error.withLock { if $0 == nil { $0 = failure } }
        failed.store(true, ordering: .releasing)
    }
}
