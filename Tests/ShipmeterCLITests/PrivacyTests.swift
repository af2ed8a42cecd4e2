import Foundation
import ShipmeterTestSupport
import Testing

/// Only counts and identifiers leave a transcript: a marker planted in every kind of message
/// content must appear in no output of any command, in any format.
@Suite struct PrivacyTests {
    static let marker = "PRIVATE-MARKER-93c1d"

    @Test func promptAndResponseTextNeverAppearInAnyOutput() throws {
        let scratch = ScratchRepository.withDeployedSession("sess-p")
        let home = ScratchDirectory("home")
        let cwd = scratch.path
        let lines = [
            #"{"type":"user","sessionId":"sess-p","cwd":"\#(cwd)","uuid":"u1","timestamp":"2026-01-01T01:00:00Z","message":{"role":"user","content":"\#(Self.marker) prompt"}}"#,
            #"{"type":"assistant","sessionId":"sess-p","cwd":"\#(cwd)","requestId":"r1","uuid":"a1","timestamp":"2026-01-01T01:01:00Z","message":{"id":"m1","model":"claude-sonnet-4-5","content":[{"type":"text","text":"\#(Self.marker) answer"},{"type":"tool_use","name":"Bash","input":{"command":"echo \#(Self.marker)"}}],"usage":{"input_tokens":10,"output_tokens":20,"cache_creation_input_tokens":30,"cache_read_input_tokens":40}}}"#,
            #"{"type":"user","sessionId":"sess-p","cwd":"\#(cwd)","uuid":"u2","timestamp":"2026-01-01T01:02:00Z","message":{"role":"user","content":[{"type":"tool_result","content":"\#(Self.marker) tool output with \"usage\" in it"}]}}"#,
            #"{"type":"summary","summary":"\#(Self.marker) summary","leafUuid":"l"}"#,
        ]
        home.write(".claude/projects/\(cwd.replacingOccurrences(of: "/", with: "-"))/sess-p.jsonl", lines.joined(separator: "\n") + "\n")
        let env = ["HOME": home.path]
        var outputs = [String]()
        for format in ["table", "json", "csv"] {
            for grouping in ["session", "model", "day"] {
                let result = ShipmeterBinary.run(["usage", "--by", grouping, "--format", format], in: scratch.path, environment: env)
                #expect(result.status == 0, "\(result.stderr)")
                outputs += [result.stdout, result.stderr]
            }
        }
        let usage = ShipmeterBinary.run(["usage", "--format", "json"], in: scratch.path, environment: env)
        #expect(usage.stdout.contains("\"total\": 100"))  // the record was read
        for format in ["table", "json", "csv", "markdown", "html"] {
            for grouping in ["team", "person", "deployment", "model"] {
                let result = ShipmeterBinary.run(
                    ["report", "--since", "2025-12-01", "--until", "2026-02-01", "--by", grouping, "--format", format],
                    in: scratch.path, environment: env)
                #expect(result.status == 0, "\(result.stderr)")
                outputs += [result.stdout, result.stderr]
            }
        }
        let report = ShipmeterBinary.run(
            ["report", "--since", "2025-12-01", "--until", "2026-02-01", "--format", "json"], in: scratch.path, environment: env)
        #expect(report.stdout.contains("\"shipped_tokens\": 100"))  // joined through the session trailer
        for output in outputs {
            #expect(!output.contains(Self.marker))
        }
    }
}
