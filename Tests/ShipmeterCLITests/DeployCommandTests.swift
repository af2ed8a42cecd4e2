import Foundation
import ShipmeterTestSupport
import Testing

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
        #expect(
            rows.split(separator: "\n").map { $0.split(separator: ",").dropFirst().joined(separator: ",") }
                == [" 'baseline', 'success')", " 'failed', 'failure')", " 'forward', 'success')"], "\(rows)")
    }

    @Test func aMarkWhoseLedgerIsUnreachableKeepsTheTagAndSaysSo() {
        let scratch = ScratchRepository()
        scratch.commit("one", files: ["a": "1\n"])
        let marked = ShipmeterBinary.run(
            ["deploy", "mark", "--env", "production", "--ledger", "postgres://ci:pw@127.0.0.1:1/ledger"], in: scratch.path)
        #expect(marked.status != 0)
        #expect(marked.stdout.contains("push it:"))
        #expect(
            marked.stderr.contains("was created, but the ledger was not updated") && marked.stderr.contains("shipmeter attribute"), "\(marked.stderr)"
        )
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
