import Foundation
import GitKit
import ShipmeterTestSupport
import Testing

/// The walk with git's commit-graph file (shape from the file, commits read on several threads)
/// gives what the walk without it gives, value for value and visit for visit.
@Suite struct CommitGraphFileTests {
    struct Walk: Equatable {
        var ids: [String] = []
        var parents: [[Int32]] = []
        var generations: [Int32] = []
        var times: [Int64] = []
        var emails: [String] = []
        var names: [String] = []
        var visits: [String] = []
    }

    static func walk(_ path: String, workers: Int) throws -> Walk {
        let repo = try Repository(discovering: path)
        let tips = try repo.references(matching: "refs/*").map { (ref) throws(GitError) in try repo.resolveCommit(ref.name) }
        var result = Walk()
        let graph = try CommitGraph.load(repo, tips: tips, workers: workers) { number, commit in
            result.visits.append("\(number) \(commit.id.hex) \(commit.parents.map(\.hex)) \(commit.author.email) \(commit.message)")
        }
        result.ids = graph.ids.map(\.hex)
        result.parents = (0..<graph.count).map { Array(graph.parents(of: $0)) }
        result.generations = graph.generations
        result.times = graph.authorTimes.map(\.seconds) + graph.committerTimes.map(\.seconds)
        result.emails = graph.authorEmails
        result.names = graph.authorNames
        return result
    }

    /// A generated history with merges, and an octopus merge (its third parent is in the
    /// file's EDGE chunk).
    static func history() -> ScratchRepository {
        let scratch = ScratchRepository()
        scratch.generateHistory(commits: 120, seed: 7, tagEvery: 4)
        for branch in ["o1", "o2", "o3"] {
            scratch.git(["checkout", "-q", "-b", branch, "main"])
            scratch.commit("octopus arm \(branch)", files: ["\(branch).txt": "x\n"])
        }
        scratch.git(["checkout", "-q", "main"])
        scratch.git(["merge", "-q", "--no-ff", "--no-edit", "-m", "Octopus", "o1", "o2", "o3"])
        return scratch
    }

    @Test func aFileOfTheWholeHistoryOrPartOfItOrAChainOfThemChangesNothing() throws {
        let scratch = Self.history()
        let serial = try Self.walk(scratch.path, workers: 1)
        #expect(serial.parents.contains { $0.count == 4 }, "an octopus merge of three branches")
        #expect(try Self.walk(scratch.path, workers: 2) == serial)  // no file yet: the serial walk

        scratch.git(["commit-graph", "write", "--reachable"])
        #expect(CommitGraphFile.open(objects: scratch.path + "/.git/objects")?.count == serial.ids.count)
        #expect(try Self.walk(scratch.path, workers: 2) == serial)
        #expect(try Self.walk(scratch.path, workers: 3) == serial)

        // Commits made after the file was written are read to learn their parents.
        scratch.generateHistory(commits: 30, seed: 8, tagEvery: 5)
        let grown = try Self.walk(scratch.path, workers: 1)
        #expect(grown.ids.count > serial.ids.count)
        #expect(try Self.walk(scratch.path, workers: 2) == grown)

        // A chain of layers (git commit-graph write --split).
        try FileManager.default.removeItem(atPath: scratch.path + "/.git/objects/info/commit-graph")
        scratch.generateHistory(commits: 10, seed: 9, tagEvery: 5)
        scratch.git(["commit-graph", "write", "--reachable", "--split", "--size-multiple=100"])
        scratch.generateHistory(commits: 10, seed: 10, tagEvery: 5)
        scratch.git(["commit-graph", "write", "--reachable", "--split=no-merge"])
        let chain = try String(contentsOfFile: scratch.path + "/.git/objects/info/commit-graphs/commit-graph-chain", encoding: .utf8)
        #expect(chain.split(separator: "\n").count == 2)
        let layered = try Self.walk(scratch.path, workers: 1)
        #expect(CommitGraphFile.open(objects: scratch.path + "/.git/objects")?.count == layered.ids.count)
        #expect(try Self.walk(scratch.path, workers: 2) == layered)
    }

    @Test func aDamagedFileIsNotUsed() throws {
        let scratch = Self.history()
        let serial = try Self.walk(scratch.path, workers: 1)
        scratch.git(["commit-graph", "write", "--reachable"])
        let path = scratch.path + "/.git/objects/info/commit-graph"
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        for damaged in [whole.prefix(whole.count / 2), whole.prefix(40), Data(), Data("CGPH".utf8) + whole.dropFirst(4).map { _ in 0xFF }] {
            try FileManager.default.removeItem(atPath: path)
            try Data(damaged).write(to: URL(fileURLWithPath: path))
            #expect(CommitGraphFile.open(objects: scratch.path + "/.git/objects") == nil)
            #expect(try Self.walk(scratch.path, workers: 2) == serial)
        }
    }

    /// A file that is well formed but wrong about a commit's parents is refused loudly, naming
    /// the way out, rather than trusted.
    @Test func aFileThatDisagreesWithTheCommitsIsAnError() throws {
        let scratch = Self.history()
        scratch.git(["commit-graph", "write", "--reachable"])
        let path = scratch.path + "/.git/objects/info/commit-graph"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func word(_ offset: Int) -> Int { bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
        // The chunk table: find CDAT, and the commit count from the fanout's last entry.
        var data = 0, fanout = 0
        for index in 0..<Int(bytes[6]) {
            let entry = 8 + index * 12
            let name = String(decoding: bytes[entry..<(entry + 4)], as: UTF8.self)
            if name == "CDAT" { data = word(entry + 8) }
            if name == "OIDF" { fanout = word(entry + 8) }
        }
        let count = word(fanout + 255 * 4)
        // The first commit with one parent gets another commit as its parent.
        let record = try #require((0..<count).map { data + $0 * 36 }.first { word($0 + 20) != 0x7000_0000 && word($0 + 24) == 0x7000_0000 })
        let wrong = (word(record + 20) + 1) % count
        for (offset, byte) in [UInt8(wrong >> 24), UInt8(wrong >> 16 & 0xFF), UInt8(wrong >> 8 & 0xFF), UInt8(wrong & 0xFF)].enumerated() {
            bytes[record + 20 + offset] = byte
        }
        try FileManager.default.removeItem(atPath: path)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Self.walk(scratch.path, workers: 2)
        } throws: { error in
            "\(error)".contains("the commit-graph file disagrees with commit") && "\(error)".contains("git commit-graph write")
        }
        // git's switch for the file turns it off here too.
        scratch.git(["config", "core.commitGraph", "false"])
        #expect(try Self.walk(scratch.path, workers: 2) == (try Self.walk(scratch.path, workers: 1)))
    }
}
