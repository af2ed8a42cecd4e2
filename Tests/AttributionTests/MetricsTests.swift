import Attribution
import Foundation
import GitKit
import ShipmeterTestSupport
import Testing
import Usage

/// A scenario small enough to compute by hand (figures in the comments).
@Suite struct MetricsTests {
    func scenario() throws -> (ScratchRepository, RepositorySnapshot, UsageBatch) {
        let scratch = ScratchRepository()
        scratch.commit("init", files: ["r": "1\n"], author: ("Ann", "ann@acme.test"), time: day(0))
        scratch.deploy(time: day(0, hour: 1))  // d0 baseline
        scratch.commit("A1\n\nAI-Session: claude-code/sA", files: ["a1": "1\n"], author: ("Ann", "ann@acme.test"), time: day(1, hour: 10))
        scratch.commit("B1", files: ["b1": "1\n"], author: ("Ben", "ben@acme.test"), time: day(1, hour: 11))
        scratch.deploy(time: day(2, hour: 10))  // d1 forward: A1, B1
        let stable = scratch.head()
        scratch.commit(
            "B2\n\nCo-authored-by: Claude <noreply@anthropic.com>", files: ["b2": "1\n"], author: ("Ben", "ben@acme.test"), time: day(3, hour: 10))
        scratch.deploy(time: day(4, hour: 10))  // d2 forward: B2, rolled back by d2r
        scratch.deploy(at: stable, time: day(4, hour: 12))  // rollback
        scratch.commit("A2", files: ["a2": "1\n"], author: ("Ann", "ann@acme.test"), time: day(5, hour: 10))
        scratch.deploy(time: day(5, hour: 12), status: "failure")  // d3 failed
        scratch.deploy(time: day(6, hour: 10))  // d4 forward: A2
        scratch.commit("A3\n\nAI-Session: claude-code/sB", files: ["a3": "1\n"], author: ("Ann", "ann@acme.test"), time: day(6, hour: 15))
        let snapshot = try scratch.snapshot("teams:\n  red: [ann@acme.test]\n  blue: [ben@acme.test]\n")
        let records = [
            // explicit → A1, shipped by d1
            record(
                "r1", actor: "ann@acme.test", session: "sA", at: day(1, hour: 9), input: 100, output: 400, cacheWrite: 100, cacheRead: 400, cost: 0.01
            ),
            // inferred → B2 (Ben's next commit, 30 minutes later), shipped by d2
            record("r2", actor: "ben@acme.test", at: day(3, hour: 9.5), input: 2000, cost: 0.02, repository: scratch.path),
            // no repository, unnamed session → uncommitted
            record("r3", actor: "ann@acme.test", session: "sX", at: day(5, hour: 9), input: 4000, cost: 0.04),
            // no later commit by Ben → uncommitted
            record("r4", actor: "ben@acme.test", at: day(6, hour: 11), input: 3000, cost: 0.03, repository: scratch.path),
            // explicit → A3, never deployed → unshipped
            record("r5", actor: "ann@acme.test", session: "sB", at: day(6, hour: 14), input: 500, cost: 0.005),
        ]
        return (scratch, snapshot, batch(records))
    }

    @Test func teamMetricsFieldByField() throws {
        // The repository is kept until the end: effective sizes read its diffs.
        let (scratch, snapshot, usage) = try scenario()
        defer { withExtendedLifetime(scratch) {} }
        let report = snapshot.report(usage, since: date(day(0)), until: date(day(7)), environment: nil, groupBy: .team, weight: .commits)
        #expect(report.environment == "production")
        #expect(report.groups.map(\.key) == ["red", "blue"])
        let red = report.groups[0], blue = report.groups[1], totals = report.totals

        #expect(red.tokens.total == 5500)
        #expect(blue.tokens.total == 5000)
        #expect([red.shippedTokens, red.unshippedTokens, red.uncommittedTokens] == [1000, 500, 4000])
        #expect([blue.shippedTokens, blue.unshippedTokens, blue.uncommittedTokens] == [2000, 0, 3000])
        #expect(red.costUSD == Decimal(string: "0.055"))
        #expect(blue.costUSD == Decimal(string: "0.05"))

        // d1 is split between red (A1) and blue (B1); d2 (B2) was rolled back, worth 0; d4 (A2) is red's.
        #expect(red.deployments == 2)
        #expect(blue.deployments == 2)
        #expect(red.normalisedDeployments == 1.5)
        #expect(blue.normalisedDeployments == 0.5)
        #expect(totals.deployments == 3)
        #expect(totals.normalisedDeployments == 2)
        #expect(red.changeFailureRate == 0)
        #expect(blue.changeFailureRate == 0.5)
        // Totals: (1 rolled back + 1 failed) / (3 deployments + 1 failed).
        #expect(totals.changeFailureRate == 0.5)

        #expect(red.activeEngineers == 1 && blue.activeEngineers == 1 && totals.activeEngineers == 2)
        // One week: ND per engineer-week equals ND per engineer.
        #expect(abs((red.ndPerEngineerWeek ?? 0) - 1.5) < 1e-12)
        #expect(abs((blue.ndPerEngineerWeek ?? 0) - 0.5) < 1e-12)
        #expect(abs((totals.ndPerEngineerWeek ?? 0) - 1.0) < 1e-12)
        // The yield counts covered work only: A1 (r1 joined) is; A2 and B1 (no record, no
        // session) are not; B2 is (r2) but was rolled back.
        #expect(red.coveredNormalisedDeployments == 0.5 && blue.coveredNormalisedDeployments == 0 && totals.coveredNormalisedDeployments == 0.5)
        #expect(abs((red.ndPerMillionTokens ?? 0) - 0.5 / 0.0055) < 1e-9)
        #expect(blue.ndPerMillionTokens == 0)
        #expect(abs((totals.ndPerMillionTokens ?? 0) - 0.5 / 0.0105) < 1e-9)
        // Effective sizes: each commit adds the line `1`, a numbered template (0.2 lines) that
        // counts once per person — A1 and B1 count it, A2 and B2 count 0. Red's 0.2 is A1's,
        // covered; blue's is B1's, not covered.
        #expect(red.usageCoverage == 1 && blue.usageCoverage == 0 && totals.usageCoverage == 0.5)
        #expect(abs((red.shippedTokenRatio ?? 0) - 1000.0 / 5500) < 1e-12)
        #expect(blue.shippedTokenRatio == 0.4)
        #expect(abs((red.costPerND ?? 0) - 0.055 / 0.5) < 1e-12)
        #expect(blue.costPerND == nil)  // nothing covered shipped: no cost per ND, not 0
        #expect(abs((red.costPerEngineerMonth ?? 0) - 0.055 / (7 / 30.44)) < 1e-12)

        // Shipped non-merge commits: A1 (AI), B1, B2 (AI), A2.
        #expect(red.aiAssistedShare == 0.5 && blue.aiAssistedShare == 0.5 && totals.aiAssistedShare == 0.5)
        #expect(red.leadTimeAI == Percentiles([24]) && red.leadTimeOther.median == 24)
        #expect(blue.leadTimeAI.median == 24 && blue.leadTimeOther.median == 23)
        #expect(totals.leadTimeOther.median == 23.5)
        #expect(abs((totals.leadTimeOther.p90 ?? 0) - 23.9) < 1e-9)

        #expect(abs((red.cacheHitRatio ?? 0) - 400.0 / 5100) < 1e-12)
        #expect(blue.cacheHitRatio == 0)
    }

    @Test func perEngineerWeekNormalisesByTheWindow() throws {
        let (_, snapshot, usage) = try scenario()
        // Two weeks: the same deployments, half the rate per engineer-week; a month is 14/30.44.
        let report = snapshot.report(usage, since: date(day(0)), until: date(day(14)), environment: nil, groupBy: .team, weight: .commits)
        let red = try #require(report.groups.first { $0.key == "red" })
        #expect(abs((red.ndPerEngineerWeek ?? 0) - 0.75) < 1e-12)
        #expect(abs((report.totals.ndPerEngineerWeek ?? 0) - 0.5) < 1e-12)
        #expect(abs((red.costPerEngineerMonth ?? 0) - 0.055 / (14 / 30.44)) < 1e-12)
    }

    @Test func zeroDenominatorsAreNull() throws {
        let (_, snapshot, _) = try scenario()
        let report = snapshot.report(UsageBatch(), since: date(day(10)), until: date(day(11)), environment: nil, groupBy: .team, weight: .commits)
        let totals = report.totals
        #expect(totals.tokens.total == 0)
        #expect(totals.shippedTokenRatio == nil)
        #expect(totals.ndPerMillionTokens == nil)
        #expect(totals.costPerND == nil)
        #expect(totals.aiAssistedShare == nil)
        #expect(totals.changeFailureRate == nil)
        #expect(totals.cacheHitRatio == nil)
        #expect(totals.ndPerEngineerWeek == nil)
        #expect(totals.leadTimeAI.median == nil)
    }

    @Test func otherGroupingsSplitTheSameDeployments() throws {
        let (_, snapshot, usage) = try scenario()
        let window = (date(day(0)), date(day(7)))
        let byPerson = snapshot.report(usage, since: window.0, until: window.1, environment: nil, groupBy: .person, weight: .commits)
        #expect(
            Dictionary(uniqueKeysWithValues: byPerson.groups.map { ($0.key, $0.normalisedDeployments) }) == [
                "ann@acme.test": 1.5, "ben@acme.test": 0.5,
            ])
        let byDeployment = snapshot.report(usage, since: window.0, until: window.1, environment: nil, groupBy: .deployment, weight: .commits)
        let worth = Dictionary(uniqueKeysWithValues: byDeployment.groups.map { ($0.key, $0.normalisedDeployments) })
        #expect(worth["deploy/production/\(day(2, hour: 10))"] == 1)
        #expect(worth["deploy/production/\(day(4, hour: 10))"] == 0)
        #expect(byDeployment.groups.first { $0.key == "(uncommitted)" }?.tokens.total == 7000)
        let byModel = snapshot.report(usage, since: window.0, until: window.1, environment: nil, groupBy: .model, weight: .commits)
        #expect(byModel.groups.reduce(0) { $0 + $1.normalisedDeployments } == 2)
        // Lines weighting (worth 1 per deployment, like commits): each commit here changes one line, so the split is unchanged.
        let byLines = snapshot.report(usage, since: window.0, until: window.1, environment: nil, groupBy: .team, weight: .lines)
        #expect(byLines.groups.map(\.normalisedDeployments) == [1.5, 0.5])
    }

    @Test func linesWeightingFollowsChangedLinesCapped() throws {
        let scratch = ScratchRepository()
        scratch.commit("init", files: ["r": "1\n"], time: day(0))
        scratch.deploy(time: day(0, hour: 1))
        scratch.commit("big", files: ["big": String(repeating: "x\n", count: 3000)], author: ("Ann", "ann@acme.test"), time: day(1))
        scratch.commit("small", files: ["small": String(repeating: "y\n", count: 500)], author: ("Ben", "ben@acme.test"), time: day(1, hour: 1))
        scratch.deploy(time: day(2))
        let snapshot = try scratch.snapshot("teams:\n  red: [ann@acme.test]\n  blue: [ben@acme.test]\nreport:\n  weight: lines\n")
        let report = snapshot.report(UsageBatch(), since: date(day(0)), until: date(day(3)), environment: nil, groupBy: .team)
        // Ann's 3000 lines are capped at 1000: 1000 / 1500 and 500 / 1500.
        let worth = Dictionary(uniqueKeysWithValues: report.groups.map { ($0.key, $0.normalisedDeployments) })
        #expect(abs(worth["red"]! - 2.0 / 3) < 1e-12)
        #expect(abs(worth["blue"]! - 1.0 / 3) < 1e-12)
    }

    @Test func codeOwnersAssignCommitsOfPeopleInNoTeam() throws {
        let scratch = ScratchRepository()
        scratch.write(".github/CODEOWNERS", "/payments/ @acme/payments\n/web/ @acme/web\n")
        scratch.commit("init", files: ["r": "1\n"], time: day(0))
        scratch.deploy(time: day(0, hour: 1))
        scratch.commit(
            "mostly payments", files: ["payments/a.py": String(repeating: "p\n", count: 30), "web/b.ts": "w\n"],
            author: ("Contractor", "c@contractor.test"), time: day(1))
        scratch.commit("unowned", files: ["misc/x": "1\n"], author: ("Contractor", "c@contractor.test"), time: day(1, hour: 1))
        scratch.deploy(time: day(2))
        let snapshot = try scratch.snapshot("teams:\n  payments:\n    members: [\"*@payments.acme.test\"]\n")
        let report = snapshot.report(UsageBatch(), since: date(day(0)), until: date(day(3)), environment: nil, groupBy: .team, weight: .commits)
        let worth = Dictionary(uniqueKeysWithValues: report.groups.map { ($0.key, $0.normalisedDeployments) })
        #expect(worth == ["payments": 0.5, "unassigned": 0.5])
    }

    @Test func botsShipButAreNoPeople() throws {
        let scratch = ScratchRepository()
        scratch.commit("init", files: ["r": "1\n"], time: day(0))
        scratch.deploy(time: day(0, hour: 1))
        scratch.commit(
            "bump", files: ["go.sum": "1\n"], author: ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"), time: day(1))
        scratch.commit("feature", files: ["f": "1\n"], author: ("Ann", "ann@acme.test"), time: day(1, hour: 1))
        scratch.deploy(time: day(2))
        let snapshot = try scratch.snapshot()
        let report = snapshot.report(UsageBatch(), since: date(day(0)), until: date(day(3)), environment: nil, groupBy: .person, weight: .commits)
        #expect(report.groups.map(\.key) == ["ann@acme.test"])
        #expect(report.groups[0].normalisedDeployments == 0.5)
        #expect(report.totals.activeEngineers == 1)
        #expect(report.totals.shippedCommits == 2)
        #expect(report.totals.aiAssistedShare == 0)  // a dependency bot is a bot, not AI
    }

    @Test func warningSignsCarryTheirFigures() throws {
        let scratch = ScratchRepository()
        scratch.commit("init", files: ["r": "1\n"], time: day(0))
        scratch.deploy(time: day(0, hour: 1))
        let shipped = scratch.commit("risky", files: ["risk": "1\n2\n3\n"], author: ("Ann", "ann@acme.test"), time: day(1))
        scratch.deploy(time: day(2))
        scratch.commit("Revert \"risky\"\n\nThis reverts commit \(shipped).", files: ["risk": ""], author: ("Ann", "ann@acme.test"), time: day(3))
        scratch.deploy(time: day(3, hour: 2))
        let snapshot = try scratch.snapshot("teams:\n  red: [ann@acme.test]\n")
        let usage = batch([
            record("heavy", actor: "ann@acme.test", session: "big-session", at: day(4), input: 2_500_000)
        ])
        let report = snapshot.report(usage, since: date(day(0)), until: date(day(7)), environment: nil, groupBy: .team, weight: .commits)
        let kinds = Set(report.warnings.map(\.kind))
        #expect(kinds == ["reverted_soon", "heavy_session_trivial_diff", "uncommitted_tokens"])
        let revert = try #require(report.warnings.first { $0.kind == "reverted_soon" })
        #expect(revert.group == "red")
        #expect(revert.figures.first { $0.0 == "days_after_shipping" }.map { abs($0.1 - 1) < 1e-9 } == true)
    }
}
