import Foundation
import GitKit
import Usage

/// Changed lines and files of a commit, read on demand (diffs are the costly part of history).
public protocol CommitDiffs {
    func stats(of commit: Int) -> DiffStats?
    /// Works out many commits' diffs ahead of their use (in parallel where it can).
    func prefetch(_ commits: [Int])
}

extension CommitDiffs {
    public func prefetch(_ commits: [Int]) {}
}

/// Diffs from a repository, remembered once read.
public final class RepositoryDiffs: CommitDiffs {
    let repository: Repository
    let graph: CommitGraph
    private var cache: [Int: DiffStats?] = [:]

    public init(repository: Repository, graph: CommitGraph) {
        self.repository = repository
        self.graph = graph
    }

    public func stats(of commit: Int) -> DiffStats? {
        if let cached = cache[commit] { return cached }
        let stats = try? repository.diffStats(for: graph.ids[commit])
        cache[commit] = stats
        return stats
    }

    /// Diffs of `commits` on every core, each worker with its own repository handle (libgit2
    /// objects belong to one thread at a time).
    public func prefetch(_ commits: [Int]) {
        let missing = commits.filter { cache[$0] == nil }
        guard missing.count > 64 else { return }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        let path = repository.gitDirectory
        let ids = missing.map { graph.ids[$0] }
        let results = DiffResults(count: ids.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            guard let local = try? Repository(discovering: path) else { return }
            for index in stride(from: worker, to: ids.count, by: workers) {
                results.set(index, try? local.diffStats(for: ids[index]))
            }
        }
        for (index, commit) in missing.enumerated() { cache[commit] = results.get(index) }
    }
}

/// Per-index results written by parallel workers.
private final class DiffResults: @unchecked Sendable {
    // @unchecked: every access to `values` holds `lock`; workers write distinct indices.
    private let lock = NSLock()
    private var values: [DiffStats?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: DiffStats?) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }

    func get(_ index: Int) -> DiffStats? {
        lock.lock()
        defer { lock.unlock() }
        return values[index]
    }
}

/// Computes a `Report` from history, deployments and joined usage (DESIGN.md, "Metrics").
public struct ReportBuilder {
    public var history: History
    public var timeline: DeploymentTimeline
    public var records: [UsageRecord]
    public var joins: [RecordJoin]
    public var people: People
    public var codeOwners: CodeOwners?
    public var diffs: CommitDiffs?
    public var repositoryName: String
    public var weightByLines = false
    public var lineCap = 1000

    public init(history: History, timeline: DeploymentTimeline, records: [UsageRecord], joins: [RecordJoin],
                people: People, codeOwners: CodeOwners?, diffs: CommitDiffs?, repositoryName: String) {
        self.history = history
        self.timeline = timeline
        self.records = records
        self.joins = joins
        self.people = people
        self.codeOwners = codeOwners
        self.diffs = diffs
        self.repositoryName = repositoryName
    }

    /// The environment a report is about when none is named: the configured one, else
    /// `production`, else `release`, else the one with the most deployments.
    public static func defaultEnvironment(_ timeline: DeploymentTimeline, configured: String?) -> String? {
        if let configured { return configured }
        let environments = timeline.environments
        for preferred in ["production", "prod", "release"] where environments.contains(preferred) { return preferred }
        return environments.max { timeline.deployments(in: $0).count < timeline.deployments(in: $1).count }
    }

    /// The shipping deployment of a commit in `environment`, when it happened before `until`.
    func shippingDeployment(_ commit: Int, environment: String?, until: Date) -> Int? {
        guard let environment, let index = timeline.shippingDeployment(of: commit, environment: environment),
              timeline.deployments[index].time < until else { return nil }
        return index
    }

    public func lines(of commit: Int) -> Int {
        diffs?.stats(of: commit)?.linesChanged ?? 0
    }

    /// Team of a commit: its author's; else the team owning most of its changed lines by
    /// CODEOWNERS; else `unassigned`.
    public func team(ofCommit commit: Int) -> String {
        let facts = history.facts[commit]
        if let team = people.team(of: facts.person) { return team }
        guard let codeOwners, let stats = diffs?.stats(of: commit) else { return People.unassigned }
        var byTeam = [String: Int]()
        for file in stats.files {
            let owners = codeOwners.owners(of: file.path)
            guard let team = owners.lazy.compactMap(people.team(forOwner:)).first else { continue }
            byTeam[team, default: 0] += max(file.linesAdded + file.linesDeleted, 1)
        }
        return byTeam.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? People.unassigned
    }

    public func team(ofRecord record: UsageRecord) -> String {
        guard let actor = record.actor else { return People.unassigned }
        return people.team(of: people.canonical(email: actor)) ?? People.unassigned
    }

    public func build(since: Date, until: Date, environment: String?, groupBy: GroupBy) -> Report {
        let span = max(until.timeIntervalSince(since), 0)
        let weeks = span / (7 * 86_400), months = span / (30.44 * 86_400)
        func inWindow(_ date: Date) -> Bool { date >= since && date < until }

        var groups = [String: GroupMetrics]()
        var totals = GroupMetrics(key: "total")
        totals.isTotals = true
        var people = [String: Set<String>]()  // group → active engineers
        var allPeople = Set<String>()
        func group(_ key: String) -> GroupMetrics { groups[key] ?? GroupMetrics(key: key) }

        // Records: tokens, cost and states, plus what each commit's usage was (for model/agent keys).
        var commitUsage = [Int: [String: Int64]]()  // commit → model or agent → tokens
        var recordGroup = [Int: String]()
        var commitTokens = [Int: Int64]()
        var commitCost = [Int: Decimal]()
        for (index, record) in records.enumerated() {
            let join = joins[index]
            if let commit = join.commit {
                let label = groupBy == .agent ? (record.agent ?? "(unknown)") : record.model
                commitUsage[commit, default: [:]][label, default: 0] += record.total
            }
            guard inWindow(record.timestamp) else { continue }
            let deployment = join.commit.flatMap { shippingDeployment($0, environment: environment, until: until) }
            let key: String
            switch groupBy {
            case .team: key = team(ofRecord: record)
            case .person: key = record.actor.map { self.people.canonical(email: $0) } ?? "(unknown)"
            case .model: key = record.model
            case .agent: key = record.agent ?? "(unknown)"
            case .repository: key = repositoryName
            case .deployment:
                key = deployment.map { timeline.deployments[$0].id } ?? (join.commit == nil ? "(uncommitted)" : "(unshipped)")
            }
            recordGroup[index] = key
            var metrics = group(key)
            for target in [0, 1] {
                var row = target == 0 ? metrics : totals
                row.tokens.add(record)
                if join.commit == nil {
                    row.uncommittedTokens += record.total
                } else if deployment != nil {
                    row.shippedTokens += record.total
                } else {
                    row.unshippedTokens += record.total
                }
                if target == 0 { metrics = row } else { totals = row }
            }
            groups[key] = metrics
            if let commit = join.commit {
                commitTokens[commit, default: 0] += record.total
                commitCost[commit, default: 0] += record.costUSD ?? 0
            }
            if let actor = record.actor, !self.people.isBot(email: actor) {
                let person = self.people.canonical(email: actor)
                people[key, default: []].insert(person)
                allPeople.insert(person)
            }
        }

        func commitKey(_ commit: Int, deployment: Int) -> String? {
            let facts = history.facts[commit]
            switch groupBy {
            case .team: return team(ofCommit: commit)
            case .person: return facts.isBot ? nil : facts.person
            case .model:
                return commitUsage[commit]?.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? facts.model ?? "(none)"
            case .agent:
                return commitUsage[commit]?.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? facts.agent ?? "(none)"
            case .repository: return repositoryName
            case .deployment: return timeline.deployments[deployment].id
            }
        }

        // Deployments: forward ones in the window, worth 1 each (0 when rolled back), split by
        // the weight of their shipped non-merge commits.
        var details = [DeploymentDetail]()
        let environmentDeployments = environment.map { timeline.deployments(in: $0) } ?? []
        diffs?.prefetch(environmentDeployments.flatMap { index -> [Int] in
            let deployment = timeline.deployments[index]
            guard deployment.kind != .baseline, deployment.kind != .failed, inWindow(deployment.time) else { return [] }
            return timeline.shipped[index].filter { !history.facts[$0].isMerge }
        })
        var weekly = Self.weeks(since: since, until: until)
        for index in environmentDeployments {
            let deployment = timeline.deployments[index]
            guard inWindow(deployment.time) else { continue }
            if deployment.kind == .failed { totals.failedDeployments += 1 }
            let commits = timeline.shipped[index].filter { !history.facts[$0].isMerge }
            let detailTokens = timeline.shipped[index].reduce(Int64(0)) { $0 + (commitTokens[$1] ?? 0) }
            let detailCost = timeline.shipped[index].reduce(Decimal(0)) { $0 + (commitCost[$1] ?? 0) }
            if deployment.kind != .baseline {
                let ai = commits.filter { history.facts[$0].isAIAssisted }.count
                details.append(DeploymentDetail(
                    deployment: deployment, shippedCommits: commits.count,
                    aiAssistedShare: commits.isEmpty ? nil : Double(ai) / Double(commits.count),
                    tokens: detailTokens, costUSD: detailCost, lines: commits.reduce(0) { $0 + lines(of: $1) }))
            }
            guard deployment.kind == .forward, !commits.isEmpty else { continue }
            let worth: Double = deployment.status == .rolledBack ? 0 : 1
            var weights = commits.map { weightByLines ? Double(min(lines(of: $0), lineCap)) : 1 }
            if weights.reduce(0, +) == 0 { weights = commits.map { _ in 1 } }
            let totalWeight = weights.reduce(0, +)
            var keysHere = Set<String>()
            var leadAI = [String: [Double]](), leadOther = [String: [Double]]()
            for (position, commit) in commits.enumerated() {
                let facts = history.facts[commit]
                let hours = deployment.time.timeIntervalSince(facts.authorTime.date) / 3600
                let commitLines = lines(of: commit)
                if facts.isAIAssisted { totals.aiAssistedCommits += 1; leadAI["", default: []].append(hours) } else { leadOther["", default: []].append(hours) }
                totals.shippedCommits += 1
                totals.shippedLines += commitLines
                if !facts.isBot { allPeople.insert(facts.person) }
                guard let key = commitKey(commit, deployment: index) else { continue }
                var metrics = group(key)
                metrics.normalisedDeployments += worth * weights[position] / totalWeight
                metrics.shippedCommits += 1
                metrics.shippedLines += commitLines
                if facts.isAIAssisted { metrics.aiAssistedCommits += 1; leadAI[key, default: []].append(hours) } else { leadOther[key, default: []].append(hours) }
                groups[key] = metrics
                keysHere.insert(key)
                if !facts.isBot { people[key, default: []].insert(facts.person) }
            }
            for key in keysHere {
                var metrics = group(key)
                metrics.deployments += 1
                if deployment.status == .rolledBack { metrics.rolledBackDeployments += 1 }
                metrics.leadTimesAI.append(contentsOf: leadAI[key] ?? [])
                metrics.leadTimesOther.append(contentsOf: leadOther[key] ?? [])
                groups[key] = metrics
            }
            totals.deployments += 1
            if deployment.status == .rolledBack { totals.rolledBackDeployments += 1 }
            totals.normalisedDeployments += worth
            totals.leadTimesAI.append(contentsOf: leadAI[""] ?? [])
            totals.leadTimesOther.append(contentsOf: leadOther[""] ?? [])
            if let week = Self.week(of: deployment.time, in: weekly) { weekly[week].normalisedDeployments += worth }
        }
        for (index, record) in records.enumerated() where inWindow(record.timestamp) {
            guard let week = Self.week(of: record.timestamp, in: weekly) else { continue }
            weekly[week].tokens += record.total
            weekly[week].costUSD += record.costUSD ?? 0
            if let commit = joins[index].commit, shippingDeployment(commit, environment: environment, until: until) != nil {
                weekly[week].shippedTokens += record.total
            }
        }

        var rows = [GroupMetrics]()
        for (key, var metrics) in groups {
            if groupBy == .person, self.people.isBot(email: key) { continue }
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
            since: since, until: until, environment: environment, groupBy: groupBy, repositories: [repositoryName],
            groups: rows, totals: totals, warnings: [], deployments: details, weekly: weekly)
        report.warnings = WarningSigns(builder: self, recordGroup: recordGroup).evaluate(report, environment: environment, until: until)
        return report
    }

    static func weeks(since: Date, until: Date) -> [WeekPoint] {
        var points = [WeekPoint]()
        var start = since
        while start < until, points.count < 520 {
            points.append(WeekPoint(start: start, tokens: 0, shippedTokens: 0, costUSD: 0, normalisedDeployments: 0))
            start = start.addingTimeInterval(7 * 86_400)
        }
        return points
    }

    static func week(of date: Date, in weeks: [WeekPoint]) -> Int? {
        guard let first = weeks.first, date >= first.start else { return nil }
        let index = Int(date.timeIntervalSince(first.start) / (7 * 86_400))
        return index < weeks.count ? index : nil
    }
}

extension GroupMetrics {
    mutating func finishLeadTimes() {
        leadTimeAI = Percentiles(leadTimesAI)
        leadTimeOther = Percentiles(leadTimesOther)
    }
}
