// Timing harness for GitKit, driven by scripts/bench-walk (which times `git` beside it).
//   shipmeter-bench walk REPO              every commit of branches and tags: author, times, trailers
//   shipmeter-bench walk-libgit2 REPO      the same through libgit2's revwalk and commit lookup
//   shipmeter-bench ranges REPO T1 T2 …    commit counts of T1..T2, T2..T3, … from one graph load
//   shipmeter-bench diffs REPO             changed lines of every commit
import Foundation
import GitKit

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else { fail("usage: shipmeter-bench walk|walk-libgit2|ranges REPO [TAGS…]") }
do {
    let repo = try Repository(discovering: arguments[2])
    func tips() throws -> [ObjectID] {
        var seen = Set<ObjectID>()
        var result = [ObjectID]()
        for reference in try repo.references(matching: "refs/heads/*") + repo.references(matching: "refs/tags/*") {
            if let id = try? repo.resolveCommit(reference.name), seen.insert(id).inserted { result.append(id) }
        }
        return result
    }
    switch arguments[1] {
    case "walk":
        var commits = 0, trailers = 0, bytes = 0
        let graph = try CommitGraph.load(repo, tips: try tips()) { _, commit in
            commits += 1
            trailers += commit.trailers.count
            bytes += commit.author.email.utf8.count + Int(commit.author.time.seconds & 1)
        }
        print("walk: \(commits) commits (\(graph.count) in graph), \(trailers) trailers")
    case "walk-libgit2":
        let walk = try RevisionWalk(repo)
        try walk.push(glob: "refs/heads/*")
        try walk.push(glob: "refs/tags/*")
        var commits = 0, trailers = 0
        while let id = try walk.next() {
            let commit = try repo.commit(id)
            commits += 1
            trailers += commit.trailers.count
        }
        print("walk-libgit2: \(commits) commits, \(trailers) trailers")
    case "ranges":
        let tags = Array(arguments.dropFirst(3))
        let graph = try CommitGraph.load(repo, tips: try tips())
        let numbers = try tags.map { tag -> Int in
            guard let number = graph.number(of: try repo.resolveCommit(tag)) else { fail("\(tag) is not in the graph") }
            return number
        }
        var counts = [Int]()
        for index in 1..<numbers.count {
            counts.append(graph.range(include: [numbers[index]], exclude: [numbers[index - 1]]).count)
        }
        print(counts.map(String.init).joined(separator: " "))
    case "diffs":
        let graph = try CommitGraph.load(repo, tips: try tips())
        var lines = 0
        let reader = try Repository(gitDirectoryIgnoringWorkTree: repo.gitDirectory)
        for id in graph.ids { lines += try reader.diffStats(for: id).linesChanged }
        print("diffs: \(graph.count) commits, \(lines) changed lines")
    default:
        fail("unknown mode \(arguments[1])")
    }
} catch {
    fail("\(error)")
}
