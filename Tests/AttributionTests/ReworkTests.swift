import Attribution
import Foundation
import GitKit
import ShipmeterTestSupport
import Testing
import Usage

/// DORA's rework rate: each cause on its own, and a clean history at 0.
@Suite struct ReworkTests {
    /// A repository with a baseline deployment on day 0 and a first forward one on day 1.
    func start() -> (ScratchRepository, first: String) {
        let scratch = ScratchRepository()
        scratch.commit("root", files: ["a.txt": "root\n"], time: day(0))
        scratch.deploy(time: day(0, hour: 1))
        let first = scratch.commit(
            "Add search", files: ["search.txt": "query parser\nresult ranking\n"], author: ("Ann", "ann@acme.test"), time: day(1))
        scratch.deploy(time: day(1, hour: 1))
        return (scratch, first)
    }

    func report(_ scratch: ScratchRepository, yaml: String = "") throws -> Report {
        try scratch.snapshot(yaml).report(batch([]), since: date(day(-1)), until: date(day(20)), environment: nil, groupBy: .team)
    }

    func reasons(_ report: Report) -> [[String]] {
        report.deployments.filter { $0.deployment.kind != .baseline }.map { $0.rework.map(\.rawValue) }
    }

    @Test func aCleanHistoryHasNoRework() throws {
        let (scratch, _) = start()
        scratch.commit("Add filters", files: ["filters.txt": "by date\nby author\n"], author: ("Ann", "ann@acme.test"), time: day(2))
        scratch.deploy(time: day(2, hour: 1))
        let report = try report(scratch)
        #expect(reasons(report) == [[], []])
        #expect(report.totals.reworkRate == 0)
        #expect(report.totals.rework.all.counted == 2)
        #expect(report.groups.allSatisfy { $0.reworkRate == 0 })
        #expect(report.weekly.reduce(0) { $0 + $1.deployments } == 2)
    }

    @Test func aRollbackIsRework() throws {
        let (scratch, first) = start()
        scratch.commit("Add filters", files: ["filters.txt": "by date\n"], author: ("Ann", "ann@acme.test"), time: day(2))
        scratch.deploy(time: day(2, hour: 1))
        scratch.deploy(at: first, time: day(3))  // back to the first: a rollback
        let report = try report(scratch)
        #expect(reasons(report) == [[], [], ["rollback"]])
        // Two forward deployments and the rollback; the rollback counts for the work it undid.
        #expect(report.totals.rework.all == ReworkCounts.Tally(counted: 3, rework: 1))
        #expect(report.groups.first?.rework.all == ReworkCounts.Tally(counted: 3, rework: 1))
    }

    @Test func aDeploymentSoonAfterAFailureIsRework() throws {
        let (scratch, _) = start()
        scratch.commit("Add filters", files: ["filters.txt": "by date\n"], author: ("Ann", "ann@acme.test"), time: day(2))
        scratch.deploy(time: day(2, hour: 1), status: "failure")
        scratch.commit("Fix filters", files: ["filters.txt": "by date\nby author\n"], author: ("Ann", "ann@acme.test"), time: day(2, hour: 2))
        scratch.deploy(time: day(2, hour: 3))
        scratch.commit("Add export", files: ["export.txt": "csv writer\n"], author: ("Ann", "ann@acme.test"), time: day(4))
        scratch.deploy(time: day(4, hour: 5))  // 50 h after the failure: planned again
        let report = try report(scratch)
        #expect(reasons(report) == [[], [], ["after_failure"], []])
        #expect(report.totals.rework.all == ReworkCounts.Tally(counted: 3, rework: 1))
        // A shorter window leaves it out.
        let narrow = try self.report(scratch, yaml: "rework:\n  window_hours: 1\n")
        #expect(narrow.totals.rework.all.rework == 0)
    }

    @Test func aDeploymentRevertingShippedWorkIsRework() throws {
        let (scratch, first) = start()
        scratch.git(["revert", "--no-edit", first], environment: ["GIT_AUTHOR_DATE": "\(day(2)) +0000", "GIT_COMMITTER_DATE": "\(day(2)) +0000"])
        scratch.deploy(time: day(2, hour: 1))
        let report = try report(scratch)
        #expect(reasons(report) == [[], ["reverts_shipped"]])
        #expect(report.totals.reworkRate == 0.5)
    }

    @Test func aRevertShippedWithWhatItUndoesIsNotRework() throws {
        let (scratch, _) = start()
        let bad = scratch.commit("Add export", files: ["export.txt": "csv writer\n"], author: ("Ann", "ann@acme.test"), time: day(2))
        scratch.git(
            ["revert", "--no-edit", bad],
            environment: ["GIT_AUTHOR_DATE": "\(day(2, hour: 1)) +0000", "GIT_COMMITTER_DATE": "\(day(2, hour: 1)) +0000"])
        scratch.deploy(time: day(2, hour: 2))
        #expect(reasons(try report(scratch)) == [[], []])
    }

    @Test func aHotfixIsRework() throws {
        let (scratch, _) = start()
        scratch.commit(
            "Hotfix: ranking crash on empty query", files: ["search.txt": "query parser\nresult ranking\nempty guard\n"],
            author: ("Ann", "ann@acme.test"), time: day(3))
        scratch.deploy(time: day(3, hour: 1))
        scratch.commit(
            "Guard export\n\nFixes-deploy: deploy/production/3\n", files: ["x.txt": "guard\n"], author: ("Ann", "ann@acme.test"), time: day(5))
        scratch.deploy(time: day(5, hour: 1))
        let report = try report(scratch)
        #expect(reasons(report) == [[], ["hotfix"], ["hotfix"]])
        // Patterns are the settings': with none, nothing is a hotfix.
        let none = try self.report(scratch, yaml: "rework:\n  hotfix_patterns: []\n")
        #expect(reasons(none) == [[], [], []])
    }

    @Test func reworkSplitsByAIAssistedWork() throws {
        let (scratch, _) = start()
        scratch.commit(
            "Hotfix: ranking\n\nAssisted-by: claude-code:claude-sonnet-4-5\n", files: ["search.txt": "query parser\nguard\n"],
            author: ("Ann", "ann@acme.test"), time: day(3))
        scratch.deploy(time: day(3, hour: 1))
        let report = try report(scratch)
        #expect(report.totals.reworkRateAI == 1)
        #expect(report.totals.reworkRateOther == 0)
    }
}
