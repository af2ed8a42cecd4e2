import Foundation
import ShipmeterTestSupport
import Testing

/// `report --by pull-request`: what each pull request cost and whether it shipped, the same from
/// history, from a SQLite ledger and from PostgreSQL, and after an incremental `attribute`.
@Suite struct PullRequestReportTests: JSONReading {
    static let start: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z

    /// main: root (baseline) · squash #12 naming s1 · PR #13 merged from a branch whose first
    /// commit names s2 · GitLab !45 (Cy, usage joined by time only) · squash #15 naming s9, which
    /// has no records · a direct commit (no pull request) · deployment 2 · squash #16 naming s3,
    /// not deployed · a branch `feature-z` not merged yet.
    func repository() -> ScratchRepository {
        let t = Self.start
        let scratch = ScratchRepository()
        scratch.commit("root", files: ["a.txt": "root\n"], time: t)
        scratch.deploy(time: t + 60)
        scratch.commit(
            "Add login (#12)\n\nAI-Session: claude-code/s1\n", files: ["login.txt": "form\nsubmit\n"], author: ("Ann", "ann@acme.test"),
            time: t + 3600)
        scratch.git(["checkout", "-q", "-b", "feature-x"])
        scratch.commit("Start feature X\n\nAI-Session: claude-code/s2\n", files: ["x.txt": "one\n"], author: ("Ben", "ben@acme.test"), time: t + 7200)
        scratch.commit("Finish feature X", files: ["x.txt": "one\ntwo\n"], author: ("Ben", "ben@acme.test"), time: t + 7300)
        scratch.git(["checkout", "-q", "main"])
        scratch.merge("feature-x", message: "Merge pull request #13 from acme/feature-x\n\nAdd feature X", time: t + 7400)
        scratch.git(["checkout", "-q", "-b", "fix-y"])
        scratch.commit("Fix Y", files: ["y.txt": "guard\n"], author: ("Cy", "cy@acme.test"), time: t + 7500)
        scratch.git(["checkout", "-q", "main"])
        scratch.merge("fix-y", message: "Merge branch 'fix-y' into 'main'\n\nFix Y\n\nSee merge request acme/app!45", time: t + 7600)
        scratch.commit("Tune cache (#15)\n\nAI-Session: claude-code/s9\n", files: ["z.txt": "ttl\n"], author: ("Cy", "cy@acme.test"), time: t + 7700)
        scratch.commit("Direct tweak", files: ["d.txt": "tweak\n"], author: ("Ann", "ann@acme.test"), time: t + 7800)
        scratch.deploy(time: t + 10_000)
        scratch.commit(
            "Later work (#16)\n\nAI-Session: claude-code/s3\n", files: ["w.txt": "later\n"], author: ("Ann", "ann@acme.test"), time: t + 20_000)
        scratch.git(["checkout", "-q", "-b", "feature-z"])
        scratch.commit("Z work", files: ["zz.txt": "z\n"], author: ("Ben", "ben@acme.test"), time: t + 21_000)
        scratch.git(["checkout", "-q", "main"])
        return scratch
    }

    func usage(_ repository: String) -> String {
        """
        {"timestamp":"2026-01-01T00:50:00Z","actor":"ann@acme.test","session":"s1","model":"claude-sonnet-4-5","input":1000,"output":100,"cache_write":0,"cache_read":0}
        {"timestamp":"2026-01-01T01:50:00Z","actor":"ben@acme.test","session":"s2","model":"claude-sonnet-4-5","input":2000,"output":200,"cache_write":0,"cache_read":0}
        {"timestamp":"2026-01-01T02:03:00Z","actor":"cy@acme.test","repository":"\(repository)","model":"claude-sonnet-4-5","input":500,"output":50,"cache_write":0,"cache_read":0}
        {"timestamp":"2026-01-01T05:00:00Z","actor":"ann@acme.test","session":"s3","model":"claude-sonnet-4-5","input":300,"output":30,"cache_write":0,"cache_read":0}

        """
    }

    func groups(_ document: [String: Any]) -> [String: [String: Any]] {
        Dictionary(
            uniqueKeysWithValues: ((document["groups"] as? [[String: Any]]) ?? []).compactMap { group in (group["key"] as? String).map { ($0, group) }
            })
    }

    func report(_ arguments: [String], in directory: String) throws -> [String: Any] {
        let result = ShipmeterBinary.run(["report", "--by", "pull-request", "--format", "json"] + arguments, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        var document = try json(result.stdout)
        document["generated_at"] = nil
        return document
    }

    /// The hand-computed figures (claude-sonnet-4-5: $3 per million input tokens, $15 output).
    func expectFigures(_ document: [String: Any], _ label: String) {
        let byKey = groups(document)
        func pr(_ key: String) -> [String: Any] { byKey[key]?["pull_request"] as? [String: Any] ?? [:] }
        func usage(_ key: String, _ kind: String) -> [String: Any] { ((pr(key)["usage"] as? [String: Any])?[kind] as? [String: Any]) ?? [:] }
        func basis(_ key: String) -> String? { (pr(key)["usage"] as? [String: Any])?["basis"] as? String }
        #expect(Set(byKey.keys) == ["#12", "#13", "!45", "#15", "#16", "none"], "\(label): \(byKey.keys.sorted())")

        #expect(
            pr("#12")["forge"] as? String == "github" && pr("#12")["number"] as? Int == 12 && pr("#12")["title"] as? String == "Add login", "\(label)"
        )
        #expect((byKey["#12"]?["tokens"] as? [String: Any])?["total"] as? Int == 1100, "\(label)")
        #expect(usage("#12", "explicit")["tokens"] as? Int == 1100 && usage("#12", "explicit")["cost_usd"] as? Double == 0.0045, "\(label)")
        #expect(pr("#12")["shipped_in"] as? String == "deploy/production/\(Self.start + 10_000)" && pr("#12")["final"] as? Bool == true, "\(label)")
        #expect(pr("#12")["merged_at"] as? String == "2026-01-01T01:00:00Z", "\(label)")

        // The branch's first commit names s2: its usage is the pull request's.
        #expect(pr("#13")["commits"] as? Int == 2 && pr("#13")["branch"] as? String == "feature-x", "\(label)")
        #expect(usage("#13", "explicit")["tokens"] as? Int == 2200 && usage("#13", "explicit")["cost_usd"] as? Double == 0.009, "\(label)")
        #expect(pr("#13")["lead_time_hours"] as? Double == 0.777778, "\(label)")  // 07:20 → 02:46:40 deploy: 2,800 s
        #expect(pr("#13")["final"] as? Bool == true && pr("#13")["title"] as? String == "Add feature X", "\(label)")

        // Joined by time only: it says so.
        #expect(pr("!45")["forge"] as? String == "gitlab" && pr("!45")["number"] as? Int == 45, "\(label)")
        #expect(usage("!45", "inferred")["tokens"] as? Int == 550 && usage("!45", "inferred")["cost_usd"] as? Double == 0.00225, "\(label)")
        #expect(usage("!45", "explicit")["tokens"] as? Int == 0 && basis("!45") == "inferred", "\(label)")

        // Named a session no record has.
        #expect((pr("#15")["usage"] as? [String: Any])?["unmatched_sessions"] as? Int == 1 && basis("#15") == "none", "\(label)")
        #expect(byKey["#15"]?["cost_per_nd"] is NSNull, "\(label)")

        // Not deployed: open, nothing shipped.
        #expect(pr("#16")["shipped_in"] is NSNull && pr("#16")["final"] as? Bool == false, "\(label)")
        #expect(usage("#16", "explicit")["tokens"] as? Int == 330 && byKey["#16"]?["unshipped_tokens"] as? Int == 330, "\(label)")

        // The direct commit has no pull request; the report says how many.
        #expect(byKey["none"]?["pull_request"] == nil, "\(label)")
        #expect(document["change_set_commits"] as? [String: Int] == ["shipped": 6, "without": 1], "\(label)")
    }

    @Test(arguments: LedgerBackend.available)
    func eachPullRequestsCostAndShippingFromHistoryAndTheLedger(_ backend: LedgerBackend) throws {
        let scratch = repository()
        let folder = ScratchDirectory()
        folder.write("usage.jsonl", usage(scratch.path))
        let window = ["--since", "2025-12-01", "--until", "2026-02-01"]
        let live = try report(window + ["--usage", folder.file("usage.jsonl")], in: scratch.path)
        expectFigures(live, "history")

        let ledger = try backend.freshLocation(in: folder)
        #expect(ShipmeterBinary.run(["attribute", "--usage", folder.file("usage.jsonl"), "--ledger", ledger], in: scratch.path).status == 0)
        let stored = try report(window + ["--ledger", ledger], in: folder.path)
        #expect(NSDictionary(dictionary: live).isEqual(to: stored), "\(backend)")

        // A window that leaves s1's record out: #12's figures are not final.
        let late = try report(["--since", "2026-01-01T00:55:00Z", "--until", "2026-02-01", "--ledger", ledger], in: folder.path)
        let twelve = groups(late)["#12"]?["pull_request"] as? [String: Any]
        #expect(twelve?["final"] as? Bool == false && (twelve?["usage"] as? [String: Any])?["records_outside_window"] as? Int == 1)

        // feature-z was stored as a branch; merged as #17 and deployed, an incremental run
        // reports it as a full run from history does.
        let t = Self.start
        scratch.merge("feature-z", message: "Merge pull request #17 from acme/feature-z\n\nZ", time: t + 22_000)
        scratch.git(["branch", "-q", "-D", "feature-z"])
        scratch.deploy(time: t + 23_000)
        let again = ShipmeterBinary.run(["attribute", "--ledger", ledger], in: scratch.path)
        #expect(again.status == 0 && again.stdout.contains("1 new"), "\(again.stdout)\(again.stderr)")
        let after = try report(window + ["--ledger", ledger], in: folder.path)
        let fresh = try report(window + ["--usage", folder.file("usage.jsonl")], in: scratch.path)
        #expect(NSDictionary(dictionary: after).isEqual(to: fresh), "\(backend)")
        let seventeen = groups(after)["#17"]?["pull_request"] as? [String: Any]
        #expect(seventeen?["commits"] as? Int == 1 && seventeen?["shipped_in"] as? String == "deploy/production/\(t + 23_000)")
        #expect(groups(after)["#16"]?["pull_request"].flatMap { ($0 as? [String: Any])?["final"] as? Bool } == true)
    }

    @Test func theReadableViewsShowPullRequestsAndBranches() throws {
        let scratch = repository()
        let folder = ScratchDirectory()
        folder.write("usage.jsonl", usage(scratch.path))
        let common = ["--since", "2025-12-01", "--until", "2026-02-01", "--usage", folder.file("usage.jsonl")]
        let table = ShipmeterBinary.run(["report", "--by", "pull-request"] + common, in: scratch.path)
        #expect(table.status == 0)
        #expect(
            table.stdout.contains("Pull requests") && table.stdout.contains("inferred only") && table.stdout.contains("not yet"), "\(table.stdout)")
        #expect(table.stdout.contains("rework"), "\(table.stdout)")
        let markdown = ShipmeterBinary.run(["report", "--by", "pull-request", "--format", "markdown"] + common, in: scratch.path).stdout
        #expect(markdown.contains("### Pull requests") && markdown.contains("\\#13 | Add feature X"), "\(markdown)")
        let csv = ShipmeterBinary.run(["report", "--by", "pull-request", "--format", "csv"] + common, in: scratch.path).stdout
        let header = csv.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.contains("shipped_in") && header.contains("cost_basis") && header.contains("rework_rate"), "\(header)")
        #expect(csv.contains("\n!45,") && csv.contains(",gitlab,Fix Y,fix-y,"), "\(csv)")
        let html = ShipmeterBinary.run(["report", "--by", "pull-request", "--format", "html"] + common, in: scratch.path).stdout
        #expect(html.contains("<h2>Pull requests</h2>") && html.contains("class=\"axis-label\""))

        let branches = try json(ShipmeterBinary.run(["report", "--by", "branch", "--format", "json"] + common, in: scratch.path).stdout)
        let byBranch = groups(branches)
        #expect(Set(byBranch.keys) == ["feature-x", "fix-y", "none"], "\(byBranch.keys.sorted())")
        #expect((byBranch["feature-x"]?["branch"] as? [String: Any])?["shipped_in"] as? String == "deploy/production/\(Self.start + 10_000)")
        #expect((byBranch["fix-y"]?["tokens"] as? [String: Any])?["total"] as? Int == 550)
    }
}
