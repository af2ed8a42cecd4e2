import Foundation
import GitKit
import ShipmeterTestSupport
import Testing

/// Trailers read exactly as `git log --format=%(trailers:only,unfold)` reads them, on a corpus of
/// messages covering every rule: the last paragraph only, the 25% rule with git-generated
/// trailers, continuation lines, comments, scissors, lines of dashes, CRLF, and the squash
/// formats of GitHub and GitLab.
@Suite struct TrailerCorpusTests {
    static let handWritten: [String] = [
        "Subject\n\nBody.\n\nSigned-off-by: A <a@example.test>\nAI-Session: claude-code/abc\n",
        // GitHub squash merge: the squashed messages, a line of dashes, the co-authors.
        "Fix the parser (#123)\n\n* first try\n\nAssisted-by: crush:claude-sonnet-4-5\n\n* address review\n\n---------\n\nCo-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: Jane <jane@example.test>\n",
        // GitLab squash: the squashed commits' messages one after another.
        "Add search\n\nAdd search box\n\nCo-authored-by: Claude <noreply@anthropic.com>\n\nTests for search\n\nSigned-off-by: Ann <ann@example.test>\n",
        // A bare `---` line and a `--- ` line: git reads commit messages without a patch divider.
        "Subject\n\nbody\n---\n\nSigned-off-by: A <a@b.test>\n",
        "Subject\n\nbody\n\n--- \nKey: value\n",
        "Subject\n\n---\nReviewed-by: R <r@b.test>\n",
        // The 25% rule: one git-generated trailer among three other lines.
        "Subject\n\nfoo\nbar\nbaz\nSigned-off-by: x <x@y.test>\n",
        "Subject\n\nfoo\nbar\nbaz\nqux\nSigned-off-by: x <x@y.test>\n",
        "Subject\n\nfoo\nbar\nbaz\nReviewed-by: x\n",
        "Subject\n\ncherry\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\n",
        // Continuation lines, folded values.
        "Subject\n\nBody\n\nKey: first part\n  second part\n\tthird part\nOther: value\n",
        "Subject\n\nBody\n\n  indented: not a trailer\nKey: v\n",
        // Comments and blank lines after the block, a scissors line.
        "Subject\n\nBody\n\nKey: v\n\n# a comment\n# another\n",
        "Subject\n\nBody\n\nKey: v\n# ------------------------ >8 ------------------------\nIgnored: below scissors\n",
        "Subject\n\nBody\n\nKey: v\n# inside\nOther: w\n",
        // CRLF line ends.
        "Subject\r\n\r\nBody\r\n\r\nSigned-off-by: A <a@b.test>\r\nAI-Session: codex/xyz\r\n",
        // Keys: blanks before the colon, odd characters, URLs.
        "Subject\n\nBody\n\nKey : spaced\nBad_Key: underscore\n",
        "Subject\n\nBody\n\nSee: https://example.test/a:b\nFixes: #12\n",
        "Subject\n\nSee also: something\n",
        // Only a title; trailers in the title paragraph; no blank line before them.
        "Subject line only",
        "Key: value in title\n",
        "Subject\nKey: value right under the title\n",
        "Subject\n\nKey: v\n\n\n\n",
        "Subject\n\nBody paragraph\nwith Key: inside a line\n",
        "Subject\n\nConflicts:\n\tsrc/a.c\n\nSigned-off-by: A <a@b.test>\n",
        "Subject\n\nKey: v\nConflicts:\n\tsrc/a.c\n",
        "Subject\n\nBody\n\nKey:\nEmpty: \n",
        "Subject\n\nBody\n\nCo-authored-by: Ünïcode Nämé <u@example.test>\n",
    ]

    /// Messages built from random paragraphs and blocks (seeded, so failures repeat).
    static func generated(count: Int, seed: UInt64) -> [String] {
        var random = SeededGenerator(seed: seed)
        let body = [
            "Plain text.", "* squashed commit", "---------", "---", "-- ", "Key: inside body", "  indented line", "# comment",
            "Conflicts:", "\tpath/file.c", "Signed-off-by: S <s@x.test>", "(cherry picked from commit abc)", "See: https://x.test/1",
            "Co-authored-by: Claude <noreply@anthropic.com>", "Assisted-by: codex:gpt-5", "not a: trailer because spaces", "x: y", "",
        ]
        return (0..<count).map { _ in
            var lines = ["Subject \(random.next() % 1000)"]
            let paragraphs = 1 + Int(random.next() % 4)
            for _ in 0..<paragraphs {
                lines.append("")
                for _ in 0..<(1 + Int(random.next() % 5)) { lines.append(body[Int(random.next() % UInt64(body.count))]) }
            }
            let ending = ["\n", "", "\n\n", "\r\n"][Int(random.next() % 4)]
            return lines.joined(separator: ending == "\r\n" ? "\r\n" : "\n") + ending
        }
    }

    /// What git reads: one commit per message (kept verbatim), then `git log`.
    static func gitTrailers(_ messages: [String]) throws -> (ScratchRepository, [String: [Trailer]], [String]) {
        let scratch = ScratchRepository()
        var ids = [String]()
        for message in messages {
            let path = scratch.directory.file("message.txt")
            try Data(message.utf8).write(to: URL(fileURLWithPath: path))
            scratch.git(["commit", "-q", "--allow-empty", "--no-verify", "--allow-empty-message", "--cleanup=verbatim", "-F", path])
            ids.append(scratch.head())
        }
        let log = scratch.git(["log", "--format=%H%x00%(trailers:only,unfold,separator=%x01)%x02"]).stdout
        var expected = [String: [Trailer]]()
        for entry in log.split(separator: "\u{02}") {
            let parts = entry.trimmingCharacters(in: .newlines).split(separator: "\u{00}", omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            expected[String(parts[0])] = parts[1].split(separator: "\u{01}").map { line in
                let text = String(line)
                let colon = text.range(of: ": ") ?? text.range(of: ":")!
                return Trailer(key: String(text[..<colon.lowerBound]), value: String(text[colon.upperBound...]))
            }
        }
        return (scratch, expected, ids)
    }

    @Test func everyHandWrittenCaseAgreesWithGit() throws {
        let (scratch, expected, ids) = try Self.gitTrailers(Self.handWritten)
        let repository = try Repository(discovering: scratch.path)
        for (index, id) in ids.enumerated() {
            let commit = try repository.commit(try ObjectID(hex: id))
            #expect(commit.trailers == (expected[id] ?? []), "case \(index): \(Self.handWritten[index].debugDescription)")
        }
    }

    @Test func generatedMessagesAgreeWithGit() throws {
        let messages = Self.generated(count: 300, seed: 12)
        let (scratch, expected, ids) = try Self.gitTrailers(messages)
        let repository = try Repository(discovering: scratch.path)
        var disagreements = 0
        for (index, id) in ids.enumerated() {
            let commit = try repository.commit(try ObjectID(hex: id))
            if commit.trailers != (expected[id] ?? []) {
                disagreements += 1
                Issue.record("message \(index): \(messages[index].debugDescription): \(commit.trailers) vs git \(expected[id] ?? [])")
            }
        }
        #expect(disagreements == 0)
    }

    @Test func squashMergeTrailersAreTheCommitsAndTheSquashedOnesAreEmbedded() {
        let message = Self.handWritten[1]
        #expect(
            Trailer.parse(message: message) == [
                Trailer(key: "Co-authored-by", value: "Claude <noreply@anthropic.com>"),
                Trailer(key: "Co-authored-by", value: "Jane <jane@example.test>"),
            ])
        #expect(Trailer.embedded(message: message) == [Trailer(key: "Assisted-by", value: "crush:claude-sonnet-4-5")])
        // The title is never a trailer, embedded or not.
        #expect(Trailer.embedded(message: "Key: value\n\nBody\n") == [])
    }
}
