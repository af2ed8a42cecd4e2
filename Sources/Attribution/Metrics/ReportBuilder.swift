import Foundation
import GitKit
import Usage

/// Computes a `Report` from its input (DESIGN.md, "Metrics").
public struct ReportBuilder {
    public let input: ReportInput
    /// What a forward deployment is worth and how it splits (`--weight`, `report.*`).
    public var worth: DeploymentWorth
    /// What makes a deployment rework (`rework.*`).
    public var rework: ReworkRule

    // The input's parts, held directly: the metrics read them in their innermost loops.
    public let history: History
    public let timeline: DeploymentTimeline
    public let records: [UsageRecord]
    public let joins: [RecordJoin]
    public let people: any Roster

    public init(_ input: ReportInput, worth: DeploymentWorth = DeploymentWorth(), rework: ReworkRule = ReworkRule()) {
        self.input = input
        self.worth = worth
        self.rework = rework
        (history, timeline, records, joins, people) = (input.history, input.timeline, input.records, input.joins, input.people)
    }

    public func build(since: Date, until: Date, environment: String?, groupBy: GroupBy, scope: ReportScope = ReportScope()) -> Report {
        let span = max(until.timeIntervalSince(since), 0)
        let weeks = span / (7 * 86_400), months = span / (30.44 * 86_400)
        func inWindow(_ date: Date) -> Bool { date >= since && date < until }

        var groups = [String: GroupMetrics]()
        var totals = GroupMetrics(key: "total")
        totals.isTotals = true
        var people = [String: Set<String>]()  // group → active engineers
        var allPeople = Set<String>()

        // Who each distinct actor is, worked out once.
        var actors = [String: (person: String, team: String, bot: Bool)]()
        func actor(_ raw: String) -> (person: String, team: String, bot: Bool) {
            if let known = actors[raw] { return known }
            let person = self.people.person(ofActor: raw)
            let value = (person, self.people.team(ofPerson: person) ?? People.unassigned, self.people.isBot(actor: raw))
            actors[raw] = value
            return value
        }

        // Pull requests and branches, found along first parents, when the report groups by them.
        let changeSets =
            groupBy.isChangeSet
            ? PullRequests(history: history, tips: input.tips, repositoryOf: input.commitRepositories, names: input.repositories) : nil
        func changeSetKey(_ commit: Int) -> String {
            (groupBy == .branch ? changeSets?.branch(of: commit)?.name : changeSets?.request(of: commit)?.key) ?? Self.noChangeSet
        }

        // Records: tokens, cost and states, plus what each commit's usage was (for model/agent keys).
        var commitUsage = [Int: [String: Int64]]()  // commit → model or agent → tokens
        var inWindowRecords = [Bool](repeating: false, count: records.count)
        var commitTokens = [Int: Int64]()
        var commitCost = [Int: Decimal]()
        for (index, record) in records.enumerated() {
            let join = joins[index]
            if !scope.isEverything, !scope.contains(record.actor.map(actor)) { continue }
            if groupBy == .model || groupBy == .agent, let commit = join.commit {
                let label = groupBy == .agent ? (record.agent ?? "(unknown)") : record.model
                commitUsage[commit, default: [:]][label, default: 0] += record.total
            }
            guard inWindow(record.timestamp) else { continue }
            inWindowRecords[index] = true
            let deployment = join.commit.flatMap { shippingDeployment($0, environment: environment, until: until) }
            let who = record.actor.map(actor)
            let key: String
            switch groupBy {
            case .team: key = who?.team ?? People.unassigned
            case .person: key = who?.person ?? "(unknown)"
            case .model: key = record.model
            case .agent: key = record.agent ?? "(unknown)"
            case .repository: key = input.repository(ofRecord: index, commit: join.commit)
            case .deployment:
                key = deployment.map { timeline.deployments[$0].id } ?? (join.commit == nil ? "(uncommitted)" : "(unshipped)")
            case .pullRequest, .branch: key = join.commit.map(changeSetKey) ?? "(uncommitted)"
            }
            func count(_ row: inout GroupMetrics) {
                row.tokens.add(record)
                if join.commit == nil {
                    row.uncommittedTokens += record.total
                } else if deployment != nil {
                    row.shippedTokens += record.total
                } else {
                    row.unshippedTokens += record.total
                }
            }
            count(&groups[key, default: GroupMetrics(key: key)])
            count(&totals)
            if let commit = join.commit {
                commitTokens[commit, default: 0] += record.total
                commitCost[commit, default: 0] += record.costUSD ?? 0
            }
            if let who, !who.bot {
                people[key, default: []].insert(who.person)
                allPeople.insert(who.person)
            }
        }

        func commitKey(_ commit: Int, deployment: Int) -> String? {
            let facts = history.facts[commit]
            switch groupBy {
            case .team: return team(ofCommit: commit)
            case .person: return facts.isBot ? nil : facts.person
            case .model, .agent:
                // The model (or agent) that spent most on the commit, else what its trailers name.
                let named = groupBy == .model ? facts.model : facts.agent
                return commitUsage[commit]?.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? named ?? "(none)"
            case .repository: return input.repository(ofCommit: commit)
            case .deployment: return timeline.deployments[deployment].id
            case .pullRequest, .branch: return changeSetKey(commit)
            }
        }

        // Deployments: forward ones in the window, each worth what the rule gives it (0 when
        // rolled back), split across groups by the weight of their shipped non-merge commits.
        var details = [DeploymentDetail]()
        var weekly = Self.weeks(since: since, until: until)
        let environmentDeployments = environment.map { timeline.deployments(in: $0) } ?? []
        func shippedNonMerge(_ index: Int) -> [Int] { timeline.shipped[index].filter { !history.facts[$0].isMerge } }
        // Diffs are the costly part: work out, in parallel, only those something will read —
        // every commit a forward deployment shipped in the window or the revert horizon before it.
        let horizon = since.addingTimeInterval(-Self.revertHorizon)
        var needed = [Int]()
        for index in environmentDeployments {
            let deployment = timeline.deployments[index]
            guard deployment.time < until else { continue }
            if deployment.kind == .forward, deployment.time >= horizon { needed += shippedNonMerge(index) }
        }
        needed += commitTokens.keys.filter { !history.facts[$0].isMerge }  // for the tokens-per-line warning
        /// Whether a commit is the scope's work (every commit when the report is about everyone).
        func inScope(_ commit: Int) -> Bool {
            guard !scope.isEverything else { return true }
            let facts = history.facts[commit]
            return scope.contains((facts.person, team(ofCommit: commit), facts.isBot))
        }
        input.commits.prefetch(needed)
        let covered = coveredCommits()
        let churn = revertPairing(environment: environment, deployments: environmentDeployments, horizon: horizon, until: until)
        let effective = effectiveLines(deployments: environmentDeployments, churn: churn, since: since, until: until)
        var work = ShippedWork(churn: churn)
        let reworkFinder = ReworkFinder(builder: self, environment: environment, deployments: environmentDeployments, churn: churn, until: until)
        // The latest forward deployment a rollback undid: its groups, and whether AI-assisted work of each was in it.
        var lastRolledBack: (keys: [String: Bool], ai: Bool)?

        for index in environmentDeployments {
            let deployment = timeline.deployments[index]
            guard inWindow(deployment.time) else { continue }
            let commits = shippedNonMerge(index)
            // A report about some people: the deployments that shipped their work, each worth
            // their part of it (the split is over everything the deployment shipped).
            let mine = commits.indices.filter { inScope(commits[$0]) }
            let reasons = reworkFinder.reasons(index)
            if deployment.kind == .rollback, let undone = lastRolledBack {
                // A rollback is rework of the work it undid: it counts for that work's groups.
                totals.rework.count(rework: true, aiAssisted: undone.ai)
                for (key, ai) in undone.keys { groups[key, default: GroupMetrics(key: key)].rework.count(rework: true, aiAssisted: ai) }
                if let week = Self.week(of: deployment.time, in: weekly) { weekly[week].countDeployment(rework: true) }
            } else if deployment.kind == .rollback, scope.isEverything {
                totals.rework.count(rework: true, aiAssisted: false)
                if let week = Self.week(of: deployment.time, in: weekly) { weekly[week].countDeployment(rework: true) }
            }
            if !scope.isEverything, mine.isEmpty, !(deployment.kind == .rollback && lastRolledBack != nil) { continue }
            if deployment.kind == .failed { totals.failedDeployments += 1 }
            // Only forward deployments ship anything worth counting (a baseline ships all prior history).
            let split =
                deployment.kind == .forward
                ? worth.split(
                    commits.map { commit in
                        DeploymentWorth.Commit(effectiveLines: effective[commit] ?? 0, lines: lines(of: commit))
                    }, rolledBack: deployment.status == .rolledBack) : (worth: 0, parts: [], effective: [])
            let counted = scope.isEverything ? Array(commits.indices) : mine
            let shippedLines = deployment.kind == .forward ? counted.reduce(0) { $0 + lines(of: commits[$1]) } : 0
            let shippedEffective = split.effective.isEmpty ? 0 : counted.reduce(0) { $0 + split.effective[$1] }
            let worthHere = scope.isEverything ? split.worth : (split.parts.isEmpty ? 0 : counted.reduce(0) { $0 + split.parts[$1] })
            if deployment.kind != .baseline {
                let ai = counted.filter { history.facts[commits[$0]].isAIAssisted }.count
                let shippedHere = scope.isEverything ? timeline.shipped[index] : timeline.shipped[index].filter(inScope)
                let detailTokens = shippedHere.reduce(Int64(0)) { $0 + (commitTokens[$1] ?? 0) }
                let detailCost = shippedHere.reduce(Decimal(0)) { $0 + (commitCost[$1] ?? 0) }
                details.append(
                    DeploymentDetail(
                        deployment: deployment, shippedCommits: counted.count,
                        aiAssistedShare: counted.isEmpty ? nil : Double(ai) / Double(counted.count),
                        tokens: detailTokens, costUSD: detailCost,
                        lines: shippedLines, effectiveLines: shippedEffective, normalisedDeployments: worthHere))
                details[details.count - 1].rework = reasons
            }
            guard deployment.kind == .forward, !commits.isEmpty else { continue }
            let coveredHere = Set(counted.filter { covered(commits[$0]) })
            var keysHere = [String: Double]()  // group → effective lines it shipped here
            var aiKeysHere = [String: Bool]()  // group → whether an AI-assisted commit of it shipped here
            for position in counted {
                let commit = commits[position]
                let facts = history.facts[commit]
                let hours = deployment.time.timeIntervalSince(facts.authorTime.date) / 3600
                totals.countShipped(aiAssisted: facts.isAIAssisted, leadHours: hours)
                if !facts.isBot { allPeople.insert(facts.person) }
                guard let key = commitKey(commit, deployment: index) else { continue }
                let firstHere = keysHere[key] == nil
                aiKeysHere[key] = (aiKeysHere[key] ?? false) || facts.isAIAssisted
                keysHere[key, default: 0] += split.effective[position]
                work.commitGroups[commit] = key
                work.commitSizes[key, default: []].append(split.effective[position])
                // Mutated in place: copying a group per commit would copy its lead-time lists.
                let isCovered = coveredHere.contains(position)
                let measure = input.commits.measure(of: commit)
                update(&groups[key, default: GroupMetrics(key: key)]) { metrics in
                    metrics.normalisedDeployments += split.parts[position]
                    metrics.effectiveLines += split.effective[position]
                    if isCovered {
                        metrics.coveredNormalisedDeployments += split.parts[position]
                        metrics.coveredEffectiveLines += split.effective[position]
                    }
                    if let measure { metrics.countLines(of: measure) }
                    metrics.changedLines += lines(of: commit)
                    if let written = input.commits.aiLines(of: commit) {
                        metrics.aiLinesShipped += written
                        metrics.aiLineCommits += 1
                    }
                    metrics.countShipped(aiAssisted: facts.isAIAssisted, leadHours: hours)
                    if firstHere {
                        metrics.deployments += 1
                        if deployment.status == .rolledBack { metrics.rolledBackDeployments += 1 }
                    }
                }
                if !facts.isBot { people[key, default: []].insert(facts.person) }
            }
            work.deployments.append((keysHere, commits.count <= 1 && shippedLines <= WarningSigns.trivialLines))
            let anyAI = counted.contains { history.facts[commits[$0]].isAIAssisted }
            for (key, ai) in aiKeysHere { groups[key]?.rework.count(rework: !reasons.isEmpty, aiAssisted: ai) }
            totals.rework.count(rework: !reasons.isEmpty, aiAssisted: anyAI)
            if deployment.status == .rolledBack { lastRolledBack = (aiKeysHere, anyAI) }
            if let week = Self.week(of: deployment.time, in: weekly) { weekly[week].countDeployment(rework: !reasons.isEmpty) }
            totals.deployments += 1
            if deployment.status == .rolledBack { totals.rolledBackDeployments += 1 }
            totals.normalisedDeployments += worthHere
            totals.effectiveLines += shippedEffective
            totals.changedLines += shippedLines
            for position in counted {
                if coveredHere.contains(position) {
                    totals.coveredNormalisedDeployments += split.parts[position]
                    totals.coveredEffectiveLines += split.effective[position]
                }
                if let measure = input.commits.measure(of: commits[position]) { totals.countLines(of: measure) }
                guard let written = input.commits.aiLines(of: commits[position]) else { continue }
                totals.aiLinesShipped += written
                totals.aiLineCommits += 1
            }
            if let week = Self.week(of: deployment.time, in: weekly) { weekly[week].normalisedDeployments += worthHere }
        }
        for (index, record) in records.enumerated() where inWindow(record.timestamp) {
            if !scope.isEverything, !scope.contains(record.actor.map(actor)) { continue }
            guard let week = Self.week(of: record.timestamp, in: weekly) else { continue }
            weekly[week].tokens += record.total
            weekly[week].costUSD += record.costUSD ?? 0
            if let commit = joins[index].commit, shippingDeployment(commit, environment: environment, until: until) != nil {
                weekly[week].shippedTokens += record.total
            }
        }

        if let changeSets {
            summariseChangeSets(changeSets, groupBy: groupBy, into: &groups, since: since, until: until, environment: environment, scope: scope)
        }
        var rows = [GroupMetrics]()
        for (key, var metrics) in groups {
            if groupBy == .person, self.people.isBot(actor: key) { continue }
            metrics.activeEngineers = people[key]?.count ?? 0
            metrics.weeks = weeks
            metrics.months = months
            metrics.finishLeadTimes()
            rows.append(metrics)
        }
        totals.activeEngineers = allPeople.count
        totals.weeks = weeks
        totals.months = months
        totals.finishLeadTimes()
        // Led by yield and shipped work, never by token volume.
        rows.sort { a, b in
            if a.normalisedDeployments != b.normalisedDeployments { return a.normalisedDeployments > b.normalisedDeployments }
            if (a.ndPerMillionTokens ?? -1) != (b.ndPerMillionTokens ?? -1) { return (a.ndPerMillionTokens ?? -1) > (b.ndPerMillionTokens ?? -1) }
            return a.key < b.key
        }
        var report = Report(
            since: since, until: until, environment: environment, groupBy: groupBy, repositories: input.repositories,
            groups: rows, totals: totals, warnings: [], deployments: details, weekly: weekly)
        if let changeSets { countChangeSetCommits(changeSets, groupBy: groupBy, shipped: work.commitGroups.keys, into: &report) }
        report.warnings = WarningSigns(builder: self, inWindow: inWindowRecords, work: work).evaluate(report, environment: environment, until: until)
        return report
    }
}
