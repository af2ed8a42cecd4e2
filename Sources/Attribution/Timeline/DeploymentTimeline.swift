import Foundation
import GitKit

/// Every deployment with its kind, status and shipped set, per environment.
///
/// In each environment the successful deployments (every one that is not failed) are taken in
/// time order, and deployment k ships what is reachable from its commit and from none of the
/// earlier ones. One mark per commit per environment means each commit is visited once over
/// all deployments, whatever their number.
public struct DeploymentTimeline: Sendable {
    /// In environment order, then time order.
    public private(set) var deployments: [ClassifiedDeployment] = []
    /// Graph numbers of the commits each deployment shipped (parallel to `deployments`).
    public private(set) var shipped: [[Int]] = []
    /// Per environment, for each graph commit, the index of the deployment that shipped it (-1: none).
    private var shippedBy: [String: [Int32]] = [:]
    public private(set) var notes: [String] = []

    public init(graph: CommitGraph, deployments input: [Deployment]) {
        var seen = Set<DeploymentKey>()
        var byEnvironment = [String: [Deployment]]()
        for deployment in input {
            guard seen.insert(deployment.key).inserted else { continue }
            guard graph.contains(deployment.commit) else {
                notes.append(
                    "deployment \(deployment.id) (\(deployment.environment)) names \(deployment.commit.short()), which is not in this repository's history; skipped"
                )
                continue
            }
            byEnvironment[deployment.environment, default: []].append(deployment)
        }
        for (environment, list) in byEnvironment.sorted(by: { $0.key < $1.key }) {
            let ordered = list.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
            place(ordered, environment: environment, graph: graph)
        }
    }

    /// A timeline worked out before (a ledger's): deployments with kind and status set, their
    /// shipped sets as graph numbers, over a graph of `commitCount` commits.
    public init(stored: [ClassifiedDeployment], shipped: [[Int]], commitCount: Int) {
        precondition(stored.count == shipped.count, "one shipped set per deployment")
        deployments = stored
        self.shipped = shipped
        for (index, deployment) in stored.enumerated() {
            update(&shippedBy[deployment.environment, default: [Int32](repeating: -1, count: commitCount)]) { marks in
                for commit in shipped[index] where marks[commit] < 0 { marks[commit] = Int32(index) }
            }
        }
    }

    private mutating func place(_ ordered: [Deployment], environment: String, graph: CommitGraph) {
        var classifier = DeploymentClassifier<GraphShipping, Int>(history: GraphShipping(graph: graph, deployment: 0))
        for deployment in ordered {
            let index = deployments.count
            guard let commit = graph.number(of: deployment.commit) else { continue }  // checked when collected
            classifier.history.deployment = Int32(index)
            // The graph's walks do not fail.
            guard let placement = try? classifier.place(index, commit: commit, failed: deployment.status == .failure) else { continue }
            for earlier in placement.rolledBack { deployments[earlier].status = .rolledBack }
            deployments.append(ClassifiedDeployment(deployment, kind: placement.kind))
            shipped.append(placement.shipped)
        }
        shippedBy[environment] = classifier.history.marks
    }

    /// The in-memory graph as classification asks it: each commit marked with the deployment
    /// that shipped it, so what a deployment ships is what is reachable and not yet marked.
    struct GraphShipping: ShippingHistory {
        let graph: CommitGraph
        var marks: [Int32]
        /// The deployment being placed (its index in `deployments`).
        var deployment: Int32

        init(graph: CommitGraph, deployment: Int32) {
            self.graph = graph
            marks = [Int32](repeating: -1, count: graph.count)
            self.deployment = deployment
        }

        func isAncestor(_ ancestor: Int, of descendant: Int) -> Bool { graph.isAncestor(ancestor, of: descendant) }

        /// Every earlier success's history is marked already.
        mutating func ship(_ commit: Int, after earlier: [Int]) -> [Int] {
            DeploymentTimeline.ship(from: commit, graph: graph, marks: &marks, deployment: deployment)
        }
    }

    /// Marks and returns every unmarked commit reachable from `start`, stopping at marked ones.
    static func ship(from start: Int, graph: CommitGraph, marks: inout [Int32], deployment: Int32) -> [Int] {
        guard marks[start] < 0 else { return [] }
        var result = [Int]()
        var stack = [start]
        marks[start] = deployment
        while let commit = stack.popLast() {
            result.append(commit)
            for parent in graph.parents(of: commit) where marks[Int(parent)] < 0 {
                marks[Int(parent)] = deployment
                stack.append(Int(parent))
            }
        }
        return result
    }

    public var environments: [String] { Array(shippedBy.keys).sorted() }

    /// The deployment (index into `deployments`) that shipped `commit` to `environment`.
    public func shippingDeployment(of commit: Int, environment: String) -> Int? {
        guard let marks = shippedBy[environment], commit < marks.count, marks[commit] >= 0 else { return nil }
        return Int(marks[commit])
    }

    public func deployments(in environment: String) -> [Int] {
        deployments.indices.filter { deployments[$0].environment == environment }
    }
}

extension CommitGraph {
    /// Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor). Walks
    /// down from `descendant` and never below `ancestor`'s generation.
    public func isAncestor(_ ancestor: Int, of descendant: Int) -> Bool {
        if ancestor == descendant { return true }
        let floor = generations[ancestor]
        guard generations[descendant] > floor else { return false }
        var seen = Set<Int32>([Int32(descendant)])
        var stack = [Int32(descendant)]
        while let commit = stack.popLast() {
            for parent in parents(of: Int(commit)) {
                if Int(parent) == ancestor { return true }
                if generations[Int(parent)] > floor, seen.insert(parent).inserted { stack.append(parent) }
            }
        }
        return false
    }
}
