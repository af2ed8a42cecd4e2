import Foundation
import ShipmeterTestSupport
import Testing

/// `shipmeter serve` as a user starts it: what it refuses before listening, and its tokens
/// commands. (Requests against a running collector: scripts/check-serve, with real clients.)
@Suite struct ServeCommandTests {
    @Test func refusesWhatWouldBeUnsafeOrUnusable() {
        let folder = ScratchDirectory("serve")
        let ledger = folder.file("ledger.sqlite")
        let cases: [([String], Int32, String)] = [
            (["serve"], 2, "serve needs a ledger"),
            (["serve", "--ledger", ledger, "--listen", "nowhere"], 2, "expected HOST:PORT"),
            (["serve", "--ledger", ledger, "--listen", "127.0.0.1:99999"], 2, "is not a port"),
            (["serve", "--ledger", ledger, "--max-body", "0"], 2, "--max-body must be between 1 and 1024"),
            (["serve", "--ledger", ledger, "--listen", "0.0.0.0:0"], 1, "without --tokens would let anyone on the network write"),
            (["serve", "--ledger", ledger, "--listen", "127.0.0.1:0", "--tokens", folder.file("missing")], 1, "does not exist"),
            (
                ["serve", "--ledger", ledger, "--listen", "127.0.0.1:0", "--tls-cert", folder.file("cert.pem")], 1,
                "--tls-cert and --tls-key go together"
            ),
        ]
        for (arguments, status, message) in cases {
            let result = ShipmeterBinary.run(arguments, environment: ["SHIPMETER_LEDGER": ""])
            #expect(result.status == status, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }

    @Test func tokensAreAddedListedAndRemovedByName() throws {
        let folder = ScratchDirectory("serve-tokens")
        let file = folder.file("tokens")
        let added = ShipmeterBinary.run(["serve", "tokens", "add", "ci", "--tokens", file])
        #expect(added.status == 0 && added.stdout.hasPrefix("shipmeter_push_"), "\(added.stderr)")
        let viewer = ShipmeterBinary.run(["serve", "tokens", "add", "vp", "--viewer", "--tokens", file])
        #expect(viewer.status == 0 && viewer.stdout.hasPrefix("shipmeter_view_"))
        let again = ShipmeterBinary.run(["serve", "tokens", "add", "ci", "--tokens", file])
        #expect(again.status == 1 && again.stderr.contains("exists already"), "\(again.stderr)")
        let listed = ShipmeterBinary.run(["serve", "tokens", "list", "--tokens", file])
        #expect(listed.stdout.contains("ingest\tci\t") && listed.stdout.contains("viewer\tvp\t"))
        #expect(!listed.stdout.contains(added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let stored = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!stored.contains(added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(ShipmeterBinary.run(["serve", "tokens", "remove", "ci", "--tokens", file]).status == 0)
        let missing = ShipmeterBinary.run(["serve", "tokens", "remove", "ci", "--tokens", file])
        #expect(missing.status == 1 && missing.stderr.contains("no token named 'ci'"))
        #expect(!ShipmeterBinary.run(["serve", "tokens", "list", "--tokens", file]).stdout.contains("\tci\t"))
    }
}
