import CommitHooks
import Foundation
import GRDBSQLite
import GitKit
import ShipmeterTestSupport
import Testing

/// Real `git commit`s in temporary repositories, with HOME pointed at a temporary folder.
@Suite(.serialized) struct HookTests {
    final class Setup {
        let repo = ScratchRepository()
        let home = ScratchDirectory("home")
        var environment: [String: String]

        /// `script`: install the sh script form (`hooks install --script`) instead of the link.
        init(install: Bool = true, script: Bool = false) {
            let binaryFolder = URL(fileURLWithPath: ShipmeterBinary.path).deletingLastPathComponent().path
            environment = [
                "HOME": home.path, "PATH": binaryFolder + ":/usr/local/bin:/usr/bin:/bin",
                "GIT_AUTHOR_DATE": "1767225600 +0000", "GIT_COMMITTER_DATE": "1767225600 +0000",
            ]
            repo.commit("root", files: ["root": "1\n"])
            if install {
                let result = ShipmeterBinary.run(["hooks", "install"] + (script ? ["--script"] : []), in: repo.path, environment: environment)
                precondition(result.status == 0, result.stderr)
            }
        }

        @discardableResult
        func commit(_ message: String, file: String = UUID().uuidString, extra: [String: String] = [:]) -> ProcessResult {
            repo.write(file, "x\n")
            repo.git(["add", "-A"])
            var env = environment
            for (key, value) in extra { env[key] = value }
            return repo.git(["commit", "-q", "-m", message], environment: env)
        }

        func message(_ revision: String = "HEAD") -> String { repo.git(["log", "-1", "--format=%B", revision]).stdout }

        func transcript(
            session: String, model: String = "claude-sonnet-4-5-20250929", cwd: String? = nil, minutesAgo: Double = 1, extraLines: Int = 0
        ) {
            let stamp = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-minutesAgo * 60))
            var lines = (0..<extraLines).map { _ in #"{"type":"user","message":{"content":"filler"}}"# }
            lines.append(
                #"{"type":"assistant","sessionId":"\#(session)","cwd":"\#(cwd ?? repo.path)","timestamp":"\#(stamp)","message":{"id":"m","model":"\#(model)","usage":{"input_tokens":1,"output_tokens":1}}}"#
            )
            let folder = ".claude/projects/" + (cwd ?? repo.path).replacingOccurrences(of: "/", with: "-")
            home.write("\(folder)/\(session).jsonl", lines.joined(separator: "\n") + "\n")
            let path = home.file("\(folder)/\(session).jsonl")
            try? FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-minutesAgo * 60)], ofItemAtPath: path)
        }
    }

    func trailers(_ setup: Setup) throws -> [Trailer] {
        let repository = try Repository(discovering: setup.repo.path)
        return try repository.commit(try repository.resolveCommit("HEAD")).trailers
    }

    @Test func claudeCodeSessionFromARecentTranscript() throws {
        let setup = Setup()
        setup.transcript(session: "11111111-aaaa-4bbb-8ccc-000000000001")
        let result = setup.commit("Add feature", extra: ["CLAUDECODE": "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = [
            Trailer(key: "Assisted-by", value: "claude-code:claude-sonnet-4-5-20250929"),
            Trailer(key: "AI-Session", value: "claude-code/11111111-aaaa-4bbb-8ccc-000000000001"),
        ]
        #expect(try trailers(setup) == expected)
        // git reads back exactly what GitKit reads.
        let gitTrailers = setup.repo.output(["log", "-1", "--format=%(trailers:unfold)"]).split(separator: "\n").map(String.init)
        #expect(gitTrailers == expected.map { "\($0.key): \($0.value)" })
        #expect(setup.message().hasPrefix("Add feature\n\nAssisted-by:"))
    }

    @Test func codexSessionFromItsRollout() throws {
        let setup = Setup()
        let now = Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.current
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        let folder = String(format: ".codex/sessions/%04d/%02d/%02d", parts.year!, parts.month!, parts.day!)
        let stamp = ISO8601DateFormatter().string(from: now.addingTimeInterval(-60))
        setup.home.write(
            "\(folder)/rollout-x.jsonl",
            """
            {"timestamp":"\(stamp)","type":"session_meta","payload":{"id":"0199-codex-7","cwd":"\(setup.repo.path)"}}
            {"timestamp":"\(stamp)","type":"turn_context","payload":{"cwd":"\(setup.repo.path)","model":"gpt-5-codex"}}
            {"timestamp":"\(stamp)","type":"event_msg","payload":{"type":"token_count","info":null}}

            """)
        #expect(setup.commit("Codex change", extra: ["CODEX_SANDBOX": "seatbelt"]).status == 0)
        #expect(
            try trailers(setup) == [
                Trailer(key: "Assisted-by", value: "codex:gpt-5-codex"), Trailer(key: "AI-Session", value: "codex/0199-codex-7"),
            ])
    }

    @Test func geminiSessionFromItsNewestChatForThisWorkTree() throws {
        let setup = Setup()
        let stamp = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
        setup.home.write(".gemini/tmp/app/.project_root", setup.repo.path + "\n")
        setup.home.write(
            ".gemini/tmp/app/chats/session-2026-01-01T00-00-5e1a0c2b.jsonl",
            """
            {"sessionId":"5e1a0c2b-77","projectHash":"h","startTime":"\(stamp)","lastUpdated":"\(stamp)","kind":"main"}
            {"id":"g1","timestamp":"\(stamp)","type":"gemini","content":[],"tokens":{"input":1,"output":1,"cached":0,"total":2},"model":"gemini-2.5-pro"}

            """)
        // Another project's newer chat is not this commit's session.
        setup.home.write(".gemini/tmp/other/.project_root", "/somewhere/else\n")
        setup.home.write(".gemini/tmp/other/chats/session-2026-01-01T00-01-99999999.jsonl", #"{"sessionId":"99999999-0","projectHash":"o"}"# + "\n")
        #expect(setup.commit("Gemini change", extra: ["GEMINI_CLI": "1"]).status == 0)
        #expect(
            try trailers(setup) == [
                Trailer(key: "Assisted-by", value: "gemini-cli:gemini-2.5-pro"), Trailer(key: "AI-Session", value: "gemini-cli/5e1a0c2b-77"),
            ])
    }

    @Test func copilotSessionFromItsEventLog() throws {
        let setup = Setup()
        let stamp = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
        setup.home.write(
            ".copilot/session-state/c0p1-5e55/events.jsonl",
            """
            {"type":"session.start","timestamp":"\(stamp)","data":{"sessionId":"c0p1-5e55","context":{"cwd":"\(setup.repo.path)","gitRoot":"\(setup.repo.path)"}}}
            {"type":"session.model_change","timestamp":"\(stamp)","data":{"newModel":"claude-sonnet-4.5"}}

            """)
        #expect(setup.commit("Copilot change").status == 0)
        #expect(
            try trailers(setup) == [
                Trailer(key: "Assisted-by", value: "copilot-cli:claude-sonnet-4.5"), Trailer(key: "AI-Session", value: "copilot-cli/c0p1-5e55"),
            ])
    }

    @Test func openCodeSessionOfThisDirectoryUpdatedLast() throws {
        let setup = Setup()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let path = setup.home.file(".local/share/opencode/opencode.db")
        try FileManager.default.createDirectory(atPath: setup.home.file(".local/share/opencode"), withIntermediateDirectories: true)
        var handle: OpaquePointer?
        #expect(sqlite3_open(path, &handle) == SQLITE_OK)
        for statement in [
            "CREATE TABLE session (id TEXT PRIMARY KEY, project_id TEXT, directory TEXT, time_created INTEGER, time_updated INTEGER)",
            "CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT, data TEXT)",
            "INSERT INTO session VALUES ('ses_old', 'p', '\(setup.repo.path)', \(now - 600_000), \(now - 600_000))",
            "INSERT INTO session VALUES ('ses_now', 'p', '\(setup.repo.path)', \(now - 60_000), \(now - 30_000))",
            "INSERT INTO session VALUES ('ses_elsewhere', 'p', '/somewhere/else', \(now), \(now))",
            "INSERT INTO message VALUES ('msg_1', 'ses_now', '{\"role\":\"assistant\",\"modelID\":\"claude-sonnet-4-5\"}')",
        ] {
            #expect(sqlite3_exec(handle, statement, nil, nil, nil) == SQLITE_OK)
        }
        sqlite3_close(handle)
        #expect(setup.commit("OpenCode change", extra: ["OPENCODE": "1"]).status == 0)
        #expect(
            try trailers(setup) == [
                Trailer(key: "Assisted-by", value: "opencode:claude-sonnet-4-5"), Trailer(key: "AI-Session", value: "opencode/ses_now"),
            ])
    }

    @Test func noSessionNoTrailers() throws {
        let setup = Setup()
        // A transcript of this folder, but too old to be the session of this commit.
        setup.transcript(session: "stale", minutesAgo: 120)
        #expect(setup.commit("Human change").status == 0)
        #expect(setup.message() == "Human change\n\n")
    }

    @Test func processAncestryWinsOverANewerTranscriptOfAnotherSession() throws {
        let setup = Setup()
        setup.transcript(session: "aaaaaaaa-0000-4000-8000-00000000000a", model: "claude-opus-4-1", minutesAgo: 10)
        setup.transcript(session: "bbbbbbbb-0000-4000-8000-00000000000b", minutesAgo: 1)
        // This test process is an ancestor of git, of the hook and of shipmeter.
        let pid = ProcessInfo.processInfo.processIdentifier
        setup.home.write(
            ".claude/sessions/\(pid).json", #"{"pid":\#(pid),"sessionId":"aaaaaaaa-0000-4000-8000-00000000000a","cwd":"\#(setup.repo.path)"}"#)
        #expect(setup.commit("Pinned session", extra: ["CLAUDECODE": "1"]).status == 0)
        #expect(
            try trailers(setup) == [
                Trailer(key: "Assisted-by", value: "claude-code:claude-opus-4-1"),
                Trailer(key: "AI-Session", value: "claude-code/aaaaaaaa-0000-4000-8000-00000000000a"),
            ])
    }

    @Test func explicitEnvironmentAndExistingTrailersKeepTheirOrder() throws {
        let setup = Setup()
        let message = "Fix bug\n\nDetails.\n\nSigned-off-by: Dev <dev@acme.test>\nCo-authored-by: Pat <pat@acme.test>"
        #expect(setup.commit(message, extra: ["SHIPMETER_SESSION": "claude-code/env-1", "SHIPMETER_MODEL": "claude-haiku-4-5"]).status == 0)
        #expect(try trailers(setup).map(\.key) == ["Signed-off-by", "Co-authored-by", "Assisted-by", "AI-Session"])
        #expect(
            setup.message().contains("Co-authored-by: Pat <pat@acme.test>\nAssisted-by: claude-code:claude-haiku-4-5\nAI-Session: claude-code/env-1"))

        // Amend and an interactive-rebase reword do not duplicate.
        var env = setup.environment
        env["SHIPMETER_SESSION"] = "claude-code/env-1"
        env["SHIPMETER_MODEL"] = "claude-haiku-4-5"
        #expect(setup.repo.git(["commit", "-q", "--amend", "--no-edit"], environment: env).status == 0)
        env["GIT_SEQUENCE_EDITOR"] = "sed -i -e 's/^pick/reword/'"
        env["GIT_EDITOR"] = "true"
        #expect(setup.repo.git(["rebase", "-q", "-i", "HEAD~1"], environment: env).status == 0)
        #expect(try trailers(setup).map(\.key) == ["Signed-off-by", "Co-authored-by", "Assisted-by", "AI-Session"])
        // commit -c reuses the message: still once.
        setup.repo.write("again", "1\n")
        setup.repo.git(["add", "-A"])
        #expect(setup.repo.git(["commit", "-q", "-C", "HEAD"], environment: env).status == 0)
        #expect(try trailers(setup).filter { $0.key == "AI-Session" }.count == 1)
    }

    @Test func optOutByGitConfigAndByEnvironment() throws {
        let setup = Setup()
        #expect(setup.commit("one", extra: ["SHIPMETER_SESSION": "claude-code/x", "SHIPMETER_DISABLE": "1"]).status == 0)
        #expect(try trailers(setup).isEmpty)
        setup.repo.git(["config", "shipmeter.hooks", "false"])
        #expect(setup.commit("two", extra: ["SHIPMETER_SESSION": "claude-code/x"]).status == 0)
        #expect(try trailers(setup).isEmpty)
        setup.repo.git(["config", "shipmeter.hooks", "true"])
        #expect(setup.commit("three", extra: ["SHIPMETER_SESSION": "claude-code/x"]).status == 0)
        #expect(try trailers(setup).map(\.value) == ["claude-code:unknown", "claude-code/x"])
    }

    @Test func failsOpen() throws {
        let setup = Setup(script: true)
        // shipmeter missing from PATH, and the recorded path gone.
        setup.repo.git(["config", "shipmeter.path", "/nonexistent/shipmeter"])
        let missing = setup.commit("no binary", extra: ["PATH": "/usr/bin:/bin", "SHIPMETER_SESSION": "claude-code/x"])
        #expect(missing.status == 0)
        #expect(missing.stderr.contains("shipmeter: not found"))
        #expect(setup.message() == "no binary\n\n")
        // A binary that fails.
        setup.repo.git(["config", "shipmeter.path", "/bin/false"])
        let failing = setup.commit("failing binary", extra: ["PATH": "/usr/bin:/bin", "SHIPMETER_SESSION": "claude-code/x"])
        #expect(failing.status == 0)
        #expect(setup.message() == "failing binary\n\n")
        // A corrupt transcript and an unreadable sessions folder.
        setup.home.write(".claude/projects/\(setup.repo.path.replacingOccurrences(of: "/", with: "-"))/bad.jsonl", "{not json\n\u{0}\u{1}garbage")
        setup.home.write(".claude/sessions", "not a folder")
        let corrupt = setup.commit("corrupt transcript", extra: ["CLAUDECODE": "1"])
        #expect(corrupt.status == 0)
        #expect(setup.message() == "corrupt transcript\n\n")
        try FileManager.default.removeItem(atPath: setup.home.file(".claude/sessions"))
        try FileManager.default.createDirectory(atPath: setup.home.file(".claude/sessions"), withIntermediateDirectories: true)
        #expect(mkfifo(setup.home.file(".claude/sessions/stuck.json"), 0o600) == 0)
        let fifo = setup.commit("fifo in sessions", extra: ["CLAUDECODE": "1"])
        #expect(fifo.status == 0)
        #expect(setup.message() == "fifo in sessions\n\n")
    }

    /// What is at a hook path, for comparing before and after: a link's target, else the bytes.
    static func hookFile(_ path: String) -> String {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) { return "link to " + target }
        return FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? "nothing"
    }

    @Test(arguments: [false, true])
    func foreignHookIsChainedAndRestoredByteForByte(script: Bool) throws {
        let setup = Setup(install: false)
        let hooks = setup.repo.path + "/.git/hooks"
        let foreign =
            "#!/bin/sh\n# someone else's hook\nif grep -q BLOCK \"$1\"; then echo blocked >&2; exit 1; fi\necho \"[ticket-1] $(cat \"$1\")\" > \"$1\"\n"
        setup.repo.write(".git/hooks/prepare-commit-msg", foreign)
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: hooks + "/prepare-commit-msg")
        let install = ["hooks", "install"] + (script ? ["--script"] : [])
        let first = ShipmeterBinary.run(install, in: setup.repo.path, environment: setup.environment)
        #expect(first.status == 0)
        #expect(first.stdout.contains("existing hook is kept"))
        let before = Self.hookFile(hooks + "/prepare-commit-msg")
        #expect(before.hasPrefix("link to ") != script, "\(before)")
        let second = ShipmeterBinary.run(install, in: setup.repo.path, environment: setup.environment)
        #expect(second.stdout.contains("nothing changed"))
        #expect(Self.hookFile(hooks + "/prepare-commit-msg") == before)

        #expect(setup.commit("chained", extra: ["SHIPMETER_SESSION": "claude-code/c1"]).status == 0)
        #expect(setup.message().hasPrefix("[ticket-1] chained"))
        #expect(setup.message().contains("AI-Session: claude-code/c1"))
        let blocked = setup.commit("BLOCK this", extra: ["SHIPMETER_SESSION": "claude-code/c1"])
        #expect(blocked.status != 0)
        #expect(blocked.stderr.contains("blocked"))

        let status = ShipmeterBinary.run(["hooks", "status"], in: setup.repo.path, environment: setup.environment)
        #expect(status.stdout.contains("prepare-commit-msg: shipmeter's"))
        #expect(status.stdout.contains("tags commits with: \(HookBinaryTests.builtFolder)/shipmeter-hook\n"), "\(status.stdout)")
        #expect(status.stdout.contains("chained hook: \(hooks)/prepare-commit-msg.shipmeter-chained"))
        #expect(status.stdout.contains("AI-Session: claude-code/c1"))

        #expect(ShipmeterBinary.run(["hooks", "uninstall"], in: setup.repo.path, environment: setup.environment).status == 0)
        #expect(try String(contentsOfFile: hooks + "/prepare-commit-msg", encoding: .utf8) == foreign)
        let mode = try FileManager.default.attributesOfItem(atPath: hooks + "/prepare-commit-msg")[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o750)
        #expect(!FileManager.default.fileExists(atPath: hooks + "/prepare-commit-msg.shipmeter-chained"))
    }

    @Test func coreHooksPathAndLinkedWorktrees() throws {
        let setup = Setup(install: false)
        setup.repo.git(["config", "core.hooksPath", ".githooks"])
        let installed = ShipmeterBinary.run(["hooks", "install"], in: setup.repo.path, environment: setup.environment)
        #expect(installed.status == 0)
        // A hooks folder in the work tree is shared: the script, not a link to this machine's binary.
        #expect(installed.stdout.contains("the hooks folder is inside the work tree (shared), so the hook is a script"), "\(installed.stdout)")
        #expect(Self.hookFile(setup.repo.path + "/.githooks/prepare-commit-msg") == HookScript.prepareCommitMessage)
        #expect(!FileManager.default.fileExists(atPath: setup.repo.path + "/.git/hooks/prepare-commit-msg"))
        #expect(setup.commit("with hooksPath", extra: ["SHIPMETER_SESSION": "claude-code/h1"]).status == 0)
        #expect(try trailers(setup).last?.value == "claude-code/h1")

        let other = Setup(install: false)
        let worktree = other.home.file("wt")
        other.repo.git(["worktree", "add", "-q", "-b", "side", worktree])
        #expect(ShipmeterBinary.run(["hooks", "install"], in: worktree, environment: other.environment).status == 0)
        // The common .git/hooks of the main work tree is not inside the linked one: a link.
        #expect(Self.hookFile(other.repo.path + "/.git/hooks/prepare-commit-msg") == "link to " + LinkedHookTests.builtHook)
        #expect(FileManager.default.createFile(atPath: worktree + "/w", contents: Data("1\n".utf8)))
        var env = other.environment
        env["SHIPMETER_SESSION"] = "claude-code/wt"
        #expect(run("git", ["add", "-A"], in: worktree, environment: env).status == 0)
        #expect(run("git", ["commit", "-q", "-m", "in worktree"], in: worktree, environment: env).status == 0)
        #expect(run("git", ["log", "-1", "--format=%(trailers:key=AI-Session,valueonly)"], in: worktree).stdout.contains("claude-code/wt"))
    }

    @Test func claudeSettingsAreMergedNotOverwritten() throws {
        let setup = Setup(install: false)
        setup.home.write(
            ".claude/settings.json", #"{"model":"opus","hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"echo hi"}]}]}}"#
        )
        let install = ShipmeterBinary.run(["hooks", "install", "--agent", "claude-code"], in: setup.repo.path, environment: setup.environment)
        #expect(install.status == 0, "\(install.stderr)")
        let settings =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: setup.home.file(".claude/settings.json")))) as? [String: Any]
        #expect(settings?["model"] as? String == "opus")
        let hooks = settings?["hooks"] as? [String: Any]
        #expect((hooks?["PreToolUse"] as? [Any])?.count == 1)
        #expect((hooks?["SessionStart"] as? [Any])?.count == 1)
        // Twice changes nothing.
        #expect(
            ShipmeterBinary.run(["hooks", "install", "--agent", "claude-code"], in: setup.repo.path, environment: setup.environment).stdout.contains(
                "already has"))

        // The SessionStart hook exports the session id for the commands Claude Code runs.
        let envFile = setup.home.file("claude-env")
        var env = setup.environment
        env["CLAUDE_ENV_FILE"] = envFile
        let result = ShipmeterTestSupport.run(
            ShipmeterBinary.path, ["hook", "session-start"], environment: env,
            input: #"{"session_id":"abc-123","hook_event_name":"SessionStart","cwd":"/x"}"#)
        #expect(result.status == 0)
        #expect(try String(contentsOfFile: envFile, encoding: .utf8) == "export SHIPMETER_SESSION=claude-code/abc-123\n")

        #expect(
            ShipmeterBinary.run(["hooks", "uninstall", "--agent", "claude-code"], in: setup.repo.path, environment: setup.environment).status == 0)
        let after =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: setup.home.file(".claude/settings.json")))) as? [String: Any]
        #expect((after?["hooks"] as? [String: Any])?["SessionStart"] == nil)
        #expect(after?["model"] as? String == "opus")
    }

    @Test func theShippedHookScriptIsTheOneInstalled() throws {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { url.deleteLastPathComponent() }
        let shipped = try String(contentsOf: url.appendingPathComponent("hooks/prepare-commit-msg"), encoding: .utf8)
        #expect(shipped == HookScript.prepareCommitMessage)
    }

    @Test func preCommitFrameworkRunsTheHook() throws {
        let preCommit = run("pre-commit", ["--version"])
        try #require(preCommit.status == 0, "pre-commit is not installed (scripts/test installs it)")
        let setup = Setup(install: false)
        let located = run("sh", ["-c", "command -v pre-commit"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        setup.environment["PATH"] = URL(fileURLWithPath: located).deletingLastPathComponent().path + ":" + (setup.environment["PATH"] ?? "")
        // A hook repository holding this project's .pre-commit-hooks.yaml and hook script.
        var root = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { root.deleteLastPathComponent() }
        let hookRepo = ScratchRepository()
        hookRepo.write(".pre-commit-hooks.yaml", try String(contentsOf: root.appendingPathComponent(".pre-commit-hooks.yaml"), encoding: .utf8))
        hookRepo.write("hooks/prepare-commit-msg", HookScript.prepareCommitMessage)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hookRepo.path + "/hooks/prepare-commit-msg")
        let revision = hookRepo.commit("hooks", files: ["README": "x\n"])
        setup.repo.write(".pre-commit-config.yaml", "repos:\n  - repo: \(hookRepo.path)\n    rev: \(revision)\n    hooks:\n      - id: shipmeter\n")
        setup.repo.git(["add", "-A"])
        let install = run(located, ["install", "--hook-type", "prepare-commit-msg"], in: setup.repo.path, environment: setup.environment)
        #expect(install.status == 0, "\(install.stderr)")
        let result = setup.commit("via pre-commit", extra: ["SHIPMETER_SESSION": "claude-code/pc-1"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(try trailers(setup).map(\.value) == ["claude-code:unknown", "claude-code/pc-1"])
    }
}

@Suite struct CommitMessageTests {
    let session = [(key: "Assisted-by", value: "claude-code:claude-sonnet-4-5"), (key: "AI-Session", value: "claude-code/s1")]

    @Test func addsAfterOneBlankLineOrIntoTheTrailerBlock() {
        #expect(
            CommitMessage.adding(session, to: "Subject\n") == "Subject\n\nAssisted-by: claude-code:claude-sonnet-4-5\nAI-Session: claude-code/s1\n")
        #expect(
            CommitMessage.adding(session, to: "Subject\n\nBody.\n\nSigned-off-by: A <a@x.test>\n")
                == "Subject\n\nBody.\n\nSigned-off-by: A <a@x.test>\nAssisted-by: claude-code:claude-sonnet-4-5\nAI-Session: claude-code/s1\n")
        // A subject that looks like a trailer is not a trailer block.
        #expect(CommitMessage.adding(session, to: "fix: the thing\n")?.hasPrefix("fix: the thing\n\nAssisted-by") == true)
    }

    /// Where the trailers go is where `git interpret-trailers` puts them: git's trailer-block rules
    /// (a last paragraph of trailers, or a quarter of trailers with a git-generated one).
    @Test(arguments: [
        "Subject\n", "fix: the thing\n", "Subject\n\nBody.\n", "Subject\n\nBody.\n\nSigned-off-by: A <a@x.test>\n",
        "Subject\n\nSigned-off-by: A <a@x.test>\nsome words\nmore words\n", "Subject\n\nReviewed-by: B\nnot a trailer line\n",
        "Subject\n\nBody.\n\nKey: value\n  continued\n", "Subject\n\n(cherry picked from commit abc)\nfree text\nfree text\nfree text\n",
    ])
    func placesTrailersWhereGitInterpretTrailersDoes(_ message: String) throws {
        let folder = ScratchDirectory()
        folder.write("message", message)
        let git = run(
            "git",
            [
                "interpret-trailers", "--trailer", "Assisted-by: claude-code:claude-sonnet-4-5", "--trailer", "AI-Session: claude-code/s1",
                folder.file("message"),
            ])
        try #require(git.status == 0, "\(git.stderr)")
        #expect(CommitMessage.adding(session, to: message) == git.stdout, "\(message.debugDescription)")
    }

    @Test func keepsGitsCommentSectionLastAndSkipsEmptyMessages() {
        let edited = "Subject\n\n# Please enter the commit message\n# ------------------------ >8 ------------------------\ndiff --git a b\n"
        #expect(
            CommitMessage.adding(session, to: edited)
                == "Subject\n\nAssisted-by: claude-code:claude-sonnet-4-5\nAI-Session: claude-code/s1\n\n# Please enter the commit message\n# ------------------------ >8 ------------------------\ndiff --git a b\n"
        )
        #expect(CommitMessage.adding(session, to: "\n# only comments\n") == nil)
        #expect(CommitMessage.adding(session, to: "") == nil)
    }

    @Test func neverTwice() {
        let once = CommitMessage.adding(session, to: "Subject\n")!
        #expect(CommitMessage.adding(session, to: once) == nil)
        #expect(CommitMessage.adding(session, to: "Subject\n\nai-session: claude-code/s1\nAssisted-by: claude-code:claude-sonnet-4-5\n") == nil)
    }
}

/// Which binary the installed hook runs: `shipmeter-hook` beside shipmeter when there is one,
/// else `shipmeter hook prepare-commit-msg`; found on PATH or through `shipmeter.path`.
@Suite(.serialized) struct HookBinaryTests {
    static var builtFolder: String { URL(fileURLWithPath: ShipmeterBinary.path).deletingLastPathComponent().path }

    /// A folder with `shipmeter` and `shipmeter-hook` as given: a path to link to, or script text.
    static func folder(shipmeter: String, hook: String?) throws -> ScratchDirectory {
        let folder = ScratchDirectory("bin")
        for (name, what) in [("shipmeter", shipmeter), ("shipmeter-hook", hook)] {
            guard let what else { continue }
            let path = folder.file(name)
            if what.hasPrefix("#!") {
                folder.write(name, what)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            } else {
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: what)
            }
        }
        return folder
    }

    static let failing = "#!/bin/sh\necho \"$0 was run\" >&2\nexit 1\n"

    func trailers(_ setup: HookTests.Setup) -> [String] {
        setup.repo.output(["log", "-1", "--format=%(trailers:valueonly)"]).split(separator: "\n").map(String.init)
    }

    @Test func theSmallBinaryBesideShipmeterTagsTheCommit() throws {
        let setup = HookTests.Setup(script: true)
        // shipmeter itself would fail: the trailers can only come from shipmeter-hook.
        let bin = try Self.folder(shipmeter: Self.failing, hook: Self.builtFolder + "/shipmeter-hook")
        let result = setup.commit("small binary", extra: ["PATH": bin.path + ":/usr/bin:/bin", "SHIPMETER_SESSION": "claude-code/s-small"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("was run"), "\(result.stderr)")
        #expect(trailers(setup) == ["claude-code:unknown", "claude-code/s-small"])
    }

    @Test func withoutItShipmeterDoesTheSameWork() throws {
        let setup = HookTests.Setup(script: true)
        let bin = try Self.folder(shipmeter: ShipmeterBinary.path, hook: nil)
        let result = setup.commit("fallback", extra: ["PATH": bin.path + ":/usr/bin:/bin", "SHIPMETER_SESSION": "claude-code/s-full"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(trailers(setup) == ["claude-code:unknown", "claude-code/s-full"])
    }

    @Test func theRecordedPathLeadsToTheSmallBinaryToo() throws {
        let setup = HookTests.Setup(script: true)
        let bin = try Self.folder(shipmeter: Self.failing, hook: Self.builtFolder + "/shipmeter-hook")
        setup.repo.git(["config", "shipmeter.path", bin.file("shipmeter")])
        let result = setup.commit("recorded", extra: ["PATH": "/usr/bin:/bin", "SHIPMETER_SESSION": "claude-code/s-recorded"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(trailers(setup) == ["claude-code:unknown", "claude-code/s-recorded"])
    }

    @Test func aFailingSmallBinaryStillLetsTheCommitThrough() throws {
        let setup = HookTests.Setup(script: true)
        let bin = try Self.folder(shipmeter: ShipmeterBinary.path, hook: Self.failing)
        let result = setup.commit("fails open", extra: ["PATH": bin.path + ":/usr/bin:/bin", "SHIPMETER_SESSION": "claude-code/s-x"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("could not tag this commit"))
        #expect(setup.message() == "fails open\n\n")
    }

    @Test func itsCommandLine() {
        let hook = Self.builtFolder + "/shipmeter-hook"
        let help = run(hook, ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("usage: shipmeter-hook prepare-commit-msg"))
        let wrong = run(hook, ["commit-msg"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("expected `prepare-commit-msg <message-file>"))
        let missing = run(hook, ["prepare-commit-msg", "/nonexistent/COMMIT_EDITMSG"], environment: ["SHIPMETER_SESSION": "claude-code/s"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read the commit message /nonexistent/COMMIT_EDITMSG"))
    }
}

/// The default form: `prepare-commit-msg` links to `shipmeter-hook`, which git runs without a shell.
@Suite(.serialized) struct LinkedHookTests {
    static var builtHook: String { HookBinaryTests.builtFolder + "/shipmeter-hook" }

    @Test func gitRunsTheLinkedBinaryWithoutLookingForShipmeter() throws {
        let setup = HookTests.Setup()
        let hook = setup.repo.path + "/.git/hooks/prepare-commit-msg"
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: hook) == Self.builtHook)
        // No shipmeter on PATH and no recorded path that works: the link needs neither.
        setup.repo.git(["config", "shipmeter.path", "/nonexistent/shipmeter"])
        let result = setup.commit("linked", extra: ["PATH": "/usr/bin:/bin", "SHIPMETER_SESSION": "claude-code/l1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(setup.repo.output(["log", "-1", "--format=%(trailers:valueonly)"]) == "claude-code:unknown\nclaude-code/l1")
        // Opting out works as with the script.
        #expect(setup.commit("off", extra: ["SHIPMETER_SESSION": "claude-code/l1", "SHIPMETER_DISABLE": "1"]).status == 0)
        #expect(setup.message() == "off\n\n")
        setup.repo.git(["config", "shipmeter.hooks", "false"])
        #expect(setup.commit("off by config", extra: ["SHIPMETER_SESSION": "claude-code/l1"]).status == 0)
        #expect(setup.message() == "off by config\n\n")
    }

    /// Run as git runs it: argv[0] is the hook's path, the arguments are git's.
    @Test func asTheHookItNeverFailsTheCommitAndPassesOnTheChainedHooksVerdict() throws {
        let folder = ScratchDirectory("hooks")
        let hook = folder.file("prepare-commit-msg")
        try FileManager.default.createSymbolicLink(atPath: hook, withDestinationPath: Self.builtHook)
        let unreadable = run(hook, [folder.file("missing-message"), "message"], environment: ["SHIPMETER_SESSION": "claude-code/s"])
        #expect(unreadable.status == 0)
        #expect(unreadable.stderr.contains("could not tag this commit (it goes through unchanged): cannot read the commit message"))

        folder.write("message", "subject\n")
        folder.write("prepare-commit-msg.shipmeter-chained", "#!/bin/sh\necho \"chained $# $2\" >&2\nexit 3\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.file("prepare-commit-msg.shipmeter-chained"))
        let refused = run(hook, [folder.file("message"), "message"], environment: ["SHIPMETER_SESSION": "claude-code/s"])
        #expect(refused.status == 3)
        #expect(refused.stderr == "chained 2 message\n")
        #expect(try String(contentsOfFile: folder.file("message"), encoding: .utf8) == "subject\n")

        // A signal ends it (KILL: the test runner may block others, and the child inherits that).
        folder.write("prepare-commit-msg.shipmeter-chained", "#!/bin/sh\nkill -KILL $$\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.file("prepare-commit-msg.shipmeter-chained"))
        #expect(run(hook, [folder.file("message")]).status == 128 + 9)

        folder.write("prepare-commit-msg.shipmeter-chained", "#!/bin/sh\necho \"[t-1] $(cat \"$1\")\" > \"$1\"\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.file("prepare-commit-msg.shipmeter-chained"))
        let passed = run(hook, [folder.file("message"), "message"], in: folder.path, environment: ["SHIPMETER_SESSION": "claude-code/s2"])
        #expect(passed.status == 0, "\(passed.stderr)")
        #expect(
            try String(contentsOfFile: folder.file("message"), encoding: .utf8)
                == "[t-1] subject\n\nAssisted-by: claude-code:unknown\nAI-Session: claude-code/s2\n")

        // No `#!` line: run by sh, as git runs such a hook.
        folder.write("prepare-commit-msg.shipmeter-chained", "echo \"[t-2] $(cat \"$1\")\" > \"$1\"\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.file("prepare-commit-msg.shipmeter-chained"))
        folder.write("message", "plain\n")
        #expect(run(hook, [folder.file("message")], environment: ["SHIPMETER_DISABLE": "1"]).status == 0)
        #expect(try String(contentsOfFile: folder.file("message"), encoding: .utf8) == "[t-2] plain\n")

        // Not executable: skipped, as the script's `[ -x ]` skips it.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder.file("prepare-commit-msg.shipmeter-chained"))
        folder.write("message", "again\n")
        #expect(run(hook, [folder.file("message")], environment: ["SHIPMETER_SESSION": "claude-code/s3"]).status == 0)
        #expect(
            try String(contentsOfFile: folder.file("message"), encoding: .utf8)
                == "again\n\nAssisted-by: claude-code:unknown\nAI-Session: claude-code/s3\n")
    }

    @Test func installingTheOtherFormReplacesOursWithoutChainingIt() throws {
        let setup = HookTests.Setup()
        let hooks = setup.repo.path + "/.git/hooks"
        let script = ShipmeterBinary.run(["hooks", "install", "--script"], in: setup.repo.path, environment: setup.environment)
        #expect(script.stdout.contains("installed \(hooks)/prepare-commit-msg\n"), "\(script.stdout)")
        #expect(HookTests.hookFile(hooks + "/prepare-commit-msg") == HookScript.prepareCommitMessage)
        #expect(!FileManager.default.fileExists(atPath: hooks + "/prepare-commit-msg.shipmeter-chained"))
        let linked = ShipmeterBinary.run(["hooks", "install"], in: setup.repo.path, environment: setup.environment)
        #expect(linked.stdout.contains("commits are tagged by \(Self.builtHook), which git runs directly"), "\(linked.stdout)")
        #expect(HookTests.hookFile(hooks + "/prepare-commit-msg") == "link to " + Self.builtHook)
        #expect(!FileManager.default.fileExists(atPath: hooks + "/prepare-commit-msg.shipmeter-chained"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: hooks).filter { $0.hasPrefix("prepare-commit-msg") && !$0.hasSuffix(".sample") } == [
                "prepare-commit-msg"
            ])
    }

    @Test func theLinkPointsBesideTheShipmeterThatInstalledItAndStatusSaysWhenItIsGone() throws {
        let setup = HookTests.Setup(install: false)
        let bin = try HookBinaryTests.folder(shipmeter: ShipmeterBinary.path, hook: Self.builtHook)
        var env = setup.environment
        env["PATH"] = bin.path + ":/usr/bin:/bin"
        // Started by name through PATH: the link goes to the shipmeter-hook in that folder, not
        // to the one beside the binary the links resolve to.
        #expect(run("shipmeter", ["hooks", "install"], in: setup.repo.path, environment: env).status == 0)
        let hook = setup.repo.path + "/.git/hooks/prepare-commit-msg"
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: hook) == bin.file("shipmeter-hook"))
        #expect(setup.commit("tagged", extra: ["SHIPMETER_SESSION": "claude-code/g1"]).status == 0)
        #expect(setup.message().contains("AI-Session: claude-code/g1"))

        try FileManager.default.removeItem(atPath: bin.file("shipmeter-hook"))
        let status = ShipmeterBinary.run(["hooks", "status"], in: setup.repo.path, environment: setup.environment)
        #expect(status.stdout.contains("a link to \(bin.file("shipmeter-hook")), which is missing"), "\(status.stdout)")
        let untagged = setup.commit("untagged", extra: ["SHIPMETER_SESSION": "claude-code/g2"])
        #expect(untagged.status == 0, "\(untagged.stderr)")
        #expect(setup.message() == "untagged\n\n")
        // Ours even dangling: uninstall removes it, install mends it.
        #expect(ShipmeterBinary.run(["hooks", "install"], in: setup.repo.path, environment: setup.environment).stdout.contains("installed"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: hook) == Self.builtHook)
        try FileManager.default.removeItem(atPath: hook)
        try FileManager.default.createSymbolicLink(atPath: hook, withDestinationPath: bin.file("shipmeter-hook"))
        #expect(ShipmeterBinary.run(["hooks", "uninstall"], in: setup.repo.path, environment: setup.environment).stdout.contains("removed"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: hook)) == nil)
    }
}

@Suite struct HookSettingsTests {
    @Test func readsGitConfigOutput() {
        var settings = HookSettings(workTree: "/w")
        settings.apply(Array("shipmeter.hooks\ntrue\u{0}shipmeter.recentminutes\n5\u{0}core.commentchar\n;\u{0}".utf8))
        #expect(settings.enabled && settings.recentMinutes == 5 && settings.commentCharacter == ";")
        settings.apply(Array("shipmeter.hooks\nOff\u{0}shipmeter.recentminutes\nsoon\u{0}core.commentchar\nauto\u{0}".utf8))
        #expect(!settings.enabled)
        #expect(settings.recentMinutes == 5)
        #expect(settings.commentCharacter == "#")
    }

    @Test func aConfigFileNamesOurSettingsOrNot() {
        func mentions(_ text: String) -> Bool { HookSettings.mentionsSettings(config: Array(text.utf8)) }
        #expect(mentions("[shipmeter]\n\thooks = false\n"))
        #expect(mentions("[shipmeter]\n  recentMinutes=5\n"))
        #expect(mentions("[core]\n\tcommentChar = ;\n"))
        #expect(mentions("[shipmeter] hooks\n"))
        #expect(mentions("[include]\n\tpath = ~/.gitconfig.local\n"))
        #expect(mentions("[includeIf \"gitdir:~/work/\"]\n\tpath = work.config\n"))
        #expect(!mentions("[core]\n\thooksPath = .githooks\n\tbare = false\n[shipmeter]\n\tpath = /usr/local/bin/shipmeter\n"))
        #expect(!mentions("# hooks = false\n[user]\n\tname = Ann\n\temail = ann@acme.test\n"))
        #expect(!mentions(""))
    }

    @Test func findsTheRepositorysSettingsAndRootFromASubfolder() {
        let repo = ScratchRepository()
        repo.commit("root", files: ["sub/dir/file": "1\n"])
        repo.git(["config", "shipmeter.recentMinutes", "7"])
        repo.git(["config", "core.commentChar", "%"])
        let settings = HookSettings.load(directory: repo.path + "/sub/dir")
        #expect(settings.workTree == URL(fileURLWithPath: repo.path).standardizedFileURL.path)
        #expect(settings.recentMinutes == 7)
        #expect(settings.commentCharacter == "%")
        #expect(settings.enabled)
        // As a hook sees it (git's exec path known): the repository's file names a setting, so
        // git is asked; an include is followed by git too.
        let hookEnvironment = ["GIT_EXEC_PATH": "/usr/lib/git-core", "GIT_CONFIG_NOSYSTEM": "1", "HOME": repo.path + "/no-home"]
        #expect(
            HookSettings.configFiles(workTree: repo.path, environment: hookEnvironment) == [
                repo.path + "/no-home/.config/git/config", repo.path + "/no-home/.gitconfig", repo.path + "/.git/config",
                repo.path + "/.git/config.worktree",
            ])
        #expect(HookSettings.load(directory: repo.path, environment: hookEnvironment).recentMinutes == 7)
        repo.git(["config", "--unset", "shipmeter.recentMinutes"])
        repo.write("extra.config", "[shipmeter]\n\trecentMinutes = 9\n")
        repo.git(["config", "include.path", repo.path + "/extra.config"])
        #expect(HookSettings.load(directory: repo.path, environment: hookEnvironment).recentMinutes == 9)
        // Without git's exec path (run by hand), or with -c settings naming ours: git decides.
        #expect(HookSettings.configFiles(workTree: repo.path, environment: ["HOME": "/h"]) == nil)
        #expect(
            HookSettings.configFiles(
                workTree: repo.path, environment: hookEnvironment.merging(["GIT_CONFIG_PARAMETERS": "'shipmeter.hooks'='false'"]) { $1 }) == nil)
        // Outside any repository: defaults, the folder itself.
        let outside = ScratchDirectory("plain")
        let plain = HookSettings.load(directory: outside.path)
        #expect(plain.workTree == outside.path && plain.recentMinutes == 30 && plain.enabled)
    }
}
