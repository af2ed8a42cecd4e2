import Foundation
import ShipmeterTestSupport
import Testing

/// Reports read from the ledger alone: no repository at hand, several repositories in one ledger.
@Suite struct LedgerReportTests {
    /// A repository with a remote, a baseline, and one AI-assisted commit of `session` deployed.
    func repository(_ name: String, session: String, author: (String, String), time: Int64) -> ScratchRepository {
        let scratch = ScratchRepository()
        scratch.git(["remote", "add", "origin", "https://example.test/acme/\(name).git"])
        scratch.commit("root", files: ["r": "1\n"], time: time)
        scratch.tag("deploy/production/1", message: "status: success", time: time + 60)
        scratch.commit("feature\n\nAI-Session: claude-code/\(session)", files: ["f": "1\n2\n3\n"], author: author, time: time + 7200)
        scratch.tag("deploy/production/2", message: "status: success", time: time + 10_800)
        return scratch
    }

    func json(_ result: ProcessResult) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
    }

    func groups(_ document: [String: Any]) -> [String: [String: Any]] {
        Dictionary(
            uniqueKeysWithValues: ((document["groups"] as? [[String: Any]]) ?? []).compactMap { group in (group["key"] as? String).map { ($0, group) }
            })
    }

    @Test(arguments: LedgerBackend.available)
    func reportsAcrossRepositoriesFromTheLedgerAlone(_ backend: LedgerBackend) throws {
        let start: Int64 = 1_767_225_600
        let alpha = repository("alpha", session: "sa", author: ("Ann", "ann@acme.test"), time: start)
        let beta = repository("beta", session: "sb", author: ("Ben", "ben@acme.test"), time: start)
        let folder = ScratchDirectory()
        folder.write(
            "usage.jsonl",
            """
            {"timestamp":"2026-01-01T01:00:00Z","actor":"ann@acme.test","session":"sa","model":"claude-sonnet-4-5","input":100,"output":0,"cache_write":0,"cache_read":0}
            {"timestamp":"2026-01-01T01:10:00Z","actor":"ben@acme.test","session":"sb","model":"claude-sonnet-4-5","input":40,"output":0,"cache_write":0,"cache_read":0}
            {"timestamp":"2026-01-01T03:20:00Z","actor":"ann@acme.test","repository":"git@example.test:acme/alpha.git","model":"claude-sonnet-4-5","input":7,"output":0,"cache_write":0,"cache_read":0}
            {"timestamp":"2026-01-01T05:00:00Z","actor":"cy@acme.test","model":"claude-sonnet-4-5","input":3,"output":0,"cache_write":0,"cache_read":0}

            """)
        let ledger = try backend.freshLocation(in: folder)
        let window = ["--since", "2025-12-01", "--until", "2026-02-01", "--format", "json"]
        // Usage alone, nothing attributed: outside a repository there is nothing to report on yet.
        #expect(ShipmeterBinary.run(["ingest", folder.file("usage.jsonl"), "--ledger", ledger], in: folder.path).status == 0)
        let early = ShipmeterBinary.run(["report", "--ledger", ledger] + window, in: folder.path)
        #expect(early.status != 0 && early.stderr.contains("holds no attributed repository yet"), "\(early.stderr)")
        #expect(ShipmeterBinary.run(["attribute", "--usage", folder.file("usage.jsonl"), "--ledger", ledger], in: alpha.path).status == 0)
        // Alone in the ledger, alpha's report from the ledger is its report from history.
        let live = ShipmeterBinary.run(["report", "--usage", folder.file("usage.jsonl")] + window, in: alpha.path)
        let stored = ShipmeterBinary.run(["report", "--ledger", ledger] + window, in: folder.path)
        var liveDocument = try json(live), storedDocument = try json(stored)
        liveDocument["generated_at"] = nil
        storedDocument["generated_at"] = nil
        #expect(NSDictionary(dictionary: liveDocument).isEqual(to: storedDocument), "\(live.stdout)\n---\n\(stored.stdout)")

        // So is its budget.
        let budget = ["budget", "--annual", "1000", "--year", "2026", "--format", "json"]
        let liveBudget = try json(ShipmeterBinary.run(budget + ["--usage", folder.file("usage.jsonl")], in: alpha.path))
        let storedBudget = try json(ShipmeterBinary.run(budget + ["--ledger", ledger], in: folder.path))
        let spent = { (document: [String: Any]) in ((document["budgets"] as? [[String: Any]])?.first?["spent_to_date_usd"] as? Double) ?? -1 }
        #expect(spent(liveBudget) > 0 && spent(liveBudget) == spent(storedBudget))

        #expect(ShipmeterBinary.run(["attribute", "--ledger", ledger], in: beta.path).status == 0)
        // Outside any repository: both repositories, by repository.
        let both = try json(
            ShipmeterBinary.run(["report", "--ledger", ledger, "--by", "repository", "--weight", "commits"] + window, in: folder.path))
        #expect(Set((both["repositories"] as? [String]) ?? []) == ["acme/alpha", "acme/beta"])
        let byRepository = groups(both)
        #expect(byRepository["acme/alpha"]?["shipped_tokens"] as? Int == 100)
        #expect(byRepository["acme/beta"]?["shipped_tokens"] as? Int == 40)
        // The remote's uncommitted record counts for alpha.
        #expect((byRepository["acme/alpha"]?["tokens"] as? [String: Any])?["total"] as? Int == 107)
        #expect(byRepository["(none)"]?["uncommitted_tokens"] as? Int == 3)
        #expect((byRepository["acme/beta"]?["normalised_deployments"] as? Double) == 1)
        // --repo picks one, by name or by its folder.
        for pick in ["acme/beta", beta.path] {
            let one = try json(ShipmeterBinary.run(["report", "--ledger", ledger, "--repo", pick] + window, in: folder.path))
            #expect((one["totals"] as? [String: Any])?["shipped_tokens"] as? Int == 40, "\(pick)")
            #expect(((one["totals"] as? [String: Any])?["tokens"] as? [String: Any])?["total"] as? Int == 40)
        }
        let unknown = ShipmeterBinary.run(["report", "--ledger", ledger, "--repo", "acme/gamma"] + window, in: folder.path)
        #expect(unknown.status != 0 && unknown.stderr.contains("acme/alpha, acme/beta"), "\(unknown.stderr)")
        // A ledger file that is not there is an error, not an empty report.
        let missing = ShipmeterBinary.run(["report", "--ledger", folder.file("typo.sqlite")] + window, in: folder.path)
        #expect(missing.status != 0 && missing.stderr.contains("no ledger at"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("typo.sqlite")))
    }
}
