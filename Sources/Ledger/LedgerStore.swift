import Foundation
import Usage

/// What every ledger backend does: the same operations, the same idempotence, one transaction
/// per unit of work. SQLite (`UsageLedger`) is the default; PostgreSQL (`PostgresLedger`) is for
/// a ledger shared by many repositories and CI jobs.
public protocol LedgerStore: AnyObject {
    /// Where the ledger is, for messages (never with a password).
    var location: String { get }
    func ingest(_ batch: UsageBatch, version: String) async throws -> UsageLedger.IngestResult
    func batch(since: Date?, until: Date?) async throws -> UsageBatch
    func forget(actor: String, version: String) async throws -> Int
    func store(_ attribution: UsageLedger.Attribution, version: String) async throws -> UsageLedger.AttributionResult
    func attribution(identity: String) async throws -> UsageLedger.Attribution?
    func close() async
}

extension UsageLedger: LedgerStore {
    public var location: String { path }

    public func ingest(_ batch: UsageBatch, version: String) async throws -> IngestResult {
        try ingestNow(batch, version: version)
    }

    public func batch(since: Date?, until: Date?) async throws -> UsageBatch {
        try batchNow(since: since, until: until)
    }

    public func forget(actor: String, version: String) async throws -> Int {
        try forgetNow(actor: actor, version: version)
    }

    public func store(_ attribution: Attribution, version: String) async throws -> AttributionResult {
        try storeNow(attribution, version: version)
    }

    public func attribution(identity: String) async throws -> Attribution? {
        try attributionNow(identity: identity)
    }

    public func close() async {}
}

/// Opens the ledger a `--ledger` value names: a `postgres://` / `postgresql://` URL or a file path.
public enum Ledgers {
    public static func open(_ location: String, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> any LedgerStore {
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            return try await PostgresLedger.open(url: location, environment: environment)
        }
        return try UsageLedger(path: location)
    }
}

extension UsageLedger.Attribution {
    /// How a stored deployment is told apart from the others of its repository.
    static func deploymentKey(environment: String, id: String) -> String { environment + "\u{1F}" + id }
    static func joinKey(source: String, key: String) -> String { source + "\u{1F}" + key }
    static func joinValue(commit: String, confidence: String) -> String { commit + "/" + confidence }

    /// What storing this attribution changes against what the ledger held: deployments it did
    /// not know, and records attributed anew, differently, or no longer. One rule for every backend.
    func result(knownDeployments: Set<String>, previousJoins: [String: String]) -> UsageLedger.AttributionResult {
        let newDeployments = deployments.filter { !knownDeployments.contains(Self.deploymentKey(environment: $0.environment, id: $0.id)) }.count
        var changed = joins.filter { previousJoins[Self.joinKey(source: $0.source, key: $0.key)] != Self.joinValue(commit: $0.commit, confidence: $0.confidence) }.count
        let kept = Set(joins.map { Self.joinKey(source: $0.source, key: $0.key) })
        changed += previousJoins.keys.filter { !kept.contains($0) }.count  // no longer attributed
        return UsageLedger.AttributionResult(deployments: deployments.count, newDeployments: newDeployments,
                                             attributions: joins.count, changedAttributions: changed)
    }
}

extension UsageLedger.AttributionResult {
    /// The counts a run records.
    var runCounts: [String: Int] {
        ["deployments": deployments, "new_deployments": newDeployments, "attributions": attributions, "changed": changedAttributions]
    }
}
