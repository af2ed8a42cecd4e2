import Foundation
import GitKit
import ShipmeterTestSupport
import Testing

@Suite struct CommitTests {
    @Test func copiesEveryFieldOutOfLibgit2() throws {
        let scratch = ScratchRepository()
        let root = scratch.commit("root commit", files: ["a": "1\n"], time: 1_767_225_600, offset: "+0130")
        let second = scratch.commit(
            "Add feature\n\nLonger body.\n\nSigned-off-by: A <a@example.test>\nAI-Session: claude-code/abc\n",
            files: ["b": "2\n"], author: ("Jane Doe", "jane@example.test"), time: 1_767_229_200, offset: "-0500")
        let repo = try Repository(discovering: scratch.path)
        let commit = try repo.commit(try ObjectID(hex: second))
        #expect(commit.parents.map(\.hex) == [root])
        #expect(commit.author.name == "Jane Doe")
        #expect(commit.author.email == "jane@example.test")
        #expect(commit.author.time.seconds == 1_767_229_200)
        #expect(commit.author.time.offsetMinutes == -300)
        #expect(commit.author.time.iso8601 == "2025-12-31T20:00:00-05:00")
        #expect(commit.summary == "Add feature")
        #expect(
            commit.trailers == [
                Trailer(key: "Signed-off-by", value: "A <a@example.test>"),
                Trailer(key: "AI-Session", value: "claude-code/abc"),
            ])
        let rootCommit = try repo.commit(try ObjectID(hex: root))
        #expect(rootCommit.parents.isEmpty)
        #expect(rootCommit.committer.time.iso8601 == "2026-01-01T01:30:00+01:30")
    }

    /// Written as `%04d-%02d-%02dT%02d:%02d:%02d` and `%+03d:%02d` would (without Foundation's
    /// formatting, which the commit hook's binary does not link).
    @Test func iso8601PadsAsPrintfDoes() {
        #expect(GitTime(seconds: 0).iso8601 == "1970-01-01T00:00:00Z")
        #expect(GitTime(seconds: -62_135_596_800, offsetMinutes: -725).iso8601 == "0000-12-31T11:55:00-12:05")
        #expect(GitTime(seconds: -62_198_755_200).iso8601 == "-001-01-01T00:00:00Z")
        #expect(GitTime(seconds: 253_402_300_799, offsetMinutes: 840).iso8601 == "10000-01-01T13:59:59+14:00")
    }

    @Test func nonUTF8MessageDecodesWithoutDroppingTheCommit() throws {
        let scratch = ScratchRepository()
        scratch.commit("first", files: ["a": "1\n"])
        // Write a commit object whose message has bytes that are not UTF-8.
        let tree = scratch.output(["rev-parse", "HEAD^{tree}"])
        let parent = scratch.head()
        var raw = Data(
            "tree \(tree)\nparent \(parent)\nauthor X <x@example.test> 1767225600 +0000\ncommitter X <x@example.test> 1767225600 +0000\n\ncaf".utf8)
        raw.append(contentsOf: [0xE9, 0xFF, 0x0A])
        scratch.write("raw-commit", String(decoding: raw, as: UTF8.self))
        try raw.write(to: URL(fileURLWithPath: scratch.path + "/raw-commit"))
        let id = scratch.output(["hash-object", "-t", "commit", "-w", "raw-commit"])
        scratch.git(["update-ref", "refs/heads/main", id])
        let repo = try Repository(discovering: scratch.path)
        let commit = try repo.commit(try ObjectID(hex: id))
        #expect(commit.summary.hasPrefix("caf"))
        #expect(commit.summary.contains("\u{FFFD}"))
        let walk = try RevisionWalk(repo)
        try walk.push(revision: "HEAD")
        #expect(try walk.all().count == 2)
    }

    @Test func latin1EncodedMessageIsDecodedFromItsEncoding() throws {
        let scratch = ScratchRepository()
        scratch.commit("first", files: ["a": "1\n"])
        let tree = scratch.output(["rev-parse", "HEAD^{tree}"])
        var raw = Data(
            "tree \(tree)\nauthor X <x@example.test> 1767225600 +0000\ncommitter X <x@example.test> 1767225600 +0000\nencoding ISO-8859-1\n\ncaf".utf8
        )
        raw.append(contentsOf: [0xE9, 0x0A])
        try raw.write(to: URL(fileURLWithPath: scratch.path + "/raw-commit"))
        let id = scratch.output(["hash-object", "-t", "commit", "-w", "raw-commit"])
        let repo = try Repository(discovering: scratch.path)
        #expect(try repo.commit(try ObjectID(hex: id)).summary == "café")
    }

    @Test func mergeCommitHasBothParents() throws {
        let scratch = ScratchRepository()
        scratch.commit("base", files: ["a": "1\n"])
        scratch.git(["checkout", "-q", "-b", "side"])
        let side = scratch.commit("side", files: ["b": "1\n"])
        scratch.git(["checkout", "-q", "main"])
        let main = scratch.commit("main", files: ["c": "1\n"])
        let merge = scratch.merge("side")
        let repo = try Repository(discovering: scratch.path)
        let commit = try repo.commit(try ObjectID(hex: merge))
        #expect(commit.parents.map(\.hex) == [main, side])
        #expect(commit.isMerge)
        // Against the first parent the merge brings in the side branch's file.
        let stats = try repo.diffStats(for: commit.id)
        #expect(stats.files.map(\.path) == ["b"])
    }

    @Test func trailersAgreeWithGitOnGeneratedHistory() throws {
        let scratch = ScratchRepository()
        scratch.generateHistory(commits: 30, seed: 7)
        scratch.commit("odd\n\nbody\n\nCo-authored-by: Claude <noreply@anthropic.com>\nco-authored-by: Bob <bob@x.test>\nAssisted-by: codex:gpt-5\n")
        let repo = try Repository(discovering: scratch.path)
        let lines = scratch.output(["log", "--format=%H%x00%(trailers:unfold,separator=%x01)%x02"])
        for record in lines.split(separator: "\u{02}") {
            let parts = record.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\0", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else { continue }
            let expected = parts[1].split(separator: "\u{01}").map { line -> Trailer in
                let text = String(line)
                let colon = try! #require(text.firstIndex(of: ":"))
                return Trailer(key: String(text[..<colon]), value: text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            let commit = try repo.commit(try ObjectID(hex: String(parts[0])))
            #expect(commit.trailers == expected, "trailers of \(parts[0])")
        }
    }
}
