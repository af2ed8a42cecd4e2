import Foundation
import ShipmeterTestSupport
import Testing

/// End to end: the built binary, its stdout, stderr and exit code.
@Suite struct CommandLineTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func versionAndHelp() {
        let version = ShipmeterBinary.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        let help = ShipmeterBinary.run(["--help"])
        #expect(help.status == 0)
        for command in ["report", "deployments", "commits", "usage", "budget", "demo"] {
            #expect(help.stdout.contains(command))
        }
    }

    @Test func commitsJSONFieldByField() throws {
        let scratch = ScratchRepository()
        scratch.write(".mailmap", "Jane Doe <jane@acme.test> <jane@old.test>\n")
        let root = scratch.commit("Initial", files: ["a.txt": "1\n2\n"], author: ("J", "jane@old.test"), time: 1_767_225_600, offset: "+0200")
        let second = scratch.commit(
            "Add feature\n\nBody text.\n\nAssisted-by: claude-code:claude-sonnet-4-5\nAI-Session: claude-code/s-1\n",
            files: ["a.txt": "1\nchanged\n3\n", "b.txt": "new\n"], author: ("Jane Doe", "jane@acme.test"), time: 1_767_229_200, offset: "-0130")
        let result = ShipmeterBinary.run(["commits", "--format", "json", "--repo", scratch.path])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try json(result.stdout)
        #expect(document["schema_version"] as? Int == 1)
        let commits = try #require(document["commits"] as? [[String: Any]])
        #expect(commits.count == 2)
        let newest = commits[0]
        #expect(newest["id"] as? String == second)
        #expect(newest["parents"] as? [String] == [root])
        #expect((newest["author"] as? [String: String]) == ["name": "Jane Doe", "email": "jane@acme.test"])
        #expect(newest["author_time"] as? String == "2025-12-31T23:30:00-01:30")
        #expect(newest["committer_time"] as? String == "2025-12-31T23:30:00-01:30")
        #expect(newest["summary"] as? String == "Add feature")
        #expect((newest["trailers"] as? [[String: String]]) == [
            ["key": "Assisted-by", "value": "claude-code:claude-sonnet-4-5"], ["key": "AI-Session", "value": "claude-code/s-1"],
        ])
        #expect(newest["files_changed"] as? Int == 2)
        #expect(newest["lines_added"] as? Int == 3)
        #expect(newest["lines_deleted"] as? Int == 1)
        #expect(newest["ai_signals"] as? [String] == ["assisted-by", "ai-session"])
        let oldest = commits[1]
        #expect((oldest["author"] as? [String: String])?["name"] == "Jane Doe")  // mailmap-resolved
        #expect(oldest["author_time"] as? String == "2026-01-01T02:00:00+02:00")
        #expect(oldest["ai_signals"] as? [String] == [])

        let ranged = try json(ShipmeterBinary.run(["commits", "--format", "json", "--range", "\(root)..HEAD"], in: scratch.path).stdout)
        #expect((ranged["commits"] as? [[String: Any]])?.count == 1)
        let table = ShipmeterBinary.run(["commits"], in: scratch.path)
        #expect(table.stdout.contains(String(second.prefix(7))) && table.stdout.contains("2 commits, 1 AI-assisted"))
    }

    @Test func errorsGoToStderrWithANonZeroExitAndSayWhatToDo() {
        let folder = ScratchDirectory()
        let outside = ShipmeterBinary.run(["commits"], in: folder.path)
        #expect(outside.status != 0)
        #expect(outside.stdout.isEmpty)
        #expect(outside.stderr.contains("not inside a git repository"))
        #expect(outside.stderr.contains("--repo"))

        let scratch = ScratchRepository()
        scratch.commit("a", files: ["a": "1\n"])
        let badRange = ShipmeterBinary.run(["commits", "--range", "nope..HEAD"], in: scratch.path)
        #expect(badRange.status != 0)
        #expect(badRange.stderr.contains("nope"))

        folder.write("notes.txt", "hello\n")
        let unknown = ShipmeterBinary.run(["usage", folder.file("notes.txt")])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("not a usage format") && unknown.stderr.contains("claude-code"))

        let badDate = ShipmeterBinary.run(["report", "--since", "yesterdayish"], in: scratch.path)
        #expect(badDate.status != 0)
        #expect(badDate.stderr.contains("--since"))

        scratch.write(".shipmeter.yml", "teams: [unclosed\n")
        let badConfig = ShipmeterBinary.run(["report"], in: scratch.path)
        #expect(badConfig.status != 0)
        #expect(badConfig.stderr.contains(".shipmeter.yml"))
    }

    @Test func emptyRepositoryListsNothing() throws {
        let scratch = ScratchRepository()
        let result = ShipmeterBinary.run(["commits", "--format", "json"], in: scratch.path)
        #expect(result.status == 0)
        #expect((try json(result.stdout)["commits"] as? [Any])?.isEmpty == true)
    }

    @Test func usageJSONShapeAndStrictMode() throws {
        let folder = ScratchDirectory()
        folder.write("u.jsonl", """
            {"timestamp":"2026-03-02T08:00:00Z","actor":"a@x.test","session":"s1","model":"claude-sonnet-4-5","input":10,"output":100,"cache_write":1000,"cache_read":5000}
            {"timestamp":"2026-03-03T08:00:00Z","actor":"a@x.test","session":"s2","model":"gpt-5","input":1,"output":2,"cache_write":0,"cache_read":3,"cost_usd":1.5}
            not json

            """)
        let result = ShipmeterBinary.run(["usage", folder.file("u.jsonl"), "--by", "day", "--format", "json"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("skipped 1 malformed line; first: \(folder.file("u.jsonl")):3"))
        let document = try json(result.stdout)
        let totals = try #require(document["totals"] as? [String: Any])
        #expect(totals["records"] as? Int == 2)
        #expect(totals["input"] as? Int == 11)
        #expect(totals["output"] as? Int == 102)
        #expect(totals["cache_write"] as? Int == 1000)
        #expect(totals["cache_read"] as? Int == 5003)
        #expect(totals["total"] as? Int == 6116)
        // claude-sonnet-4-5: 10×3 + 100×15 + 1000×3.75 + 5000×0.3 per million = 0.00678; plus 1.5 given.
        #expect(abs((totals["cost_usd"] as? Double ?? 0) - 1.50678) < 1e-9)
        #expect(document["skipped_lines"] as? Int == 1)
        let groups = try #require(document["groups"] as? [[String: Any]])
        #expect(groups.map { $0["key"] as? String } == ["2026-03-02", "2026-03-03"])

        let strict = ShipmeterBinary.run(["usage", folder.file("u.jsonl"), "--strict"])
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("--strict"))

        let csv = ShipmeterBinary.run(["usage", folder.file("u.jsonl"), "--by", "model", "--format", "csv"])
        #expect(csv.stdout.hasPrefix("key,records,input,output,cache_write,cache_read,total,cost_usd\r\n"))
    }

    @Test func demoReportsByTeam() throws {
        let folder = ScratchDirectory()
        let result = ShipmeterBinary.run(["demo", "--directory", folder.file("demo"), "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try json(result.stdout)
        #expect(document["group_by"] as? String == "team")
        #expect(document["environment"] as? String == "production")
        let keys = Set((document["groups"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String })
        #expect(keys == ["platform", "payments", "web"])
        let totals = try #require(document["totals"] as? [String: Any])
        #expect((totals["normalised_deployments"] as? Double ?? 0) > 0)
        #expect((totals["deployments"] as? Int ?? 0) >= 5)
        let kinds = Set((document["warnings"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String })
        #expect(kinds.contains("reverted_soon"))

        let deployments = try json(ShipmeterBinary.run(["deployments", "--format", "json", "--env", "production", "--repo", folder.file("demo/acme-app")]).stdout)
        let list = try #require(deployments["deployments"] as? [[String: Any]])
        let listedKinds = list.compactMap { $0["kind"] as? String }
        for kind in ["baseline", "forward", "redeploy", "rollback", "failed"] { #expect(listedKinds.contains(kind)) }
        #expect(list.contains { $0["status"] as? String == "rolled-back" })
        for entry in list {
            for field in ["environment", "id", "ref", "commit", "time", "status", "kind", "shipped_commits"] {
                #expect(entry[field] != nil, "\(field)")
            }
        }
        let times = list.compactMap { $0["time"] as? String }
        #expect(times == times.sorted())
    }
}

@Suite struct DeployMarkTests {
    @Test func marksAnnotatedTagsThatDeploymentsRead() throws {
        let scratch = ScratchRepository()
        let first = scratch.commit("one", files: ["a": "1\n"])
        let marked = ShipmeterBinary.run(["deploy", "mark", "--env", "production"], in: scratch.path)
        #expect(marked.status == 0, "\(marked.stderr)")
        #expect(marked.stdout.contains("push it: git push origin refs/tags/deploy/production/"))
        let tag = try #require(scratch.output(["tag", "-l", "deploy/production/*"]).split(separator: "\n").first.map(String.init))
        #expect(tag.range(of: #"^deploy/production/\d{8}T\d{6}Z$"#, options: .regularExpression) != nil)
        #expect(scratch.output(["cat-file", "-t", tag]) == "tag")
        #expect(scratch.output(["tag", "-l", "--format=%(contents)", tag]).hasPrefix("status: success"))
        #expect(scratch.output(["rev-parse", tag + "^{commit}"]) == first)

        scratch.commit("two", files: ["b": "1\n"])
        #expect(ShipmeterBinary.run(["deploy", "mark", "--env", "production", "--status", "failure"], in: scratch.path).status == 0)
        #expect(ShipmeterBinary.run(["deploy", "mark", "--env", "production", "--ref", "HEAD"], in: scratch.path).status == 0)
        let listed = ShipmeterBinary.run(["deployments", "--format", "json"], in: scratch.path)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let kinds = (document["deployments"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(kinds == ["baseline", "failed", "forward"])
        // Each mark wrote its ledger row too (the default ledger), with the same kinds.
        #expect(marked.stdout.contains("recorded in the ledger"), "\(marked.stdout)")
        let rows = LedgerBackend.sqlite.dump(scratch.path + "/.git/shipmeter/ledger.sqlite", [("deployments", "time, kind, status")])
        #expect(rows.split(separator: "\n").map { $0.split(separator: ",").dropFirst().joined(separator: ",") }
                == [" 'baseline', 'success')", " 'failed', 'failure')", " 'forward', 'success')"], "\(rows)")
    }

    @Test func aMarkWhoseLedgerIsUnreachableKeepsTheTagAndSaysSo() {
        let scratch = ScratchRepository()
        scratch.commit("one", files: ["a": "1\n"])
        let marked = ShipmeterBinary.run(["deploy", "mark", "--env", "production", "--ledger", "postgres://ci:pw@127.0.0.1:1/ledger"], in: scratch.path)
        #expect(marked.status != 0)
        #expect(marked.stdout.contains("push it:"))
        #expect(marked.stderr.contains("was created, but the ledger was not updated") && marked.stderr.contains("shipmeter attribute"), "\(marked.stderr)")
        #expect(!marked.stderr.contains("pw@"))
        #expect(scratch.output(["tag", "-l"]).hasPrefix("deploy/production/"))
        let tagOnly = ShipmeterBinary.run(["deploy", "mark", "--env", "staging", "--no-ledger"], in: scratch.path)
        #expect(tagOnly.status == 0 && !tagOnly.stdout.contains("ledger"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/.git/shipmeter/ledger.sqlite"))
    }

    @Test func badInputIsRefused() {
        let scratch = ScratchRepository()
        scratch.commit("one", files: ["a": "1\n"])
        let badEnv = ShipmeterBinary.run(["deploy", "mark", "--env", "prod/eu"], in: scratch.path)
        #expect(badEnv.status != 0)
        #expect(badEnv.stderr.contains("--env"))
        let badStatus = ShipmeterBinary.run(["deploy", "mark", "--env", "production", "--status", "maybe"], in: scratch.path)
        #expect(badStatus.status != 0)
        let badRef = ShipmeterBinary.run(["deploy", "mark", "--env", "production", "--ref", "nope"], in: scratch.path)
        #expect(badRef.status != 0)
        #expect(badRef.stderr.contains("nope"))
        #expect(scratch.output(["tag", "-l"]).isEmpty)
    }
}

@Suite struct ShallowCloneTests {
    @Test func commitsAndReportWorkInAShallowClone() throws {
        let source = ScratchRepository()
        for index in 0..<6 { source.commit("c\(index)", files: ["f": "\(index)\n"]) }
        source.tag("v1.0.0", at: "HEAD~1", message: "one", time: source.clock)
        source.tag("v1.1.0", message: "one one", time: source.clock + 60)
        let target = ScratchDirectory()
        run("git", ["clone", "-q", "--depth", "2", "--no-single-branch", "file://" + source.path, target.path + "/shallow"])
        let listed = ShipmeterBinary.run(["commits", "--format", "json"], in: target.path + "/shallow")
        #expect(listed.status == 0, "\(listed.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let expected = run("git", ["rev-list", "--count", "HEAD"], in: target.path + "/shallow").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((document["commits"] as? [Any])?.count == Int(expected))
        #expect(run("git", ["rev-parse", "--is-shallow-repository"], in: target.path + "/shallow").stdout.hasPrefix("true"))
        let report = ShipmeterBinary.run(["report", "--format", "json", "--since", "2020-01-01"], in: target.path + "/shallow")
        #expect(report.status == 0, "\(report.stderr)")
    }
}

@Suite struct LedgerCommandTests {
    @Test func ingestReportAndForgetThroughTheLedger() throws {
        let scratch = ScratchRepository.withDeployedSession("s1")
        let folder = ScratchDirectory()
        folder.write("u.jsonl", """
            {"timestamp":"2026-01-01T00:30:00Z","actor":"ann@acme.test","session":"s1","model":"claude-sonnet-4-5","input":100,"output":0,"cache_write":0,"cache_read":0}
            {"timestamp":"2026-01-01T00:40:00Z","actor":"ben@acme.test","model":"claude-sonnet-4-5","input":50,"output":0,"cache_write":0,"cache_read":0}

            """)
        let first = ShipmeterBinary.run(["ingest", folder.file("u.jsonl")], in: scratch.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("ingested 2 new records"))
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/.git/shipmeter/ledger.sqlite"))
        let again = ShipmeterBinary.run(["ingest", folder.file("u.jsonl")], in: scratch.path)
        #expect(again.stdout.contains("nothing new"))

        let ledger = scratch.path + "/.git/shipmeter/ledger.sqlite"
        let report = ShipmeterBinary.run(["report", "--ledger", ledger, "--since", "2025-12-01", "--until", "2026-02-01", "--format", "json"], in: scratch.path)
        #expect(report.status == 0, "\(report.stderr)")
        let totals = try #require((try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])?["totals"] as? [String: Any])
        #expect((totals["tokens"] as? [String: Any])?["total"] as? Int == 150)
        #expect(totals["shipped_tokens"] as? Int == 100)

        let forget = ShipmeterBinary.run(["ledger", "forget", "--actor", "ben@acme.test"], in: scratch.path)
        #expect(forget.stdout.contains("removed 1 usage record of ben@acme.test"))
        let after = ShipmeterBinary.run(["report", "--ledger", ledger, "--since", "2025-12-01", "--until", "2026-02-01", "--format", "json"], in: scratch.path)
        #expect(after.stdout.contains("\"total\": 100"))

        // An unreachable PostgreSQL is a clear error, and the password never shows.
        let postgres = ShipmeterBinary.run(["ingest", folder.file("u.jsonl"), "--ledger", "postgres://someone:s3cret@127.0.0.1:1/x"], in: scratch.path)
        #expect(postgres.status != 0)
        #expect(postgres.stderr.contains("cannot reach PostgreSQL at postgres://someone@127.0.0.1:1/x"))
        #expect(!postgres.stderr.contains("s3cret"))
    }
}

@Suite struct AttributeCommandTests {
    /// Everything attribute stored, in a stable order, without the runs log or the revision.
    static let stored: [(table: String, columns: String)] = [
        ("deployments", "environment, id, ref, commit_id, time, status, kind"),
        ("shipped_commits", "environment, deployment_id, commit_id"),
        ("attributions", "source, key, commit_id, confidence"),
        ("commits", "commit_id, author_time, person, author_name, is_merge, is_bot, summary, signals, agent, model, reverts, team, lines, effective_lines, fingerprint, inverse_fingerprint, templates"),
        ("commit_sessions", "session, agent, commit_id"),
        ("actors", "actor, person, team, bot"),
        ("repository_state", "tips, settings, remotes"),
        ("usage_rollup", "commit_id, confidence, actor, model, agent, session, location, day, input, output, cache_write, cache_read, priced, records"),  // usage_mark is a position in ingest order, not content
    ]

    /// A generated history with sessions, a failed deploy, a rollback and a redeploy, attributed
    /// after every deployment, equals one attribute at the end — on both backends.
    @Test(arguments: LedgerBackend.available)
    func attributeIsIdempotentAndIncrementalEqualsFromScratch(_ backend: LedgerBackend) throws {
        let scratch = ScratchRepository()
        let folder = ScratchDirectory()
        var lines = [String]()
        scratch.commit("root", files: ["r": "1\n"], time: 1_767_225_600)
        scratch.tag("deploy/production/0", message: "status: success", time: 1_767_225_700)
        let stepwise = try backend.freshLocation(in: folder)
        var rollbackTarget = ""
        for step in 1...7 {
            let time = 1_767_225_600 + Int64(step) * 86_400
            let who = step % 2 == 0 ? ("Ben", "ben@acme.test") : ("Ann", "ann@acme.test")
            scratch.commit("step \(step)\n\nAI-Session: claude-code/s\(step)", files: ["f\(step)": String(repeating: "x\n", count: step)], author: who, time: time)
            if step == 2 { rollbackTarget = scratch.head() }
            // A record of the session, one inferred by time, and one from before the commit's session link.
            lines.append(#"{"timestamp":"\#(iso(time - 600))","actor":"\#(who.1)","session":"s\#(step)","model":"claude-sonnet-4-5","input":\#(step * 10),"output":1,"cache_write":0,"cache_read":0}"#)
            lines.append(#"{"timestamp":"\#(iso(time - 1200))","actor":"\#(who.1)","repository":"\#(scratch.path)","model":"claude-sonnet-4-5","input":5,"output":1,"cache_write":0,"cache_read":0}"#)
            folder.write("usage.jsonl", lines.joined(separator: "\n") + "\n")
            switch step {
            case 3: scratch.tag("deploy/production/\(step)", message: "status: failure", time: time + 3600)
            case 5: scratch.tag("deploy/production/\(step)", at: rollbackTarget, message: "status: success", time: time + 3600)  // a rollback
            case 6: scratch.tag("deploy/production/\(step)", at: rollbackTarget, message: "status: success", time: time + 3600)  // the same again
            default: scratch.tag("deploy/production/\(step)", message: "status: success", time: time + 3600)
            }
            let result = ShipmeterBinary.run(["attribute", "--usage", folder.file("usage.jsonl"), "--ledger", stepwise], in: scratch.path)
            #expect(result.status == 0, "\(result.stderr)")
            if step > 1 {
                // Only what is new was read: this step's commit, its two records, and the records of
                // sessions whose commits this deployment shipped (after the failed one: two steps).
                let rejoined = step == 4 || step == 7 ? (step == 4 ? 3 : 4) : 2
                #expect(result.stdout.contains("read 1 new commits and re-joined \(rejoined) usage records"), "\(result.stdout)")
            }
        }
        let again = ShipmeterBinary.run(["attribute", "--ledger", stepwise], in: scratch.path)
        #expect(again.stdout.contains("(0 new)") && again.stdout.contains("(0 changed)"), "\(again.stdout)")
        let once = try backend.freshLocation(in: folder)
        let onceRun = ShipmeterBinary.run(["attribute", "--usage", folder.file("usage.jsonl"), "--ledger", once], in: scratch.path)
        #expect(onceRun.status == 0 && onceRun.stdout.contains("read the whole history"), "\(onceRun.stdout) \(onceRun.stderr)")
        let stepwiseContents = backend.dump(stepwise, Self.stored), onceContents = backend.dump(once, Self.stored)
        #expect(!onceContents.isEmpty)
        #expect(stepwiseContents == onceContents)
        #expect(onceContents.contains("explicit"))
        #expect(onceContents.contains("inferred"))
        #expect(onceContents.contains("failed"))
        #expect(onceContents.contains("rollback") && onceContents.contains("rolled-back") && onceContents.contains("redeploy"))
        // A settings change starts over and still gives the same ledger.
        scratch.commit("config", files: [".shipmeter.yml": "attribution:\n  window_hours: 24\n"], time: 1_767_225_600 + 9 * 86_400)
        let restarted = ShipmeterBinary.run(["attribute", "--ledger", stepwise], in: scratch.path)
        #expect(restarted.stdout.contains("read the whole history"), "\(restarted.stdout)")
    }

    /// A generated history (branches, merges, sessions, several authors), delivered one release
    /// at a time with `attribute` after each, equals one `attribute` over all of it; the usage
    /// was there from the start, so records are claimed as their commits arrive.
    @Test(arguments: LedgerBackend.available)
    func attributeAfterEveryReleaseOfAGeneratedHistoryEqualsOnceAtTheEnd(_ backend: LedgerBackend) throws {
        let source = ScratchRepository()
        let tags = source.generateHistory(commits: 90, seed: 11, tagEvery: 6)
        let target = ScratchRepository()
        let folder = ScratchDirectory()
        var lines = [String]()
        for (index, line) in source.output(["log", "--all", "--format=%H %ae %at %s"]).split(separator: "\n").enumerated() {
            let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
            guard parts.count == 4, let time = Int64(parts[2]) else { continue }
            let session = parts[3].hasPrefix("feature ") ? #","session":"s\#(parts[3].split(separator: " ")[1])""# : ""
            lines.append(#"{"timestamp":"\#(iso(time - 300))","actor":"\#(parts[1])","repository":"\#(target.path)","model":"claude-sonnet-4-5","input":\#(index + 1),"output":1,"cache_write":0,"cache_read":0\#(session),"key":"k\#(index)"}"#)
        }
        folder.write("usage.jsonl", lines.joined(separator: "\n") + "\n")
        let stepwise = try backend.freshLocation(in: folder)
        #expect(ShipmeterBinary.run(["ingest", folder.file("usage.jsonl"), "--ledger", stepwise], in: target.path).status == 0)
        for (step, tag) in tags.enumerated() {
            target.git(["fetch", "-q", source.path, "+refs/tags/\(tag):refs/tags/\(tag)"])
            target.git(["reset", "-q", "--hard", "refs/tags/\(tag)^{commit}"])
            let result = ShipmeterBinary.run(["attribute", "--ledger", stepwise], in: target.path)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains(step == 0 ? "read the whole history" : "new commits and re-joined"), "\(result.stdout)")
        }
        let once = try backend.freshLocation(in: folder)
        #expect(ShipmeterBinary.run(["attribute", "--usage", folder.file("usage.jsonl"), "--ledger", once], in: target.path).status == 0)
        let stepwiseContents = backend.dump(stepwise, Self.stored), onceContents = backend.dump(once, Self.stored)
        #expect(onceContents.contains("inferred") && onceContents.contains("explicit") && onceContents.contains("forward"))
        #expect(stepwiseContents == onceContents)
    }

    /// Two attribute runs at once for the same repository, and one for another repository, give
    /// the ledger one run after the other gives.
    @Test(arguments: LedgerBackend.available)
    func concurrentAttributeRunsEqualOneAfterTheOther(_ backend: LedgerBackend) throws {
        let folder = ScratchDirectory()
        var lines = [String]()
        let scratch = ScratchRepository()
        scratch.commit("root", files: ["r": "1\n"], time: 1_767_225_600)
        scratch.tag("deploy/production/0", message: "status: success", time: 1_767_225_700)
        for step in 1...5 {
            let time = 1_767_225_600 + Int64(step) * 3600
            scratch.commit("step \(step)\n\nAI-Session: claude-code/s\(step)", files: ["f\(step)": "\(step)\n"], author: ("Ann", "ann@acme.test"), time: time)
            lines.append(#"{"timestamp":"\#(iso(time - 600))","actor":"ann@acme.test","session":"s\#(step)","model":"claude-sonnet-4-5","input":\#(step),"output":1,"cache_write":0,"cache_read":0}"#)
        }
        scratch.tag("deploy/production/1", message: "status: success", time: 1_767_250_000)
        folder.write("usage.jsonl", lines.joined(separator: "\n") + "\n")
        let together = try backend.freshLocation(in: folder), apart = try backend.freshLocation(in: folder)
        for ledger in [together, apart] {
            #expect(ShipmeterBinary.run(["ingest", folder.file("usage.jsonl"), "--ledger", ledger], in: scratch.path).status == 0)
        }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            results.append(ShipmeterBinary.run(["attribute", "--ledger", together], in: scratch.path))
        }
        for result in results.all { #expect(result.status == 0, "\(result.stderr)") }
        #expect(ShipmeterBinary.run(["attribute", "--ledger", apart], in: scratch.path).status == 0)
        let contents = backend.dump(together, Self.stored)
        #expect(contents.contains("explicit"))
        #expect(contents == backend.dump(apart, Self.stored))
        #expect(backend.dump(together, [("repositories", "identity")]).split(separator: "\n").count == 1)
    }

    final class Results: @unchecked Sendable {
        // @unchecked: `results` is only touched under `lock`.
        private let lock = NSLock()
        private var results = [ProcessResult]()
        func append(_ result: ProcessResult) { lock.lock(); results.append(result); lock.unlock() }
        var all: [ProcessResult] { lock.lock(); defer { lock.unlock() }; return results }
    }

    func iso(_ time: Int64) -> String { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(time))) }
}

@Suite struct PostgresLedgerCommandTests {
    /// The same ingest → attribute → report flow against the PostgreSQL the test command started.
    @Test func ingestAttributeAndReportOnPostgreSQL() throws {
        guard LedgerBackend.postgresURL != nil else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "CI must run the PostgreSQL suite")
            return
        }
        let ledger = try LedgerBackend.postgres.freshLocation(in: ScratchDirectory())
        let scratch = ScratchRepository.withDeployedSession("s1")
        let folder = ScratchDirectory()
        folder.write("u.jsonl", #"{"timestamp":"2026-01-01T00:30:00Z","actor":"ann@acme.test","session":"s1","model":"claude-sonnet-4-5","input":100,"output":0,"cache_write":0,"cache_read":0}"# + "\n")
        let attribute = ShipmeterBinary.run(["attribute", "--usage", folder.file("u.jsonl"), "--ledger", ledger], in: scratch.path)
        #expect(attribute.status == 0, "\(attribute.stderr)")
        #expect(attribute.stdout.contains("1 usage records attributed"), "\(attribute.stdout)")
        let again = ShipmeterBinary.run(["attribute", "--ledger", ledger], in: scratch.path)
        #expect(again.stdout.contains("(0 new)") && again.stdout.contains("(0 changed)"))
        let report = ShipmeterBinary.run(["report", "--ledger", ledger, "--since", "2025-12-01", "--until", "2026-02-01", "--format", "json"], in: scratch.path)
        #expect(report.stdout.contains("\"shipped_tokens\": 100"), "\(report.stderr)")
    }
}

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
        Dictionary(uniqueKeysWithValues: ((document["groups"] as? [[String: Any]]) ?? []).compactMap { group in (group["key"] as? String).map { ($0, group) } })
    }

    @Test(arguments: LedgerBackend.available)
    func reportsAcrossRepositoriesFromTheLedgerAlone(_ backend: LedgerBackend) throws {
        let start: Int64 = 1_767_225_600
        let alpha = repository("alpha", session: "sa", author: ("Ann", "ann@acme.test"), time: start)
        let beta = repository("beta", session: "sb", author: ("Ben", "ben@acme.test"), time: start)
        let folder = ScratchDirectory()
        folder.write("usage.jsonl", """
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
        let both = try json(ShipmeterBinary.run(["report", "--ledger", ledger, "--by", "repository", "--weight", "commits"] + window, in: folder.path))
        #expect(Set((both["repositories"] as? [String]) ?? []) == ["acme/alpha", "acme/beta"])
        let byRepository = groups(both)
        #expect(byRepository["acme/alpha"]?["shipped_tokens"] as? Int == 100)
        #expect(byRepository["acme/beta"]?["shipped_tokens"] as? Int == 40)
        #expect((byRepository["acme/alpha"]?["tokens"] as? [String: Any])?["total"] as? Int == 107)  // the remote's uncommitted record counts for alpha
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

/// The GitHub Actions example, its shipmeter steps run as CI would run them, against PostgreSQL.
@Suite struct ContinuousIntegrationExampleTests {
    @Test func theWorkflowMarksAttributesAndReportsAgainstAPostgreSQLLedger() throws {
        guard LedgerBackend.available.contains(.postgres) else { return }
        let folder = ScratchDirectory()
        let ledger = try LedgerBackend.postgres.freshLocation(in: folder)
        let origin = folder.file("origin.git")
        #expect(run("git", ["init", "-q", "--bare", origin]).status == 0)
        let scratch = ScratchRepository()
        scratch.git(["remote", "add", "origin", origin])
        // Recent, so the report's default window (the last 30 days) holds it.
        let now = Int64(Date().timeIntervalSince1970)
        scratch.commit("root", files: ["a": "1\n"], time: now - 5 * 86_400)
        scratch.tag("deploy/production/baseline", message: "status: success", time: now - 5 * 86_400 + 60)
        scratch.commit("feature\n\nAI-Session: claude-code/s1", files: ["b": "1\n"], author: ("Ann", "ann@acme.test"), time: now - 2 * 86_400)
        let used = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(now - 2 * 86_400 - 600)))
        scratch.write("usage/u.jsonl", #"{"timestamp":"\#(used)","actor":"ann@acme.test","session":"s1","model":"claude-sonnet-4-5","input":100,"output":0,"cache_write":0,"cache_read":0}"# + "\n")
        let workflow = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/ci/github-actions-deploy.yml").standardized.path
        // Each shipmeter step's script, with the workflow's expressions filled in as Actions would.
        let steps = run("python3", ["-c", """
            import json, sys, yaml
            job = yaml.safe_load(open(sys.argv[1]))["jobs"]["deploy"]
            wanted = ("Mark the deployment", "Attribute", "Value report")
            print(json.dumps([s for s in job["steps"] if s.get("name", "").startswith(wanted)]))
            """, workflow])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(steps.stdout.utf8)) as? [[String: Any]], "\(steps.stderr)")
        #expect(parsed.count == 3)
        let temp = ScratchDirectory()
        let binDirectory = URL(fileURLWithPath: ShipmeterBinary.path).deletingLastPathComponent().path
        var environment = ScratchRepository.baseEnvironment
        environment["PATH"] = binDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        environment["SHIPMETER_LEDGER"] = ledger
        environment["GIT_COMMITTER_NAME"] = "CI"
        environment["GIT_COMMITTER_EMAIL"] = "ci@acme.test"
        for step in parsed {
            let script = ((step["run"] as? String) ?? "")
                .replacingOccurrences(of: "${{ steps.deploy.outcome }}", with: "success")
                .replacingOccurrences(of: "${{ runner.temp }}", with: temp.path)
            let directory = (step["working-directory"] as? String)?.replacingOccurrences(of: "${{ runner.temp }}", with: temp.path) ?? scratch.path
            let result = run("bash", ["-euo", "pipefail", "-c", script], in: directory, environment: environment)
            #expect(result.status == 0, "\(step["name"] ?? ""): \(result.stdout) \(result.stderr)")
        }
        #expect(run("git", ["--git-dir", origin, "tag", "-l", "deploy/production/*"]).stdout.split(separator: "\n").count == 2)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: temp.file("shipmeter-report.json")))) as? [String: Any])
        #expect((report["totals"] as? [String: Any])?["shipped_tokens"] as? Int == 100)
        #expect(FileManager.default.fileExists(atPath: temp.file("shipmeter-report.html")))
    }
}
