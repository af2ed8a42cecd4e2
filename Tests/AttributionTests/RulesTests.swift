import Attribution
import Foundation
import GitKit
import Testing

@Suite struct CodeOwnersTests {
    /// GitHub's documented CODEOWNERS example, path by path.
    @Test func githubDocumentedExamples() {
        let owners = CodeOwners(
            text: """
                # This is a comment.
                *       @global-owner1 @global-owner2
                *.js    @js-owner #This is an inline comment.
                *.go docs@example.com
                *.txt @octo-org/octocats
                /build/logs/ @doctocat
                docs/*  docs@example.com
                apps/ @octocat
                /docs/ @doctocat
                /scripts/ @doctocat @octocat
                **/logs @octocat
                /apps/ @octocat
                /apps/github
                """)
        let cases: [(String, [String])] = [
            ("README.md", ["@global-owner1", "@global-owner2"]),
            ("src/index.js", ["@js-owner"]),
            ("main.go", ["docs@example.com"]),
            ("notes/todo.txt", ["@octo-org/octocats"]),
            ("build/logs/today.log", ["@octocat"]),  // **/logs comes later and wins
            ("docs/getting-started.md", ["@doctocat"]),
            ("docs/build-app/troubleshooting.md", ["@doctocat"]),
            ("deep/apps/thing.c", ["@octocat"]),
            ("scripts/deploy.sh", ["@doctocat", "@octocat"]),
            ("deeply/nested/logs/x.txt", ["@octocat"]),
            ("apps/web/index.html", ["@octocat"]),
            ("apps/github/index.html", []),  // an entry without owners leaves it unowned
        ]
        for (path, expected) in cases {
            #expect(owners.owners(of: path) == expected, "\(path)")
        }
    }

    /// A fuzzer's find: a run of stars became a run of regex quantifiers, and matching one path
    /// took longer than the fuzzer's 10 s limit (this test stalled). Runs of stars are one star;
    /// patterns with more wildcards than any real file uses are left out.
    @Test func starRunsAndWildcardHeavyPatternsCannotStallMatching() {
        let owners = CodeOwners(text: "/***********payme*\u{FF}\u{13}/ @ac.pma\n/src/**/*.swift @swift\n*a*a*a*a*a*a*a*a*a*a*b @nobody\n")
        let path = String(repeating: "a", count: 200) + "c"
        #expect(owners.owners(of: path) == [])
        #expect(owners.owners(of: "paymentsXYZ\u{FF}\u{13}/x") == ["@ac.pma"])
        #expect(CodeOwners(text: "/src/***/a***b.swift @x\n").owners(of: "src/k/l/aQQb.swift") == ["@x"])
        #expect(owners.owners(of: "src/a/b/c.swift") == ["@swift"])
    }

    @Test func wildcardDirectoryPatternsDoNotReachNestedFiles() {
        let owners = CodeOwners(text: "docs/* @docs\n")
        #expect(owners.owners(of: "docs/a.md") == ["@docs"])
        #expect(owners.owners(of: "docs/deeper/b.md") == [])
        #expect(owners.owners(of: "other/docs/a.md") == [])
    }
}

@Suite struct AISignalTests {
    let detector = AISignalDetector()

    func signals(
        _ message: String, author: (String, String) = ("Dev", "dev@acme.test"), committer: (String, String)? = nil, note: Bool = false
    ) -> [String] {
        let time = GitTime(seconds: 0)
        let commit = Commit(
            id: try! ObjectID(hex: String(repeating: "a", count: 40)), parents: [],
            author: Signature(name: author.0, email: author.1, time: time),
            committer: Signature(name: (committer ?? author).0, email: (committer ?? author).1, time: time),
            message: message, tree: try! ObjectID(hex: String(repeating: "b", count: 40)))
        return detector.signals(for: commit, trailers: commit.trailers, hasAINote: note)
    }

    @Test func everyDocumentedSignal() {
        #expect(signals("x\n\nAI-Session: claude-code/abc\nAssisted-by: claude-code:claude-sonnet-4-5") == ["ai-session", "assisted-by"])
        #expect(signals("x\n\nClaude-Session: https://claude.ai/code/session_01") == ["claude-session"])
        #expect(signals("x\n\nCo-authored-by: Claude <noreply@anthropic.com>") == ["co-authored-by:claude"])
        #expect(signals("x\n\nco-authored-by: Codex <noreply@openai.com>") == ["co-authored-by:codex"])
        #expect(signals("x\n\nCO-AUTHORED-BY: aider (openai/gpt-4o) <aider@aider.chat>") == ["co-authored-by:aider"])
        #expect(signals("x\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>") == ["co-authored-by:copilot"])
        #expect(signals("x\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>") == ["co-authored-by:cursor"])
        #expect(signals("x\n\nCo-authored-by: Jules <jules@google.com>") == ["co-authored-by:jules"])
        #expect(signals("x\n\nMade-with: Cursor") == ["made-with-cursor"])
        #expect(signals("x\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)") == ["generated-with-claude-code"])
        #expect(signals("fix parser", author: ("Jane Doe (aider)", "jane@acme.test")) == ["aider-author"])
        #expect(signals("aider: fix parser") == ["aider-subject"])
        #expect(signals("fix", author: ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com")) == ["copilot-agent"])
        #expect(signals("plain", note: true) == ["git-ai-note"])
        #expect(signals("x\n\nGenerated-by: GPT-4o") == ["generated-by"])
        #expect(signals("x\n\nAssisted-by: Gemini:gemini-2.5-pro") == ["assisted-by"])
    }

    @Test func peopleAndDependencyBotsAreNotAI() {
        #expect(signals("x\n\nAssisted-by: Jane Doe <jane@acme.test>").isEmpty)
        #expect(signals("x\n\nCo-authored-by: Jules Verne <jules@verne.test>").isEmpty)
        #expect(signals("x\n\nCo-authored-by: Bob <bob@acme.test>\nSigned-off-by: Dev <dev@acme.test>").isEmpty)
        #expect(signals("Bump lodash", author: ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")).isEmpty)
        #expect(signals("x\n\nCo-authored-by: renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>").isEmpty)
    }

    @Test func theSetIsConfigurable() {
        let custom = AISignalDetector(extraTrailerKeys: ["X-Agent"], extraCoAuthors: ["robo"], disabled: ["made-with-cursor"])
        let commit = Commit(
            id: try! ObjectID(hex: String(repeating: "a", count: 40)), parents: [],
            author: Signature(name: "Dev", email: "dev@acme.test", time: GitTime(seconds: 0)),
            committer: Signature(name: "Dev", email: "dev@acme.test", time: GitTime(seconds: 0)),
            message: "x\n\nX-Agent: anything\nMade-with: Cursor\nCo-authored-by: RoboHelper <robo@acme.test>\n",
            tree: try! ObjectID(hex: String(repeating: "b", count: 40)))
        #expect(custom.signals(for: commit, trailers: commit.trailers) == ["trailer:X-Agent", "co-authored-by:robo"])
    }
}

@Suite struct ConfigurationTests {
    @Test func malformedYAMLNamesTheLine() {
        #expect {
            _ = try Configuration.parse("teams:\n  red: [a@b.test\n  blue: x\n")
        } throws: { error in
            (error as? Configuration.ParseError)?.message.contains(":3") == true
                || (error as? Configuration.ParseError)?.message.contains("line") == true
        }
        #expect {
            _ = try Configuration.parse("attribution:\n  window_hours: soon\n")
        } throws: { error in
            (error as? Configuration.ParseError)?.message == ".shipmeter.yml:2: attribution.window_hours must be a non-negative number"
        }
    }

    @Test func unknownKeysWarnAndKnownKeysApply() throws {
        let (configuration, warnings) = try Configuration.parse(
            """
            deployments:
              tags: ["release/{env}/*"]
              logs: [deploys.jsonl]
            teams:
              red:
                members: [ann@acme.test, "*@red.acme.test"]
                budget_usd: 1200
              blue: [ben@acme.test]
            bots: ["ci-*"]
            attribution:
              window_hours: 12
            report:
              environment: prod
              weight: lines
            colour: blue
            """)
        #expect(warnings == [".shipmeter.yml:15: unknown setting 'colour' ignored"])
        #expect(configuration.deployTagPatterns == ["release/{env}/*"])
        #expect(configuration.deployLogs == ["deploys.jsonl"])
        #expect(
            configuration.teams == [
                Configuration.Team(name: "red", members: ["ann@acme.test", "*@red.acme.test"], annualBudgetUSD: 1200),
                Configuration.Team(name: "blue", members: ["ben@acme.test"]),
            ])
        #expect(configuration.inferenceWindowHours == 12)
        #expect(configuration.reportEnvironment == "prod")
        #expect(configuration.weight == .lines)
        let people = People(configuration: configuration)
        #expect(people.team(of: "x@red.acme.test") == "red")
        #expect(people.isBot(email: "ci-runner@acme.test"))
        #expect(DeploymentSources.environment(of: "release/prod/42", pattern: "release/{env}/*") == "prod")
        #expect(DeploymentSources.environment(of: "release/prod/42/x", pattern: "release/{env}/*") == nil)
    }
}
