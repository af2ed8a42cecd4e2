import Foundation
import ShipmeterTestSupport
import Testing

/// `.shipmeter.yml` arrives with a clone: it can never make shipmeter read a file outside the
/// repository, block on a device, run a command or contact a network address.
@Suite struct UntrustedSettingsTests {
    func repository(settings: String) -> ScratchRepository {
        let scratch = ScratchRepository.withDeployedSession("s1")
        scratch.write(".shipmeter.yml", settings)
        return scratch
    }

    @Test func deployLogsOutsideTheRepositoryAreRefused() throws {
        let outside = ScratchDirectory()
        outside.write(
            "deploys.jsonl",
            #"{"sha":"0000000000000000000000000000000000000000","environment":"production","status":"success","finished_at":"2026-01-01T00:00:00Z"}"#
                + "\n")
        for path in [
            outside.file("deploys.jsonl"), "../\(URL(fileURLWithPath: outside.path).lastPathComponent)/deploys.jsonl", "logs/../../x.jsonl",
            "~/deploys.jsonl",
        ] {
            let scratch = repository(settings: "deployments:\n  logs: [\"\(path)\"]\n")
            let result = ShipmeterBinary.run(["deployments", "--format", "json"], in: scratch.path)
            #expect(result.status != 0, "\(path)")
            #expect(result.stderr.contains(".shipmeter.yml:2: deployments.logs names '\(path)', outside the repository"), "\(result.stderr)")
        }
        // A symlink inside the repository that leads out is refused when it is read.
        let scratch = repository(settings: "deployments:\n  logs: [deploys/production.jsonl]\n")
        try FileManager.default.createDirectory(atPath: scratch.path + "/deploys", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: scratch.path + "/deploys/production.jsonl", withDestinationPath: outside.file("deploys.jsonl"))
        let linked = ShipmeterBinary.run(["deployments", "--format", "json"], in: scratch.path)
        #expect(linked.status != 0)
        #expect(
            linked.stderr.contains("deploy log deploys/production.jsonl (deployments.logs in .shipmeter.yml) leads outside the repository"),
            "\(linked.stderr)")
        // One inside the repository is read as before.
        try FileManager.default.removeItem(atPath: scratch.path + "/deploys/production.jsonl")
        scratch.write("deploys/production.jsonl", try String(contentsOfFile: outside.file("deploys.jsonl"), encoding: .utf8))
        let inside = ShipmeterBinary.run(["deployments", "--format", "json"], in: scratch.path)
        #expect(inside.status == 0, "\(inside.stderr)")
    }

    @Test func settingsAndMailmapSymlinkedToDevicesOrOutsideFilesAreNotFollowed() throws {
        let outside = ScratchDirectory()
        outside.write("secret.yml", "teams:\n  secret: [top-secret-value@acme.test]\n")
        for target in ["/dev/zero", outside.file("secret.yml")] {
            let scratch = ScratchRepository.withDeployedSession("s1")
            try FileManager.default.createSymbolicLink(atPath: scratch.path + "/.shipmeter.yml", withDestinationPath: target)
            let result = ShipmeterBinary.run(["commits", "--format", "json"], in: scratch.path)
            #expect(result.status != 0, "\(target)")
            #expect(result.stderr.contains(".shipmeter.yml is outside the repository"), "\(result.stderr)")
            #expect(!result.stderr.contains("top-secret-value"))
        }
        // A FIFO would block a plain read for ever.
        let fifo = ScratchRepository.withDeployedSession("s1")
        #expect(mkfifo(fifo.path + "/.shipmeter.yml", 0o644) == 0)
        let blocked = ShipmeterBinary.run(["commits", "--format", "json"], in: fifo.path)
        #expect(blocked.status != 0)
        #expect(blocked.stderr.contains(".shipmeter.yml is not a regular file"), "\(blocked.stderr)")

        // libgit2 would follow a symlinked .mailmap into /dev/zero; the committed one is used.
        let mailmap = ScratchRepository.withDeployedSession("s1")
        try FileManager.default.createSymbolicLink(atPath: mailmap.path + "/.mailmap", withDestinationPath: "/dev/zero")
        let commits = ShipmeterBinary.run(["commits", "--format", "json"], in: mailmap.path)
        #expect(commits.status == 0, "\(commits.stderr)")
        #expect(commits.stderr.contains(".mailmap is outside the repository"), "\(commits.stderr)")
        #expect(commits.stderr.contains("the committed .mailmap is used instead"))
    }

    /// Settings that look like commands or addresses are unknown keys: a warning, never an
    /// action. A listener on loopback proves nothing connected to the address named.
    @Test func settingsNeverRunCommandsOrContactTheNetwork() throws {
        let folder = ScratchDirectory()
        let stop = folder.file("stop"), connections = folder.file("connections")
        let listener = try LoopbackListener(
            script: """
                import os, socket, sys, time
                s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8); s.settimeout(0.2)
                print(s.getsockname()[1], flush=True)
                deadline = time.time() + 120
                while time.time() < deadline and not os.path.exists(sys.argv[1]):
                    try:
                        c, peer = s.accept(); c.close()
                        with open(sys.argv[2], "a") as f: f.write("%d\\n" % peer[1])
                    except socket.timeout:
                        pass
                """, arguments: [stop, connections])
        // The test runner's children may not see SIGTERM: the listener stops on a file, or by itself.
        defer {
            folder.write("stop", "")
            kill(listener.process.processIdentifier, SIGKILL)
            listener.process.waitUntilExit()
        }
        let port = try #require(listener.port)
        let marker = folder.file("ran")
        let scratch = repository(
            settings: """
                hooks:
                  post_attribute: "touch \(marker)"
                command: "touch \(marker)"
                ledger: "postgres://someone@127.0.0.1:\(port)/ledger"
                prices_url: "http://127.0.0.1:\(port)/prices.json"
                deployments:
                  tags: ["deploy/{env}/*"]
                  webhook: "http://127.0.0.1:\(port)/hook"
                bots: ["$(touch \(marker))", "`touch \(marker)`"]

                """)
        let usage = ScratchDirectory()
        usage.write(
            "u.jsonl",
            #"{"timestamp":"2026-01-01T00:30:00Z","actor":"ann@acme.test","session":"s1","model":"claude-sonnet-4-5","input":100,"output":0,"cache_write":0,"cache_read":0}"#
                + "\n")
        for arguments in [
            ["attribute", "--usage", usage.file("u.jsonl")], ["report", "--format", "json"], ["commits", "--format", "json"], ["deployments"],
        ] {
            let result = ShipmeterBinary.run(arguments, in: scratch.path)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            for key in ["hooks", "command", "ledger", "prices_url", "deployments.webhook"] {
                #expect(result.stderr.contains("unknown setting '\(key)' ignored"), "\(arguments) \(key): \(result.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
        // A probe connects last and waits until the listener has logged it: the listener takes
        // connections in the order they came, so any earlier one is in the log by then.
        let probe = run(
            "python3",
            [
                "-c",
                """
                import socket, sys, time
                c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); mine = str(c.getsockname()[1])
                deadline = time.time() + 60
                while time.time() < deadline:
                    try: seen = open(sys.argv[2]).read().split()
                    except FileNotFoundError: seen = []
                    if mine in seen: print("probe", mine, "seen", " ".join(seen)); break
                    time.sleep(0.02)
                """, port, connections,
            ], in: folder.path)
        let words = probe.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
        try #require(
            words.count >= 4 && words[0] == "probe" && words[2] == "seen", "the listener never logged the probe: \(probe.stdout) \(probe.stderr)")
        #expect(Array(words[3...]) == [words[1]], "something connected to the address in .shipmeter.yml: \(probe.stdout)")
    }

    /// A "billion laughs" of YAML aliases: settings take flat lists, so it is refused or
    /// ignored at once, never expanded.
    @Test func yamlAliasBombsAreNotExpanded() {
        var lines = [#"a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        for level in 1...9 {
            lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ",") + "]")
        }
        let ignored = repository(settings: lines.joined(separator: "\n") + "\n")
        let result = ShipmeterBinary.run(["commits", "--format", "json"], in: ignored.path)
        #expect(result.status == 0, "\(result.stderr)")
        let used = repository(settings: lines.joined(separator: "\n") + "\nbots: *a9\n")
        let refused = ShipmeterBinary.run(["commits", "--format", "json"], in: used.path)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("bots must be a list of strings"), "\(refused.stderr)")
    }
}
