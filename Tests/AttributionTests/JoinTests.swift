import Attribution
import Foundation
import GitKit
import ShipmeterTestSupport
import Testing
import Usage

@Suite struct JoinTests {
    func joined(
        _ snapshot: RepositorySnapshot, _ records: [UsageRecord], links: [SessionCommitLink] = [], until: Int64 = day(30)
    ) -> [(commit: String?, confidence: JoinConfidence?)] {
        let joins = snapshot.join(batch(records, links: links), environment: snapshot.environment(requested: nil), until: date(until))
        return joins.map { join in (join.commit.map { snapshot.history.id($0).hex }, join.confidence) }
    }

    @Test func aSessionSpanningSeveralCommitsGoesToEachNextCommit() throws {
        let scratch = ScratchRepository()
        scratch.commit("root", files: ["r": "1\n"], time: day(0))
        let first = scratch.commit("one\n\nAI-Session: claude-code/S1", files: ["a": "1\n"], time: day(1, hour: 10))
        let second = scratch.commit("two\n\nAI-Session: claude-code/S1", files: ["b": "1\n"], time: day(1, hour: 14))
        let snapshot = try scratch.snapshot()
        let result = joined(
            snapshot,
            [
                record("r1", session: "S1", agent: "claude-code", at: day(1, hour: 9), input: 1),
                record("r2", session: "S1", agent: "claude-code", at: day(1, hour: 10), input: 1),  // same second as the commit
                record("r3", session: "S1", at: day(1, hour: 12), input: 1),
                record("r4", session: "S1", at: day(1, hour: 15), input: 1),  // after the session's last commit
                record("r5", session: "S1", agent: "codex", at: day(1, hour: 9), input: 1),  // another agent's session of that id
            ])
        #expect(result.map(\.commit) == [first, first, second, nil, nil])
        #expect(result.map(\.confidence) == [.explicit, .explicit, .explicit, nil, nil])
    }

    @Test func theSquashCommitThatShippedWinsOverBranchCommits() throws {
        let scratch = ScratchRepository()
        scratch.commit("root", files: ["r": "1\n"], time: day(0))
        scratch.deploy(time: day(0, hour: 1))
        scratch.git(["checkout", "-q", "-b", "feature"])
        let branchOne = scratch.commit("b1\n\nAI-Session: claude-code/SQ", files: ["f1": "1\n"], time: day(1, hour: 10))
        scratch.commit("b2\n\nAI-Session: claude-code/SQ", files: ["f2": "1\n"], time: day(1, hour: 12))
        scratch.git(["checkout", "-q", "main"])
        scratch.git(["merge", "-q", "--squash", "feature"])
        let squash = scratch.commit("Feature (#7)\n\n* b1\n\n* b2\n\nAI-Session: claude-code/SQ", time: day(2, hour: 9))
        scratch.deploy(time: day(2, hour: 10))
        let snapshot = try scratch.snapshot()
        let records = [
            record("r1", session: "SQ", at: day(1, hour: 9), input: 1),
            record("r2", session: "SQ", at: day(1, hour: 11), input: 1),
            record("r3", session: "SQ", at: day(2, hour: 8), input: 1),
        ]
        #expect(joined(snapshot, records).map(\.commit) == [squash, squash, squash])
        // Before the squash shipped, the branch commits are the next commits of the session.
        #expect(joined(snapshot, records, until: day(2, hour: 9)).map(\.commit).first == branchOne)
    }

    @Test func inferenceUsesThePersonsNextCommitWithinTheWindowEdgeInclusive() throws {
        let scratch = ScratchRepository()
        scratch.commit("root", files: ["r": "1\n"], time: day(0))
        let commit = scratch.commit("work", files: ["w": "1\n"], author: ("Ann", "ann@acme.test"), time: day(2))
        let snapshot = try scratch.snapshot()
        let result = joined(
            snapshot,
            [
                record("exact", actor: "ann@acme.test", at: day(1), input: 1, repository: scratch.path),
                record("late", actor: "ann@acme.test", at: day(1) - 1, input: 1, repository: scratch.path),
                record("subfolder", actor: "ANN@acme.test", at: day(1, hour: 12), input: 1, repository: scratch.path + "/src"),
                record("elsewhere", actor: "ann@acme.test", at: day(1, hour: 12), input: 1, repository: "/somewhere/else"),
                record("no-repository", actor: "ann@acme.test", at: day(1, hour: 12), input: 1),
                record("someone-else", actor: "bob@acme.test", at: day(1, hour: 12), input: 1, repository: scratch.path),
            ])
        #expect(result.map(\.commit) == [commit, nil, commit, nil, nil, nil])
        #expect(result[0].confidence == .inferred)
    }

    @Test func remoteURLsCountAsTheSameRepository() throws {
        let scratch = ScratchRepository()
        scratch.git(["remote", "add", "origin", "git@github.com:acme/app.git"])
        let commit = scratch.commit("work", files: ["w": "1\n"], author: ("Ann", "ann@acme.test"), time: day(2))
        let snapshot = try scratch.snapshot()
        let result = joined(
            snapshot, [record("r", actor: "ann@acme.test", at: day(2, hour: -1), input: 1, repository: "https://github.com/acme/app")])
        #expect(result.map(\.commit) == [commit])
        #expect(snapshot.name == "acme/app")
        #expect(snapshot.scope.contains("ssh://git@github.com/acme/app.git"))
        #expect(!snapshot.scope.contains("https://github.com/acme/other"))
    }

    @Test func mailmapAndConfiguredAliasesJoinOldAddresses() throws {
        let scratch = ScratchRepository()
        scratch.write(".mailmap", "Ann Lee <ann@acme.test> <ann@old.test>\n")
        scratch.commit("mailmap", files: ["m": "1\n"], time: day(0))
        let byOld = scratch.commit("old address", files: ["a": "1\n"], author: ("Ann", "ann@old.test"), time: day(2))
        let byPersonal = scratch.commit("personal", files: ["b": "1\n"], author: ("Ann", "ann@personal.test"), time: day(4))
        let snapshot = try scratch.snapshot("identities:\n  ann@acme.test: [\"Ann <ann@personal.test>\"]\n")
        let result = joined(
            snapshot,
            [
                record("1", actor: "ann@acme.test", at: day(2, hour: -2), input: 1, repository: scratch.path),
                record("2", actor: "ann@old.test", at: day(4, hour: -2), input: 1, repository: scratch.path),
            ])
        #expect(result.map(\.commit) == [byOld, byPersonal])
        #expect(snapshot.history.commitsByPerson["ann@acme.test"]?.count == 2)
    }

    @Test func linkedRecordsNameTheirCommit() throws {
        let scratch = ScratchRepository()
        let first = scratch.commit("one", files: ["a": "1\n"], time: day(1))
        let second = scratch.commit("two", files: ["b": "1\n"], time: day(2))
        let snapshot = try scratch.snapshot()
        let result = joined(
            snapshot,
            [
                record("named", at: day(0), input: 1, commit: String(first.prefix(10))),
                record("via-link", session: "otel-1", at: day(1, hour: 5), input: 1),
                record("after-link", session: "otel-1", at: day(3), input: 1),
            ], links: [SessionCommitLink(session: "otel-1", commit: second, time: date(day(2)))])
        #expect(result.map(\.commit) == [first, second, nil])
        #expect(result.map(\.confidence) == [.linked, .linked, nil])
    }

    @Test func conservationHoldsOverAnyWindow() throws {
        let scratch = ScratchRepository()
        scratch.generateHistory(commits: 30, seed: 21, tagEvery: 1000)
        scratch.deploy(time: scratch.clock)
        scratch.commit("later\n\nAI-Session: claude-code/s9", files: ["l": "1\n"], author: ("Alice", "alice@acme.test"))
        let snapshot = try scratch.snapshot("teams:\n  a: [alice@acme.test]\n  b: [bob@acme.test]\n")
        var random = SeededGenerator(seed: 3)
        var records = [UsageRecord]()
        for index in 0..<300 {
            let actor = ["alice@acme.test", "bob@acme.test", "carol@acme.test", "nobody@x.test"][Int(random.next() % 4)]
            let session = random.next() % 3 == 0 ? "s\(random.next() % 12)" : nil
            records.append(
                record(
                    "k\(index)", actor: actor, session: session, at: 1_767_225_600 + Int64(random.next() % (86_400 * 2)),
                    input: Int64(random.next() % 5000), output: Int64(random.next() % 900), cacheRead: Int64(random.next() % 9000),
                    repository: random.next() % 4 == 0 ? nil : scratch.path))
        }
        for (since, until) in [(0.0, 2.0), (0.3, 1.1), (1.0, 1.5), (-5.0, 9.0)] {
            let from = date(1_767_225_600 + Int64(since * 86_400)), to = date(1_767_225_600 + Int64(until * 86_400))
            for groupBy in GroupBy.allCases {
                let report = snapshot.report(batch(records), since: from, until: to, environment: nil, groupBy: groupBy)
                let t = report.totals
                #expect(t.shippedTokens + t.unshippedTokens + t.uncommittedTokens == t.tokens.total)
                let inWindow = records.filter { $0.timestamp >= from && $0.timestamp < to }.reduce(Int64(0)) { $0 + $1.total }
                #expect(t.tokens.total == inWindow)
                if groupBy != .person {
                    #expect(report.groups.reduce(Int64(0)) { $0 + $1.tokens.total } == t.tokens.total, "groups by \(groupBy)")
                    #expect(abs(report.groups.reduce(0) { $0 + $1.normalisedDeployments } - t.normalisedDeployments) < 1e-9)
                }
                for group in report.groups {
                    #expect(group.shippedTokens + group.unshippedTokens + group.uncommittedTokens == group.tokens.total)
                }
            }
        }
    }
}
