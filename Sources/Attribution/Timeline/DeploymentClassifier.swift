import Foundation

/// What classification asks of history: ancestry, and what a deployment ships. The in-memory
/// commit graph answers it for a timeline read from history; the repository's own walks answer
/// it for deployments added to a ledger.
public protocol ShippingHistory {
    associatedtype Commit: Equatable
    /// Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor).
    func isAncestor(_ ancestor: Commit, of descendant: Commit) throws -> Bool
    /// The commits reachable from `commit` and from none of `earlier` (the environment's
    /// earlier successful deployments, oldest first).
    mutating func ship(_ commit: Commit, after earlier: [Commit]) throws -> [Commit]
}

/// The one rule for a deployment's kind, in one environment, in time order: a failure ships
/// nothing; a success whose commit is a proper ancestor of the previous success's is a rollback
/// (undoing the forward deployments since the last one at or below it); any other success ships
/// what is new: the first is the baseline, one that ships nothing a redeploy, else forward.
public struct DeploymentClassifier<History: ShippingHistory, Tag> {
    public struct Success {
        public var tag: Tag
        public var commit: History.Commit
        public var kind: Deployment.Kind

        public init(tag: Tag, commit: History.Commit, kind: Deployment.Kind) {
            self.tag = tag
            self.commit = commit
            self.kind = kind
        }
    }

    public struct Placement {
        public var kind: Deployment.Kind
        public var shipped: [History.Commit]
        /// Earlier forward deployments this rollback undid.
        public var rolledBack: [Tag]
    }

    public var history: History
    /// The environment's successful deployments so far, oldest first.
    public private(set) var successes: [Success]

    public init(history: History, successes: [Success] = []) {
        self.history = history
        self.successes = successes
    }

    /// Classifies the next deployment of the environment, tagged `tag` for what it undoes.
    public mutating func place(_ tag: Tag, commit: History.Commit, failed: Bool) throws -> Placement {
        if failed { return Placement(kind: .failed, shipped: [], rolledBack: []) }
        var placement = Placement(kind: .forward, shipped: [], rolledBack: [])
        if let previous = successes.last?.commit, previous != commit, try history.isAncestor(commit, of: previous) {
            placement.kind = .rollback
            for earlier in successes.reversed() {
                if try history.isAncestor(earlier.commit, of: commit) { break }
                if earlier.kind == .forward { placement.rolledBack.append(earlier.tag) }
            }
        } else {
            placement.shipped = try history.ship(commit, after: successes.map(\.commit))
            placement.kind = successes.isEmpty ? .baseline : (placement.shipped.isEmpty ? .redeploy : .forward)
        }
        successes.append(Success(tag: tag, commit: commit, kind: placement.kind))
        return placement
    }
}
