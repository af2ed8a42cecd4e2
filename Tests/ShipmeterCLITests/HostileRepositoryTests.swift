import Foundation
import ShipmeterTestSupport
import Testing

/// Repositories built to hurt: every command finishes or fails with a clear message
/// (scripts/hostile-input runs the full-size versions and reports time and peak memory).
@Suite struct HostileRepositoryTests {
    /// `git fast-import` input for one commit on main.
    static func commit(_ message: String, files: [(String, String)] = [], parents: [String] = [], mark: Int, time: Int) -> String {
        var text = "commit refs/heads/main\nmark :\(mark)\nauthor Ann <ann@acme.test> \(time) +0000\ncommitter Ann <ann@acme.test> \(time) +0000\n"
        text += "data \(message.utf8.count)\n\(message)\n"
        for (index, parent) in parents.enumerated() { text += (index == 0 ? "from " : "merge ") + parent + "\n" }
        for (path, content) in files { text += "M 100644 inline \(path)\ndata \(content.utf8.count)\n\(content)\n" }
        return text
    }

    func check(_ scratch: ScratchRepository, _ arguments: [String]) -> ProcessResult {
        let result = ShipmeterBinary.run(arguments, in: scratch.path)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
        return result
    }

    @Test func hugeMessagesWideCommitsAndDeepMergeChainsFinish() throws {
        let scratch = ScratchRepository()
        var stream = Self.commit("root\n", files: [("a", "1\n")], mark: 1, time: 1_767_225_600)
        // A 5 MB message whose trailer is at the very end.
        let body = String(repeating: String(repeating: "x", count: 99) + "\n", count: 50_000)
        stream += Self.commit(
            "huge\n\n" + body + "\nAI-Session: claude-code/s-huge\n", files: [("b", "2\n")], parents: [":1"], mark: 2, time: 1_767_225_700)
        // One commit touching 20,000 files.
        stream += Self.commit("wide\n", files: (0..<20_000).map { ("d\($0 % 100)/f\($0)", "\($0)\n") }, parents: [":2"], mark: 3, time: 1_767_225_800)
        // A chain of 1,000 merges.
        var previous = 3
        for step in 0..<1_000 {
            let side = 10 + 2 * step, merge = side + 1
            stream += Self.commit(
                "side \(step)\n", files: [("s", "\(step)\n")], parents: [":\(previous)"], mark: side, time: 1_767_226_000 + step * 10
            )
            .replacingOccurrences(of: "commit refs/heads/main", with: "commit refs/heads/side")
            stream += Self.commit("merge \(step)\n", parents: [":\(previous)", ":\(side)"], mark: merge, time: 1_767_226_005 + step * 10)
            previous = merge
        }
        let imported = scratch.git(["fast-import", "--quiet"], input: stream)
        try #require(imported.status == 0, "\(imported.stderr)")
        scratch.git(["reset", "-q", "--hard", "main"])
        scratch.tag("deploy/production/1", message: "status: success", time: 1_767_300_000)

        let commits = check(scratch, ["commits", "--format", "json"])
        let list = try #require((try JSONSerialization.jsonObject(with: Data(commits.stdout.utf8)) as? [String: Any])?["commits"] as? [[String: Any]])
        #expect(list.count == 2_003)
        #expect(list.contains { ($0["files_changed"] as? Int) == 20_000 })
        let huge = try #require(list.first { ($0["summary"] as? String) == "huge" })
        #expect((huge["ai_signals"] as? [String])?.contains("ai-session") == true, "\(huge["ai_signals"] ?? "")")
        let ledger = ScratchDirectory().file("l.sqlite")
        let attribute = check(scratch, ["attribute", "--ledger", ledger])
        #expect(attribute.stdout.contains("read the whole history (2003 commits)"), "\(attribute.stdout)")
        _ = check(scratch, ["report", "--format", "json"])
    }

    @Test func longTagChainsAndRefsToMissingObjectsAreHandled() throws {
        let scratch = ScratchRepository()
        scratch.commit("root", files: ["a": "1\n"], time: 1_767_225_600)
        scratch.tag("base", message: "status: success", time: 1_767_225_700)
        var previous = "base"
        for step in 1...150 {
            scratch.git(["-c", "advice.nestedTag=false", "tag", "-a", "-m", "level \(step)", "t\(step)", previous])
            previous = "t\(step)"
        }
        scratch.git(["-c", "advice.nestedTag=false", "tag", "-a", "-m", "status: success", "deploy/production/1", previous])
        try "1111111111111111111111111111111111111111\n".write(
            toFile: scratch.path + "/.git/refs/tags/deploy/production/2", atomically: true, encoding: .utf8)
        try "2222222222222222222222222222222222222222\n".write(toFile: scratch.path + "/.git/refs/heads/broken", atomically: true, encoding: .utf8)

        let deployments = check(scratch, ["deployments", "--format", "json"])
        #expect(
            deployments.stdout.contains("\"id\" : \"deploy/production/1\"") || deployments.stdout.contains("\"id\": \"deploy/production/1\""),
            "\(deployments.stdout)")
        #expect(
            deployments.stderr.contains(
                "tag deploy/production/2 points at 1111111111111111111111111111111111111111, which is not in this repository; skipped"))
        _ = check(scratch, ["commits", "--format", "json"])
        _ = check(scratch, ["attribute", "--ledger", ScratchDirectory().file("l.sqlite")])
        _ = check(scratch, ["report", "--format", "json"])
    }
}
