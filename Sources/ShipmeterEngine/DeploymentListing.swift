import Attribution
import Foundation
import Usage

/// `deployments`: each deployment with its kind, status and the commits it shipped.
public struct DeploymentListing: Sendable {
    public struct Row: Sendable {
        public var environment: String
        public var id: String
        public var ref: String
        public var commit: String
        public var shortCommit: String
        public var time: Date
        public var status: Deployment.Status
        public var kind: Deployment.Kind
        /// Hex ids of the commits it shipped.
        public var shipped: [String]
    }

    public var rows: [Row]
    /// Every environment with deployments.
    public var environments: [String]

    /// The snapshot's deployments (of `environment` when given), by time.
    public init(_ snapshot: RepositorySnapshot, environment: String?) throws(EngineError) {
        let timeline = snapshot.timeline
        environments = timeline.environments
        if let environment, !timeline.environments.contains(environment) {
            throw .unknownEnvironment(environment, known: timeline.environments)
        }
        let deployments = timeline.deployments
        let indices = deployments.indices
            .filter { environment == nil || deployments[$0].environment == environment }
            .sorted { (deployments[$0].time, deployments[$0].environment, $0) < (deployments[$1].time, deployments[$1].environment, $1) }
        rows = indices.map { index in
            let deployment = deployments[index]
            return Row(
                environment: deployment.environment, id: deployment.id, ref: deployment.ref, commit: deployment.commit.hex,
                shortCommit: deployment.commit.short(), time: deployment.time, status: deployment.status, kind: deployment.kind,
                shipped: timeline.shipped[index].map { snapshot.history.id($0).hex })
        }
    }
}
