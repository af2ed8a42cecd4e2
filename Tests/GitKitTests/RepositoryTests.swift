import Foundation
import GitKit
import ShipmeterTestSupport
import Testing

@Suite struct RepositoryTests {
    @Test func opensFromASubfolderOfTheWorkTree() throws {
        let scratch = ScratchRepository()
        scratch.commit("first", files: ["src/deep/file.txt": "x\n"])
        let repo = try Repository(discovering: scratch.path + "/src/deep")
        #expect(repo.workDirectory == scratch.path)
        #expect(repo.commonDirectory == scratch.path + "/.git")
        #expect(!repo.isBare)
        #expect(try repo.head()?.hex == scratch.head())
    }

    @Test func outsideARepositoryIsAClearError() throws {
        let folder = ScratchDirectory()
        #expect {
            _ = try Repository(discovering: folder.path)
        } throws: { error in
            (error as? GitError)?.message.contains("is not inside a git repository") == true
        }
    }

    @Test func opensABareRepository() throws {
        let source = ScratchRepository()
        let id = source.commit("first", files: ["a": "1\n"])
        let target = ScratchDirectory()
        run("git", ["clone", "-q", "--bare", source.path, target.path + "/bare.git"])
        let repo = try Repository(discovering: target.path + "/bare.git")
        #expect(repo.isBare)
        #expect(repo.workDirectory == nil)
        #expect(try repo.resolveCommit("HEAD").hex == id)
    }

    @Test func linkedWorktreeSharesTheCommonDirectory() throws {
        let scratch = ScratchRepository()
        scratch.commit("first", files: ["a": "1\n"])
        let other = ScratchDirectory()
        scratch.git(["worktree", "add", "-q", "-b", "side", other.path + "/wt"])
        let repo = try Repository(discovering: other.path + "/wt")
        #expect(repo.isWorktree)
        #expect(repo.commonDirectory == scratch.path + "/.git")
        #expect(repo.workDirectory == other.path + "/wt")
    }

    @Test func emptyRepositoryHasNoHead() throws {
        let scratch = ScratchRepository()
        let repo = try Repository(discovering: scratch.path)
        #expect(repo.isEmpty)
        #expect(try repo.head() == nil)
    }

    @Test func shallowCloneIsDetectedAndLoadable() throws {
        let source = ScratchRepository()
        for index in 0..<5 { source.commit("c\(index)", files: ["f": "\(index)\n"]) }
        let target = ScratchDirectory()
        run("git", ["clone", "-q", "--depth", "2", "file://" + source.path, target.path + "/shallow"])
        let repo = try Repository(discovering: target.path + "/shallow")
        #expect(repo.isShallow)
        let head = try #require(try repo.head())
        let graph = try CommitGraph.load(repo, tips: [head])
        #expect(graph.count == 2)
        // The boundary commit diffs against the empty tree instead of failing.
        let boundary = try #require(repo.shallowBoundary().first)
        #expect(try repo.diffStats(for: boundary).linesAdded == 1)
    }

    @Test func objectIDRoundTripsAndRejectsBadInput() throws {
        let hex = "0123456789abcdef0123456789abcdef01234567"
        let id = try ObjectID(hex: hex.uppercased())
        #expect(id.description == hex)
        #expect(id.short() == "0123456")
        #expect(throws: GitError.self) { try ObjectID(hex: "xyz") }
        #expect(throws: GitError.self) { try ObjectID(hex: String(repeating: "g", count: 40)) }
    }

    @Test func ancestryAndMergeBase() throws {
        let scratch = ScratchRepository()
        let base = scratch.commit("base", files: ["a": "1\n"])
        scratch.git(["checkout", "-q", "-b", "side"])
        let side = scratch.commit("side", files: ["b": "1\n"])
        scratch.git(["checkout", "-q", "main"])
        let main = scratch.commit("main", files: ["c": "1\n"])
        let repo = try Repository(discovering: scratch.path)
        let (b, s, m) = (try ObjectID(hex: base), try ObjectID(hex: side), try ObjectID(hex: main))
        #expect(try repo.mergeBase(s, m) == b)
        #expect(try repo.isAncestor(b, of: s))
        #expect(try !repo.isAncestor(s, of: m))
        #expect(try repo.isAncestor(m, of: m))
    }

    @Test func configValuesAndRemote() throws {
        let scratch = ScratchRepository()
        scratch.git(["config", "shipmeter.hooks", "false"])
        scratch.git(["remote", "add", "origin", "https://example.test/acme/app.git"])
        let repo = try Repository(discovering: scratch.path)
        #expect(repo.configString("user.email") == "author@example.test")
        #expect(repo.configBool("shipmeter.hooks") == false)
        #expect(repo.configBool("shipmeter.missing") == nil)
        #expect(repo.remoteURL() == "https://example.test/acme/app.git")
    }
}
