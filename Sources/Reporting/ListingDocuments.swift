import Foundation
import Usage

/// The JSON documents of the listing commands, as types: their coding keys are the documented
/// schema (docs/json.md), written by `JSONDocumentEncoder` in this order.

/// `shipmeter commits --format json`.
public struct CommitsDocument: JSONDocument, Sendable {
    public var schemaVersion = 1
    public var commits: [Commit]

    public init(commits: [Commit]) { self.commits = commits }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", commits
    }

    public struct Commit: Encodable, Sendable {
        public struct Author: Encodable, Sendable {
            public var name: String
            public var email: String
        }

        public struct Trailer: Encodable, Sendable {
            public var key: String
            public var value: String
        }

        public var id: String
        public var parents: [String]
        public var author: Author
        public var authorTime: String
        public var committerTime: String
        public var summary: String
        public var trailers: [Trailer]
        public var filesChanged: Int
        public var linesAdded: Int?
        public var linesDeleted: Int?
        public var effectiveLines: Double?
        public var aiSignals: [String]
        public var aiLines: Int?
        public var aiLineSources: [String: Int]

        public init(
            id: String, parents: [String], authorName: String, authorEmail: String, authorTime: String, committerTime: String, summary: String,
            trailers: [(key: String, value: String)], filesChanged: Int, linesAdded: Int?, linesDeleted: Int?, effectiveLines: Double?,
            aiSignals: [String], aiLines: Int?, aiLineSources: [String: Int]
        ) {
            (self.id, self.parents, self.author) = (id, parents, Author(name: authorName, email: authorEmail))
            (self.authorTime, self.committerTime, self.summary) = (authorTime, committerTime, summary)
            self.trailers = trailers.map { Trailer(key: $0.key, value: $0.value) }
            (self.filesChanged, self.linesAdded, self.linesDeleted, self.effectiveLines) = (filesChanged, linesAdded, linesDeleted, effectiveLines)
            (self.aiSignals, self.aiLines, self.aiLineSources) = (aiSignals, aiLines, aiLineSources)
        }

        enum CodingKeys: String, CodingKey {
            case id, parents, author, summary, trailers
            case authorTime = "author_time", committerTime = "committer_time", filesChanged = "files_changed"
            case linesAdded = "lines_added", linesDeleted = "lines_deleted", effectiveLines = "effective_lines"
            case aiSignals = "ai_signals", aiLines = "ai_lines", aiLineSources = "ai_line_sources"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(parents, forKey: .parents)
            try container.encode(author, forKey: .author)
            try container.encode(authorTime, forKey: .authorTime)
            try container.encode(committerTime, forKey: .committerTime)
            try container.encode(summary, forKey: .summary)
            try container.encode(trailers, forKey: .trailers)
            try container.encode(filesChanged, forKey: .filesChanged)
            try container.encodeIfPresent(linesAdded, forKey: .linesAdded)
            try container.encodeIfPresent(linesDeleted, forKey: .linesDeleted)
            try container.encodeIfPresent(effectiveLines, forKey: .effectiveLines)
            try container.encode(aiSignals, forKey: .aiSignals)
            try container.encodeIfPresent(aiLines, forKey: .aiLines)
            try container.encode(aiLineSources, forKey: .aiLineSources)
        }
    }
}

/// `shipmeter deployments --format json`.
public struct DeploymentsDocument: JSONDocument, Sendable {
    public var schemaVersion = 1
    public var deployments: [Deployment]

    public init(deployments: [Deployment]) { self.deployments = deployments }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", deployments
    }

    public struct Deployment: Encodable, Sendable {
        public var environment: String
        public var id: String
        public var ref: String
        public var commit: String
        public var time: String
        public var status: String
        public var kind: String
        public var shippedCommits: [String]

        public init(environment: String, id: String, ref: String, commit: String, time: Date, status: String, kind: String, shippedCommits: [String])
        {
            (self.environment, self.id, self.ref, self.commit) = (environment, id, ref, commit)
            (self.time, self.status, self.kind, self.shippedCommits) = (Timestamp.iso8601(time), status, kind, shippedCommits)
        }

        enum CodingKeys: String, CodingKey {
            case environment, id, ref, commit, time, status, kind
            case shippedCommits = "shipped_commits"
        }
    }
}

/// `shipmeter usage --format json`.
public struct UsageDocument: JSONDocument, Sendable {
    public var schemaVersion = 1
    public var totals: Counts
    public var skippedLines: Int
    public var groups: [Group]

    public init(_ summary: UsageSummary, skipped: Int) {
        totals = Counts(summary.totals)
        skippedLines = skipped
        groups = summary.groups.map { Group(key: $0.key, counts: Counts($0.counts)) }
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", totals, skippedLines = "skipped_lines", groups
    }

    public struct Counts: Encodable, Sendable {
        public var records: Int
        public var input, output, cacheWrite, cacheRead, total: Int64
        public var costUSD: Decimal
        public var unpricedRecords: Int

        init(_ counts: TokenCounts) {
            (records, input, output) = (counts.records, counts.input, counts.output)
            (cacheWrite, cacheRead, total) = (counts.cacheWrite, counts.cacheRead, counts.total)
            (costUSD, unpricedRecords) = (counts.costUSD, counts.unpricedRecords)
        }

        enum CodingKeys: String, CodingKey {
            case records, input, output, total
            case cacheWrite = "cache_write", cacheRead = "cache_read", costUSD = "cost_usd", unpricedRecords = "unpriced_records"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(records, forKey: .records)
            try container.encode(input, forKey: .input)
            try container.encode(output, forKey: .output)
            try container.encode(cacheWrite, forKey: .cacheWrite)
            try container.encode(cacheRead, forKey: .cacheRead)
            try container.encode(total, forKey: .total)
            try container.encode(costUSD, forKey: .costUSD)
            try container.encode(unpricedRecords, forKey: .unpricedRecords)
        }
    }

    /// A group: its key, then its counts, in one object.
    public struct Group: Encodable, Sendable {
        public var key: String
        public var counts: Counts

        enum CodingKeys: String, CodingKey { case key }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
            try counts.encode(to: encoder)
        }
    }
}
