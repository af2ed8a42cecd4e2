import Foundation
import GitKit
import Usage

/// Everything attribution reads from one repository: people, history, deployments, owners.
/// Built once per command; file reading (settings, deploy logs) is the caller's.
public struct RepositorySnapshot {
    public let repository: Repository
    public let configuration: Configuration
    public let people: People
    /// Every commit reachable from the tips; numbered as `history`.
    public let graph: CommitGraph
    public let history: History
    public let timeline: DeploymentTimeline
    public let codeOwners: CodeOwners?
    /// `org/name` from the origin remote, else the folder name.
    public let name: String
    public let scope: RepositoryScope
    /// Things worth telling the user (skipped tags, unresolvable deploy-log rows…).
    public let notes: [String]
    /// Which changed paths count nothing toward effective sizes (settings and `.gitattributes`).
    public let changeFilter: ChangeFilter
    /// The tips history was read from, HEAD first.
    public let tips: [ObjectID]

    /// `deployLogs`: the text of each configured deploy log, with the name to report it by.
    public static func load(
        _ repo: Repository, configuration: Configuration, deployLogs: [(name: String, text: String)] = []
    ) throws -> RepositorySnapshot {
        let mailmap = try Mailmap(repo)
        let people = People(configuration: configuration) { mailmap.resolve(name: $0, email: $1) }
        return try load(
            repo, configuration: configuration, people: people, collected: try collect(repo, configuration: configuration, deployLogs: deployLogs),
            codeOwners: codeOwnersText(of: repo).map { CodeOwners(text: $0) }, remotes: remotes(of: repo),
            changeFilter: configuration.changeFilter(gitattributes: gitattributes(of: repo)))
    }

    /// Reads history from what was collected before it.
    public static func load(
        _ repo: Repository, configuration: Configuration, people: People, collected: Collected, codeOwners: CodeOwners?,
        remotes: [String], changeFilter: ChangeFilter
    ) throws -> RepositorySnapshot {
        let (graph, history) = try History.load(
            repo, tips: collected.tips, people: people, detector: configuration.aiDetector, rework: configuration.rework)
        let timeline = DeploymentTimeline(graph: graph, deployments: collected.deployments)
        return RepositorySnapshot(
            repository: repo, configuration: configuration, people: people, graph: graph, history: history, timeline: timeline,
            codeOwners: codeOwners, name: Self.name(of: repo, remotes: remotes),
            scope: RepositoryScope(roots: repo.workDirectory.map { [$0] } ?? [], remotes: remotes), notes: collected.notes + timeline.notes,
            changeFilter: changeFilter, tips: collected.tips)
    }

    /// The URLs of the `origin` and `upstream` remotes that exist.
    public static func remotes(of repo: Repository) -> [String] {
        ["origin", "upstream"].compactMap(repo.remoteURL)
    }

    /// The first CODEOWNERS file of `CodeOwners.locations` committed at HEAD.
    public static func codeOwnersText(of repo: Repository) -> String? {
        for location in CodeOwners.locations {
            if let bytes = repo.fileContents(location) { return String(decoding: bytes, as: UTF8.self) }
        }
        return nil
    }

    /// The root `.gitattributes` as committed at HEAD (what every clone and CI checkout sees).
    public static func gitattributes(of repo: Repository) -> String? {
        repo.fileContents(".gitattributes").map { String(decoding: $0, as: UTF8.self) }
    }

    /// What is known before history is read: deployments from tags and deploy logs, and the
    /// tips history is read from (HEAD, branches, remote branches, deployed commits).
    public struct Collected {
        public var deployments: [Deployment]
        public var tips: [ObjectID]
        public var notes: [String]
    }

    public static func collect(_ repo: Repository, configuration: Configuration, deployLogs: [(name: String, text: String)] = []) throws -> Collected
    {
        var notes = [String]()
        let tags = try repo.tags()
        var tips = [ObjectID]()
        if let head = try repo.head() { tips.append(head) }
        for glob in ["refs/heads/*", "refs/remotes/*"] {
            tips += try repo.references(matching: glob).compactMap { try? repo.resolveCommit($0.name) }
        }
        tips += tags.compactMap(\.commit)

        // Deploy logs name commits by (possibly abbreviated) id.
        var logDeployments = [Deployment]()
        for log in deployLogs {
            let (entries, problems) = DeploymentSources.parseLog(log.text, name: log.name)
            notes += problems
            for entry in entries {
                guard let commit = try? repo.resolveCommit(entry.revision) else {
                    notes.append("\(log.name):\(entry.line): \(entry.revision) is not a commit in this repository; skipped")
                    continue
                }
                tips.append(commit)
                logDeployments.append(
                    Deployment(
                        environment: entry.environment,
                        id: entry.id ?? "\(entry.environment)@\(commit.short())@\(Int(entry.time.timeIntervalSince1970))",
                        ref: entry.revision, commit: commit, time: entry.time, status: entry.status))
            }
        }
        let (tagDeployments, tagNotes) = DeploymentSources.fromTags(tags, patterns: configuration.deployTagPatterns) { commit in
            (try? repo.commit(commit))?.committer.time.date
        }
        notes += tagNotes
        var seen = Set<ObjectID>()
        return Collected(deployments: tagDeployments + logDeployments, tips: tips.filter { seen.insert($0).inserted }, notes: notes)
    }

    public static func name(of repo: Repository, remotes: [String]) -> String {
        // A remote on a host names the repository `org/name`; a local path only by its folder.
        if let remote = remotes.first, remote.contains("://") || remote.contains("@") {
            let parts = RepositoryScope.normalise(remote).split(separator: "/")
            if parts.count >= 3 { return parts.suffix(2).joined(separator: "/") }
            if let last = parts.last { return String(last) }
        }
        let folder = repo.workDirectory ?? repo.commonDirectory
        let url = URL(fileURLWithPath: folder)
        let name = url.lastPathComponent == ".git" ? url.deletingLastPathComponent().lastPathComponent : url.lastPathComponent
        return name.hasSuffix(".git") ? String(name.dropLast(4)) : name
    }

    /// The environment a report is about: the one asked for, else the configured one, else
    /// `production`, `prod` or `release`, else the one with the most deployments.
    public func environment(requested: String?) -> String? {
        ReportBuilder.defaultEnvironment(timeline, configured: requested ?? configuration.reportEnvironment)
    }

    /// Joins records to commits as of `until` in `environment` (shipped-ness decides between
    /// a session's branch commits and the squash commit that landed them).
    public func join(_ batch: UsageBatch, environment: String?, until: Date) -> [RecordJoin] {
        let timeline = self.timeline
        let joiner = UsageJoiner(history: history, people: people, scope: scope, windowHours: configuration.inferenceWindowHours) { commit in
            guard let environment, let index = timeline.shippingDeployment(of: commit, environment: environment) else { return false }
            return timeline.deployments[index].time < until
        }
        return joiner.join(batch.records, links: batch.links)
    }

    /// Diffs of this repository's commits, read on demand with the snapshot's change filter.
    public func diffs(fetchMissing: Bool = false) -> RepositoryDiffs {
        let diffs = RepositoryDiffs(repository: repository, graph: graph, filter: changeFilter)
        diffs.fetchMissing = fetchMissing
        return diffs
    }

    /// A report's input: `batch` joined as of `until` in `environment`.
    public func reportInput(_ batch: UsageBatch, environment: String?, until: Date, diffs: RepositoryDiffs) -> ReportInput {
        var input = ReportInput(
            history: history, timeline: timeline, records: batch.records, joins: join(batch, environment: environment, until: until),
            people: people, commits: SnapshotCommits(diffs: diffs, history: history, people: people, codeOwners: codeOwners), repositories: [name])
        input.tips = [tips]
        return input
    }

    /// The whole report for a window.
    public func report(
        _ batch: UsageBatch, since: Date, until: Date, environment requested: String?, groupBy: GroupBy,
        weight: DeploymentWeight? = nil, fetchMissing: Bool = false, scope: ReportScope = ReportScope()
    ) -> Report {
        let environment = environment(requested: requested)
        let joinStart = Date()
        let diffs = diffs(fetchMissing: fetchMissing)
        let input = reportInput(batch, environment: environment, until: until, diffs: diffs)
        let joinSeconds = Date().timeIntervalSince(joinStart)
        let builder = ReportBuilder(input, worth: configuration.deploymentWorth(weight: weight), rework: configuration.rework)
        let metricsStart = Date()
        var report = builder.build(since: since, until: until, environment: environment, groupBy: groupBy, scope: scope)
        report.phaseTimings = [("join", joinSeconds), ("metrics", Date().timeIntervalSince(metricsStart))]
        report.unknownLineCommits = diffs.unknownLines.count
        if environment == nil {
            report.notes.append(
                "no deployments found: tag deploys as deploy/<env>/<time> (shipmeter deploy mark) or list deploy logs in .shipmeter.yml")
        }
        if batch.records.isEmpty {
            report.notes.append("no usage records: pass --usage files or folders, or run where agent sessions of this repository are recorded")
        }
        return report
    }

    /// Budget projection from the configured budgets (and `annual`, which overrides the total).
    public func budget(_ records: [UsageRecord], annual: Decimal?, year: Int?, asOf: Date) -> BudgetProjection? {
        BudgetProjection.compute(records: records, configuration: configuration, annual: annual, year: year, asOf: asOf, people: people)
    }
}

@available(*, unavailable)
extension RepositorySnapshot: Sendable {}

extension RepositorySnapshot {
    /// A stable identity for the ledger: the normalised remote URL, else the root commit id.
    public var identity: String {
        if let remote = scope.remotes.first { return remote }
        let roots = (0..<graph.count).filter { graph.parents(of: $0).isEmpty }.map { graph.ids[$0].hex }
        return roots.min() ?? name
    }
}
