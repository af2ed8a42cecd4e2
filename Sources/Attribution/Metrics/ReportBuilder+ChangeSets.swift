import Foundation
import Usage

/// What each pull request (or branch) of a report cost and shipped.
extension ReportBuilder {
    /// The group of commits history links to no pull request (or branch).
    public static let noChangeSet = "none"

    /// Fills each pull request's (or branch's) summary, and adds a group for every one merged in
    /// the window that nothing else brought into the report (merged, not shipped, no usage).
    func summariseChangeSets(
        _ changeSets: PullRequests, groupBy: GroupBy, into groups: inout [String: GroupMetrics],
        since: Date, until: Date, environment: String?, scope: ReportScope
    ) {
        // Usage of each commit and session, over all time: in the window by how it was joined,
        // and outside it (the figures are not final while the window leaves records out).
        var explicit = [Int: (Int64, Decimal)](), inferred = [Int: (Int64, Decimal)](), outside = [Int: [Int]]()
        var sessionRecords = [String: (inside: Int, outside: [Int])]()  // records of a session in the window, and those outside it
        for (index, record) in records.enumerated() {
            if !scope.isEverything,
                !scope.contains(
                    record.actor.map { actor in
                        let person = people.person(ofActor: actor)
                        return (person, people.team(ofPerson: person) ?? People.unassigned, people.isBot(actor: actor))
                    })
            {
                continue
            }
            let inside = record.timestamp >= since && record.timestamp < until
            if let session = record.session {
                if inside {
                    sessionRecords[session, default: (0, [])].inside += 1
                } else {
                    sessionRecords[session, default: (0, [])].outside.append(index)
                }
            }
            guard let commit = joins[index].commit else { continue }
            guard inside else {
                outside[commit, default: []].append(index)
                continue
            }
            let amount = (record.total, record.costUSD ?? 0)
            if joins[index].confidence == .inferred {
                update(&inferred[commit, default: (0, 0)]) { $0 = ($0.0 + amount.0, $0.1 + amount.1) }
            } else {
                update(&explicit[commit, default: (0, 0)]) { $0 = ($0.0 + amount.0, $0.1 + amount.1) }
            }
        }
        func summary(commits: [Int], pullRequest: PullRequestReference?, branch: String?, mergedAt: Date?) -> ChangeSetSummary {
            var summary = ChangeSetSummary()
            summary.pullRequest = pullRequest
            summary.branch = branch
            summary.mergedAt = mergedAt
            let work = commits.filter { !history.facts[$0].isMerge }
            summary.commits = work.count
            var sessions = Set<String>()
            var left = Set<Int>()  // records outside the window, each once (joined and of a named session alike)
            for commit in commits {
                if let usage = explicit[commit] {
                    (summary.explicitTokens, summary.explicitCost) = (summary.explicitTokens + usage.0, summary.explicitCost + usage.1)
                }
                if let usage = inferred[commit] {
                    (summary.inferredTokens, summary.inferredCost) = (summary.inferredTokens + usage.0, summary.inferredCost + usage.1)
                }
                left.formUnion(outside[commit] ?? [])
                for session in history.facts[commit].sessions { sessions.insert(session.id) }
            }
            for session in sessions {
                guard let counts = sessionRecords[session] else {
                    summary.unmatchedSessions += 1
                    continue
                }
                left.formUnion(counts.outside)
            }
            summary.recordsOutsideWindow = left.count
            // Shipped when every commit has: in the deployment that shipped the last of them.
            let shipping = (work.isEmpty ? commits : work).map { shippingDeployment($0, environment: environment, until: until) }
            if !shipping.isEmpty, !shipping.contains(nil) {
                let last = shipping.compactMap { $0 }.max { timeline.deployments[$0].time < timeline.deployments[$1].time }!
                let deployment = timeline.deployments[last]
                summary.shippedIn = deployment.id
                summary.shippedAt = deployment.time
                if let first = (work.isEmpty ? commits : work).map({ history.facts[$0].authorTime.date }).min() {
                    summary.leadTimeHours = deployment.time.timeIntervalSince(first) / 3600
                }
            }
            return summary
        }
        func place(key: String, commits: [Int], pullRequest: PullRequestReference?, branch: String?, mergedAt: Date?) {
            let merged = mergedAt.map { $0 >= since && $0 < until } ?? false
            guard groups[key] != nil || merged else { return }
            if !scope.isEverything,
                !commits.contains(where: { commit in
                    let facts = history.facts[commit]
                    return !facts.isMerge && scope.contains((facts.person, team(ofCommit: commit), facts.isBot))
                })
            {
                return
            }
            groups[key, default: GroupMetrics(key: key)].changeSet = summary(
                commits: commits, pullRequest: pullRequest, branch: branch, mergedAt: mergedAt)
        }
        if groupBy == .branch {
            for branch in changeSets.branches {
                place(key: branch.name, commits: branch.commits, pullRequest: nil, branch: branch.name, mergedAt: branch.mergedAt)
            }
        } else {
            for request in changeSets.requests {
                let branch = request.commits.lazy.compactMap { changeSets.branch(of: $0)?.name }.first
                place(key: request.key, commits: request.commits, pullRequest: request.reference, branch: branch, mergedAt: request.mergedAt)
            }
        }
    }

    /// How many of the commits shipped in the window history links to no pull request (or
    /// branch): in the report's figures and, when some, in a note.
    func countChangeSetCommits(_ changeSets: PullRequests, groupBy: GroupBy, shipped keys: Dictionary<Int, String>.Keys, into report: inout Report) {
        let shipped = keys.filter { !history.facts[$0].isMerge }
        let without = shipped.filter { groupBy == .branch ? changeSets.branchOf[$0] < 0 : changeSets.requestOf[$0] < 0 }.count
        report.changeSetCommits = (shipped.count, without)
        if without > 0 {
            let noun = groupBy == .branch ? "a merged branch" : "a pull request"
            report.notes.append(
                "\(without) of the \(shipped.count) commits shipped in the window have no \(noun) in their history (grouped as `\(Self.noChangeSet)`)"
            )
        }
    }
}
