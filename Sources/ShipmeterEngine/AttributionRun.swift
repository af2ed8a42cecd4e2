import Attribution
import Foundation
import GitKit
import Ledger
import Usage
import WorkProgress

/// `attribute`: stores a repository's commits, deployments, shipped sets and usage joins in the
/// ledger. The first run (or one after settings changed) reads the whole history; every later
/// run reads only what is beyond the tips the last one walked (`IncrementalAttribution`) and
/// writes the difference in one transaction. Both give the same ledger contents.
public struct AttributionRun {
    public let context: RepositoryContext
    public let ledger: LedgerStore
    /// The environment that decides between a session's commits (`--env`).
    public var environment: String?
    /// Read the whole history again even when the last run's state allows less.
    public var full = false
    /// Let git fetch blobs a partial clone lacks.
    public var fetchMissing = false
    /// The version recorded with the run.
    public var version: String
    /// What attribution depends on besides history, usage and the join environment (settings,
    /// mailmaps, CODEOWNERS…), read once per run rather than once per attempt.
    private let baseDigest: String

    /// Bumped when attribution rules change, so ledgers written by older rules start over.
    public static let rulesVersion = "6"

    public init(context: RepositoryContext, ledger: LedgerStore, environment: String?, version: String) {
        self.context = context
        self.ledger = ledger
        self.environment = environment
        self.version = version
        baseDigest = context.settingsDigest(rulesVersion: Self.rulesVersion, environment: environment)
    }

    public struct Outcome: Sendable {
        public var name: String
        public var incremental: Bool
        public var deployments: Int
        public var newDeployments: Int
        public var commitsRead: Int
        public var recordsConsidered: Int
        public var attributions: Int
        public var changedAttributions: Int
        /// Commits whose line counts are unknown: blobs not present.
        public var unknownLines = 0
        public var diagnostics: [Diagnostic] = []
    }

    /// How one attempt ended.
    enum Attempt {
        case done(Outcome)
        /// Another run wrote the repository between this one's reads and its write.
        case conflict
        /// The stored state cannot be extended: read everything.
        case startOver
    }

    public func run() async throws -> Outcome {
        for _ in 0..<8 {
            if let outcome = try await attempt() { return outcome }
            // Another run wrote this repository between our reads and our write: read again.
        }
        throw EngineError.busy("the ledger kept changing under this run (other attribute runs for the same repository); try again")
    }

    /// The outcome, or nil when another run got there first.
    private func attempt() async throws -> Outcome? {
        if !full, let identity = context.knownIdentity {
            let repository = try await ledger.repositoryID(identity: identity, name: context.name)
            if let state = try await ledger.state(repository: repository) {
                let incremental = IncrementalAttribution(run: self, identity: identity, repository: repository, state: state)
                switch try await incremental.attempt() {
                case .done(let outcome): return outcome
                case .conflict: return nil
                case .startOver: break
                }
            }
        }
        return try await fromScratch()
    }

    /// The settings digest for joins decided in `joinEnvironment`.
    func settings(joinEnvironment: String?) -> String {
        StableHash.digest([baseDigest, joinEnvironment ?? ""])
    }

    func repositoryState(usageMark: Int64, settings: String) -> LedgerRepositoryState {
        LedgerRepositoryState(
            revision: 0, tips: context.collected.tips.map(\.hex), settings: settings, usageMark: usageMark,
            remotes: context.scope.remotes + context.scope.roots)
    }

    // MARK: - From scratch

    private func fromScratch() async throws -> Outcome? {
        let snapshot = try context.snapshot()
        let identity = snapshot.identity
        context.cacheIdentity(identity)
        let repository = try await ledger.repositoryID(identity: identity, name: snapshot.name)
        let previous = try await ledger.state(repository: repository)
        let known = Set(try await ledger.deployments(repository: repository).map(\.key))
        // Every record up to the mark (and any ingested meanwhile: joining them twice is harmless).
        WorkProgress.begin("reading usage records from the ledger")
        let mark = try await ledger.usageMark()
        let batch = try await ledger.batch()
        let joinEnvironment = snapshot.environment(requested: environment)
        WorkProgress.begin("joining \(batch.records.count) usage records to commits")
        let joins = snapshot.join(batch, environment: joinEnvironment, until: Date())
        let history = snapshot.history
        let timeline = snapshot.timeline

        // Lines of every shipped non-merge commit and every attributed one, worked out in parallel.
        var needed = Set<Int>()
        for set in timeline.shipped { for commit in set where !history.facts[commit].isMerge { needed.insert(commit) } }
        for join in joins { if let commit = join.commit { needed.insert(commit) } }
        let diffs = snapshot.diffs(fetchMissing: fetchMissing)
        diffs.prefetch(Array(needed))
        let details = SnapshotCommits(diffs: diffs, history: history, people: snapshot.people, codeOwners: snapshot.codeOwners)

        var change = AttributionChange(
            identity: identity, name: snapshot.name, expectedRevision: previous?.revision, replacesAll: true,
            state: repositoryState(usageMark: mark, settings: settings(joinEnvironment: joinEnvironment)))
        change.commits = history.facts.indices.map { number in
            let measure = needed.contains(number) ? diffs.measure(of: number) : nil
            return StoredCommit(
                facts: history.facts[number], team: details.team(of: number),
                lines: measure == nil ? nil : diffs.linesChanged(of: number), measure: measure,
                aiLines: needed.contains(number) ? details.aiLines(of: number) : nil)
        }
        change.deployments = timeline.deployments.indices.map { index in
            let deployment = timeline.deployments[index]
            return StoredDeployment(
                environment: deployment.environment, id: deployment.id, ref: deployment.ref, commit: deployment.commit.hex,
                time: deployment.time, status: deployment.status, kind: deployment.kind,
                shipped: timeline.shipped[index].map { history.id($0).hex })
        }
        change.joins = zip(batch.records, joins).compactMap { record, join in
            guard case .attributed(let commit, let confidence) = join else { return nil }
            return StoredJoin(source: record.source, key: record.key, commit: history.id(commit).hex, confidence: confidence)
        }
        change.actors = Self.actors(of: batch.records, people: snapshot.people)
        let newDeployments = change.deployments.filter { !known.contains($0.key) }.count
        WorkProgress.begin("writing the ledger")
        change.counts = [
            "mode_full": 1, "commits": change.commits.count, "deployments": change.deployments.count,
            "new_deployments": newDeployments, "records": batch.records.count, "attributions": change.joins.count,
        ]
        guard try await ledger.apply(change, repository: repository, version: version, started: Date()) else { return nil }
        return Outcome(
            name: snapshot.name, incremental: false, deployments: change.deployments.count, newDeployments: newDeployments,
            commitsRead: history.count, recordsConsidered: batch.records.count, attributions: change.joins.count,
            changedAttributions: change.joins.count, unknownLines: diffs.unknownLines.count,
            diagnostics: snapshot.notes.map(Diagnostic.note))
    }

    /// Who each actor of `records` is, as this repository's people say.
    static func actors(of records: [UsageRecord], people: People) -> [LedgerActor] {
        Set(records.compactMap(\.actor)).sorted().map { actor in
            let person = people.canonical(email: actor)
            return LedgerActor(actor: actor, person: person, team: people.team(of: person) ?? People.unassigned, bot: people.isBot(email: actor))
        }
    }
}

@available(*, unavailable)
extension AttributionRun: Sendable {}
