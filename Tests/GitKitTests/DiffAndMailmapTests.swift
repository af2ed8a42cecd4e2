import Foundation
import GitKit
import ShipmeterTestSupport
import Testing

@Suite struct DiffAndMailmapTests {
    @Test func diffStatsAgreeWithNumstat() throws {
        let scratch = ScratchRepository()
        scratch.commit("root", files: ["a.txt": "1\n2\n3\n", "bin.dat": "x"])
        try Data([0, 1, 2, 0, 255]).write(to: URL(fileURLWithPath: scratch.path + "/bin.dat"))
        scratch.commit("binary and edit", files: ["a.txt": "1\nchanged\n3\n4\n"])
        scratch.git(["mv", "a.txt", "renamed.txt"])
        scratch.commit("rename", files: ["renamed.txt": "1\nchanged\n3\n4\n5\n"])
        scratch.generateHistory(commits: 15, seed: 11)
        let repo = try Repository(discovering: scratch.path)
        for line in scratch.output(["rev-list", "HEAD"]).split(separator: "\n") {
            let id = String(line)
            let commit = try repo.commit(try ObjectID(hex: id))
            let base = commit.parents.first?.hex ?? "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
            let numstat = scratch.output(["diff", "--numstat", "-M", base, id])
            var expected = [String: (Int, Int, Bool)]()
            for row in numstat.split(separator: "\n") {
                let cells = row.split(separator: "\t", maxSplits: 2).map(String.init)
                var path = cells[2]
                if path.contains(" => ") {
                    path = String(path.split(separator: ">").last!.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "}", with: ""))
                }
                expected[path] = (Int(cells[0]) ?? 0, Int(cells[1]) ?? 0, cells[0] == "-")
            }
            let stats = try repo.diffStats(for: commit.id)
            #expect(stats.filesChanged == expected.count, "files of \(id)")
            for file in stats.files {
                let want = try #require(expected[file.path], "\(file.path) in \(id)")
                #expect(file.linesAdded == want.0 && file.linesDeleted == want.1 && file.isBinary == want.2, "\(file.path) in \(id)")
            }
        }
    }

    @Test func mailmapAgreesWithGitLog() throws {
        let scratch = ScratchRepository()
        scratch.write(
            ".mailmap",
            """
            Alice Smith <alice@acme.test> <alice@old.test>
            Alice Smith <alice@acme.test> alice <alice@laptop.local>
            <bob@acme.test> <robert@acme.test>
            """)
        scratch.commit("m", files: ["x": "0"], author: ("Alice S", "alice@old.test"))
        scratch.commit("a", files: ["x": "1"], author: ("alice", "alice@laptop.local"))
        scratch.commit("b", files: ["x": "2"], author: ("Robert", "robert@acme.test"))
        scratch.commit("c", files: ["x": "3"], author: ("Carol", "carol@acme.test"))
        let repo = try Repository(discovering: scratch.path)
        let mailmap = try Mailmap(repo)
        let expected = scratch.output(["log", "--use-mailmap", "--format=%H %aN <%aE>"]).split(separator: "\n")
        for line in expected {
            let id = String(line.prefix(40))
            let commit = try repo.commit(try ObjectID(hex: id))
            let resolved = mailmap.resolve(commit.author)
            #expect("\(id) \(resolved.name) <\(resolved.email)>" == String(line))
        }
    }
}
