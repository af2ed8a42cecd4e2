import Foundation
import GitKit

/// What each shipped commit counts for under the normalised-deployment rule: churn paired off,
/// templates counted once per person, in the order commits shipped.
extension ReportBuilder {
    /// How far before the window a revert and what it undid are looked for by content.
    public static let revertHorizon: TimeInterval = 30 * 86_400

    /// Effective lines of each commit the window's forward deployments shipped, as the rule counts
    /// them: 0 for churn (reverted, or a revert); a template (a line with numbers in it) only the
    /// first time its author ships it in the window, in shipping order; capped per commit.
    func effectiveLines(deployments: [Int], churn: RevertPairing, since: Date, until: Date) -> [Int: Double] {
        var result = [Int: Double]()
        var seen = [String: Set<Int64>]()  // person → templates shipped so far
        for index in deployments {
            let deployment = timeline.deployments[index]
            guard deployment.kind == .forward, deployment.time >= since, deployment.time < until else { continue }
            for commit in shippingOrder(index) {
                guard !churn.churn.contains(commit), let measure = input.commits.measure(of: commit) else {
                    result[commit] = 0
                    continue
                }
                let person = history.facts[commit].person
                var repeated = 0
                for template in measure.templates where !seen[person, default: []].insert(template.key).inserted { repeated += template.tokens }
                let lines = measure.effectiveLines - Double(repeated) / Double(ChangeMeasure.tokensPerLine)
                result[commit] = min(max(lines, 0), Double(worth.lineCap))
            }
        }
        return result
    }

    /// Whether recorded usage covers a commit: a usage record is joined to it, or a session its
    /// trailers name has records (a session's records go to its first commit; later commits of
    /// the session are its work too), or it applies again a change so covered (after a revert).
    /// Work no record covers earns normalised deployments but is left out of the yield and of
    /// cost per ND.
    func coveredCommits() -> (Int) -> Bool {
        var joined = Set<Int>()
        var recordedSessions = Set<String>()
        for (index, record) in records.enumerated() {
            if let commit = joins[index].commit { joined.insert(commit) }
            if let session = record.session { recordedSessions.insert(session) }
        }
        let history = self.history, commits = input.commits
        func direct(_ commit: Int) -> Bool {
            joined.contains(commit) || history.facts[commit].sessions.contains { recordedSessions.contains($0.id) }
        }
        // The changes of joined commits, worked out the first time a commit is not covered directly.
        var coveredChanges: Set<Int64>?
        return { commit in
            if direct(commit) { return true }
            guard let measure = commits.measure(of: commit), measure.canPair else { return false }
            if coveredChanges == nil {
                coveredChanges = Set(
                    joined.filter { !history.facts[$0].isMerge }.compactMap { joined in
                        commits.measure(of: joined).flatMap { $0.canPair ? $0.fingerprint : nil }
                    })
            }
            return coveredChanges?.contains(measure.fingerprint) ?? false
        }
    }

    /// The non-merge commits deployment `index` shipped, in author time order (the id decides
    /// ties, alike from history and from a ledger).
    func shippingOrder(_ index: Int) -> [Int] {
        timeline.shipped[index].filter { !history.facts[$0].isMerge }.sorted { a, b in
            let first = history.facts[a].authorTime.seconds, second = history.facts[b].authorTime.seconds
            return first != second ? first < second : history.id(a).hex < history.id(b).hex
        }
    }

    /// Reverts and what they undid among the commits shipped to `environment` before `until`, in
    /// the order they shipped. Content is compared only for commits of forward deployments since
    /// `horizon`; a revert's message is believed wherever it points.
    func revertPairing(environment: String?, deployments: [Int], horizon: Date, until: Date) -> RevertPairing {
        var candidates = [RevertPairing.Candidate]()
        for index in deployments {
            let deployment = timeline.deployments[index]
            guard deployment.time < until, deployment.kind != .failed else { continue }
            let measured = deployment.kind == .forward && deployment.time >= horizon
            for commit in shippingOrder(index) {
                candidates.append(
                    RevertPairing.Candidate(
                        commit: commit, revertsByMessage: history.facts[commit].reverts.flatMap { history.number(of: $0) },
                        measure: measured ? input.commits.measure(of: commit) : nil))
            }
        }
        return RevertPairing(candidates)
    }
}
