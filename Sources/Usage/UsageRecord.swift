import Foundation

/// One reading of the token meter, in shipmeter's canonical form (DESIGN.md, "Usage record").
public struct UsageRecord: Hashable, Sendable {
    public enum Granularity: String, Sendable, Hashable {
        case request, day, hour, minute
    }

    public var source: String
    /// Unique per source; `(source, key)` de-duplicates.
    public var key: String
    public var timestamp: Date
    public var granularity: Granularity
    public var actor: String?
    public var session: String?
    public var agent: String?
    public var model: String
    public var repository: String?
    public var branch: String?
    public var commit: String?
    /// Non-cached input tokens.
    public var input: Int64
    public var output: Int64
    public var cacheWrite: Int64
    public var cacheRead: Int64
    public var costUSD: Decimal?
    /// The part of `cacheWrite` written to the 1-hour cache (priced higher than the 5-minute one).
    public var cacheWrite1h: Int64 = 0

    public init(
        source: String, key: String, timestamp: Date, granularity: Granularity = .request,
        actor: String? = nil, session: String? = nil, agent: String? = nil, model: String,
        repository: String? = nil, branch: String? = nil, commit: String? = nil,
        input: Int64, output: Int64, cacheWrite: Int64 = 0, cacheRead: Int64 = 0,
        costUSD: Decimal? = nil
    ) {
        self.source = source
        self.key = key
        self.timestamp = timestamp
        self.granularity = granularity
        self.actor = actor
        self.session = session
        self.agent = agent
        self.model = model
        self.repository = repository
        self.branch = branch
        self.commit = commit
        self.input = input
        self.output = output
        self.cacheWrite = cacheWrite
        self.cacheRead = cacheRead
        self.costUSD = costUSD
    }

    public var total: Int64 { input + output + cacheWrite + cacheRead }

    /// The de-duplication identity.
    public var identity: Identity { Identity(source: source, key: key) }

    /// The de-duplication identity of the record `(source, key)`.
    public static func identity(source: String, key: String) -> Identity { Identity(source: source, key: key) }

    /// What makes a record the same record when read again: its source and its key there.
    public struct Identity: Hashable, Sendable {
        public var source: String
        public var key: String

        public init(source: String, key: String) { (self.source, self.key) = (source, key) }
    }
}

/// Token counts by kind, with cost; the unit every total and group is made of.
public struct TokenCounts: Hashable, Sendable {
    public var records: Int = 0
    public var input: Int64 = 0
    public var output: Int64 = 0
    public var cacheWrite: Int64 = 0
    public var cacheRead: Int64 = 0
    public var costUSD: Decimal = 0
    /// Records whose model had no price and no cost of its own.
    public var unpricedRecords: Int = 0

    public init() {}

    public var total: Int64 { input + output + cacheWrite + cacheRead }

    public mutating func add(_ record: UsageRecord) {
        records += 1
        input += record.input
        output += record.output
        cacheWrite += record.cacheWrite
        cacheRead += record.cacheRead
        if let cost = record.costUSD { costUSD += cost } else { unpricedRecords += 1 }
    }
}
