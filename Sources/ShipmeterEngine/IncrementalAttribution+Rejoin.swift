import Attribution
import Foundation
import GitKit
import Ledger
import Usage

extension IncrementalAttribution {
    /// The records a run joins again, in ingest order, with the session links they need.
    struct Rejoin {
        var records: [UsageRecord]
        var links: [SessionCommitLink]
    }

    /// New records, and those a new commit or a newly shipped one could claim: in the windows of
    /// new commits, of their sessions (or sessions linked to them), naming them.
    func recordsToRejoin(
        newFacts: [CommitFacts], newByID: [String: CommitFacts], mark: Int64, newlyShipped: [String], shippedStored: [StoredCommit],
        joinEnvironment: String?
    ) async throws -> Rejoin {
        var records = [UsageRecord.Identity: SequencedRecord]()
        func consider(_ found: [SequencedRecord]) {
            for item in found where item.sequence <= mark { records[item.record.identity] = item }
        }
        consider(try await ledger.records(ingestedAfter: state.usageMark, through: mark))
        let window = context.configuration.inferenceWindowHours * 3600
        let authored = newFacts.filter { !$0.isMerge }.map { Double($0.authorTime.seconds) }
        if let first = authored.min(), let last = authored.max() {
            consider(try await ledger.records(madeFrom: first - window - 1, to: last + 1))
        }
        let newIDs = newFacts.map(\.id.hex)
        let prefixes = Self.prefixes(of: newIDs)
        let linked = try await ledger.links(commits: prefixes, sessions: [])
        var sessions = Set(newFacts.flatMap { $0.sessions.map(\.id) })
        sessions.formUnion(linked.map(\.session))
        if joinEnvironment != nil {
            for id in newlyShipped { sessions.formUnion(newByID[id]?.sessions.map(\.id) ?? []) }
            let shipped = Set(newlyShipped)
            for commit in shippedStored where shipped.contains(commit.id) { sessions.formUnion(commit.facts.sessions.map(\.id)) }
        }
        consider(try await ledger.records(sessions: sessions.sorted()))
        consider(try await ledger.records(naming: prefixes))
        let rejoin = records.values.sorted { $0.sequence < $1.sequence }.map(\.record)
        let links = try await ledger.links(commits: [], sessions: Array(Set(rejoin.compactMap(\.session))).sorted()) + linked
        return Rejoin(records: rejoin, links: links)
    }

    /// Every abbreviation (7 to 40 digits) of `ids`, as records may name them.
    static func prefixes(of ids: [String]) -> [String] {
        var result = [String]()
        for id in ids where id.count == 40 {
            for length in 7...40 { result.append(String(id.prefix(length))) }
        }
        return result
    }

    // MARK: - Partial history

    /// The part of history the records can reach, by commit id: new commits, stored ones newly
    /// shipped, the records' people's commits around their times, their sessions' commits, and
    /// the commits they or their links name.
    struct Partial {
        var history: History
        /// The same commits by id.
        var facts: [String: CommitFacts]
        /// Lines stored of the stored commits here (nil: never worked out).
        var storedLines: [String: Int?]
    }

    func partialHistory(newFacts: [CommitFacts], shippedStored: [StoredCommit], rejoin: Rejoin) async throws -> Partial {
        var facts = [String: CommitFacts]()
        var storedLines = [String: Int?]()
        func add(_ commits: [StoredCommit]) {
            for commit in commits where facts[commit.id] == nil {
                facts[commit.id] = commit.facts
                storedLines[commit.id] = commit.lines
            }
        }
        for fact in newFacts { facts[fact.id.hex] = fact }
        add(shippedStored)
        let records = rejoin.records
        if !records.isEmpty {
            let window = context.configuration.inferenceWindowHours * 3600
            let persons = Set(records.compactMap(\.actor).map { context.people.canonical(email: $0) }).sorted()
            let times = records.map { $0.timestamp.timeIntervalSince1970 }
            if let low = times.min(), let high = times.max(), !persons.isEmpty {
                add(
                    try await ledger.commits(
                        repository: repository, persons: persons, authoredFrom: low.rounded(.down) - 1, through: high + window + 1))
            }
            // Sessions by id (trailers) and by git-ai's key for them (notes).
            let names = records.flatMap { record in UsageJoiner.sessionNames(of: record).map(\.session) }
            add(try await ledger.commits(repository: repository, sessions: Array(Set(names)).sorted()))
            let named = Set(records.compactMap(\.commit) + rejoin.links.map(\.commit)).map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
            for name in named where name.count >= 7 && name.count <= 40 && name.allSatisfy(\.isHexDigit) {
                add(try await ledger.commits(repository: repository, idPrefix: name))
            }
        }
        return Partial(history: History(facts: facts.keys.sorted().compactMap { facts[$0] }), facts: facts, storedLines: storedLines)
    }

    // MARK: - Joins

    struct JoinChanges {
        var joins: [StoredJoin] = []
        var unjoined: [(source: String, key: String)] = []
        /// Commits the re-joined records are attributed to now.
        var attributed = Set<String>()
    }

    /// Joins the records over the partial history; returns what differs from what is stored.
    func joinChanges(_ rejoin: Rejoin, partial: Partial, shippedHere: Set<String>) async throws -> JoinChanges {
        let history = partial.history
        let joiner = UsageJoiner(
            history: history, people: context.people, scope: context.scope,
            windowHours: context.configuration.inferenceWindowHours
        ) { shippedHere.contains(history.id($0).hex) }
        let joins = joiner.join(rejoin.records, links: rejoin.links)
        let previous = try await ledger.attributions(repository: repository, records: rejoin.records)
        var changes = JoinChanges()
        for (record, join) in zip(rejoin.records, joins) {
            let before = previous[record.identity]
            if case .attributed(let commit, let confidence) = join {
                let id = history.id(commit).hex
                changes.attributed.insert(id)
                if before?.commit != id || before?.confidence != confidence {
                    changes.joins.append(StoredJoin(source: record.source, key: record.key, commit: id, confidence: confidence))
                }
            } else if before != nil {
                changes.unjoined.append((record.source, record.key))
            }
        }
        return changes
    }

    // MARK: - Stored change

    /// Lines and measures read this run, and the commits whose blobs were missing.
    struct Measured {
        let run: AttributionRun
        var measurer: ChangeMeasurer
        var unknown = Set<String>()
        /// git-ai notes and the work tree's Agent Trace file; nil when the repository has neither.
        let lineAuthors: AILineReader?

        init(run: AttributionRun) {
            self.run = run
            measurer = ChangeMeasurer(filter: run.context.changeFilter)
            lineAuthors = AILineReader.ifAny(in: run.context.repository)
        }

        /// Lines an agent wrote that the commit adds; nil when no record covers it.
        func aiLines(_ id: ObjectID) -> Int? {
            lineAuthors?.lines(of: id, in: run.context.repository)
        }

        /// Lines and measure of a commit; nil when its blobs are missing (its lines stay unknown).
        mutating func read(_ id: String) -> (lines: Int, measure: ChangeMeasure)? {
            guard let commit = try? ObjectID(hex: id) else { return nil }
            guard
                let (stats, measure) = try? run.context.repository.measuredChange(
                    for: commit, measurer: &measurer, fetchingMissing: run.fetchMissing),
                let measure
            else {
                unknown.insert(id)
                return nil
            }
            return (stats.linesChanged, measure)
        }
    }

    /// New commits with their teams and, where a report will read them (shipped or attributed,
    /// merges only when attributed), their lines; and the lines of stored commits that now need them.
    func storeCommits(
        _ newFacts: [CommitFacts], partial: Partial, wantsLines: Set<String>, attributed: Set<String>,
        into change: inout AttributionChange, measured: inout Measured
    ) async throws {
        let newIDs = Set(newFacts.map(\.id.hex))
        change.commits = newFacts.map { facts in
            let id = facts.id.hex
            let team = CommitTeam.resolve(person: facts.person, people: context.people, codeOwners: context.codeOwners) {
                try? repo.diffStats(for: facts.id)
            }
            let wanted = wantsLines.contains(id) && !(facts.isMerge && !attributed.contains(id))
            let read = wanted ? measured.read(id) : nil
            return StoredCommit(
                facts: facts, team: team, lines: read?.lines, measure: read?.measure, aiLines: wanted ? measured.aiLines(facts.id) : nil)
        }
        for id in wantsLines where !newIDs.contains(id) {
            guard let known = partial.storedLines[id], known == nil, let facts = partial.facts[id], !facts.isMerge || attributed.contains(id) else {
                continue
            }
            if let read = measured.read(id) {
                change.lines[id] = read.lines
                change.measures[id] = read.measure
            }
        }
        // Stored commits outside the partial history that were attributed: their lines must be known.
        let outside = attributed.filter { partial.facts[$0] == nil }
        guard !outside.isEmpty else { return }
        for commit in try await ledger.commits(repository: repository, ids: outside.sorted()) where commit.lines == nil {
            if let read = measured.read(commit.id) {
                change.lines[commit.id] = read.lines
                change.measures[commit.id] = read.measure
            }
        }
    }
}
