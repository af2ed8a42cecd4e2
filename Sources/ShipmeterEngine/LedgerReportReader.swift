import Attribution
import Foundation
import GitKit
import Ledger
import Usage

/// A report from what `attribute` stored, across every repository in the ledger (or those asked
/// for): no repository needs to be at hand. It builds the same `ReportInput` a repository's
/// history does.
public struct LedgerReportReader {
    public let location: String
    public let input: ReportInput
    /// The people as `attribute` stored them.
    public let roster: LedgerRoster
    /// Every repository the ledger holds attribution for (the report may cover fewer).
    public let ledgerRepositories: [String]

    public var names: [String] { input.repositories }
    public var timeline: DeploymentTimeline { input.timeline }

    /// Reads a report's input for the repositories `filter` names (a name, an identity, or a
    /// repository's folder), else all; nil when the ledger holds no attribution yet and
    /// `fallback` says a repository is at hand to read instead.
    public static func read(_ ledger: LedgerStore, filter: String?, since: Date, until: Date, fallback: Bool) async throws -> LedgerReportReader? {
        let attributed = try await ledger.attributedRepositories()
        if attributed.isEmpty, fallback { return nil }
        let chosen = try select(filter, in: attributed)
        let data = try await ledger.reportData(repositories: chosen, since: since, until: until)
        return LedgerReportReader(location: ledger.location, data: data, filtered: filter != nil, ledgerRepositories: attributed.map(\.name))
    }

    /// The repositories `filter` names; all when nil.
    static func select(_ filter: String?, in known: [AttributedRepository]) throws(EngineError) -> [AttributedRepository] {
        guard let filter else { return known }
        let wanted = filter.lowercased()
        let matches = known.filter {
            $0.name.lowercased() == wanted || $0.identity.lowercased() == wanted || $0.identity.lowercased().hasSuffix("/" + wanted)
        }
        if !matches.isEmpty { return matches }
        if let repository = try? Repository(discovering: filter) {
            let identities = RepositoryContext.identities(of: repository)
            let found = known.filter { identities.contains($0.identity) }
            if !found.isEmpty { return found }
        }
        throw .unknownRepository(filter, known: known.map(\.name))
    }

    init(location: String, data: LedgerReportData, filtered: Bool, ledgerRepositories: [String]) {
        var facts = [CommitFacts](), teams = [String](), lines = [Int?](), measures = [ChangeMeasure?](), written = [Int?](), owners = [Int]()
        var numbers = [[String: Int]]()  // per repository: commit id → number
        for (index, repository) in data.repositories.enumerated() {
            var local = [String: Int]()
            for commit in repository.commits {
                local[commit.id] = facts.count
                facts.append(commit.facts)
                teams.append(commit.team)
                lines.append(commit.lines)
                measures.append(commit.measure)
                written.append(commit.aiLines)
                owners.append(index)
            }
            numbers.append(local)
        }
        var deployments = [ClassifiedDeployment](), shipped = [[Int]]()
        for (index, repository) in data.repositories.enumerated() {
            for stored in repository.deployments {
                guard let commit = try? ObjectID(hex: stored.commit), numbers[index][stored.commit] != nil else { continue }
                // As read, a rolled-back deployment was a success.
                let read = Deployment(
                    environment: stored.environment, id: stored.id, ref: stored.ref, commit: commit, time: stored.time,
                    status: stored.status == .failure ? .failure : .success)
                deployments.append(ClassifiedDeployment(read, kind: stored.kind, status: stored.status))
                shipped.append(stored.shipped.compactMap { numbers[index][$0] })
            }
        }
        // Environment by environment, in time order, as a timeline read from history would be.
        let order = deployments.indices.sorted {
            (deployments[$0].environment, deployments[$0].time, deployments[$0].id) < (
                deployments[$1].environment, deployments[$1].time, deployments[$1].id
            )
        }
        let timeline = DeploymentTimeline(stored: order.map { deployments[$0] }, shipped: order.map { shipped[$0] }, commitCount: facts.count)

        let position = Dictionary(uniqueKeysWithValues: data.repositories.enumerated().map { ($1.id, $0) })
        // Where a record was made, for records attributed nowhere: the remotes and the folders
        // (on the machine that ran `attribute`) of each repository.
        let scopes = data.repositories.map { repository in
            RepositoryScope(
                roots: repository.remotes.filter { $0.hasPrefix("/") },
                remotes: repository.remotes.filter { !$0.hasPrefix("/") } + [repository.identity])
        }
        var records = [UsageRecord](), joins = [RecordJoin](), recordRepositories = [Int?]()
        for sum in data.usage {
            var repository: Int? = sum.repositoryID.flatMap { position[$0] }
            // Attributed in a repository the report is not about: not this report's usage.
            if sum.repositoryID != nil, repository == nil { continue }
            var join = RecordJoin.uncommitted
            if let repository, let commit = sum.commit, let number = numbers[repository][commit], let confidence = sum.confidence {
                join = .attributed(number, confidence)
            }
            if repository == nil { repository = scopes.firstIndex { $0.contains(sum.location) } }
            // A report about some repositories counts the usage of those only.
            if filtered, repository == nil { continue }
            records.append(sum.record)
            joins.append(join)
            recordRepositories.append(repository)
        }
        let roster = LedgerRoster(data.repositories.flatMap(\.actors))
        self.location = location
        self.ledgerRepositories = ledgerRepositories
        self.roster = roster
        var input = ReportInput(
            history: History(facts: facts), timeline: timeline, records: records, joins: joins, people: roster,
            commits: StoredCommits(teams: teams, lines: lines, measures: measures, aiLines: written), repositories: data.repositories.map(\.name),
            commitRepositories: owners, recordRepositories: recordRepositories)
        input.tips = data.repositories.map { $0.tips.compactMap { try? ObjectID(hex: $0) } }
        self.input = input
    }

    /// The report for the window, with notes on what the ledger lacks.
    public func report(
        since: Date, until: Date, environment requested: String?, configured: String?, groupBy: GroupBy, worth: DeploymentWorth,
        rework: ReworkRule = ReworkRule(), scope: ReportScope = ReportScope()
    ) -> Report {
        let environment = ReportBuilder.defaultEnvironment(timeline, configured: requested ?? configured)
        var report = ReportBuilder(input, worth: worth, rework: rework).build(
            since: since, until: until, environment: environment, groupBy: groupBy, scope: scope)
        if names.isEmpty {
            report.notes.append("the ledger holds no attributed repository: run `shipmeter attribute --ledger …` in each repository first")
        } else if environment == nil {
            report.notes.append("no deployments in the ledger: mark them with `shipmeter deploy mark` and run `shipmeter attribute`")
        }
        if input.records.isEmpty { report.notes.append("no usage records in the ledger: add them with `shipmeter ingest`") }
        return report
    }

    public func budget(_ configuration: Configuration, annual: Decimal?, year: Int?, asOf: Date) -> BudgetProjection? {
        BudgetProjection.compute(records: input.records, configuration: configuration, annual: annual, year: year, asOf: asOf, people: roster)
    }
}

/// People as `attribute` stored them: each actor's person, team and whether it is a bot. An
/// actor known to several repositories takes the first team that is not `unassigned`.
public struct LedgerRoster: Roster, Sendable {
    private var persons: [String: String] = [:]
    private var teams: [String: String] = [:]
    private var bots: Set<String> = []

    public init(_ actors: [LedgerActor]) {
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

    public func person(ofActor actor: String) -> String { persons[actor.lowercased()] ?? actor.lowercased() }
    public func team(ofPerson person: String) -> String? { teams[person].flatMap { $0 == People.unassigned ? nil : $0 } }
    public func isBot(actor: String) -> Bool { bots.contains(actor.lowercased()) }
    /// Every team someone is in (`unassigned` left out), sorted.
    public var teamNames: [String] { Set(teams.values).subtracting([People.unassigned]).sorted() }
}
