import Foundation
import GitKit

/// What the report's loops look up: the environment a report is about, a commit's shipping
/// deployment, lines and team.
extension ReportBuilder {
    /// The environment a report is about when none is named: the configured one, else
    /// `production`, else `release`, else the one with the most deployments.
    public static func defaultEnvironment(_ timeline: DeploymentTimeline, configured: String?) -> String? {
        var counts = [String: Int]()
        for environment in timeline.environments { counts[environment] = timeline.deployments(in: environment).count }
        return defaultEnvironment(counts: counts, configured: configured)
    }

    /// The same choice from deployment counts per environment.
    public static func defaultEnvironment(counts: [String: Int], configured: String?) -> String? {
        if let configured { return configured }
        let environments = counts.keys.sorted()
        for preferred in ["production", "prod", "release"] where environments.contains(preferred) { return preferred }
        return environments.max { (counts[$0] ?? 0) < (counts[$1] ?? 0) }
    }

    /// The shipping deployment of a commit in `environment`, when it happened before `until`.
    func shippingDeployment(_ commit: Int, environment: String?, until: Date) -> Int? {
        guard let environment, let index = timeline.shippingDeployment(of: commit, environment: environment),
            timeline.deployments[index].time < until
        else { return nil }
        return index
    }

    public func lines(of commit: Int) -> Int {
        input.commits.linesChanged(of: commit)
    }

    public func team(ofCommit commit: Int) -> String {
        input.commits.team(of: commit)
    }
}
