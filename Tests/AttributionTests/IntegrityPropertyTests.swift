import Attribution
import Foundation
import GitKit
import ShipmeterTestSupport
import Testing
import Usage

/// A generated history of two teams' work, held in memory: the real report builder, deployment
/// rule and change measures over synthetic diffs, with no repository to build. Each property
/// runs over many seeds; each case changes the history in one way a gamer would and compares
/// every team's normalised deployments before and after.
struct World {
    struct Change {
        var team: String
        var files: [FileChange]
        var reverts: Int?
    }

    var changes: [Change] = []
    /// Each deployment ships these changes (indices), in this order.
    var deployments: [[Int]] = []

    static let teams = ["honest", "gamer"]
    static let words = [
        "request", "payload", "retry", "budget", "cache", "ledger", "window", "token", "handler", "status", "session",
        "refund", "merchant", "invoice", "cursor", "metric", "queue", "worker", "schema", "record", "parser", "reader",
        "writer", "buffer", "stream", "socket", "router", "filter", "mapper", "reducer", "config", "option",
    ]

    /// A statement of real code (one generated shape would be a same-shape run, a template).
    static func line(_ random: inout SeededGenerator) -> String {
        RealCode.line(&random)
    }

    static func work(team: String, lines: Int, numbered: Bool = false, _ random: inout SeededGenerator) -> Change {
        let path = "src/\(team)/\(words[Int(random.next() % 32)])_\(random.next() % 1000).swift"
        // Numbered lines (`case_17 = check(17)`) are what generated data and many tests look like.
        let text = (0..<lines).map { index in numbered && index % 2 == 0 ? "case_\(random.next() % 10_000) = check(\(index))" : line(&random) }
        return Change(team: team, files: [FileChange(path: path, added: text)])
    }

    /// Both teams' work, 3–8 changes of 5–40 lines each, shipped in deployments of 1–3 changes
    /// (each well under the deployment unit).
    static func generate(seed: UInt64, numbered: Bool = false) -> World {
        var random = SeededGenerator(seed: seed)
        var world = World()
        for team in teams {
            for _ in 0..<(3 + Int(random.next() % 6)) {
                world.changes.append(work(team: team, lines: 5 + Int(random.next() % 36), numbered: numbered, &random))
            }
        }
        var order = Array(world.changes.indices)
        order.shuffle(using: &random)
        while !order.isEmpty {
            let take = min(order.count, 1 + Int(random.next() % 3))
            world.deployments.append(Array(order.prefix(take)))
            order.removeFirst(take)
        }
        return world
    }

    /// Normalised deployments per team under `worth`.
    func report(_ worth: DeploymentWorth = DeploymentWorth(), groupBy: GroupBy = .team) -> [String: Double] {
        var result = Dictionary(uniqueKeysWithValues: Self.teams.map { ($0, 0.0) })
        for group in build(worth, groupBy: groupBy).groups { result[group.key] = group.normalisedDeployments }
        return result
    }

    /// The whole report under `worth`; `usage` gives the tokens of the usage record joined to each
    /// change (by index) — a change without one has no record.
    func build(_ worth: DeploymentWorth = DeploymentWorth(), groupBy: GroupBy = .team, usage: [Int: Int64] = [:]) -> Report {
        // Commit 0 is the baseline's; change i is commit i + 1, authored in shipping order.
        var shippingOrder = [Int]()
        for deployment in deployments { shippingOrder += deployment }
        var authored = [Int: Int64]()
        for (position, change) in shippingOrder.enumerated() { authored[change] = base + Int64(position + 1) * 60 }
        let ids = (0...changes.count).map { try! ObjectID(hex: String(repeating: "0", count: 32) + String(format: "%08x", $0 + 1)) }
        var facts = [
            CommitFacts(
                id: ids[0], person: "root@acme.test", authorName: "root", authorTime: GitTime(seconds: base), isMerge: false,
                isBot: false, summary: "root", signals: [], sessions: [], agent: nil, model: nil, reverts: nil)
        ]
        for (index, change) in changes.enumerated() {
            facts.append(
                CommitFacts(
                    id: ids[index + 1], person: "\(change.team)@acme.test", authorName: change.team,
                    authorTime: GitTime(seconds: authored[index] ?? base), isMerge: false, isBot: false, summary: "change \(index)",
                    signals: [], sessions: [], agent: nil, model: nil, reverts: change.reverts.map { ids[$0 + 1] }))
        }
        let history = History(facts: facts)
        var stored = [ClassifiedDeployment](), shipped = [[Int]]()
        let baseline = Deployment(
            environment: "production", id: "d000", ref: "", commit: ids[0], time: Date(timeIntervalSince1970: TimeInterval(base)), status: .success)
        stored.append(ClassifiedDeployment(baseline, kind: .baseline))
        shipped.append([0])
        for (number, deployment) in deployments.enumerated() where !deployment.isEmpty {
            let time = Date(timeIntervalSince1970: TimeInterval(base + Int64(number + 1) * 86_400))
            let shippedNow = Deployment(
                environment: "production", id: String(format: "d%03d", number + 1), ref: "",
                commit: ids[deployment[deployment.count - 1] + 1], time: time, status: .success)
            stored.append(ClassifiedDeployment(shippedNow, kind: .forward))
            shipped.append(deployment.map { $0 + 1 })
        }
        let timeline = DeploymentTimeline(stored: stored, shipped: shipped, commitCount: ids.count)
        var configuration = Configuration()
        configuration.teams = Self.teams.map { Configuration.Team(name: $0, members: ["\($0)@acme.test"]) }
        let people = People(configuration: configuration)
        let commits = SyntheticCommits([[]] + changes.map(\.files), teams: facts.map { people.team(ofPerson: $0.person) ?? People.unassigned })
        var records = [UsageRecord](), joins = [RecordJoin]()
        for (change, tokens) in usage.sorted(by: { $0.key < $1.key }) {
            records.append(
                UsageRecord(
                    source: "jsonl", key: "r\(change)", timestamp: Date(timeIntervalSince1970: TimeInterval(authored[change] ?? base)),
                    actor: "\(changes[change].team)@acme.test", model: "claude-sonnet-4-5", input: tokens, output: 0,
                    cacheWrite: 0, cacheRead: 0, costUSD: Decimal(tokens) / 1_000_000))
            joins.append(.attributed(change + 1, .explicit))
        }
        let input = ReportInput(
            history: history, timeline: timeline, records: records, joins: joins, people: people, commits: commits, repositories: ["world"])
        let builder = ReportBuilder(input, worth: worth)
        return builder.build(
            since: Date(timeIntervalSince1970: TimeInterval(base)),
            until: Date(timeIntervalSince1970: TimeInterval(base + Int64(deployments.count + 2) * 86_400)),
            environment: "production", groupBy: groupBy)
    }
}

/// Synthetic commits, measured as a repository's would be.
struct SyntheticCommits: CommitDetails {
    let files: [[FileChange]]
    let teams: [String]
    init(_ files: [[FileChange]], teams: [String]) { (self.files, self.teams) = (files, teams) }
    func team(of commit: Int) -> String { teams[commit] }
    func linesChanged(of commit: Int) -> Int { files[commit].reduce(0) { $0 + $1.added.count + $1.deleted.count } }
    func measure(of commit: Int) -> ChangeMeasure? { measured(files[commit]) }
}

/// Every team's figure changed by at most `tolerance` of its value (or of 0.01 ND, when tiny).
func within(_ before: [String: Double], _ after: [String: Double], _ tolerance: Double = 0.10) -> Bool {
    before.allSatisfy { team, value in abs((after[team] ?? 0) - value) <= tolerance * max(value, 0.01) }
}

/// How each property changes a world; applied to many generated worlds.
enum Gaming {
    /// One deployment's changes shipped as one deployment each.
    static func splitDeployment(_ world: World, _ random: inout SeededGenerator) -> World {
        var world = world
        guard let index = world.deployments.indices.filter({ world.deployments[$0].count > 1 }).randomElement(using: &random) else { return world }
        world.deployments.replaceSubrange(index...index, with: world.deployments[index].map { [$0] })
        return world
    }

    /// One change cut into 2–5 commits, each shipped in a deployment of its own.
    static func splitChange(_ world: World, _ random: inout SeededGenerator, ownDeployments: Bool) -> World {
        var world = world
        let target = Int(random.next() % UInt64(world.changes.count))
        let change = world.changes[target]
        let lines = change.files[0].added
        let pieces = min(lines.count, 2 + Int(random.next() % 4))
        var parts = [Int]()
        for piece in 0..<pieces {
            let slice = lines.enumerated().filter { $0.offset % pieces == piece }.map(\.element)
            let part = World.Change(team: change.team, files: [FileChange(path: change.files[0].path, added: slice)])
            if piece == 0 {
                world.changes[target] = part
                parts.append(target)
            } else {
                world.changes.append(part)
                parts.append(world.changes.count - 1)
            }
        }
        let deployment = world.deployments.firstIndex { $0.contains(target) }!
        if ownDeployments {
            world.deployments[deployment].removeAll { $0 == target }
            world.deployments.insert(contentsOf: parts.map { [$0] }, at: deployment + 1)
            world.deployments.removeAll { $0.isEmpty }
        } else {
            let position = world.deployments[deployment].firstIndex(of: target)!
            world.deployments[deployment].replaceSubrange(position...position, with: parts)
        }
        return world
    }

    /// Low-information lines added to one of the gamer's changes.
    static func pad(_ world: World, _ random: inout SeededGenerator, kind: Int) -> World {
        var world = world
        guard let target = world.changes.indices.filter({ world.changes[$0].team == "gamer" }).randomElement(using: &random) else { return world }
        let own = world.changes[target].files[0].added
        let junk = (0..<500).map { _ in World.line(&random) }
        let padding: [FileChange]
        switch kind % 7 {
        case 0: padding = [FileChange(path: "package-lock.json", added: junk)]
        case 1: padding = [FileChange(path: "src/gamer/generated_client.swift", added: ["// Code generated by a tool. DO NOT EDIT."] + junk)]
        case 2: padding = [FileChange(path: "vendor/github.com/x/y/z.go", added: junk)]
        case 3: padding = [FileChange(path: "src/gamer/copy.swift", added: Array(repeating: own, count: 20).flatMap { $0 })]
        case 4: padding = [FileChange(path: "src/gamer/table.swift", added: (1...3000).map { "entry_\($0) = \($0 * 7)" })]
        case 5:
            // Random bytes, base64-encoded.
            let data = (0..<2000).map { _ in Data((0..<57).map { _ in UInt8(truncatingIfNeeded: random.next()) }).base64EncodedString() }
            padding = [FileChange(path: "src/gamer/blob.swift", added: data)]
        default:
            // Re-indented lines of earlier work: deleted and added again.
            let earlier = world.changes.flatMap { $0.files.flatMap(\.added) }.prefix(200)
            padding = [FileChange(path: "src/gamer/format.swift", added: earlier.map { "        " + $0 }, deleted: Array(earlier))]
        }
        world.changes[target].files += padding
        return world
    }

    /// A new change of the gamer's shipped, reverted in a later deployment (by message or by
    /// content alone) and, when `reapply`, applied again later; against it shipped once at the end.
    static func churn(_ world: World, _ random: inout SeededGenerator, reapply: Bool, byMessage: Bool) -> (gamed: World, honest: World) {
        var gamed = world, honest = world
        let change = World.work(team: "gamer", lines: 10 + Int(random.next() % 20), &random)
        let first = Int(random.next() % UInt64(world.deployments.count))
        gamed.changes.append(change)
        let original = gamed.changes.count - 1
        gamed.deployments[first].append(original)
        let file = change.files[0]
        gamed.changes.append(
            World.Change(team: "gamer", files: [FileChange(path: file.path, deleted: file.added)], reverts: byMessage ? original : nil))
        gamed.deployments.append([gamed.changes.count - 1])
        if reapply {
            gamed.changes.append(change)
            gamed.deployments.append([gamed.changes.count - 1])
            honest.changes.append(change)
            honest.deployments.append([])
            honest.deployments.append([honest.changes.count - 1])
        }
        return (gamed, honest)
    }

    /// A new change of `team`'s, shipped in some deployment.
    static func moreWork(_ world: World, _ random: inout SeededGenerator, team: String) -> World {
        var world = world
        world.changes.append(World.work(team: team, lines: 1 + Int(random.next() % 40), &random))
        world.deployments[Int(random.next() % UInt64(world.deployments.count))].append(world.changes.count - 1)
        return world
    }
}

/// The invariants of the normalised-deployment rule, as properties over generated histories.
/// Each returns the seeds that broke it (none, under the default rule).
enum Invariants {
    static let seeds: [UInt64] = Array(1...60)

    static func splitInvariance(_ worth: DeploymentWorth, numbered: Bool = false) -> [UInt64] {
        seeds.filter { seed in
            var random = SeededGenerator(seed: seed &* 31)
            let world = World.generate(seed: seed, numbered: numbered)
            let before = world.report(worth)
            return !within(before, Gaming.splitDeployment(world, &random).report(worth))
                || !within(before, Gaming.splitChange(world, &random, ownDeployments: false).report(worth))
                || !within(before, Gaming.splitChange(world, &random, ownDeployments: true).report(worth))
        }
    }

    static func paddingResistance(_ worth: DeploymentWorth) -> [UInt64] {
        seeds.filter { seed in
            var random = SeededGenerator(seed: seed &* 37)
            let world = World.generate(seed: seed)
            let before = world.report(worth)
            return !within(before, Gaming.pad(world, &random, kind: Int(seed)).report(worth))
        }
    }

    static func churnIsWorthNothing(_ worth: DeploymentWorth) -> [UInt64] {
        seeds.filter { seed in
            var random = SeededGenerator(seed: seed &* 41)
            let world = World.generate(seed: seed)
            let (gamed, honest) = Gaming.churn(world, &random, reapply: seed % 2 == 0, byMessage: seed % 3 == 0)
            return !within(honest.report(worth), gamed.report(worth), 1e-9)
        }
    }

    static func monotonicInWork(_ worth: DeploymentWorth) -> [UInt64] {
        seeds.filter { seed in
            var random = SeededGenerator(seed: seed &* 43)
            let world = World.generate(seed: seed)
            let team = World.teams[Int(seed % 2)]
            return world.report(worth)[team]! > Gaming.moreWork(world, &random, team: team).report(worth)[team]! + 1e-12
        }
    }
}

@Suite struct IntegrityPropertyTests {
    @Test func splittingDeploymentsOrCommitsChangesNoTeamsFigure() {
        #expect(Invariants.splitInvariance(DeploymentWorth()).isEmpty)
    }

    /// Lines that differ only in their numbers are one template: cut into commits or
    /// deployments, they still count once.
    @Test func splittingNumberedLinesChangesNoTeamsFigure() {
        #expect(Invariants.splitInvariance(DeploymentWorth(), numbered: true).isEmpty)
    }

    @Test func paddingChangesNoTeamsFigure() {
        #expect(Invariants.paddingResistance(DeploymentWorth()).isEmpty)
    }

    @Test func revertedChangesAndTheirRevertsCountNothing() {
        #expect(Invariants.churnIsWorthNothing(DeploymentWorth()).isEmpty)
    }

    @Test func moreShippedWorkNeverLowersATeamsFigure() {
        #expect(Invariants.monotonicInWork(DeploymentWorth()).isEmpty)
    }

    /// The properties can fail: the rules the issue replaced break them.
    @Test func theOldRulesBreakTheInvariants() {
        let byCommits = DeploymentWorth(weight: .commits), byLines = DeploymentWorth(weight: .lines)
        #expect(Invariants.splitInvariance(byCommits).count > Invariants.seeds.count / 2)
        #expect(Invariants.churnIsWorthNothing(byCommits).count > Invariants.seeds.count / 2)
        #expect(Invariants.paddingResistance(byLines).count > Invariants.seeds.count / 4)
    }

    /// Above one unit a deployment is worth 1: splitting it earns at most one per unit of work.
    @Test func aLargeDeploymentSplitEarnsAtMostItsWorkInUnits() {
        var random = SeededGenerator(seed: 5)
        var world = World()
        for _ in 0..<6 { world.changes.append(World.work(team: "gamer", lines: 80, &random)) }  // about 80 effective lines each
        world.deployments = [Array(world.changes.indices)]
        let worth = DeploymentWorth()
        let whole = world.report(worth)["gamer"]!
        #expect(abs(whole - 1) < 1e-9)
        var split = world
        split.deployments = world.changes.indices.map { [$0] }
        let effective = world.changes.reduce(0) { $0 + measured($1.files).effectiveLines }
        let parts = split.report(worth)["gamer"]!
        #expect(abs(parts - effective / worth.unit) < 1e-9)
    }
}
