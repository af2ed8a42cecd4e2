import Foundation
import ShipmeterTestSupport
import Testing

/// Lines an agent wrote, from git-ai notes and Agent Trace files written the way those tools
/// write them, through `commits`, `report` and the ledgers; a git-ai session key joins usage
/// explicitly.
@Suite struct AILinesTests {
    /// sha256("claude:sess-9")[0..14], worked out by hand (`printf 'claude:sess-9' | sha256sum`).
    static let sessionKey = "s_b2a79553da5d3a"

    static func json(_ text: String) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]) ?? [:]
    }

    /// root → B (10 new lines, 6 by the agent per git-ai) → C (4 + 3 new lines, 6 by the agent per
    /// Agent Trace), deployed after each.
    static func repository() -> (scratch: ScratchRepository, b: String, c: String) {
        let scratch = ScratchRepository()
        scratch.commit("root", files: ["a.txt": "1\n2\n"], author: ("Ann", "ann@acme.test"), time: 1_767_225_600)
        scratch.tag("deploy/production/1", message: "status: success", time: 1_767_225_700)
        let ten = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let b = scratch.commit("Add app", files: ["src/app.swift": ten], author: ("Ann", "ann@acme.test"), time: 1_767_229_200)
        let note = """
            src/app.swift
              \(sessionKey)::t_0123456789abcd 1-4,6
              h_9f8e7d6c5b4a39 7-8
              0a1b2c3d4e5f6a7b 5
            ---
            {
              "schema_version": "authorship/3.0.0",
              "base_commit_sha": "\(b)",
              "sessions": {"\(sessionKey)": {"agent_id": {"tool": "claude", "id": "sess-9", "model": "claude-sonnet-4-5"}, "human_author": "Ann <ann@acme.test>"}},
              "humans": {"h_9f8e7d6c5b4a39": {"author": "Ann <ann@acme.test>"}},
              "prompts": {"0a1b2c3d4e5f6a7b": {"agent_id": {"tool": "cursor", "id": "c-1", "model": "gpt-5"}, "total_additions": 1, "total_deletions": 0, "accepted_lines": 1, "overriden_lines": 0}}
            }
            """
        scratch.git(["notes", "--ref=ai", "add", "-m", note, b])
        let fourteen = (1...14).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let c = scratch.commit(
            "Extend app", files: ["src/app.swift": fourteen, "b.txt": "x\ny\nz\n"], author: ("Ann", "ann@acme.test"), time: 1_767_232_800)
        scratch.tag("deploy/production/2", message: "status: success", time: 1_767_236_400)
        // Edits made on B (HEAD then), before C was committed; one on another revision counts nothing.
        let traces = [
            #"{"version":"0.1.0","id":"t-1","timestamp":"2026-01-01T01:30:00Z","vcs":{"type":"git","revision":"\#(b)"},"tool":{"name":"cursor","version":"2.0"},"files":[{"path":"src/app.swift","conversations":[{"url":"file:///tmp/conv.json","contributor":{"type":"ai","model_id":"anthropic/claude-sonnet-4-5"},"ranges":[{"start_line":11,"end_line":13},{"start_line":14,"end_line":14,"contributor":{"type":"human"}}]}]}]}"#,
            #"{"version":"0.1.0","id":"t-2","timestamp":"2026-01-01T01:35:00Z","vcs":{"type":"git","revision":"\#(b)"},"tool":{"name":"cursor","version":"2.0"},"files":[{"path":"\#(scratch.path)/b.txt","conversations":[{"contributor":{"type":"ai"},"ranges":[{"start_line":1,"end_line":3}]}]}]}"#,
            #"{"version":"0.1.0","id":"t-3","timestamp":"2026-01-01T00:10:00Z","vcs":{"type":"git","revision":"0000000000000000000000000000000000000000"},"files":[{"path":"a.txt","conversations":[{"contributor":{"type":"ai"},"ranges":[{"start_line":1,"end_line":2}]}]}]}"#,
        ]
        scratch.write(".agent-trace/traces.jsonl", traces.joined(separator: "\n") + "\n")
        return (scratch, b, c)
    }

    @Test func commitsCountTheLinesEachFormatRecords() throws {
        let (scratch, b, c) = Self.repository()
        let result = ShipmeterBinary.run(["commits", "--format", "json"], in: scratch.path)
        #expect(result.status == 0, "\(result.stderr)")
        let commits = (Self.json(result.stdout)["commits"] as? [[String: Any]]) ?? []
        func entry(_ id: String) -> [String: Any]? { commits.first { $0["id"] as? String == id } }
        // B: lines 1-4, 6 (session) and 5 (legacy prompt); 7-8 are a human's.
        #expect(entry(b)?["ai_lines"] as? Int == 6)
        #expect((entry(b)?["ai_line_sources"] as? [String: Int]) == ["git-ai-note": 6])
        #expect((entry(b)?["ai_signals"] as? [String])?.contains("git-ai-note") == true)
        // C: 11-13 of src/app.swift and all 3 lines of b.txt (recorded by absolute path).
        #expect(entry(c)?["ai_lines"] as? Int == 6)
        #expect((entry(c)?["ai_line_sources"] as? [String: Int]) == ["agent-trace": 6])
        #expect((entry(c)?["ai_signals"] as? [String])?.contains("agent-trace") == true)
        let root = commits.last
        #expect(root?["ai_lines"] is NSNull)
    }

    /// The work tree's trace file is a file the repository names: a symlink out of the work tree
    /// or a FIFO there is not read (a FIFO would block the run), as with `.shipmeter.yml`; the
    /// same traces given with `--traces` are the user's and are read.
    @Test func aTraceFileLeadingOutOfTheRepositoryIsNotRead() throws {
        let (scratch, _, c) = Self.repository()
        let outside = ScratchDirectory()
        let traces = try String(contentsOfFile: scratch.path + "/.agent-trace/traces.jsonl", encoding: .utf8)
        outside.write("traces.jsonl", traces)
        func aiLines(_ extra: [String] = []) -> Any? {
            let result = ShipmeterBinary.run(["commits", "--format", "json"] + extra, in: scratch.path)
            #expect(result.status == 0, "\(result.stderr)")
            return ((Self.json(result.stdout)["commits"] as? [[String: Any]]) ?? []).first { $0["id"] as? String == c }?["ai_lines"]
        }
        try FileManager.default.removeItem(atPath: scratch.path + "/.agent-trace/traces.jsonl")
        try FileManager.default.createSymbolicLink(
            atPath: scratch.path + "/.agent-trace/traces.jsonl", withDestinationPath: outside.file("traces.jsonl"))
        #expect(aiLines() is NSNull)
        #expect(aiLines(["--traces", outside.file("traces.jsonl")]) as? Int == 6)
        try FileManager.default.removeItem(atPath: scratch.path + "/.agent-trace/traces.jsonl")
        #expect(mkfifo(scratch.path + "/.agent-trace/traces.jsonl", 0o644) == 0)
        #expect(aiLines() is NSNull)
    }

    @Test(arguments: [nil] + LedgerBackend.available.map(Optional.some))
    func reportsShareTheAILinesShippedAndJoinSessionsByTheirGitAIKey(_ backend: LedgerBackend?) throws {
        let (scratch, _, _) = Self.repository()
        let folder = ScratchDirectory()
        // Nobody who commits here: only the session key can join this record.
        folder.write(
            "u.jsonl",
            #"{"timestamp":"2026-01-01T00:30:00Z","actor":"someone@else.test","session":"sess-9","agent":"claude-code","model":"claude-sonnet-4-5","input":700,"output":0,"cache_write":0,"cache_read":0}"#
                + "\n")
        var arguments = ["report", "--usage", folder.file("u.jsonl"), "--since", "2025-12-01", "--until", "2026-02-01", "--format", "json"]
        if let backend {
            let ledger = try backend.freshLocation(in: ScratchDirectory())
            let attribute = ShipmeterBinary.run(["attribute", "--usage", folder.file("u.jsonl"), "--ledger", ledger], in: scratch.path)
            #expect(attribute.status == 0, "\(attribute.stderr)")
            arguments = ["report", "--ledger", ledger, "--since", "2025-12-01", "--until", "2026-02-01", "--format", "json"]
        }
        let report = ShipmeterBinary.run(arguments, in: scratch.path)
        #expect(report.status == 0, "\(report.stderr)")
        let totals = (Self.json(report.stdout)["totals"] as? [String: Any]) ?? [:]
        #expect(totals["ai_lines_shipped"] as? Int == 12)
        let share = try #require(totals["ai_line_share"] as? Double)
        #expect(share > 0 && share <= 1)
        #expect(totals["shipped_tokens"] as? Int == 700)
    }
}
