import Foundation
import GitKit
import WorkProgress

/// A position in a `History` (and in the commit graph it was read with).
public typealias CommitIndex = Int

/// The commits attribution sees, numbered, with their facts, indexed by id, person and session.
/// Read from a repository (numbered as its commit graph) or from a ledger.
public struct History: Sendable {
    public let facts: [CommitFacts]
    /// Commit number per id.
    private let numbers: [ObjectID: CommitIndex]
    /// Commit numbers per canonical author, by author time.
    public let commitsByPerson: [String: [Int]]
    /// Commit numbers per named session id, by author time.
    public let commitsBySession: [String: [Int]]

    /// Loads every commit reachable from `tips` (one pass over the object database), numbered as
    /// the graph read with them.
    public static func load(
        _ repository: Repository, tips: [ObjectID], people: People, detector: AISignalDetector, rework: ReworkRule = ReworkRule()
    ) throws -> (graph: CommitGraph, history: History) {
        let noted = try repository.notedCommits(notesRef: "refs/notes/ai")
        var facts = [CommitFacts?]()
        WorkProgress.begin("reading history", unit: "commits")
        let graph = try CommitGraph.load(repository, tips: tips) { number, commit in
            WorkProgress.advance()
            if number >= facts.count { facts.append(contentsOf: repeatElement(nil, count: number - facts.count + 1)) }
            facts[number] = Self.facts(
                for: commit, people: people, detector: detector, rework: rework, noted: noted.contains(commit.id),
                noteSessions: noted.contains(commit.id) ? Self.noteSessionKeys(repository, commit.id) : [])
        }
        let complete = facts.compactMap { $0 }
        precondition(complete.count == graph.count, "every loaded commit was visited")
        return (graph, History(facts: complete))
    }

    public init(facts: [CommitFacts]) {
        self.facts = facts
        var numbers = [ObjectID: CommitIndex](minimumCapacity: facts.count)
        // The same commit in two repositories (a ledger's report): the first is found by id.
        for (number, fact) in facts.enumerated() where numbers[fact.id] == nil { numbers[fact.id] = number }
        self.numbers = numbers
        var byPerson = [String: [Int]]()
        var bySession = [String: [Int]]()
        for (number, fact) in facts.enumerated() {
            byPerson[fact.person, default: []].append(number)
            for session in fact.sessions { bySession[session.id, default: []].append(number) }
        }
        let byTime: (Int, Int) -> Bool = { (facts[$0].authorTime.seconds, $0) < (facts[$1].authorTime.seconds, $1) }
        for key in byPerson.keys { byPerson[key]?.sort(by: byTime) }
        for key in bySession.keys { bySession[key]?.sort(by: byTime) }
        commitsByPerson = byPerson
        commitsBySession = bySession
    }

    public var count: Int { facts.count }

    /// The number of the commit `id`, when it is here.
    public func number(of id: ObjectID) -> CommitIndex? { numbers[id] }

    /// The id of commit `number`.
    public func id(_ number: CommitIndex) -> ObjectID { facts[number].id }

    /// The git-ai session keys (`s_…`) a commit's `refs/notes/ai` note names.
    public static func noteSessionKeys(_ repository: Repository, _ commit: ObjectID) -> [String] {
        guard let text = try? repository.note(for: commit, notesRef: AILineReader.notesRef) else { return [] }
        return GitAINote(text: text).sessionKeys.sorted()
    }

    /// The agent name git-ai session keys are filed under in `sessions`.
    public static let gitAIAgent = "git-ai"

    /// What attribution reads from one commit; `noteSessions` are the git-ai session keys its
    /// note names, kept as sessions of agent `git-ai` (a usage record whose session hashes to
    /// one joins it explicitly).
    public static func facts(
        for commit: Commit, people: People, detector: AISignalDetector, rework: ReworkRule = ReworkRule(), noted: Bool,
        noteSessions: [String] = []
    ) -> CommitFacts {
        let (trailers, embedded) = Trailer.read(message: commit.message)
        let summary = commit.summary
        let signals = detector.signals(for: commit, summary: summary, trailers: trailers, embedded: embedded, hasAINote: noted)
        var sessions = [SessionReference]()
        var agent: String?
        var model: String?
        for trailer in trailers {
            switch trailer.key.lowercased() {
            case "ai-session":
                if let reference = SessionReference.parse(trailer.value) {
                    sessions.append(reference)
                    agent = agent ?? reference.agent
                }
            case "claude-session":
                if let reference = SessionReference.parse(trailer.value, defaultAgent: "claude-code") {
                    sessions.append(reference)
                    agent = agent ?? "claude-code"
                }
            case "assisted-by", "generated-by":
                guard AISignalDetector.namesAgentOrModel(trailer.value) else { continue }
                let value = AISignalDetector.splitIdentity(trailer.value).name
                if let colon = value.firstIndex(of: ":") {
                    agent = agent ?? String(value[..<colon]).trimmingCharacters(in: .whitespaces)
                    model = model ?? String(value[value.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                } else {
                    agent = agent ?? value.trimmingCharacters(in: .whitespaces)
                }
            default:
                continue
            }
        }
        if agent == nil, let coAuthor = signals.first(where: { $0.hasPrefix(AISignalDetector.Signal.coAuthoredBy + ":") }) {
            agent = String(coAuthor.dropFirst(AISignalDetector.Signal.coAuthoredBy.count + 1))
        }
        if agent == nil, let squashed = signals.first(where: { $0.hasPrefix(AISignalDetector.Signal.squashedTrailer + ":") }) {
            agent = String(squashed.dropFirst(AISignalDetector.Signal.squashedTrailer.count + 1))
        }
        if agent == nil, signals.contains(where: { $0.hasPrefix("aider") }) { agent = "aider" }
        if agent == nil, signals.contains(AISignalDetector.Signal.copilotAgent) { agent = "copilot" }
        if agent == nil, signals.contains(AISignalDetector.Signal.madeWithCursor) { agent = "cursor" }
        if agent == nil, signals.contains(AISignalDetector.Signal.generatedWithClaudeCode) { agent = "claude-code" }
        var facts = CommitFacts(
            id: commit.id,
            person: people.canonical(name: commit.author.name, email: commit.author.email),
            authorName: people.displayName(name: commit.author.name, email: commit.author.email),
            authorTime: commit.author.time,
            isMerge: commit.isMerge,
            isBot: people.isBot(name: commit.author.name, email: commit.author.email),
            summary: summary,
            signals: signals, sessions: sessions + noteSessions.map { SessionReference(agent: gitAIAgent, id: $0) }, agent: agent, model: model,
            reverts: Self.revertedCommit(commit.message))
        facts.parents = commit.parents
        facts.committerTime = commit.committer.time
        facts.merge = MergeReference.parse(message: commit.message, trailers: trailers, isMerge: commit.isMerge)
        facts.isHotfix = rework.isHotfix(summary: summary, trailers: trailers)
        return facts
    }

    static func revertedCommit(_ message: String) -> ObjectID? {
        let marker = Array("This reverts commit ".utf8)
        let bytes = Array(message.utf8)
        guard bytes.count >= marker.count + 40 else { return nil }
        var index = 0
        // Byte search: Foundation's range(of:) bridges the whole message, once per commit.
        while index <= bytes.count - marker.count - 40 {
            if bytes[index] == marker[0], bytes[index..<(index + marker.count)].elementsEqual(marker) {
                let start = index + marker.count
                return try? ObjectID(hex: String(decoding: bytes[start..<(start + 40)], as: UTF8.self))
            }
            index += 1
        }
        return nil
    }
}
