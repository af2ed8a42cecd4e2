import Attribution
import Foundation
import GitKit
import Ledger
import Usage

/// `attribute` against a ledger: the first run (or one after settings changed) reads the whole
/// history; every later run reads only what is beyond the tips the last one walked — new
/// commits, new deployments, new usage records, and the records those could re-attribute —
/// and writes the difference in one transaction. Both give the same ledger contents.
struct LedgerAttribution {
    let repo: Repository
    let ledger: any LedgerStore
    /// The environment that decides between a session's commits (`--env`).
    let environment: String?
    /// Reading the whole history again even when the last run's state allows less.
    var full = false
    /// Let git fetch blobs a partial clone lacks (`--fetch-missing`).
    var fetchMissing = false

    /// Bumped when attribution rules change, so ledgers written by older rules start over.
    static let rulesVersion = "4"

    struct Outcome {
        var name: String
        var incremental: Bool
        var deployments: Int
        var newDeployments: Int
        var commitsRead: Int
        var recordsConsidered: Int
        var attributions: Int
        var changedAttributions: Int
        /// Commits whose line counts are unknown: blobs not present.
        var unknownLines = 0
    }

    /// Everything read before history: settings, people, deployments, tips, identity.
    struct Context {
        var configuration: Configuration
        var people: People
        var codeOwners: CodeOwners?
        var collected: RepositorySnapshot.Collected
        var deployLogs: [(name: String, text: String)]
        var remotes: [String]
        var scope: RepositoryScope
        var name: String
        var identity: String?
        var digest: String
        var changeFilter: ChangeFilter
    }

    func run() async throws -> Outcome {
        let context = try readContext()
        for _ in 0..<8 {
            if let outcome = try await attempt(context) { return outcome }
            // Another run wrote this repository between our reads and our write: read again.
        }
        throw ShipmeterError.invalidInput("the ledger kept changing under this run (other attribute runs for the same repository); try again")
    }

    /// How one attempt ended.
    enum Attempt {
        case done(Outcome)
        /// Another run wrote the repository between this one's reads and its write.
        case conflict
        /// The stored state cannot be extended: read everything.
        case startOver
    }

    /// The outcome, or nil when another run got there first.
    private func attempt(_ context: Context) async throws -> Outcome? {
        if !full, let identity = context.identity {
            let repository = try await ledger.repositoryID(identity: identity, name: context.name)
            if let state = try await ledger.state(repository: repository) {
                switch try await incremental(context, identity: identity, repository: repository, state: state) {
                case .done(let outcome): return outcome
                case .conflict: return nil
                case .startOver: break
                }
            }
        }
        return try await fromScratch(context)
    }

    // MARK: - Context

    func readContext() throws -> Context {
        let settings = try Settings.load(for: repo)
        let configuration = settings.configuration
        var logs = [(name: String, text: String)]()
        for path in configuration.deployLogs {
            let full = path.hasPrefix("/") ? path : (settings.root ?? repo.commonDirectory) + "/" + path
            guard let text = try? String(contentsOfFile: full, encoding: .utf8) else {
                Output.diagnostic("warning: deploy log \(full) cannot be read; skipped")
                continue
            }
            logs.append((path, text))
        }
        let mailmap = try Mailmap(repo)
        let people = People(configuration: configuration) { mailmap.resolve(name: $0, email: $1) }
        var codeOwnersText: String?
        for location in CodeOwners.locations {
            if let bytes = repo.fileContents(location) {
                codeOwnersText = String(decoding: bytes, as: UTF8.self)
                break
            }
        }
        let collected = try RepositorySnapshot.collect(repo, configuration: configuration, deployLogs: logs)
        let remotes = ["origin", "upstream"].compactMap(repo.remoteURL)
        let scope = RepositoryScope(roots: repo.workDirectory.map { [$0] } ?? [], remotes: remotes)
        var identity = scope.remotes.first
        if identity == nil, let cached = try? String(contentsOfFile: identityCache, encoding: .utf8) {
            identity = cached.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // What attribution depends on besides history and usage.
        let gitattributes = RepositorySnapshot.gitattributes(of: repo)
        var parts = [Self.rulesVersion, settings.text ?? "", codeOwnersText ?? "", environment ?? "", gitattributes ?? ""]
        parts.append(String(decoding: repo.fileContents(".mailmap") ?? [], as: UTF8.self))
        if let root = repo.workDirectory { parts.append((try? String(contentsOfFile: root + "/.mailmap", encoding: .utf8)) ?? "") }
        parts.append(repo.configString("mailmap.file").flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "")
        return Context(
            configuration: configuration, people: people, codeOwners: codeOwnersText.map { CodeOwners(text: $0) },
            collected: collected, deployLogs: logs, remotes: remotes, scope: scope,
            name: RepositorySnapshot.name(of: repo, remotes: remotes), identity: identity,
            digest: Self.digest(parts), changeFilter: configuration.changeFilter(gitattributes: gitattributes))
    }

    var identityCache: String { repo.commonDirectory + "/shipmeter/identity" }

    /// FNV-1a over the parts, each length-prefixed.
    static func digest(_ parts: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for byte in Array("\(part.utf8.count):".utf8) + Array(part.utf8) {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
        }
        return String(hash, radix: 16)
    }

    // MARK: - From scratch

    private func fromScratch(_ context: Context) async throws -> Outcome? {
        let snapshot = try RepositorySnapshot.load(repo, configuration: context.configuration, deployLogs: context.deployLogs)
        for note in snapshot.notes { Output.diagnostic("note: \(note)") }
        let identity = snapshot.identity
        if context.scope.remotes.isEmpty {
            try? FileManager.default.createDirectory(atPath: (identityCache as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? identity.write(toFile: identityCache, atomically: true, encoding: .utf8)
        }
        let repository = try await ledger.repositoryID(identity: identity, name: snapshot.name)
        let previous = try await ledger.state(repository: repository)
        let known = Set(try await ledger.deployments(repository: repository).map { $0.environment + "\u{1F}" + $0.id })
        // Every record up to the mark (and any ingested meanwhile: joining them twice is harmless),
        // decoded straight from the rows.
        let mark = try await ledger.usageMark()
        let batch = try await ledger.batch(since: nil, until: nil)
        let joinEnvironment = snapshot.environment(requested: environment)
        let joins = snapshot.join(batch, environment: joinEnvironment, until: Date())
        let settings = Self.digest([context.digest, joinEnvironment ?? ""])
        let history = snapshot.history
        let graph = history.graph
        let timeline = snapshot.timeline

        // Lines of every shipped non-merge commit and every attributed one, worked out in parallel.
        var needed = Set<Int>()
        for set in timeline.shipped { for commit in set where !history.facts[commit].isMerge { needed.insert(commit) } }
        for join in joins { if let commit = join.commit { needed.insert(commit) } }
        let diffs = RepositoryDiffs(repository: repo, graph: graph, filter: context.changeFilter)
        diffs.fetchMissing = fetchMissing
        diffs.prefetch(Array(needed))

        var change = AttributionChange(
            identity: identity, name: snapshot.name, expectedRevision: previous?.revision, replacesAll: true,
            state: LedgerRepositoryState(revision: 0, tips: context.collected.tips.map(\.hex), settings: settings,
                                         usageMark: mark, remotes: context.scope.remotes + context.scope.roots))
        change.commits = history.facts.indices.map { number in
            let facts = history.facts[number]
            let team = ReportBuilder.team(person: facts.person, people: snapshot.people, codeOwners: snapshot.codeOwners) { diffs.stats(of: number) }
            guard needed.contains(number), let measure = diffs.measure(of: number) else { return Self.ledgerCommit(facts, team: team, lines: nil, measure: nil) }
            return Self.ledgerCommit(facts, team: team, lines: diffs.linesChanged(of: number), measure: measure)
        }
        change.deployments = timeline.deployments.indices.map { index in
            let deployment = timeline.deployments[index]
            return .init(environment: deployment.environment, id: deployment.id, ref: deployment.ref, commit: deployment.commit.hex, time: deployment.time,
                         status: deployment.status.rawValue, kind: deployment.kind.rawValue, shipped: timeline.shipped[index].map { graph.ids[$0].hex })
        }
        change.joins = zip(batch.records, joins).compactMap { record, join in
            guard let commit = join.commit, let confidence = join.confidence else { return nil }
            return .init(source: record.source, key: record.key, commit: graph.ids[commit].hex, confidence: confidence.rawValue)
        }
        change.actors = Self.actors(of: batch.records, people: snapshot.people)
        let newDeployments = change.deployments.filter { !known.contains($0.environment + "\u{1F}" + $0.id) }.count
        change.counts = ["mode_full": 1, "commits": change.commits.count, "deployments": change.deployments.count,
                         "new_deployments": newDeployments, "records": batch.records.count, "attributions": change.joins.count]
        guard try await ledger.apply(change, repository: repository, version: Shipmeter.version, started: Date()) else { return nil }
        return Outcome(name: snapshot.name, incremental: false, deployments: change.deployments.count, newDeployments: newDeployments,
                       commitsRead: graph.count, recordsConsidered: batch.records.count, attributions: change.joins.count,
                       changedAttributions: change.joins.count, unknownLines: diffs.unknownLines.count)
    }

    static func ledgerCommit(_ facts: CommitFacts, team: String, lines: Int?, measure: ChangeMeasure?) -> LedgerCommit {
        LedgerCommit(
            id: facts.id.hex, authorTime: facts.authorTime.seconds, person: facts.person, authorName: facts.authorName,
            isMerge: facts.isMerge, isBot: facts.isBot, summary: facts.summary, signals: facts.signals,
            sessions: facts.sessions.map { LedgerSession(agent: $0.agent ?? "", id: $0.id) },
            agent: facts.agent, model: facts.model, reverts: facts.reverts?.hex, team: team, lines: lines, measure: measure)
    }

    static func facts(_ commit: LedgerCommit) -> CommitFacts? {
        guard let id = try? ObjectID(hex: commit.id) else { return nil }
        return CommitFacts(
            id: id, person: commit.person, authorName: commit.authorName, authorTime: GitTime(seconds: commit.authorTime),
            isMerge: commit.isMerge, isBot: commit.isBot, summary: commit.summary, signals: commit.signals,
            sessions: commit.sessions.map { SessionReference(agent: $0.agent.isEmpty ? nil : $0.agent, id: $0.id) },
            agent: commit.agent, model: commit.model, reverts: commit.reverts.flatMap { try? ObjectID(hex: $0) })
    }

    static func actors(of records: [UsageRecord], people: People) -> [LedgerActor] {
        Set(records.compactMap(\.actor)).sorted().map { actor in
            let person = people.canonical(email: actor)
            return LedgerActor(actor: actor, person: person, team: people.team(of: person) ?? People.unassigned, bot: people.isBot(email: actor))
        }
    }

    // MARK: - Incremental

    /// `.startOver` when the stored state cannot be extended (settings changed, deployments
    /// rewritten or added out of order, history unreadable past the old tips).
    private func incremental(_ context: Context, identity: String, repository: Int64, state: LedgerRepositoryState) async throws -> Attempt {
        let started = Date()
        let stored = try await ledger.deployments(repository: repository)
        var storedByKey = [String: UsageLedger.Attribution.StoredDeployment]()
        for deployment in stored { storedByKey[deployment.environment + "\u{1F}" + deployment.id] = deployment }

        // Deployments: the stored ones must be unchanged, the new ones later than them.
        var current = [String: Deployment]()
        for deployment in context.collected.deployments where current[deployment.environment + "\u{1F}" + deployment.id] == nil {
            current[deployment.environment + "\u{1F}" + deployment.id] = deployment
        }
        for (key, deployment) in storedByKey {
            guard let now = current[key], now.commit.hex == deployment.commit, (now.status == .failure) == (deployment.status == Deployment.Status.failure.rawValue) else {
                return .startOver
            }
        }
        let fresh = current.filter { storedByKey[$0.key] == nil }.values.sorted { ($0.environment, $0.time, $0.id) < ($1.environment, $1.time, $1.id) }
        for deployment in fresh {
            let last = stored.filter { $0.environment == deployment.environment }.max { ($0.time, $0.id) < ($1.time, $1.id) }
            if let last, (deployment.time, deployment.id) <= (last.time, last.id) { return .startOver }
        }
        var counts = [String: Int]()
        for deployment in stored { counts[deployment.environment, default: 0] += 1 }
        for deployment in fresh { counts[deployment.environment, default: 0] += 1 }
        let joinEnvironment = ReportBuilder.defaultEnvironment(counts: counts, configured: environment ?? context.configuration.reportEnvironment)
        // The environment that decides between a session's commits is part of the settings: when
        // it changes (another became the busiest), everything is joined again.
        let settings = Self.digest([context.digest, joinEnvironment ?? ""])
        guard settings == state.settings else { return .startOver }

        // New commits: beyond the tips the last run walked.
        var newFacts = [CommitFacts]()
        do {
            let walk = try RevisionWalk(repo)
            for tip in context.collected.tips { try walk.push(tip) }
            for tip in state.tips { if let id = try? ObjectID(hex: tip) { try? walk.hide(id) } }
            let ids = try walk.all()
            let noted = ids.isEmpty ? [] : try repo.notedCommits(notesRef: "refs/notes/ai")
            for id in ids {
                newFacts.append(History.facts(for: try repo.commit(id), people: context.people, detector: context.configuration.aiDetector,
                                              noted: noted.contains(id)))
            }
        } catch {
            return .startOver  // e.g. a shallow boundary: the full read treats it as a root
        }
        var newByID = [String: CommitFacts]()
        for facts in newFacts { newByID[facts.id.hex] = facts }

        var change = AttributionChange(
            identity: identity, name: context.name, expectedRevision: state.revision, replacesAll: false,
            state: LedgerRepositoryState(revision: 0, tips: context.collected.tips.map(\.hex), settings: settings,
                                         usageMark: state.usageMark, remotes: context.scope.remotes + context.scope.roots))

        // New deployments, environment by environment, continuing from the stored ones.
        var newlyShipped = [String: [String]]()  // environment → commits
        var placed = [AttributionChange.Deployment]()
        var rolledBack = Set<String>()
        for environmentName in Set(fresh.map(\.environment)).sorted() {
            var successes = stored.filter { $0.environment == environmentName && $0.kind != Deployment.Kind.failed.rawValue }
                .map { (key: $0.environment + "\u{1F}" + $0.id, commit: $0.commit, kind: $0.kind) }
            var shippedHere = [String]()
            for deployment in fresh where deployment.environment == environmentName {
                var kind = Deployment.Kind.forward
                var shipped = [String]()
                let key = deployment.environment + "\u{1F}" + deployment.id
                if deployment.status == .failure {
                    kind = .failed
                } else {
                    let commit = deployment.commit
                    let previous = successes.last.flatMap { try? ObjectID(hex: $0.commit) }
                    let isRollback = try previous.map { try $0 != commit && repo.isAncestor(commit, of: $0) } ?? false
                    if isRollback {
                        kind = .rollback
                        for earlier in successes.reversed() {
                            guard let earlierCommit = try? ObjectID(hex: earlier.commit) else { continue }
                            if try repo.isAncestor(earlierCommit, of: commit) { break }
                            if earlier.kind == Deployment.Kind.forward.rawValue { rolledBack.insert(earlier.key) }
                        }
                    } else {
                        let walk = try RevisionWalk(repo)
                        try walk.push(commit)
                        for earlier in successes { if let id = try? ObjectID(hex: earlier.commit) { try walk.hide(id) } }
                        shipped = try walk.all().map(\.hex)
                        kind = successes.isEmpty ? .baseline : (shipped.isEmpty ? .redeploy : .forward)
                    }
                    successes.append((key, commit.hex, kind.rawValue))
                }
                shippedHere += shipped
                placed.append(.init(environment: deployment.environment, id: deployment.id, ref: deployment.ref, commit: deployment.commit.hex,
                                    time: deployment.time, status: deployment.status.rawValue, kind: kind.rawValue, shipped: shipped.sorted()))
            }
            newlyShipped[environmentName] = shippedHere
        }
        for index in placed.indices where rolledBack.contains(placed[index].environment + "\u{1F}" + placed[index].id) {
            placed[index].status = Deployment.Status.rolledBack.rawValue
        }
        change.deployments = placed
        change.statuses = rolledBack.compactMap { key in
            guard let deployment = storedByKey[key], deployment.status != Deployment.Status.rolledBack.rawValue else { return nil }
            return (deployment.environment, deployment.id, Deployment.Status.rolledBack.rawValue)
        }

        // Stored commits a new deployment shipped (reachable before, shipped only now).
        let shippedIDs = Set(placed.flatMap(\.shipped))
        let shippedStored = try await ledger.commits(repository: repository, ids: shippedIDs.filter { newByID[$0] == nil }.sorted())

        // Records to (re)join: new ones, and those a new commit or a newly shipped one could claim.
        let mark = try await ledger.usageMark()
        change.state.usageMark = mark
        var records = [String: SequencedRecord]()
        func consider(_ found: [SequencedRecord]) {
            for item in found where item.sequence <= mark { records[item.record.identity] = item }
        }
        let seq = ledger.sequenceColumn
        consider(try await ledger.records(where: "\(seq) > ? AND \(seq) <= ?", [.integer(state.usageMark), .integer(mark)]))
        let window = context.configuration.inferenceWindowHours * 3600
        let authored = newFacts.filter { !$0.isMerge }.map { Double($0.authorTime.seconds) }
        if let first = authored.min(), let last = authored.max() {
            consider(try await ledger.records(where: "timestamp >= ? AND timestamp < ?", [.real(first - window - 1), .real(last + 1)]))
        }
        let prefixes = Self.prefixes(of: Array(newByID.keys))
        let linked = try await ledger.links(commits: prefixes, sessions: [])
        var sessions = Set(newFacts.flatMap { $0.sessions.map(\.id) })
        sessions.formUnion(linked.map(\.session))
        if let joinEnvironment, let shipped = newlyShipped[joinEnvironment] {
            for id in shipped { sessions.formUnion(newByID[id]?.sessions.map(\.id) ?? []) }
            let stored = Set(shipped)
            for commit in shippedStored where stored.contains(commit.id) { sessions.formUnion(commit.sessions.map(\.id)) }
        }
        consider(try await ledger.records(column: "session", in: sessions.sorted()))
        consider(try await ledger.records(column: "commit_id", in: prefixes))
        let rejoin = records.values.sorted { $0.sequence < $1.sequence }.map(\.record)

        // The part of history those records can reach: their people's commits around their
        // times, their sessions' commits, the commits they or their links name.
        var partial = [String: CommitFacts]()
        var teams = [String: String]()
        var storedLines = [String: Int?]()
        func add(_ commits: [LedgerCommit]) {
            for commit in commits where partial[commit.id] == nil {
                if let facts = Self.facts(commit) {
                    partial[commit.id] = facts
                    storedLines[commit.id] = commit.lines
                }
            }
        }
        for facts in newFacts { partial[facts.id.hex] = facts }
        add(shippedStored)
        var batch = UsageBatch()
        for record in rejoin { batch.add(record) }
        batch.links = try await ledger.links(commits: [], sessions: Array(Set(rejoin.compactMap(\.session))).sorted()) + linked
        if !rejoin.isEmpty {
            let persons = Set(rejoin.compactMap(\.actor).map { context.people.canonical(email: $0) }).sorted()
            let times = rejoin.map { $0.timestamp.timeIntervalSince1970 }
            if let low = times.min(), let high = times.max(), !persons.isEmpty {
                let list = Array(repeating: "?", count: persons.count).joined(separator: ",")
                add(try await ledger.commits(where: "c.repository_id = ? AND c.person IN (\(list)) AND c.author_time >= ? AND c.author_time <= ?",
                                             [.integer(repository)] + persons.map(SQLValue.text) + [.real(low.rounded(.down) - 1), .real(high + window + 1)]).map(\.commit))
            }
            add(try await ledger.commits(repository: repository, sessions: Array(Set(rejoin.compactMap(\.session))).sorted()))
            let named = Set(rejoin.compactMap(\.commit) + batch.links.map(\.commit)).map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
            for name in named where name.count >= 7 && name.count <= 40 && name.allSatisfy(\.isHexDigit) {
                add(try await ledger.commits(where: "c.repository_id = ? AND c.commit_id >= ? AND c.commit_id < ?",
                                             [.integer(repository), .text(name), .text(name + "g")]).map(\.commit))
            }
        }
        let order = partial.keys.sorted()
        let factsList = order.compactMap { partial[$0] }
        let history = History(graph: CommitGraph(detached: factsList.map(\.id), authorTimes: factsList.map(\.authorTime)), facts: factsList)
        var shippedInEnvironment = Set<String>()
        if let joinEnvironment {
            shippedInEnvironment = try await ledger.shipped(repository: repository, environment: joinEnvironment, commits: order)
            shippedInEnvironment.formUnion(newlyShipped[joinEnvironment] ?? [])
        }
        let joiner = UsageJoiner(history: history, people: context.people, scope: context.scope, windowHours: context.configuration.inferenceWindowHours) { number in
            shippedInEnvironment.contains(history.graph.ids[number].hex)
        }
        let joins = joiner.join(batch.records, links: batch.links)
        let previous = try await ledger.attributions(repository: repository, records: batch.records)
        var attributedCommits = Set<String>()
        for (record, join) in zip(batch.records, joins) {
            let before = previous[record.identity]
            if let commit = join.commit, let confidence = join.confidence {
                let id = history.graph.ids[commit].hex
                attributedCommits.insert(id)
                if before?.commit != id || before?.confidence != confidence.rawValue {
                    change.joins.append(.init(source: record.source, key: record.key, commit: id, confidence: confidence.rawValue))
                }
            } else if before != nil {
                change.unjoined.append((record.source, record.key))
            }
        }

        // Commits to store, with teams and the lines a report will read.
        let wantsLines = Set(placed.flatMap(\.shipped)).union(attributedCommits)
        var measurer = ChangeMeasurer(filter: context.changeFilter)
        var unknownLines = Set<String>()
        /// Lines and measure of a commit; nil when its blobs are missing (its lines stay unknown).
        func lines(_ id: String) -> (lines: Int, measure: ChangeMeasure)? {
            guard let commit = try? ObjectID(hex: id) else { return nil }
            guard let (stats, measure) = try? repo.measuredChange(for: commit, measurer: &measurer, fetchingMissing: fetchMissing), let measure else {
                unknownLines.insert(id)
                return nil
            }
            return (stats.linesChanged, measure)
        }
        change.commits = newFacts.map { facts in
            let id = facts.id.hex
            if teams[id] == nil {
                teams[id] = ReportBuilder.team(person: facts.person, people: context.people, codeOwners: context.codeOwners) { try? repo.diffStats(for: facts.id) }
            }
            let wanted = wantsLines.contains(id) && !(facts.isMerge && !attributedCommits.contains(id))
            let read = wanted ? lines(id) : nil
            return Self.ledgerCommit(facts, team: teams[id] ?? People.unassigned, lines: read?.lines, measure: read?.measure)
        }
        for id in wantsLines where newByID[id] == nil {
            guard let known = storedLines[id], known == nil, let facts = partial[id], !facts.isMerge || attributedCommits.contains(id) else { continue }
            if let read = lines(id) {
                change.lines[id] = read.lines
                change.measures[id] = read.measure
            }
        }
        // Stored commits not in `partial` that were attributed: make sure their lines are known.
        let outsidePartial = attributedCommits.filter { partial[$0] == nil }
        if !outsidePartial.isEmpty {
            for commit in try await ledger.commits(repository: repository, ids: outsidePartial.sorted()) where commit.lines == nil {
                if let read = lines(commit.id) {
                    change.lines[commit.id] = read.lines
                    change.measures[commit.id] = read.measure
                }
            }
        }
        change.actors = Self.actors(of: rejoin, people: context.people)
        let changed = change.joins.count + change.unjoined.count
        change.counts = ["mode_incremental": 1, "commits": newFacts.count, "deployments": stored.count + placed.count,
                         "new_deployments": placed.count, "records": rejoin.count, "changed": changed]
        guard try await ledger.apply(change, repository: repository, version: Shipmeter.version, started: started) else { return .conflict }
        let total = try await ledger.select("SELECT count(*) FROM attributions WHERE repository_id = ?", [.integer(repository)]).first?.first?.integer ?? 0
        return .done(Outcome(name: context.name, incremental: true, deployments: stored.count + placed.count, newDeployments: placed.count,
                             commitsRead: newFacts.count, recordsConsidered: rejoin.count, attributions: Int(total), changedAttributions: changed,
                             unknownLines: unknownLines.count))
    }

    /// Every abbreviation (7 to 40 digits) of `ids`, as records may name them.
    static func prefixes(of ids: [String]) -> [String] {
        var result = [String]()
        for id in ids where id.count == 40 {
            for length in 7...40 { result.append(String(id.prefix(length))) }
        }
        return result
    }
}
