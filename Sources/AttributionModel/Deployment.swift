import Foundation
import GitModel
import Usage

/// One deployment of one commit to one environment, as read from a tag or a deploy log.
public struct Deployment: Sendable, Hashable {
    public enum Status: String, Sendable, CaseIterable {
        case success
        case failure
        /// A successful forward deployment undone by a later rollback.
        case rolledBack = "rolled-back"
    }

    public enum Kind: String, Sendable, CaseIterable {
        /// The first success in its environment: ships all prior history; kept out of lead time.
        case baseline
        /// Ships at least one commit.
        case forward
        /// Ships nothing and is not a rollback (e.g. the same commit again).
        case redeploy
        /// Its commit is a proper ancestor of the previous successful deployment's commit.
        case rollback
        /// Status failure: ships nothing; its commits ship with the next success.
        case failed
    }

    public var environment: String
    /// Unique within its environment (tag name, or the deploy log's id).
    public var id: String
    /// Where it came from: `refs/tags/<name>`, or the deploy log's revision text.
    public var ref: String
    public var commit: ObjectID
    public var time: Date
    /// As read: success or failure (a rollback's classification marks what it undid).
    public var status: Status

    /// The deployment's identity: its environment and id.
    public var key: DeploymentKey { DeploymentKey(environment: environment, id: id) }

    public init(environment: String, id: String, ref: String, commit: ObjectID, time: Date, status: Status) {
        self.environment = environment
        self.id = id
        self.ref = ref
        self.commit = commit
        self.time = time
        self.status = status
    }
}

/// A deployment placed in its environment's timeline: its kind, and its status once later
/// deployments are known (a forward deployment a rollback undid is rolled back).
public struct ClassifiedDeployment: Sendable, Hashable {
    public let deployment: Deployment
    public var kind: Deployment.Kind
    public var status: Deployment.Status

    public init(_ deployment: Deployment, kind: Deployment.Kind, status: Deployment.Status? = nil) {
        self.deployment = deployment
        self.kind = kind
        self.status = status ?? deployment.status
    }

    public var environment: String { deployment.environment }
    public var id: String { deployment.id }
    public var ref: String { deployment.ref }
    public var commit: ObjectID { deployment.commit }
    public var time: Date { deployment.time }
    public var key: DeploymentKey { deployment.key }
}

/// A deployment's identity: an id is unique within its environment.
public struct DeploymentKey: Hashable, Comparable, Sendable {
    public var environment: String
    public var id: String

    public init(environment: String, id: String) {
        self.environment = environment
        self.id = id
    }

    public static func < (a: DeploymentKey, b: DeploymentKey) -> Bool { (a.environment, a.id) < (b.environment, b.id) }
}
