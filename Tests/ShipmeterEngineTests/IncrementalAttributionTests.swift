import Attribution
import Foundation
import GitKit
import Ledger
import ShipmeterTestSupport
import Testing
import Usage

@testable import ShipmeterEngine

/// The incremental pipeline's steps, called one by one, and the whole pipeline through the
/// engine's API (the command line's tests drive the same through the binary).
@Suite struct IncrementalAttributionTests {
    static let id = (0..<6).map { try! ObjectID(hex: String(format: "%040x", $0 + 1)) }

    static func deployment(_ id: String, commit: Int, time: Double, failed: Bool = false) -> Deployment {
        Deployment(
            environment: "production", id: id, ref: "refs/tags/\(id)", commit: Self.id[commit], time: Date(timeIntervalSince1970: time),
            status: failed ? .failure : .success)
    }

    static func stored(_ deployment: Deployment, kind: Deployment.Kind) -> StoredDeployment {
        StoredDeployment(
            environment: deployment.environment, id: deployment.id, ref: deployment.ref, commit: deployment.commit.hex,
            time: deployment.time, status: deployment.status, kind: kind, shipped: [])
    }

    @Test func onlyLaterDeploymentsExtendTheStoredOnes() throws {
        let first = Self.deployment("d1", commit: 0, time: 100), second = Self.deployment("d2", commit: 1, time: 200)
        let stored = [Self.stored(first, kind: .baseline)]
        #expect(IncrementalAttribution.freshDeployments(current: [first, second], stored: stored)?.map(\.id) == ["d2"])
        #expect(IncrementalAttribution.freshDeployments(current: [first], stored: stored)?.isEmpty == true)
        // Back-dated before the stored one, a stored one moved to another commit, or one that
        // failed after all: the stored state cannot be extended.
        #expect(IncrementalAttribution.freshDeployments(current: [first, Self.deployment("d0", commit: 1, time: 50)], stored: stored) == nil)
        #expect(IncrementalAttribution.freshDeployments(current: [Self.deployment("d1", commit: 2, time: 100)], stored: stored) == nil)
        #expect(IncrementalAttribution.freshDeployments(current: [Self.deployment("d1", commit: 0, time: 100, failed: true)], stored: stored) == nil)
    }

    @Test func theJoinEnvironmentCountsStoredAndNewDeployments() {
        let staging = Deployment(environment: "staging", id: "s1", ref: "", commit: Self.id[0], time: Date(), status: .success)
        let stored = [Self.stored(Self.deployment("d1", commit: 0, time: 1), kind: .baseline)]
        #expect(IncrementalAttribution.joinEnvironment(stored: stored, fresh: [staging, staging], requested: nil) == "production")
        #expect(IncrementalAttribution.joinEnvironment(stored: [], fresh: [staging], requested: nil) == "staging")
        #expect(IncrementalAttribution.joinEnvironment(stored: stored, fresh: [], requested: "qa") == "qa")
    }

    /// New deployments placed after stored ones classify as a timeline read from history does.
    @Test func placingNewDeploymentsClassifiesAsTheTimelineDoes() throws {
        let scratch = ScratchRepository()
        var commits = [String]()
        for step in 0..<5 { commits.append(scratch.commit("c\(step)", files: ["f": "\(step)\n"], time: 1_767_225_600 + Int64(step) * 3600)) }
        let times: [Int64] = [1, 2, 3, 4, 5, 6].map { 1_767_300_000 + $0 * 100 }
        scratch.deploy(at: commits[0], time: times[0])
        scratch.deploy(at: commits[2], time: times[1])
        scratch.deploy(at: commits[2], time: times[2])  // redeploy
        scratch.deploy(at: commits[4], time: times[3], status: "failure")
        scratch.deploy(at: commits[3], time: times[4])
        scratch.deploy(at: commits[1], time: times[5])  // rollback below the last two
        let snapshot = try scratch.snapshot()
        let timeline = snapshot.timeline
        let read = timeline.deployments(in: "production").map { timeline.deployments[$0] }
        // The first two as stored, the rest placed by the repository's own walks.
        let stored = read.prefix(2).map { Self.stored($0.deployment, kind: $0.kind) }
        let placed = try IncrementalAttribution.place(
            read.dropFirst(2).map(\.deployment), after: stored, in: RepositoryShipping(repository: snapshot.repository))
        #expect(placed.deployments.map(\.kind) == read.dropFirst(2).map(\.kind))
        #expect(placed.deployments.map(\.kind) == [.redeploy, .failed, .forward, .rollback])
        #expect(Set(placed.rolledBack) == Set([read[1].key, read[4].key]))
        #expect(read[1].status == .rolledBack && read[4].status == .rolledBack)
        let shippedByTimeline = timeline.deployments(in: "production").dropFirst(2).map {
            timeline.shipped[$0].map { snapshot.history.id($0).hex }.sorted()
        }
        #expect(placed.deployments.map(\.shipped) == shippedByTimeline)
    }

    @Test func prefixesCoverEveryAbbreviation() {
        let prefixes = IncrementalAttribution.prefixes(of: [String(repeating: "a", count: 40), "short"])
        #expect(prefixes.count == 34)
        #expect(prefixes.first == "aaaaaaa" && prefixes.last == String(repeating: "a", count: 40))
    }

    /// A history attributed after every deployment equals one attribution at the end, through
    /// the engine's API; the ledger's report equals the one read from history.
    @Test func stepwiseThroughTheEngineEqualsOnceAndTheLedgerReportEqualsHistory() async throws {
        let scratch = ScratchRepository()
        let folder = ScratchDirectory()
        scratch.commit("root", files: ["r": "1\n"], time: 1_767_225_600)
        scratch.deploy(time: 1_767_225_700)
        let stepwise = try await LedgerStore.open(folder.file("stepwise.sqlite"))
        var records = UsageBatch()
        for step in 1...5 {
            let time = 1_767_225_600 + Int64(step) * 86_400
            let who = step % 2 == 0 ? ("Ben", "ben@acme.test") : ("Ann", "ann@acme.test")
            scratch.commit(
                "step \(step)\n\nAI-Session: claude-code/s\(step)",
                files: ["f\(step).swift": (0..<step * 20).map { "let value\($0) = compute(\($0))\n" }.joined()],
                author: who, time: time)
            var batch = UsageBatch()
            batch.add(
                UsageRecord(
                    source: "jsonl", key: "s\(step)", timestamp: Date(timeIntervalSince1970: TimeInterval(time - 600)), actor: who.1,
                    session: "s\(step)", model: "claude-sonnet-4-5", input: Int64(step) * 1000, output: 10, costUSD: 1))
            batch.add(
                UsageRecord(
                    source: "jsonl", key: "i\(step)", timestamp: Date(timeIntervalSince1970: TimeInterval(time - 1200)), actor: who.1,
                    model: "claude-sonnet-4-5", repository: scratch.path, input: 500, output: 5, costUSD: 1))
            for record in batch.records { records.add(record) }
            _ = try await stepwise.ingest(batch, version: "test")
            scratch.deploy(time: time + 3600, status: step == 3 ? "failure" : "success")
            let outcome = try await AttributionRun(
                context: try RepositoryContext.load(try Repository(discovering: scratch.path)), ledger: stepwise,
                environment: nil, version: "test"
            ).run()
            #expect(outcome.incremental == (step > 1))
            #expect(outcome.commitsRead == (step > 1 ? 1 : 2))
        }
        let once = try await LedgerStore.open(folder.file("once.sqlite"))
        _ = try await once.ingest(records, version: "test")
        let context = try RepositoryContext.load(try Repository(discovering: scratch.path))
        let full = try await AttributionRun(context: context, ledger: once, environment: nil, version: "test").run()
        #expect(!full.incremental && full.attributions == 10)

        let identity = try #require(context.knownIdentity)
        let a = try #require(try await stepwise.attribution(identity: identity)), b = try #require(try await once.attribution(identity: identity))
        #expect(a.deployments == b.deployments)
        #expect(a.joins == b.joins)
        #expect(a.deployments.map(\.kind) == [.baseline, .forward, .forward, .failed, .forward, .forward])
        let repository = try await once.repositoryID(identity: identity, name: context.name)
        let ids = try await once.allCommits(repository: repository).map(\.id)
        let stepwiseRepository = try await stepwise.repositoryID(identity: identity, name: context.name)
        #expect(try await stepwise.commits(repository: stepwiseRepository, ids: ids) == (try await once.commits(repository: repository, ids: ids)))

        // The same report from the ledger and from history.
        let since = Date(timeIntervalSince1970: 1_767_225_600), until = Date(timeIntervalSince1970: 1_767_225_600 + 7 * 86_400)
        let reader = try #require(try await LedgerReportReader.read(once, filter: nil, since: since, until: until, fallback: false))
        let fromLedger = reader.report(since: since, until: until, environment: nil, configured: nil, groupBy: .person, worth: DeploymentWorth())
        let fromHistory = try context.snapshot().report(try await once.batch(), since: since, until: until, environment: nil, groupBy: .person)
        #expect(fromLedger.groups.map(\.key) == fromHistory.groups.map(\.key))
        #expect(fromLedger.groups.map(\.normalisedDeployments) == fromHistory.groups.map(\.normalisedDeployments))
        #expect(fromLedger.groups.map(\.shippedTokens) == fromHistory.groups.map(\.shippedTokens))
        #expect(fromLedger.groups.map(\.effectiveLines) == fromHistory.groups.map(\.effectiveLines))
        #expect(fromLedger.totals.normalisedDeployments > 0)
        #expect(fromLedger.totals.tokens.total == fromHistory.totals.tokens.total)
        await stepwise.close()
        await once.close()
    }
}
