import Foundation
import GitKit
import ShipmeterTestSupport
import Testing

@Suite struct TagTests {
    @Test func annotatedLightweightNestedAndTreeTags() throws {
        let scratch = ScratchRepository()
        let id = scratch.commit("first", files: ["a": "1\n"])
        scratch.tag("v1.0.0", message: "release one", time: 1_767_300_000)
        scratch.tag("light")
        scratch.git(["tag", "-a", "-m", "tag of a tag", "v1.0.0-outer", "v1.0.0"])
        scratch.git(["tag", "tree-tag", "HEAD^{tree}"])
        let repo = try Repository(discovering: scratch.path)
        let tags = Dictionary(uniqueKeysWithValues: try repo.tags().map { ($0.name, $0) })
        #expect(tags.count == 4)

        let annotated = try #require(tags["v1.0.0"])
        #expect(annotated.isAnnotated)
        #expect(annotated.commit?.hex == id)
        #expect(annotated.tagger?.time.seconds == 1_767_300_000)
        #expect(annotated.message == "release one\n")

        let light = try #require(tags["light"])
        #expect(!light.isAnnotated)
        #expect(light.tagger == nil)
        #expect(light.commit?.hex == id)

        #expect(tags["v1.0.0-outer"]?.commit?.hex == id)

        let tree = try #require(tags["tree-tag"])
        #expect(tree.commit == nil)
        if case .other(_, let type) = tree.target { #expect(type == "tree") } else { Issue.record("tree tag peeled to a commit") }

        #expect(try repo.tags(matching: "v1*").map(\.name) == ["v1.0.0", "v1.0.0-outer"])
    }

    @Test func createAnnotatedTagRefusesToOverwrite() throws {
        let scratch = ScratchRepository()
        let id = try ObjectID(hex: scratch.commit("first", files: ["a": "1\n"]))
        let repo = try Repository(discovering: scratch.path)
        let tagger = Signature(name: "Release Bot", email: "release@example.test", time: GitTime(seconds: 1_767_400_000))
        try repo.createAnnotatedTag(name: "deploy/production/20260103T000000Z", target: id, message: "status: success\n", tagger: tagger)
        #expect(scratch.output(["cat-file", "-t", "deploy/production/20260103T000000Z"]) == "tag")
        #expect(
            scratch.output(["for-each-ref", "--format=%(taggeremail) %(contents)", "refs/tags/deploy"]) == "<release@example.test> status: success")
        #expect { try repo.createAnnotatedTag(name: "deploy/production/20260103T000000Z", target: id, message: "again", tagger: tagger) } throws: {
            ($0 as? GitError)?.isAlreadyExisting == true
        }
    }

    @Test func notesAreReadFromANamedRef() throws {
        let scratch = ScratchRepository()
        let id = scratch.commit("first", files: ["a": "1\n"])
        let other = scratch.commit("second", files: ["a": "2\n"])
        scratch.git(["notes", "--ref", "ai", "add", "-m", "agent: claude", id])
        let repo = try Repository(discovering: scratch.path)
        #expect(try repo.note(for: try ObjectID(hex: id), notesRef: "refs/notes/ai") == "agent: claude\n")
        #expect(try repo.note(for: try ObjectID(hex: other), notesRef: "refs/notes/ai") == nil)
        #expect(try repo.notedCommits(notesRef: "refs/notes/ai").map(\.hex) == [id])
        #expect(try repo.notedCommits(notesRef: "refs/notes/none").isEmpty)
    }
}
