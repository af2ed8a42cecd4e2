import Foundation
import ShipmeterTestSupport
import Testing

/// End to end: the built binary, its stdout, stderr and exit code.
@Suite struct CommandLineTests: JSONReading {
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

        let deployments = try json(
            ShipmeterBinary.run(["deployments", "--format", "json", "--env", "production", "--repo", folder.file("demo/acme-app")]).stdout)
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
