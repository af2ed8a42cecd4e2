import Attribution
import Foundation
import GitKit
import ShipmeterTestSupport
import Testing
import Usage

/// Pull requests and branches found from history alone: what each message form names, and
/// which pull request the commits a merge brought in belong to.
@Suite struct PullRequestTests {
    func parse(_ message: String, merge: Bool = false) -> MergeReference? {
        MergeReference.parse(message: message, trailers: Trailer.parse(message: message), isMerge: merge)
    }

    @Test func everyMessageFormNamesItsPullRequest() {
        let squash = parse("Add login page (#123)\n\n* first\n* second\n")
        #expect(squash?.pullRequest == PullRequestReference(forge: .github, number: 123, title: "Add login page"))
        #expect(squash?.branch == nil)

        let merge = parse("Merge pull request #7 from octo/feature/deep-name\n\nAdd feature X\n", merge: true)
        #expect(merge?.pullRequest == PullRequestReference(forge: .github, number: 7, title: "Add feature X"))
        #expect(merge?.branch == "feature/deep-name")

        let gitlab = parse("Merge branch 'fix-y' into 'main'\n\nFix Y\n\nSee merge request acme/app!45\n", merge: true)
        #expect(gitlab?.pullRequest == PullRequestReference(forge: .gitlab, number: 45, title: "Fix Y"))
        #expect(gitlab?.branch == "fix-y")

        #expect(parse("Tune cache (!46)")?.pullRequest == PullRequestReference(forge: .gitlab, number: 46, title: "Tune cache"))
        #expect(parse("Tune cache (acme/app!47)")?.pullRequest?.key == "!47")
        #expect(parse("Squashed\n\nSee merge request acme/app!48\n")?.pullRequest?.key == "!48")

        #expect(parse("Land it\n\nPR-URL: https://github.com/nodejs/node/pull/51234\nReviewed-By: A <a@x>\n")?.pullRequest?.key == "#51234")
        #expect(parse("Land it\n\nPull-Request: https://gitlab.example/acme/app/-/merge_requests/9\n")?.pullRequest?.key == "!9")
        #expect(parse("Land it\n\nPull-Request: #12\n")?.pullRequest?.title == "Land it")

        let plain = parse("Merge branch 'ab/topic' into maint", merge: true)
        #expect(plain?.pullRequest == nil && plain?.branch == "ab/topic")
        #expect(parse("Merge remote-tracking branch 'origin/next'", merge: true)?.branch == "next")

        // Not references: a revert's quoted subject, text in parentheses, issue mentions.
        #expect(parse("Revert \"Add login page (#123)\"") == nil)
        #expect(parse("Fix crash (see #12 for details)") == nil)
        #expect(parse("Handle (#) marker") == nil)
        #expect(parse("Merge pull request #12 from x/y", merge: false)?.pullRequest == nil)
        #expect(parse("Revert \"Add login\" (#130)")?.pullRequest?.key == "#130")
    }

    /// Main with a squash (#1), a pull request (#2) whose branch merged main in and merged
    /// pull request #3 into itself, and a plain commit: each commit's pull request and branch.
    @Test func mergedCommitsBelongToTheInnermostPullRequestThatBroughtThemIn() throws {
        let scratch = ScratchRepository()
        let root = scratch.commit("root", files: ["a": "1\n"])
        let squash = scratch.commit("Squashed (#1)", files: ["b": "1\n"])
        scratch.git(["checkout", "-q", "-b", "feature"])
        let start = scratch.commit("Start feature", files: ["f": "1\n"])
        scratch.git(["checkout", "-q", "-b", "inner"])
        let inner = scratch.commit("Inner work", files: ["i": "1\n"])
        scratch.git(["checkout", "-q", "feature"])
        let innerMerge = scratch.merge("inner", message: "Merge pull request #3 from me/inner\n\nInner")
        scratch.git(["checkout", "-q", "main"])
        let onMain = scratch.commit("Direct on main", files: ["m": "1\n"])
        scratch.git(["checkout", "-q", "feature"])
        let update = scratch.merge("main", message: "Merge branch 'main' into feature")
        let finish = scratch.commit("Finish feature", files: ["f": "2\n"])
        scratch.git(["checkout", "-q", "main"])
        let outer = scratch.merge("feature", message: "Merge pull request #2 from me/feature\n\nFeature")
        scratch.git(["branch", "-q", "-D", "feature", "inner"])

        let snapshot = try scratch.snapshot()
        let requests = PullRequests(history: snapshot.history, tips: [snapshot.tips])
        func key(_ id: String) -> String? {
            snapshot.history.number(of: try! ObjectID(hex: id)).flatMap { requests.request(of: $0)?.key }
        }
        func branch(_ id: String) -> String? {
            snapshot.history.number(of: try! ObjectID(hex: id)).flatMap { requests.branch(of: $0)?.name }
        }
        #expect(key(root) == nil && key(onMain) == nil)
        #expect(key(squash) == "#1")
        #expect(key(inner) == "#3" && key(innerMerge) == "#3")
        #expect(key(start) == "#2" && key(update) == "#2" && key(finish) == "#2" && key(outer) == "#2")
        #expect(branch(inner) == "inner" && branch(start) == "feature" && branch(onMain) == nil)
        let two = try #require(requests.requests.first { $0.key == "#2" })
        #expect(two.reference.title == "Feature")
        #expect(Set(two.commits) == Set([start, update, finish, outer].compactMap { snapshot.history.number(of: try! ObjectID(hex: $0)) }))
    }

    @Test func hotfixPatternsMatchWordsAndTrailers() {
        let rule = ReworkRule()
        #expect(rule.isHotfix(summary: "Hotfix: null check in login", trailers: []))
        #expect(rule.isHotfix(summary: "[HOTFIX] login", trailers: []))
        #expect(!rule.isHotfix(summary: "Document hotfixes policy", trailers: []))
        #expect(!rule.isHotfix(summary: "Remove shotfix", trailers: []))
        #expect(rule.isHotfix(summary: "Patch", trailers: [Trailer(key: "fixes-deploy", value: "deploy/production/3")]))
        let custom = ReworkRule(windowHours: 1, hotfixPatterns: ["urgent fix*prod"])
        #expect(custom.isHotfix(summary: "URGENT FIX for prod outage", trailers: []))
        #expect(!custom.isHotfix(summary: "hotfix", trailers: []))
    }
}
