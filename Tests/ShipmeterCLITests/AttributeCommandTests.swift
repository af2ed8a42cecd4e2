import Foundation
import ShipmeterTestSupport
import Testing

@Suite struct AttributeCommandTests {
    /// Everything attribute stored, in a stable order, without the runs log or the revision.
    static let stored: [(table: String, columns: String)] = [
        ("deployments", "environment, id, ref, commit_id, time, status, kind"),
        ("shipped_commits", "environment, deployment_id, commit_id"),
        ("attributions", "source, key, commit_id, confidence"),
        (
            "commits",
            "commit_id, author_time, person, author_name, is_merge, is_bot, summary, signals, agent, model, reverts, team, lines, effective_lines, fingerprint, inverse_fingerprint, templates"
        ),
        ("commit_sessions", "session, agent, commit_id"),
        ("actors", "actor, person, team, bot"),
        ("repository_state", "tips, settings, remotes"),
        (
            "usage_rollup",
            "commit_id, confidence, actor, model, agent, session, location, day, input, output, cache_write, cache_read, priced, records"
        ),  // usage_mark is a position in ingest order, not content
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
            scratch.commit(
                "step \(step)\n\nAI-Session: claude-code/s\(step)", files: ["f\(step)": String(repeating: "x\n", count: step)], author: who,
                time: time)
            if step == 2 { rollbackTarget = scratch.head() }
            // A record of the session, one inferred by time, and one from before the commit's session link.
            lines.append(
                #"{"timestamp":"\#(iso(time - 600))","actor":"\#(who.1)","session":"s\#(step)","model":"claude-sonnet-4-5","input":\#(step * 10),"output":1,"cache_write":0,"cache_read":0}"#
            )
            lines.append(
                #"{"timestamp":"\#(iso(time - 1200))","actor":"\#(who.1)","repository":"\#(scratch.path)","model":"claude-sonnet-4-5","input":5,"output":1,"cache_write":0,"cache_read":0}"#
            )
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
            lines.append(
                #"{"timestamp":"\#(iso(time - 300))","actor":"\#(parts[1])","repository":"\#(target.path)","model":"claude-sonnet-4-5","input":\#(index + 1),"output":1,"cache_write":0,"cache_read":0\#(session),"key":"k\#(index)"}"#
            )
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
            scratch.commit(
                "step \(step)\n\nAI-Session: claude-code/s\(step)", files: ["f\(step)": "\(step)\n"], author: ("Ann", "ann@acme.test"), time: time)
            lines.append(
                #"{"timestamp":"\#(iso(time - 600))","actor":"ann@acme.test","session":"s\#(step)","model":"claude-sonnet-4-5","input":\#(step),"output":1,"cache_write":0,"cache_read":0}"#
            )
        }
        scratch.tag("deploy/production/1", message: "status: success", time: 1_767_250_000)
        folder.write("usage.jsonl", lines.joined(separator: "\n") + "\n")
        let together = try backend.freshLocation(in: folder), apart = try backend.freshLocation(in: folder)
        for ledger in [together, apart] {
            #expect(ShipmeterBinary.run(["ingest", folder.file("usage.jsonl"), "--ledger", ledger], in: scratch.path).status == 0)
        }
        let results = ProcessResults()
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

    func iso(_ time: Int64) -> String { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(time))) }
}
