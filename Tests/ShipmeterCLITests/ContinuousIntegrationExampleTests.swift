import Foundation
import ShipmeterTestSupport
import Testing

/// The GitHub Actions example, its shipmeter steps run as CI would run them, against PostgreSQL.
@Suite struct ContinuousIntegrationExampleTests {
    /// A PostgreSQL ledger, a bare origin, and a repository pushing to it with a baseline deploy
    /// and one AI-assisted commit (`subject`, naming session s1) whose usage is in `usage/`. Recent,
    /// so the report's default window (the last 30 days) holds it.
    /// `folder` holds the origin: keep it alive until the test ends.
    static func deployedRepository(subject: String) throws -> (folder: ScratchDirectory, ledger: String, origin: String, scratch: ScratchRepository) {
        let folder = ScratchDirectory()
        let ledger = try LedgerBackend.postgres.freshLocation(in: folder)
        let origin = folder.file("origin.git")
        #expect(run("git", ["init", "-q", "--bare", origin]).status == 0)
        let scratch = ScratchRepository()
        scratch.git(["remote", "add", "origin", origin])
        let now = Int64(Date().timeIntervalSince1970)
        scratch.commit("root", files: ["a": "1\n"], time: now - 5 * 86_400)
        scratch.tag("deploy/production/baseline", message: "status: success", time: now - 5 * 86_400 + 60)
        scratch.commit("\(subject)\n\nAI-Session: claude-code/s1", files: ["b": "1\n"], author: ("Ann", "ann@acme.test"), time: now - 2 * 86_400)
        let used = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(now - 2 * 86_400 - 600)))
        scratch.write(
            "usage/u.jsonl",
            #"{"timestamp":"\#(used)","actor":"ann@acme.test","session":"s1","model":"claude-sonnet-4-5","input":100,"output":0,"cache_write":0,"cache_read":0}"#
                + "\n")
        return (folder, ledger, origin, scratch)
    }

    @Test(.enabled(if: LedgerBackend.available.contains(.postgres), "needs the PostgreSQL the test command starts"))
    func theWorkflowMarksAttributesAndReportsAgainstAPostgreSQLLedger() throws {
        let (folder, ledger, origin, scratch) = try Self.deployedRepository(subject: "feature")
        defer { withExtendedLifetime(folder) {} }
        let workflow = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../examples/ci/github-actions-deploy.yml"
        ).standardized.path
        // Each shipmeter step's script, with the workflow's expressions filled in as Actions would.
        let steps = run(
            "python3",
            [
                "-c",
                """
                import json, sys, yaml
                job = yaml.safe_load(open(sys.argv[1]))["jobs"]["deploy"]
                wanted = ("Mark the deployment", "Attribute", "Value report")
                print(json.dumps([s for s in job["steps"] if s.get("name", "").startswith(wanted)]))
                """, workflow,
            ])
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
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: temp.file("shipmeter-report.json")))) as? [String: Any])
        #expect((report["totals"] as? [String: Any])?["shipped_tokens"] as? Int == 100)
        #expect(FileManager.default.fileExists(atPath: temp.file("shipmeter-report.html")))
    }

    /// The GitLab job's script, its shipmeter lines run as the runner would (the package install
    /// lines aside: scripts/check-package installs the package itself), with a usage folder holding
    /// a broken link: exit 3 is accepted as the job asks, and the report is written.
    @Test(.enabled(if: LedgerBackend.available.contains(.postgres), "needs the PostgreSQL the test command starts"))
    func theGitLabJobMarksAttributesAndAcceptsPartialInput() throws {
        let (folder, ledger, origin, scratch) = try Self.deployedRepository(subject: "Add search (#7)")
        defer { withExtendedLifetime(folder) {} }
        // A link to a file that is gone: ingest reads the rest and exits 3 (done, input left out).
        #expect(run("ln", ["-s", "/nonexistent/usage.jsonl", scratch.directory.file("usage/gone.jsonl")]).status == 0)
        let job = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/ci/gitlab-ci-deploy.yml")
            .standardized.path
        let extracted = run(
            "python3",
            [
                "-c",
                """
                import json, sys, yaml
                job = yaml.safe_load(open(sys.argv[1]))["shipmeter"]
                print(json.dumps({"script": [line for line in job["script"] if "apt-get" not in line and not line.startswith("curl")], "variables": job["variables"]}))
                """, job,
            ])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(extracted.stdout.utf8)) as? [String: Any], "\(extracted.stderr)")
        let lines = try #require(parsed["script"] as? [String])
        #expect(lines.count == 3)
        let binDirectory = URL(fileURLWithPath: ShipmeterBinary.path).deletingLastPathComponent().path
        var environment = ScratchRepository.baseEnvironment
        for (key, value) in (parsed["variables"] as? [String: String]) ?? [:] { environment[key] = value }
        environment["PATH"] = binDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        environment["SHIPMETER_LEDGER"] = ledger
        environment["SHIPMETER_PUSH_URL"] = origin
        environment["GIT_COMMITTER_NAME"] = "CI"
        environment["GIT_COMMITTER_EMAIL"] = "ci@acme.test"
        for line in lines {
            let result = run("bash", ["-euo", "pipefail", "-c", line], in: scratch.path, environment: environment)
            #expect(result.status == 0, "\(line): \(result.stdout) \(result.stderr)")
        }
        #expect(run("git", ["--git-dir", origin, "tag", "-l", "deploy/production/*"]).stdout.split(separator: "\n").count == 2)
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.directory.file("reports/shipmeter-report.json"))))
                as? [String: Any])
        #expect((report["totals"] as? [String: Any])?["shipped_tokens"] as? Int == 100)
        #expect(((report["groups"] as? [[String: Any]]) ?? []).contains { $0["key"] as? String == "#7" })
        // Asked not to accept partial input, the same step fails on the broken link.
        environment["SHIPMETER_ACCEPT_PARTIAL"] = "false"
        let strict = run("bash", ["-euo", "pipefail", "-c", lines[1]], in: scratch.path, environment: environment)
        #expect(strict.status == 3, "\(strict.stdout) \(strict.stderr)")
    }
}
