import Foundation

/// A small deterministic random number generator (SplitMix64) so generated histories repeat.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension ScratchRepository {
    /// Builds a history of about `commits` commits on `main` and short-lived feature branches
    /// merged back (some with merge commits, some fast-forward), several authors, trailers on
    /// some commits, and an annotated tag `v1.<n>.0` every `tagEvery` commits on main.
    /// Returns the tag names in creation order.
    @discardableResult
    public func generateHistory(commits: Int, seed: UInt64, tagEvery: Int = 5) -> [String] {
        var random = SeededGenerator(seed: seed)
        let authors = [("Alice", "alice@acme.test"), ("Bob", "bob@acme.test"), ("Carol", "carol@acme.test")]
        var made = 0
        var tags = [String]()
        var branchCount = 0
        var mainCommits = 0
        if git(["rev-parse", "-q", "--verify", "HEAD"]).status != 0 {
            // Branching off an unborn main would rename it instead: start with a commit.
            commit("initial", files: ["README": "generated\n"])
            made += 1
        }
        while made < commits {
            let author = authors[Int(random.next() % UInt64(authors.count))]
            if random.next() % 4 == 0 {
                branchCount += 1
                let branch = "feature-\(seed)-\(branchCount)"
                git(["checkout", "-q", "-b", branch])
                let length = 1 + Int(random.next() % 3)
                for step in 0..<length {
                    var message = "feature \(branchCount) step \(step)\n"
                    if random.next() % 2 == 0 { message += "\nAI-Session: claude-code/s\(branchCount)\nAssisted-by: claude-code:claude-sonnet-4-5\n" }
                    commit(message, files: ["f\(branchCount)/\(step).txt": String(repeating: "line\n", count: 1 + step)], author: author)
                    made += 1
                }
                git(["checkout", "-q", "main"])
                if random.next() % 3 == 0 {
                    commit("main moves on", files: ["main.txt": "\(made)\n"], author: author)
                    made += 1
                }
                merge(branch)
                made += 1
            } else {
                commit("work \(made)", files: ["main/\(made % 7).txt": "\(made)\n\(random.next())\n"], author: author)
                made += 1
            }
            mainCommits += 1
            if mainCommits % tagEvery == 0 {
                let name = "v1.\(tags.count).0"
                tag(name, message: "release \(name)")
                tags.append(name)
            }
        }
        return tags
    }
}
