import Foundation
import ShipmeterTestSupport
import Testing

/// What real histories hold and generated ones did not: blobless partial clones, objects missing
/// from the store, trailers after GitHub's squash-merge dashes, agent trailers inside squashes.
@Suite struct RealHistoryTests {
    /// The JSON a command printed; it finished (3: with line counts left out, as it says).
    static func json(_ result: ProcessResult) throws -> [String: Any] {
        #expect(result.status == (result.stderr.contains("line counts unknown") ? 3 : 0), "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
    }

    /// A deployed history with real lines, served to partial clones.
    static func origin() -> ScratchRepository {
        let origin = ScratchRepository()
        origin.write(".shipmeter.yml", "teams:\n  red: [ann@acme.test]\n")
        origin.commit("root", files: ["README.md": "# x\n"], time: 1_767_225_600)
        origin.deploy(time: 1_767_225_700)
        origin.commit(
            "feature\n\nAI-Session: claude-code/s-1", files: ["src/a.swift": "let total = price * quantity\nreturn total\n"],
            author: ("Ann", "ann@acme.test"), time: 1_767_230_000)
        origin.commit("more", files: ["src/b.swift": "let answer = compute(input, options)\n"], author: ("Ann", "ann@acme.test"), time: 1_767_240_000)
        origin.deploy(time: 1_767_250_000)
        origin.git(["config", "uploadpack.allowFilter", "true"])
        origin.git(["config", "uploadpack.allowAnySHA1InWant", "true"])
        return origin
    }

    static func commits(_ document: [String: Any]) -> [[String: Any]] { (document["commits"] as? [[String: Any]]) ?? [] }

    static let window = ["--since", "2025-12-01", "--until", "2026-02-01"]

    @Test func aBloblessCloneWorksEverywhereWithItsLineCountsUnknown() throws {
        let origin = Self.origin()
        let folder = ScratchDirectory("partial")
        let clone = folder.file("clone")
        let cloned = run(
            "git", ["clone", "-q", "--filter=blob:none", "--no-checkout", "file://" + origin.path, clone],
            environment: ScratchRepository.baseEnvironment)
        try #require(cloned.status == 0, "\(cloned.stderr)")
        run("git", ["-C", clone, "fetch", "-q", "origin", "refs/tags/*:refs/tags/*"], environment: ScratchRepository.baseEnvironment)

        let listing = ShipmeterBinary.run(["commits", "--format", "json"], in: clone)
        let entries = Self.commits(try Self.json(listing))
        #expect(entries.count == 3)
        for entry in entries {
            #expect(entry["lines_added"] is NSNull && entry["lines_deleted"] is NSNull && entry["effective_lines"] is NSNull)
        }
        #expect(entries.map { $0["files_changed"] as? Int } == [1, 1, 2])
        #expect(listing.stderr.components(separatedBy: "line counts unknown for 3 commits: blobs not present (partial clone?)").count == 2)
        // Done, with figures left out: exit status 3 (partial).
        #expect(listing.status == 3, "\(listing.stderr)")
        #expect(listing.stderr.contains("--fetch-missing"))
        #expect(ShipmeterBinary.run(["commits"], in: clone).stdout.contains("?"))

        let report = ShipmeterBinary.run(["report", "--format", "json"] + Self.window, in: clone)
        let document = try Self.json(report)
        #expect((document["totals"] as? [String: Any])?["effective_lines"] as? Double == 0)
        #expect(report.stderr.contains("line counts unknown for 2 commits"))
        for backend in LedgerBackend.available {
            let attributed = ShipmeterBinary.run(["attribute", "--ledger", try backend.freshLocation(in: folder)], in: clone)
            #expect(attributed.status == 3, "\(backend): \(attributed.stderr)")
            #expect(attributed.stderr.contains("line counts unknown"), "\(backend)")
        }

        // With --fetch-missing, git fetches the blobs and the figures are the full clone's.
        let fetched = Self.commits(try Self.json(ShipmeterBinary.run(["commits", "--format", "json", "--fetch-missing"], in: clone)))
        let full = Self.commits(try Self.json(ShipmeterBinary.run(["commits", "--format", "json"], in: origin.path)))
        #expect(fetched.map { $0["lines_added"] as? Int } == full.map { $0["lines_added"] as? Int })
        #expect(fetched.map { $0["effective_lines"] as? Double } == full.map { $0["effective_lines"] as? Double })
        #expect(full.compactMap { $0["effective_lines"] as? Double }.reduce(0, +) > 1)
        let complete = ShipmeterBinary.run(["report", "--format", "json"] + Self.window, in: clone)
        #expect(!complete.stderr.contains("line counts unknown"))
        #expect(complete.status == 0)
        #expect(((try Self.json(complete))["totals"] as? [String: Any])?["effective_lines"] as? Double ?? 0 > 1)
    }

    @Test func aBlobMissingFromTheStoreLeavesOneCommitsLinesUnknown() throws {
        let scratch = Self.origin()
        let blob = scratch.output(["rev-parse", "HEAD:src/b.swift"])
        try FileManager.default.removeItem(atPath: scratch.path + "/.git/objects/" + blob.prefix(2) + "/" + blob.dropFirst(2))
        let listing = ShipmeterBinary.run(["commits", "--format", "json"], in: scratch.path)
        let entries = Self.commits(try Self.json(listing))
        #expect(entries.filter { $0["lines_added"] is NSNull }.count == 1)
        #expect(entries.filter { $0["lines_added"] as? Int == 2 }.count == 1)
        #expect(listing.stderr.contains("line counts unknown for 1 commit: blobs not present (partial clone?); they count no lines"))
        let report = ShipmeterBinary.run(["report", "--format", "json"] + Self.window, in: scratch.path)
        #expect(report.status == 3, "\(report.stderr)")
        let folder = ScratchDirectory("missing")
        for backend in LedgerBackend.available {
            let ledger = try backend.freshLocation(in: folder)
            #expect(ShipmeterBinary.run(["attribute", "--ledger", ledger], in: scratch.path).status == 3, "\(backend)")
            let stored = ShipmeterBinary.run(["report", "--format", "json", "--ledger", ledger] + Self.window, in: scratch.path)
            // The ledger's report is the history's, the unknown commit counting no lines in both.
            let fromHistory = (try Self.json(report))["totals"] as? [String: Any]
            let fromLedger = (try Self.json(stored))["totals"] as? [String: Any]
            #expect(fromHistory?["effective_lines"] as? Double == fromLedger?["effective_lines"] as? Double, "\(backend)")
            #expect(fromHistory?["changed_lines"] as? Int == 2 && fromLedger?["changed_lines"] as? Int == 2, "\(backend)")
        }
    }

    @Test func agentTrailersInsideASquashAreASignalButNotTrailers() throws {
        let scratch = ScratchRepository()
        let message = """
            Fix the parser (#123)

            * first try

            Assisted-by: crush:claude-sonnet-4-5

            * address review

            ---------

            Co-authored-by: Jane Doe <jane@example.test>
            """
        scratch.commit(message, files: ["a.txt": "1\n"])
        let entry = try #require(Self.commits(try Self.json(ShipmeterBinary.run(["commits", "--format", "json"], in: scratch.path))).first)
        let trailers = (entry["trailers"] as? [[String: String]]) ?? []
        #expect(trailers == [["key": "Co-authored-by", "value": "Jane Doe <jane@example.test>"]])
        #expect(entry["ai_signals"] as? [String] == ["squashed-trailer:crush"])

        // The co-authors after the dashes are the commit's own trailers, as git reads them.
        scratch.commit("Squash (#9)\n\n* one\n\n---------\n\nCo-authored-by: Claude <noreply@anthropic.com>\n", files: ["b.txt": "1\n"])
        let squash = try #require(Self.commits(try Self.json(ShipmeterBinary.run(["commits", "--format", "json"], in: scratch.path))).first)
        #expect(squash["ai_signals"] as? [String] == ["co-authored-by:claude"])
    }
}
