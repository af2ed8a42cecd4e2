import Foundation

/// Why each deployment of the reporting environment is rework (`ReworkRule`).
struct ReworkFinder {
    let builder: ReportBuilder
    let environment: String?
    /// The environment's deployments, in time order.
    let deployments: [Int]
    /// What each revert shipped before `until` undid.
    let reverted: [Int: Int]
    let until: Date
    /// Times of the environment's failed and rolled-back deployments, in order.
    let troubles: [Date]

    init(builder: ReportBuilder, environment: String?, deployments: [Int], churn: RevertPairing, until: Date) {
        self.builder = builder
        self.environment = environment
        self.deployments = deployments
        self.until = until
        var reverted = [Int: Int]()
        for pair in churn.pairs { reverted[pair.revert] = pair.reverted }
        self.reverted = reverted
        troubles = deployments.map { builder.timeline.deployments[$0] }.filter { $0.kind == .failed || $0.status == .rolledBack }.map(\.time)
    }

    /// Why deployment `index` is rework, in `ReworkRule.Reason` order; empty when it is not.
    func reasons(_ index: Int) -> [ReworkRule.Reason] {
        let deployment = builder.timeline.deployments[index]
        if deployment.kind == .rollback { return [.rollback] }
        guard deployment.kind == .forward else { return [] }
        var reasons = [ReworkRule.Reason]()
        let window = builder.rework.windowHours * 3600
        if troubles.contains(where: { $0 < deployment.time && deployment.time.timeIntervalSince($0) <= window }) { reasons.append(.afterFailure) }
        let shipped = builder.timeline.shipped[index].filter { !builder.history.facts[$0].isMerge }
        let undoesShipped = shipped.contains { commit in
            guard let undone = reverted[commit],
                let earlier = builder.shippingDeployment(undone, environment: environment, until: until)
            else { return false }
            return earlier != index
        }
        if undoesShipped { reasons.append(.revertsShipped) }
        if shipped.contains(where: { builder.history.facts[$0].isHotfix }) { reasons.append(.hotfix) }
        return reasons
    }
}

extension WeekPoint {
    mutating func countDeployment(rework: Bool) {
        deployments += 1
        if rework { reworkDeployments += 1 }
    }
}
