import Foundation
import ShipmeterTestSupport
import Testing

/// `commits`: the listing's JSON, empty repositories, shallow clones.
@Suite struct CommitsCommandTests: JSONReading {
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
        #expect(
            (newest["trailers"] as? [[String: String]]) == [
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

    @Test func emptyRepositoryListsNothing() throws {
        let scratch = ScratchRepository()
        let result = ShipmeterBinary.run(["commits", "--format", "json"], in: scratch.path)
        #expect(result.status == 0)
        #expect((try json(result.stdout)["commits"] as? [Any])?.isEmpty == true)
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
        let expected = run("git", ["rev-list", "--count", "HEAD"], in: target.path + "/shallow").stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect((document["commits"] as? [Any])?.count == Int(expected))
        #expect(run("git", ["rev-parse", "--is-shallow-repository"], in: target.path + "/shallow").stdout.hasPrefix("true"))
        let report = ShipmeterBinary.run(["report", "--format", "json", "--since", "2020-01-01"], in: target.path + "/shallow")
        #expect(report.status == 0, "\(report.stderr)")
    }
}
