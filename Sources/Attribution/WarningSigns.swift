import Foundation
import Usage

/// The anti-Goodhart section: patterns that suggest the meter is being fed rather than used.
struct WarningSigns {
    let builder: ReportBuilder
    /// Which records fall in the report's window.
    let inWindow: [Bool]

    static let minimumTokens: Int64 = 100_000
    static let heavySessionTokens: Int64 = 2_000_000
    static let trivialLines = 10
    static let revertDays: Double = 7

    func evaluate(_ report: Report, environment: String?, until: Date) -> [Warning] {
        var warnings = [Warning]()
        warnings += uncommittedTokens(report)
        warnings += trivialDeployments(report, environment: environment)
        warnings += tokensPerLineOutliers(report, environment: environment, until: until)
        warnings += heavySessions(report)
        warnings += revertedSoon(report, environment: environment, until: until)
        return warnings
    }

    /// Groups whose tokens mostly never reached a commit.
    func uncommittedTokens(_ report: Report) -> [Warning] {
        report.groups.compactMap { group in
            guard group.tokens.total >= Self.minimumTokens else { return nil }
            let share = Double(group.uncommittedTokens) / Double(group.tokens.total)
            guard share > 0.5 else { return nil }
            return Warning(
                kind: "uncommitted_tokens", group: group.key,
                message: "\(Int((share * 100).rounded()))% of \(group.key)'s tokens never reached a commit: spend that shipped nothing, or work committed without a session link.",
                figures: [("uncommitted_tokens", Double(group.uncommittedTokens)), ("tokens", Double(group.tokens.total)), ("share", share)])
        }
    }

    /// Many forward deployments that each ship almost nothing inflate the deployment count.
    func trivialDeployments(_ report: Report, environment: String?) -> [Warning] {
        let forward = report.deployments.filter { $0.deployment.kind == .forward }
        guard forward.count >= 5 else { return [] }
        let trivial = forward.filter { $0.shippedCommits <= 1 && ($0.lines ?? Int.max) <= Self.trivialLines }
        let share = Double(trivial.count) / Double(forward.count)
        guard share >= 0.5 else { return [] }
        return [Warning(
            kind: "trivial_deployments", group: environment ?? "all",
            message: "\(trivial.count) of \(forward.count) deployments shipped one commit of \(Self.trivialLines) changed lines or fewer: deployments split into trivial ones count more without shipping more.",
            figures: [("trivial_deployments", Double(trivial.count)), ("deployments", Double(forward.count)), ("share", share)])]
    }

    /// People whose tokens per shipped line are far above their team's median.
    func tokensPerLineOutliers(_ report: Report, environment: String?, until: Date) -> [Warning] {
        var tokens = [String: Int64](), lines = [String: Int]()
        var seenCommits = Set<Int>()
        for (index, record) in builder.records.enumerated() where inWindow[index] {
            guard let commit = builder.joins[index].commit,
                  builder.shippingDeployment(commit, environment: environment, until: until) != nil,
                  let actor = record.actor else { continue }
            let person = builder.people.person(ofActor: actor)
            tokens[person, default: 0] += record.total
            if seenCommits.insert(commit).inserted { lines[builder.history.facts[commit].person, default: 0] += builder.lines(of: commit) }
        }
        var byTeam = [String: [(String, Double)]]()
        for (person, count) in tokens {
            guard let shipped = lines[person], shipped > 0 else { continue }
            let team = builder.people.team(ofPerson: person) ?? People.unassigned
            byTeam[team, default: []].append((person, Double(count) / Double(shipped)))
        }
        var warnings = [Warning]()
        for (team, values) in byTeam.sorted(by: { $0.key < $1.key }) where values.count >= 3 {
            let median = Percentiles(values.map(\.1)).median ?? 0
            guard median > 0 else { continue }
            for (person, value) in values.sorted(by: { $0.0 < $1.0 }) where value > 5 * median {
                warnings.append(Warning(
                    kind: "tokens_per_line_outlier", group: team,
                    message: "\(person) used \(Int(value.rounded())) tokens per shipped line, \(String(format: "%.1f", value / median))× the \(team) median: worth a conversation about how the agent is being used.",
                    figures: [("tokens_per_shipped_line", value), ("team_median", median)]))
            }
        }
        return warnings
    }

    /// Sessions with heavy spend whose commits changed almost nothing.
    func heavySessions(_ report: Report) -> [Warning] {
        var sessions = [String: (tokens: Int64, commits: Set<Int>, actor: String?)]()
        for (index, record) in builder.records.enumerated() where inWindow[index] {
            guard let session = record.session else { continue }
            var entry = sessions[session] ?? (0, [], record.actor)
            entry.tokens += record.total
            if let commit = builder.joins[index].commit { entry.commits.insert(commit) }
            sessions[session] = entry
        }
        return sessions.sorted { $0.key < $1.key }.compactMap { session, entry in
            guard entry.tokens >= Self.heavySessionTokens else { return nil }
            let lines = entry.commits.reduce(0) { $0 + builder.lines(of: $1) }
            guard lines <= Self.trivialLines else { return nil }
            let team = entry.actor.map { builder.people.team(ofPerson: builder.people.person(ofActor: $0)) ?? People.unassigned } ?? People.unassigned
            return Warning(
                kind: "heavy_session_trivial_diff", group: team,
                message: "session \(session) used \(Self.grouped(entry.tokens)) tokens for \(lines) changed lines in \(entry.commits.count) commits: heavy spend with a trivial result.",
                figures: [("tokens", Double(entry.tokens)), ("lines_changed", Double(lines)), ("commits", Double(entry.commits.count))])
        }
    }

    static func grouped(_ value: Int64) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }

    /// Shipped commits reverted within days of shipping.
    func revertedSoon(_ report: Report, environment: String?, until: Date) -> [Warning] {
        var warnings = [Warning]()
        let history = builder.history
        for (number, facts) in history.facts.enumerated() {
            guard let reverted = facts.reverts, let target = history.graph.number(of: reverted),
                  let index = builder.shippingDeployment(target, environment: environment, until: until) else { continue }
            let shippedAt = builder.timeline.deployments[index].time
            guard shippedAt >= report.since else { continue }
            let days = facts.authorTime.date.timeIntervalSince(shippedAt) / 86_400
            guard days >= 0, days <= Self.revertDays else { continue }
            warnings.append(Warning(
                kind: "reverted_soon", group: builder.team(ofCommit: target),
                message: "\(reverted.short()) \"\(history.facts[target].summary)\" was reverted by \(history.graph.ids[number].short()) \(String(format: "%.1f", days)) days after it shipped.",
                figures: [("days_after_shipping", days)]))
        }
        return warnings
    }
}
