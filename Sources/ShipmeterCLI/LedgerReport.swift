import Attribution
import Foundation
import GitKit
import Ledger
import Usage

/// A report from what `attribute` stored, across every repository in the ledger (or those
/// asked for): no repository needs to be at hand.
struct LedgerReport {
    /// Where the ledger is, for messages.
    let location: String
    let data: LedgerReportData
    let history: History
    let timeline: DeploymentTimeline
    let records: [UsageRecord]
    let joins: [RecordJoin]
    let roster: LedgerRoster
    let lines: StoredLines
    let teams: [String]
    let commitRepositories: [Int]
    let recordRepositories: [Int?]

    var names: [String] { data.repositories.map(\.name) }

    /// Opens the ledger and reads a report's input from it — from the repositories `filter` names,
    /// else all — or nil when it holds no attribution yet and a repository is at hand to read
    /// instead.
    static func read(_ options: LedgerOptions, repo: Repository?, filter: String?, since: Date, until: Date) async throws -> LedgerReport? {
        let ledger = try await options.open(repository: repo, existing: true)
        do {
            let attributed = try await ledger.attributedRepositories()
            var loaded: LedgerReport?
            if !attributed.isEmpty || repo == nil {
                loaded = try await load(ledger, repositories: try await select(filter, in: ledger), since: since, until: until, filtered: filter != nil)
            }
            await ledger.close()
            return loaded
        } catch {
            await ledger.close()
            throw error as? ShipmeterError ?? ShipmeterError.invalidInput(error.localizedDescription)
        }
    }

    /// The repositories `filter` names (a name, an identity, or a repository folder); all when nil.
    static func select(_ filter: String?, in ledger: any LedgerStore) async throws -> [Int64] {
        let known = try await ledger.attributedRepositories()
        guard let filter else { return known.map(\.id) }
        let wanted = filter.lowercased()
        let matches = known.filter { $0.name.lowercased() == wanted || $0.identity.lowercased() == wanted || $0.identity.lowercased().hasSuffix("/" + wanted) }
        if !matches.isEmpty { return matches.map(\.id) }
        if let repo = try? Repository(discovering: filter) {
            let remotes = ["origin", "upstream"].compactMap(repo.remoteURL).map(RepositoryScope.normalise)
            let cached = (try? String(contentsOfFile: repo.commonDirectory + "/shipmeter/identity", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            let identities = Set(remotes + [cached].compactMap { $0 })
            let found = known.filter { identities.contains($0.identity) }
            if !found.isEmpty { return found.map(\.id) }
        }
        let list = known.map(\.name).joined(separator: ", ")
        throw ShipmeterError.invalidInput("--repo \(filter) is not in the ledger (it holds: \(list.isEmpty ? "no attributed repositories" : list)); run `shipmeter attribute` in that repository first")
    }

    static func load(_ ledger: any LedgerStore, repositories: [Int64], since: Date, until: Date, filtered: Bool) async throws -> LedgerReport {
        let data = try await ledger.reportData(repositories: repositories, since: since, until: until)
        var ids = [ObjectID](), times = [GitTime](), facts = [CommitFacts](), teams = [String](), lines = [Int?](), owners = [Int]()
        var measures = [ChangeMeasure?]()
        var numbers = [[String: Int]]()  // per repository: commit id → graph number
        for (index, repository) in data.repositories.enumerated() {
            var local = [String: Int]()
            for commit in repository.commits {
                guard let fact = LedgerAttribution.facts(commit) else { continue }
                local[commit.id] = ids.count
                ids.append(fact.id)
                times.append(fact.authorTime)
                facts.append(fact)
                teams.append(commit.team)
                lines.append(commit.lines)
                measures.append(commit.measure)
                owners.append(index)
            }
            numbers.append(local)
        }
        let history = History(graph: CommitGraph(detached: ids, authorTimes: times), facts: facts)
        var deployments = [Deployment](), shipped = [[Int]]()
        for (index, repository) in data.repositories.enumerated() {
            for stored in repository.deployments {
                guard let commit = try? ObjectID(hex: stored.commit), numbers[index][stored.commit] != nil,
                      let status = Deployment.Status(rawValue: stored.status), let kind = Deployment.Kind(rawValue: stored.kind) else { continue }
                var deployment = Deployment(environment: stored.environment, id: stored.id, ref: stored.ref, commit: commit, time: stored.time, status: status)
                deployment.kind = kind
                deployments.append(deployment)
                shipped.append(stored.shipped.compactMap { numbers[index][$0] })
            }
        }
        // Environment by environment, in time order, as a timeline read from history would be.
        let order = deployments.indices.sorted {
            (deployments[$0].environment, deployments[$0].time, deployments[$0].id) < (deployments[$1].environment, deployments[$1].time, deployments[$1].id)
        }
        let timeline = DeploymentTimeline(stored: order.map { deployments[$0] }, shipped: order.map { shipped[$0] }, commitCount: ids.count)

        let position = Dictionary(uniqueKeysWithValues: data.repositories.enumerated().map { ($1.id, $0) })
        // Where a record was made, for records attributed nowhere: the remotes and the folders
        // (on the machine that ran `attribute`) of each repository.
        let scopes = data.repositories.map { repository in
            RepositoryScope(roots: repository.remotes.filter { $0.hasPrefix("/") }, remotes: repository.remotes.filter { !$0.hasPrefix("/") } + [repository.identity])
        }
        var records = [UsageRecord](), joins = [RecordJoin](), recordRepositories = [Int?]()
        for (row, sum) in data.usage.enumerated() {
            var repository: Int? = sum.repositoryID.flatMap { position[$0] }
            // Attributed in a repository the report is not about: not this report's usage.
            if sum.repositoryID != nil, repository == nil { continue }
            var join = RecordJoin.uncommitted
            if let repository, let commit = sum.commit, let number = numbers[repository][commit] {
                join = RecordJoin(commit: number, confidence: sum.confidence.flatMap(JoinConfidence.init(rawValue:)))
            }
            if repository == nil { repository = scopes.firstIndex { $0.contains(sum.location) } }
            // A report about some repositories counts the usage of those only.
            if filtered, repository == nil { continue }
            var record = UsageRecord(
                source: "ledger", key: String(row), timestamp: sum.time,
                actor: sum.actor, session: sum.session, agent: sum.agent, model: sum.model, repository: sum.location,
                input: sum.input, output: sum.output, cacheWrite: sum.cacheWrite, cacheRead: sum.cacheRead,
                costUSD: sum.costUSD.flatMap { Decimal(string: String(format: "%.9f", $0)) })
            record.cacheWrite1h = sum.cacheWrite1h
            records.append(record)
            joins.append(join)
            recordRepositories.append(repository)
        }
        return LedgerReport(
            location: ledger.location, data: data, history: history, timeline: timeline, records: records, joins: joins,
            roster: LedgerRoster(data.repositories.flatMap(\.actors)), lines: StoredLines(lines: lines, measures: measures), teams: teams,
            commitRepositories: owners, recordRepositories: recordRepositories)
    }

    func report(since: Date, until: Date, environment requested: String?, configured: String?, groupBy: GroupBy,
                worth: DeploymentWorth) -> Report {
        let environment = ReportBuilder.defaultEnvironment(timeline, configured: requested ?? configured)
        var builder = ReportBuilder(
            history: history, timeline: timeline, records: records, joins: joins, people: roster, codeOwners: nil, diffs: lines,
            repositoryName: names.count == 1 ? names[0] : "all repositories")
        builder.commitTeams = teams
        builder.repositoryNames = names
        builder.commitRepositories = commitRepositories
        builder.recordRepositories = recordRepositories
        builder.worth = worth
        var report = builder.build(since: since, until: until, environment: environment, groupBy: groupBy)
        if names.isEmpty {
            report.notes.append("the ledger holds no attributed repository: run `shipmeter attribute --ledger …` in each repository first")
        } else if environment == nil {
            report.notes.append("no deployments in the ledger: mark them with `shipmeter deploy mark` and run `shipmeter attribute`")
        }
        if records.isEmpty { report.notes.append("no usage records in the ledger: add them with `shipmeter ingest`") }
        return report
    }

    func budget(_ configuration: Configuration, annual: Decimal?, year: Int?, asOf: Date) -> BudgetProjection? {
        BudgetProjection.compute(records: records, configuration: configuration, annual: annual, year: year, asOf: asOf, people: roster)
    }
}

/// People as `attribute` stored them: each actor's person, team and whether it is a bot. An
/// actor known to several repositories takes the first team that is not `unassigned`.
struct LedgerRoster: Roster {
    private var persons: [String: String] = [:]
    private var teams: [String: String] = [:]
    private var bots: Set<String> = []

    init(_ actors: [LedgerActor]) {
        for actor in actors {
            let key = actor.actor.lowercased()
            if persons[key] == nil { persons[key] = actor.person }
            if teams[actor.person] == nil || teams[actor.person] == People.unassigned { teams[actor.person] = actor.team }
            if actor.bot {
                bots.insert(key)
                bots.insert(actor.person)
            }
        }
    }

    func person(ofActor actor: String) -> String { persons[actor.lowercased()] ?? actor.lowercased() }
    func team(ofPerson person: String) -> String? { teams[person].flatMap { $0 == People.unassigned ? nil : $0 } }
    func isBot(actor: String) -> Bool { bots.contains(actor.lowercased()) }
}

/// Line counts and change measures `attribute` stored, by graph number.
final class StoredLines: CommitDiffs {
    let lines: [Int?]
    let measures: [ChangeMeasure?]

    init(lines: [Int?], measures: [ChangeMeasure?]) {
        self.lines = lines
        self.measures = measures
    }

    func stats(of commit: Int) -> DiffStats? { nil }
    func linesChanged(of commit: Int) -> Int { lines[commit] ?? 0 }
    func measure(of commit: Int) -> ChangeMeasure? { measures[commit] }
}
