import AttributionModel
import Foundation
import GitModel
import Usage

/// One deployment as `attribute` classified it, with the commits it shipped (hex ids).
public struct StoredDeployment: Sendable, Equatable {
    public var environment: String, id: String, ref: String, commit: String, time: Date
    public var status: Deployment.Status
    public var kind: Deployment.Kind
    public var shipped: [String]

    public var key: DeploymentKey { DeploymentKey(environment: environment, id: id) }

    public init(
        environment: String, id: String, ref: String, commit: String, time: Date, status: Deployment.Status, kind: Deployment.Kind,
        shipped: [String]
    ) {
        (self.environment, self.id, self.ref, self.commit, self.time) = (environment, id, ref, commit, time)
        (self.status, self.kind, self.shipped) = (status, kind, shipped)
    }
}

/// Where one usage record (source, key) was attributed in a repository.
public struct StoredJoin: Sendable, Equatable {
    public var source: String, key: String, commit: String
    public var confidence: JoinConfidence

    public init(source: String, key: String, commit: String, confidence: JoinConfidence) {
        (self.source, self.key, self.commit, self.confidence) = (source, key, commit, confidence)
    }
}

/// One repository's deployments, what they shipped, and where its usage went.
public struct StoredAttribution: Sendable {
    public var identity: String
    public var name: String
    public var deployments: [StoredDeployment]
    public var joins: [StoredJoin]
}

/// Who a usage record's actor is, as one repository's configuration says.
public struct LedgerActor: Sendable, Hashable {
    public var actor: String, person: String, team: String, bot: Bool

    public init(actor: String, person: String, team: String, bot: Bool) {
        (self.actor, self.person, self.team, self.bot) = (actor, person, team, bot)
    }
}
