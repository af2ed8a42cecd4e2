import Foundation
import ShipmeterTestSupport
import Testing

@testable import Usage

@Suite struct DiscoveryTests {
    @Test func findsSessionsWhoseRecordedDirectoryIsInsideTheRepository() throws {
        let home = ScratchDirectory("home")
        let repoRoot = "/work/app"
        let inside = ReaderTests.claudeLine(id: "m1", request: "r1", cwd: "/work/app/sub", time: "2026-03-02T08:00:00Z", input: 1, output: 2)
        let outside = ReaderTests.claudeLine(id: "m2", request: "r2", cwd: "/work/app-other", time: "2026-03-02T08:00:00Z", input: 100, output: 200)
        // The folder name says one thing, the recorded cwd another: cwd wins.
        home.write(".claude/projects/-work-app/s1.jsonl", inside + "\n" + outside + "\n")
        home.write(
            ".claude/projects/-somewhere-else/s2.jsonl",
            ReaderTests.claudeLine(id: "m3", request: "r3", cwd: "/work/app", time: "2026-03-02T08:00:00Z", input: 4, output: 8) + "\n")
        home.write(".claude/projects/-work-app-other/s3.jsonl", outside + "\n")
        home.write(
            ".codex/sessions/2026/03/02/rollout-1.jsonl",
            """
            {"timestamp":"2026-03-02T09:00:00.000Z","type":"session_meta","payload":{"id":"cx","cwd":"/work/app","git":{"branch":"main"}}}
            {"timestamp":"2026-03-02T09:00:01.000Z","type":"turn_context","payload":{"model":"gpt-5-codex"}}
            {"timestamp":"2026-03-02T09:00:03.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":10,"cached_input_tokens":0,"output_tokens":5}}}}

            """)
        home.write(
            ".codex/sessions/2026/03/02/rollout-2.jsonl",
            #"{"timestamp":"2026-03-02T09:00:00.000Z","type":"session_meta","payload":{"id":"cy","cwd":"/elsewhere"}}"# + "\n")
        let sessions = LocalSessions(environment: ["HOME": home.path])
        let (batch, transcripts) = try sessions.load(for: repoRoot)
        #expect(Set(transcripts.map { URL(fileURLWithPath: $0.path).lastPathComponent }) == ["s1.jsonl", "s2.jsonl", "rollout-1.jsonl"])
        #expect(batch.records.map(\.output).sorted() == [2, 5, 8])

        let custom = LocalSessions(environment: [
            "HOME": "/nonexistent", "CLAUDE_CONFIG_DIR": home.path + "/.claude", "CODEX_HOME": home.path + "/.codex",
        ])
        #expect(try custom.load(for: repoRoot).0.records.count == 3)
    }
}
