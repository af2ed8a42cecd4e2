import Foundation
import GitKit
import ShipmeterTestSupport
import Testing

@Suite struct WalkTests {
    func ids(_ walk: RevisionWalk) throws -> [String] { try walk.all().map(\.hex) }

    @Test func walksAgreeWithRevList() throws {
        let scratch = ScratchRepository()
        let tags = scratch.generateHistory(commits: 60, seed: 42)
        let repo = try Repository(discovering: scratch.path)

        let everything = Set(scratch.output(["rev-list", "HEAD"]).split(separator: "\n").map(String.init))
        for sorting: RevisionWalk.Sorting in [.none, .time, .topological, [.topological, .reverse]] {
            let walk = try RevisionWalk(repo, sorting: sorting)
            try walk.push(revision: "HEAD")
            let order = try ids(walk)
            #expect(Set(order) == everything)
            #expect(order.count == everything.count)
            if sorting.contains(.topological) {
                // Children before parents (after parents when reversed).
                let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
                for id in order {
                    for parent in try repo.commit(try ObjectID(hex: id)).parents {
                        let childFirst = position[id]! < position[parent.hex]!
                        #expect(childFirst != sorting.contains(.reverse))
                    }
                }
            }
        }
        let timeWalk = try RevisionWalk(repo, sorting: .time)
        try timeWalk.push(revision: "HEAD")
        let times = try timeWalk.all().map { try repo.commit($0).committer.time.seconds }
        #expect(times == times.sorted(by: >))

        for (a, b) in zip(tags, tags.dropFirst()) {
            for range in ["\(a)..\(b)", "\(a)...\(b)", "\(b)..\(a)"] {
                let walk = try RevisionWalk(repo)
                try walk.push(range: range)
                let expected = Set(scratch.output(["rev-list", range]).split(separator: "\n").map(String.init))
                #expect(Set(try ids(walk)) == expected, "range \(range)")
            }
        }
    }

    @Test func globsPushAndHide() throws {
        let scratch = ScratchRepository()
        scratch.generateHistory(commits: 20, seed: 3)
        scratch.git(["checkout", "-q", "-b", "topic"])
        scratch.commit("topic only", files: ["t": "1\n"])
        let repo = try Repository(discovering: scratch.path)
        let walk = try RevisionWalk(repo)
        try walk.push(glob: "refs/heads/*")
        try walk.hide(glob: "refs/tags/*")
        let expected = Set(scratch.output(["rev-list", "--branches", "--not", "--tags"]).split(separator: "\n").map(String.init))
        #expect(Set(try ids(walk)) == expected)
        #expect(!expected.isEmpty)
    }

    @Test func aMissingObjectIsThrownNotTreatedAsTheEnd() throws {
        let scratch = ScratchRepository()
        for index in 0..<4 { scratch.commit("c\(index)", files: ["f": "\(index)\n"]) }
        let parent = scratch.output(["rev-parse", "HEAD~2"])
        // Commits made by the CLI stay loose, so one object can be deleted from the middle.
        let objectPath = scratch.path + "/.git/objects/" + parent.prefix(2) + "/" + parent.dropFirst(2)
        try FileManager.default.removeItem(atPath: objectPath)
        let repo = try Repository(discovering: scratch.path)
        let walk = try RevisionWalk(repo)
        try walk.push(revision: "HEAD")
        #expect(throws: GitError.self) { _ = try walk.all() }
        #expect(throws: GitError.self) { _ = try CommitGraph.load(repo, tips: [try repo.resolveCommit("HEAD")]) }
    }

    @Test func graphRangesAgreeWithRevList() throws {
        let scratch = ScratchRepository()
        let tags = scratch.generateHistory(commits: 80, seed: 99, tagEvery: 3)
        let repo = try Repository(discovering: scratch.path)
        let tips = try repo.references(matching: "refs/*").map { (ref) throws(GitError) in try repo.resolveCommit(ref.name) }
        let graph = try CommitGraph.load(repo, tips: tips)
        #expect(graph.count == Int(scratch.output(["rev-list", "--count", "--all"])))
        let numbers = try tags.map { tag in try #require(graph.number(of: try repo.resolveCommit(tag))) }
        for index in 1..<numbers.count {
            let got = Set(graph.range(include: [numbers[index]], exclude: Array(numbers[..<index])).map { graph.ids[$0].hex })
            let expected = Set(scratch.output(["rev-list", tags[index], "--not"] + tags[..<index]).split(separator: "\n").map(String.init))
            #expect(got == expected, "range up to \(tags[index])")
            // And the reverse direction, which must be empty once history only grows.
            #expect(graph.range(include: [numbers[index - 1]], exclude: [numbers[index]]).isEmpty)
        }
        // Author data straight from the raw headers.
        let head = try #require(graph.number(of: try repo.resolveCommit("HEAD")))
        #expect(graph.authorEmails[head] == scratch.output(["log", "-1", "--format=%ae"]))
        #expect(graph.authorTimes[head].seconds == Int64(scratch.output(["log", "-1", "--format=%at"])))
    }
}
