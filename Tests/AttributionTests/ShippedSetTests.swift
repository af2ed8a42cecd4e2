import Attribution
import Foundation
import GitKit
import ShipmeterTestSupport
import Testing

@Suite struct ShippedSetTests {
    /// Every kind of deployment, on a history with merges and a squash merge; each shipped set
    /// is checked against `git rev-list c_k --not c_1 … c_{k-1}`.
    @Test func shippedSetsMatchRevListAndKindsAreDecided() throws {
        let scratch = ScratchRepository()
        scratch.generateHistory(commits: 25, seed: 5, tagEvery: 1000)
        scratch.deploy(time: day(1))  // baseline
        scratch.generateHistory(commits: 12, seed: 6, tagEvery: 1000)
        let second = scratch.head()
        scratch.deploy(time: day(2))  // forward
        scratch.deploy(time: day(2, hour: 1))  // redeploy: same commit
        // A squash merge of a feature branch.
        scratch.git(["checkout", "-q", "-b", "squashed"])
        scratch.commit("s1", files: ["sq/1": "1\n"])
        scratch.commit("s2", files: ["sq/2": "2\n"])
        scratch.git(["checkout", "-q", "main"])
        scratch.git(["merge", "-q", "--squash", "squashed"])
        scratch.commit("Squashed feature (#3)")
        scratch.generateHistory(commits: 6, seed: 7, tagEvery: 1000)
        scratch.deploy(time: day(3), status: "failure")  // failed: ships nothing
        scratch.deploy(time: day(4))  // forward: ships what the failure would have
        scratch.deploy(at: second, time: day(5))  // rollback to the second deployment
        scratch.commit("fix", files: ["fix.txt": "1\n"])
        scratch.deploy(time: day(6))  // forward again

        let snapshot = try scratch.snapshot()
        let timeline = snapshot.timeline
        let graph = snapshot.graph
        let deployments = timeline.deployments(in: "production")
        #expect(deployments.map { timeline.deployments[$0].kind } == [.baseline, .forward, .redeploy, .failed, .forward, .rollback, .forward])
        #expect(deployments.map { timeline.deployments[$0].status } == [.success, .success, .success, .failure, .rolledBack, .success, .success])

        var earlier = [String]()
        for index in deployments {
            let deployment = timeline.deployments[index]
            let shipped = Set(timeline.shipped[index].map { graph.ids[$0].hex })
            if deployment.kind == .failed {
                #expect(shipped.isEmpty)
                continue
            }
            let expected = Set(
                scratch.output(["rev-list", deployment.commit.hex] + (earlier.isEmpty ? [] : ["--not"] + earlier))
                    .split(separator: "\n").map(String.init))
            #expect(shipped == expected, "deployment \(deployment.id) (\(deployment.kind))")
            earlier.append(deployment.commit.hex)
        }
        // The squash branch's own commits never ship: they are not reachable from main.
        let branchOnly = scratch.output(["rev-list", "squashed", "--not", "main", "--"]).split(separator: "\n").map(String.init)
        #expect(branchOnly.count == 2)
        for id in branchOnly {
            let number = try #require(graph.number(of: try ObjectID(hex: id)))
            #expect(timeline.shippingDeployment(of: number, environment: "production") == nil)
        }
    }

    @Test func rollbackMarksEveryForwardDeploymentSinceTheTarget() throws {
        let scratch = ScratchRepository()
        scratch.commit("a", files: ["a": "1\n"])
        let target = scratch.head()
        scratch.deploy(time: day(1))
        scratch.commit("b", files: ["b": "1\n"])
        scratch.deploy(time: day(2))
        scratch.commit("c", files: ["c": "1\n"])
        scratch.deploy(time: day(3))
        scratch.deploy(at: target, time: day(4))
        let snapshot = try scratch.snapshot()
        let timeline = snapshot.timeline
        let kinds = timeline.deployments.map { "\($0.kind.rawValue)/\($0.status.rawValue)" }
        #expect(kinds == ["baseline/success", "forward/rolled-back", "forward/rolled-back", "rollback/success"])
    }

    @Test func environmentsAreIndependentAndTimesComeFromTheTagger() throws {
        let scratch = ScratchRepository()
        scratch.commit("a", files: ["a": "1\n"], time: day(0))
        scratch.deploy("staging", time: day(1))
        scratch.deploy("production", time: day(3))
        scratch.commit("b", files: ["b": "1\n"], time: day(3, hour: 5))
        scratch.deploy("staging", time: day(4))
        // A lightweight tag takes the commit's committer time.
        scratch.git(["tag", "deploy/production/light"])
        let timeline = try scratch.snapshot().timeline
        #expect(timeline.environments == ["production", "staging"])
        #expect(timeline.deployments(in: "staging").map { timeline.deployments[$0].kind } == [.baseline, .forward])
        let production = timeline.deployments(in: "production").map { timeline.deployments[$0] }
        #expect(production.map(\.time) == [date(day(3)), date(day(3, hour: 5))])
        #expect(production.map(\.kind) == [.baseline, .forward])
    }

    @Test func releaseTagsAreTheFallbackAndPrereleasesAreApart() throws {
        for (tag, environment) in [
            ("v1.2.3", "release"), ("1.2.3", "release"), ("v2.0", "release"), ("release-1.4.0", "release"), ("v1.2.3+build.7", "release"),
            ("v1.2.3-rc.1", "prerelease"), ("1.0.0-preview.2", "prerelease"), ("v3.0.0-nightly.20260101", "prerelease"),
            ("v6.7-rc1", "prerelease"), ("v1.0.0-beta", "prerelease"), ("v1.0.0a1", "prerelease"),
        ] {
            #expect(DeploymentSources.releaseEnvironment(of: tag) == environment, "\(tag)")
        }
        for tag in ["latest", "v1", "stable", "deploy-me", "go"] {
            #expect(DeploymentSources.releaseEnvironment(of: tag) == nil, "\(tag)")
        }
        let scratch = ScratchRepository()
        scratch.commit("a", files: ["a": "1\n"])
        scratch.tag("v1.0.0", message: "one", time: day(1))
        scratch.commit("b", files: ["b": "1\n"])
        scratch.tag("v1.1.0-rc.1", message: "rc", time: day(2))
        scratch.tag("v1.1.0", message: "one one", time: day(3))
        scratch.git(["tag", "tree-tag", "HEAD^{tree}"])
        let timeline = try scratch.snapshot().timeline
        #expect(timeline.environments == ["prerelease", "release"])
        #expect(timeline.deployments(in: "release").map { timeline.deployments[$0].id } == ["v1.0.0", "v1.1.0"])
    }

    @Test func deployLogsAreReadFromJSONLAndCSV() throws {
        let scratch = ScratchRepository()
        let first = scratch.commit("a", files: ["a": "1\n"])
        let second = scratch.commit("b", files: ["b": "1\n"])
        let jsonl = """
            {"sha":"\(first)","environment":"production","status":"success","finished_at":"2026-01-06T10:00:00Z","id":"gh-1"}
            {"sha":"\(String(second.prefix(10)))","environment":"production","status":"failure","finished_at":"2026-01-07T10:00:00Z","id":"gh-2"}
            {"sha":"\(second)","environment":"production","status":"in_progress","finished_at":"2026-01-07T11:00:00Z","id":"gh-3"}
            {"sha":"\(second)","environment":"production","status":"success","finished_at":"2026-01-07T12:00:00Z","id":"gh-4"}
            {"sha":"deadbeef","environment":"production","status":"success","finished_at":"2026-01-08T12:00:00Z"}
            """
        let csv = "sha,environment,status,finished_at\n\(first),staging,success,2026-01-06T09:00:00Z\n"
        let (configuration, _) = try Configuration.parse("")
        let snapshot = try RepositorySnapshot.load(
            try Repository(discovering: scratch.path), configuration: configuration,
            deployLogs: [("deploys.jsonl", jsonl), ("staging.csv", csv)])
        let timeline = snapshot.timeline
        #expect(timeline.deployments(in: "production").map { timeline.deployments[$0].id } == ["gh-1", "gh-2", "gh-4"])
        #expect(timeline.deployments(in: "production").map { timeline.deployments[$0].kind } == [.baseline, .failed, .forward])
        #expect(timeline.deployments(in: "staging").count == 1)
        #expect(snapshot.notes.contains { $0.contains("deadbeef") })
    }
}
