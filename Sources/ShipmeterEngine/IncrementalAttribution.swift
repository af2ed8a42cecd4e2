import Attribution
import Foundation
import GitKit
import Ledger
import Usage
import WorkProgress

/// An `attribute` run that extends what the last one stored, as a pipeline of steps each a test
/// can call: deployment changes → new commits → placed deployments → records to re-join →
/// partial history → stored change. Any step may find the stored state cannot be extended
/// (settings changed, deployments rewritten or back-dated, history unreadable past the old
/// tips); the run then starts over from the whole history.
struct IncrementalAttribution {
    let run: AttributionRun
    let identity: String
    let repository: Int64
    let state: LedgerRepositoryState

    var context: RepositoryContext { run.context }
    var ledger: LedgerStore { run.ledger }
    var repo: Repository { run.context.repository }

    func attempt() async throws -> AttributionRun.Attempt {
        let started = Date()
        WorkProgress.begin("reading what the ledger holds of this repository")
        let stored = try await ledger.deployments(repository: repository)
        guard let fresh = Self.freshDeployments(current: context.collected.deployments, stored: stored) else { return .startOver }
        let joinEnvironment = Self.joinEnvironment(
            stored: stored, fresh: fresh, requested: run.environment ?? context.configuration.reportEnvironment)
        // The environment that decides between a session's commits is part of the settings: when
        // it changes (another became the busiest), everything is joined again.
        let settings = run.settings(joinEnvironment: joinEnvironment)
        guard settings == state.settings else { return .startOver }
        WorkProgress.begin("reading new commits", unit: "commits")
        guard let newFacts = newCommits() else { return .startOver }
        let placed = try Self.place(fresh, after: stored, in: RepositoryShipping(repository: repo))

        var change = AttributionChange(
            identity: identity, name: context.name, expectedRevision: state.revision, replacesAll: false,
            state: run.repositoryState(usageMark: state.usageMark, settings: settings))
        change.deployments = placed.deployments
        let storedStatus = Dictionary(stored.map { ($0.key, $0.status) }, uniquingKeysWith: { first, _ in first })
        change.rolledBack = placed.rolledBack.filter { storedStatus[$0].map { $0 != .rolledBack } ?? false }

        WorkProgress.begin("finding usage records to join again")
        let mark = try await ledger.usageMark()
        change.state.usageMark = mark
        let newByID = Dictionary(newFacts.map { ($0.id.hex, $0) }, uniquingKeysWith: { first, _ in first })
        let shippedIDs = Set(placed.deployments.flatMap(\.shipped))
        // Stored commits a new deployment shipped (reachable before, shipped only now).
        let shippedStored = try await ledger.commits(repository: repository, ids: shippedIDs.filter { newByID[$0] == nil }.sorted())
        let rejoin = try await recordsToRejoin(
            newFacts: newFacts, newByID: newByID, mark: mark, newlyShipped: joinEnvironment.flatMap { placed.newlyShipped[$0] } ?? [],
            shippedStored: shippedStored, joinEnvironment: joinEnvironment)
        let partial = try await partialHistory(newFacts: newFacts, shippedStored: shippedStored, rejoin: rejoin)
        var shippedHere = Set<String>()
        if let joinEnvironment {
            shippedHere = try await ledger.shipped(repository: repository, environment: joinEnvironment, commits: partial.history.facts.map(\.id.hex))
            shippedHere.formUnion(placed.newlyShipped[joinEnvironment] ?? [])
        }
        WorkProgress.begin("joining \(rejoin.records.count) usage records to commits")
        let joined = try await joinChanges(rejoin, partial: partial, shippedHere: shippedHere)
        change.joins = joined.joins
        change.unjoined = joined.unjoined
        var measured = Measured(run: run)
        try await storeCommits(
            newFacts, partial: partial, wantsLines: shippedIDs.union(joined.attributed), attributed: joined.attributed,
            into: &change, measured: &measured)
        change.actors = AttributionRun.actors(of: rejoin.records, people: context.people)
        WorkProgress.begin("writing the ledger")
        let changed = change.joins.count + change.unjoined.count
        change.counts = [
            "mode_incremental": 1, "commits": newFacts.count, "deployments": stored.count + placed.deployments.count,
            "new_deployments": placed.deployments.count, "records": rejoin.records.count, "changed": changed,
        ]
        guard try await ledger.apply(change, repository: repository, version: run.version, started: started) else { return .conflict }
        return .done(
            AttributionRun.Outcome(
                name: context.name, incremental: true, deployments: stored.count + placed.deployments.count, newDeployments: placed.deployments.count,
                commitsRead: newFacts.count, recordsConsidered: rejoin.records.count,
                attributions: try await ledger.attributionCount(repository: repository),
                changedAttributions: changed, unknownLines: measured.unknown.count))
    }

    // MARK: - Deployment changes

    /// The deployments not stored yet, environment by environment in time order; nil when the
    /// stored ones changed (commit or failure moved) or a new one is not later than them.
    static func freshDeployments(current: [Deployment], stored: [StoredDeployment]) -> [Deployment]? {
        var byKey = [DeploymentKey: Deployment]()
        for deployment in current where byKey[deployment.key] == nil { byKey[deployment.key] = deployment }
        var storedKeys = Set<DeploymentKey>()
        for deployment in stored {
            storedKeys.insert(deployment.key)
            guard let now = byKey[deployment.key], now.commit.hex == deployment.commit,
                (now.status == .failure) == (deployment.status == .failure)
            else { return nil }
        }
        let fresh = byKey.filter { !storedKeys.contains($0.key) }.values.sorted {
            ($0.environment, $0.time, $0.id) < ($1.environment, $1.time, $1.id)
        }
        for deployment in fresh {
            let last = stored.filter { $0.environment == deployment.environment }.max { ($0.time, $0.id) < ($1.time, $1.id) }
            if let last, (deployment.time, deployment.id) <= (last.time, last.id) { return nil }
        }
        return fresh
    }

    /// The environment a report would be about, from the deployments stored and new.
    static func joinEnvironment(stored: [StoredDeployment], fresh: [Deployment], requested: String?) -> String? {
        var counts = [String: Int]()
        for deployment in stored { counts[deployment.environment, default: 0] += 1 }
        for deployment in fresh { counts[deployment.environment, default: 0] += 1 }
        return ReportBuilder.defaultEnvironment(counts: counts, configured: requested)
    }

    // MARK: - New commits

    /// Commits beyond the tips the last run walked; nil when history cannot be read past them
    /// (a shallow boundary, say: the full read treats it as a root).
    func newCommits() -> [CommitFacts]? {
        do {
            let walk = try RevisionWalk(repo)
            for tip in context.collected.tips { try walk.push(tip) }
            for tip in state.tips { if let id = try? ObjectID(hex: tip) { try? walk.hide(id) } }
            let ids = try walk.all()
            let noted = ids.isEmpty ? [] : try repo.notedCommits(notesRef: "refs/notes/ai")
            return try ids.map { id in
                WorkProgress.advance()
                return History.facts(
                    for: try repo.commit(id), people: context.people, detector: context.configuration.aiDetector,
                    rework: context.configuration.rework, noted: noted.contains(id),
                    noteSessions: noted.contains(id) ? History.noteSessionKeys(repo, id) : [])
            }
        } catch {
            return nil
        }
    }

    // MARK: - Placed deployments

    struct Placed {
        var deployments: [StoredDeployment] = []
        /// Deployments (stored or new) a new rollback undid.
        var rolledBack: [DeploymentKey] = []
        /// Per environment, the commits new deployments shipped.
        var newlyShipped: [String: [String]] = [:]
    }

    /// Classifies `fresh` deployments after the `stored` ones of their environments.
    static func place<History: ShippingHistory>(_ fresh: [Deployment], after stored: [StoredDeployment], in history: History) throws -> Placed
    where History.Commit == ObjectID {
        var placed = Placed()
        for environment in Set(fresh.map(\.environment)).sorted() {
            let successes = stored.filter { $0.environment == environment && $0.kind != .failed }.compactMap { deployment in
                (try? ObjectID(hex: deployment.commit)).map {
                    DeploymentClassifier<History, DeploymentKey>.Success(tag: deployment.key, commit: $0, kind: deployment.kind)
                }
            }
            var classifier = DeploymentClassifier<History, DeploymentKey>(history: history, successes: successes)
            var shippedHere = [String]()
            for deployment in fresh where deployment.environment == environment {
                let placement = try classifier.place(deployment.key, commit: deployment.commit, failed: deployment.status == .failure)
                let shipped = placement.shipped.map(\.hex)
                shippedHere += shipped
                placed.rolledBack += placement.rolledBack
                placed.deployments.append(
                    StoredDeployment(
                        environment: deployment.environment, id: deployment.id, ref: deployment.ref, commit: deployment.commit.hex,
                        time: deployment.time,
                        status: deployment.status, kind: placement.kind, shipped: shipped.sorted()))
            }
            placed.newlyShipped[environment] = shippedHere
        }
        let undone = Set(placed.rolledBack)
        for index in placed.deployments.indices where undone.contains(placed.deployments[index].key) {
            placed.deployments[index].status = .rolledBack
        }
        return placed
    }
}
