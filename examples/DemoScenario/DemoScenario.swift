import Foundation

/// Builds the demo: a small but realistic repository (teams, a .mailmap, CODEOWNERS, feature
/// branches with merges and one squash merge, AI-assisted commits with trailers, a bot, deploy
/// tags with a redeploy, a rollback and a failed deploy) and the usage records of the agents
/// that helped (Claude Code transcripts, a Codex session and an OpenTelemetry export, including
/// sessions that never produced a commit). Everything is dated relative to `now`, so the
/// default 30-day report window covers it.
public struct DemoScenario {
    public struct Result: Sendable {
        public var repository: String
        public var usage: String
    }

    public enum Failure: Error, CustomStringConvertible {
        case git(String)
        public var description: String {
            switch self {
            case .git(let detail): return "git failed while building the demo: \(detail)"
            }
        }
    }

    let root: String
    let now: Date
    var random: DemoRandom
    var repository: String { root + "/acme-app" }
    var usage: String { root + "/usage" }

    public init(root: String, now: Date = Date(), seed: UInt64 = 2026) {
        self.root = root
        self.now = now
        random = DemoRandom(seed: seed)
    }

    struct Person {
        var name: String
        var email: String
    }

    static let alice = Person(name: "Alice Smith", email: "alice@acme.test")
    static let aliceOld = Person(name: "alice", email: "alice@old-laptop.local")
    static let bob = Person(name: "Bob Jones", email: "bob@acme.test")
    static let carol = Person(name: "Carol White", email: "carol@acme.test")
    static let dan = Person(name: "Dan Brown", email: "dan@acme.test")
    static let erin = Person(name: "Erin Green", email: "erin@acme.test")
    static let frank = Person(name: "Frank Ortiz", email: "frank@contractor.test")
    static let dependabot = Person(name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com")

    /// A session id in Claude Code's UUID form, stable for the seed.
    mutating func sessionID() -> String {
        let hex = (0..<32).map { _ in String(random.next() % 16, radix: 16) }.joined()
        let c = Array(hex)
        return "\(String(c[0..<8]))-\(String(c[8..<12]))-4\(String(c[13..<16]))-a\(String(c[17..<20]))-\(String(c[20..<32]))"
    }

    /// `now` minus some days and hours, on the hour.
    func at(day: Double, hour: Double = 10) -> Date {
        let midnight = (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        return Date(timeIntervalSince1970: midnight + day * 86_400 + hour * 3600)
    }

    public mutating func generate() throws -> Result {
        try FileManager.default.createDirectory(atPath: repository, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: usage, withIntermediateDirectories: true)
        var transcripts = Transcripts(repository: repository)
        try git(["init", "-q", "-b", "main"])
        try git(["config", "user.name", Self.alice.name])
        try git(["config", "user.email", Self.alice.email])
        try git(["config", "commit.gpgsign", "false"])
        try git(["config", "tag.gpgsign", "false"])

        // Day -29: the project as it was when measurement started.
        write(
            ".shipmeter.yml",
            """
            # shipmeter settings for the demo repository
            teams:
              platform:
                members: [alice@acme.test, bob@acme.test]
                budget_usd: 150
              payments:
                members: [carol@acme.test, dan@acme.test]
                budget_usd: 150
              web:
                members: [erin@acme.test]
            identities:
              alice@acme.test: ["alice.smith@acme.test"]
            budget:
              annual_usd: 400
            """)
        write(".mailmap", "Alice Smith <alice@acme.test> alice <alice@old-laptop.local>\n")
        write(".github/CODEOWNERS", "# Owners by area\n/platform/ @acme/platform\n/payments/ @acme/payments\n/web/ @acme/web\n*.md @acme/platform\n")
        write("README.md", "# acme-app\n\nPayments, platform and web in one repository.\n")
        write(".gitattributes", "# Generated code is left out of effective sizes (and collapsed in review)\nweb/generated/** linguist-generated\n")
        try commit("Set up the repository", as: Self.alice, at: at(day: -29, hour: 9))
        try commit("Platform service skeleton", files: ["platform/server.go": lines("server", 120)], as: Self.aliceOld, at: at(day: -29, hour: 11))
        try commit("Payments skeleton", files: ["payments/ledger.py": lines("ledger", 90)], as: Self.carol, at: at(day: -29, hour: 13))
        try commit("Web shell", files: ["web/app.tsx": lines("app", 70)], as: Self.erin, at: at(day: -29, hour: 15))
        try tag("deploy/production/\(stamp(at(day: -28, hour: 10)))", at: at(day: -28, hour: 10))
        try tag("deploy/staging/\(stamp(at(day: -28, hour: 9)))", at: at(day: -28, hour: 9))

        // Bob: a retry feature on a branch, with Claude Code, merged with a merge commit.
        let retry = sessionID()
        transcripts.session(retry, actor: Self.bob, start: at(day: -26, hour: 9), requests: 14, random: &random)
        try git(["checkout", "-q", "-b", "feature/retry"])
        try commit(
            "Add retry with backoff", files: ["platform/retry.go": lines("retry", 80)], as: Self.bob, at: at(day: -26, hour: 11), trailers: ai(retry))
        try commit(
            "Test retry budget", files: ["platform/retry_test.go": lines("test", 60)], as: Self.bob, at: at(day: -26, hour: 14), trailers: ai(retry))
        try git(["checkout", "-q", "main"])
        try merge(
            "feature/retry", message: "Merge pull request #11 from acme/feature/retry\n\nRetry with backoff", as: Self.alice,
            at: at(day: -25, hour: 9))
        try tag("deploy/staging/\(stamp(at(day: -25, hour: 10)))", at: at(day: -25, hour: 10))
        try tag("deploy/production/\(stamp(at(day: -25, hour: 15)))", at: at(day: -25, hour: 15))

        // Carol: refunds on a branch, squash-merged; the squash commit keeps the session trailer.
        let refunds = sessionID()
        transcripts.session(refunds, actor: Self.carol, start: at(day: -24, hour: 9), requests: 22, random: &random)
        try git(["checkout", "-q", "-b", "payments/refunds"])
        try commit(
            "Refund model", files: ["payments/refund.py": lines("refund", 60)], as: Self.carol, at: at(day: -24, hour: 11), trailers: ai(refunds))
        try commit(
            "Refund API", files: ["payments/refund_api.py": lines("api", 75)], as: Self.carol, at: at(day: -24, hour: 15), trailers: ai(refunds))
        try commit(
            "Refund tests", files: ["payments/refund_test.py": lines("rtest", 50)], as: Self.carol, at: at(day: -23, hour: 10), trailers: ai(refunds))
        try git(["checkout", "-q", "main"])
        try git(["merge", "-q", "--squash", "payments/refunds"])
        try commit(
            "Add refunds (#12)\n\n* Refund model\n\n* Refund API\n\n* Refund tests", as: Self.carol, at: at(day: -23, hour: 16), trailers: ai(refunds)
        )
        try tag("deploy/production/\(stamp(at(day: -22, hour: 10)))", at: at(day: -22, hour: 10))

        // A dependency bot, plain human work on web, and a contractor pairing with Claude.
        try commit(
            "Bump golang.org/x/net from 0.23.0 to 0.33.0", files: ["platform/go.sum": lines("sum", 4)], as: Self.dependabot, at: at(day: -21, hour: 8)
        )
        try commit("Navigation bar", files: ["web/nav.tsx": lines("nav", 45)], as: Self.erin, at: at(day: -20, hour: 11))
        // A session named in a trailer that no usage record has: forged, or never collected.
        try commit(
            "Footer links", files: ["web/footer.tsx": lines("footer", 25)], as: Self.erin, at: at(day: -20, hour: 15),
            trailers: ["AI-Session: claude-code/\(sessionID())"])
        let darkMode = try commit(
            "Dark mode toggle", files: ["web/theme.tsx": lines("theme", 40)], as: Self.frank, at: at(day: -20, hour: 17),
            trailers: ["Co-authored-by: Claude <noreply@anthropic.com>"])
        // git-ai recorded which of its lines the agent wrote: 28 of 40.
        let note = """
            web/theme.tsx
              5e1f0a2b3c4d5e6f 1-20,25-32
            ---
            {"schema_version": "authorship/3.0.0", "base_commit_sha": "\(darkMode)",
             "prompts": {"5e1f0a2b3c4d5e6f": {"agent_id": {"tool": "claude", "id": "dm-1", "model": "claude-sonnet-4-5"},
               "total_additions": 28, "total_deletions": 0, "accepted_lines": 28, "overriden_lines": 0}}}
            """
        try git(
            ["notes", "--ref=ai", "add", "-m", note, darkMode],
            environment: ["GIT_COMMITTER_DATE": "\(Int(at(day: -20, hour: 17).timeIntervalSince1970)) +0000"])
        let release3 = at(day: -19, hour: 10)
        try tag("deploy/production/\(stamp(release3))", at: release3)
        // The same commit again an hour later: a redeploy.
        try tag("deploy/production/\(stamp(release3.addingTimeInterval(3600)))", at: release3.addingTimeInterval(3600))

        // Dan's change goes out, is rolled back, and a fix follows. His agent reports over OTel.
        let stable = try output(["rev-parse", "HEAD"])
        let payouts = sessionID()
        let payoutCommit = try commit(
            "Batch payouts", files: ["payments/payouts.py": lines("payout", 110)], as: Self.dan, at: at(day: -17, hour: 15),
            trailers: ["Assisted-by: claude-code:claude-opus-4-1"])
        var telemetry = Telemetry()
        telemetry.session(
            payouts, actor: Self.dan, start: at(day: -17, hour: 10), requests: 12, commit: payoutCommit, committedAt: at(day: -17, hour: 15),
            random: &random)
        try tag("deploy/production/\(stamp(at(day: -16, hour: 10)))", at: at(day: -16, hour: 10))
        try tag(
            "deploy/production/\(stamp(at(day: -16, hour: 13)))", target: stable, at: at(day: -16, hour: 13),
            message: "status: success\nreason: rollback after payout errors")
        try commit("Fix payout rounding", files: ["payments/payouts.py": lines("payout-fixed", 112)], as: Self.dan, at: at(day: -15, hour: 11))
        try tag("deploy/production/\(stamp(at(day: -14, hour: 10)))", at: at(day: -14, hour: 10))

        // Alice: caching with Claude Code; the first deploy fails, the retry succeeds.
        let caching = sessionID()
        transcripts.session(caching, actor: Self.alice, start: at(day: -12, hour: 9), requests: 18, random: &random)
        try commit(
            "Response cache", files: ["platform/cache.go": lines("cache", 95)], as: Self.alice, at: at(day: -12, hour: 12), trailers: ai(caching))
        try commit(
            "Cache metrics", files: ["platform/metrics.go": lines("metrics", 40)], as: Self.alice, at: at(day: -12, hour: 16), trailers: ai(caching))
        try tag(
            "deploy/production/\(stamp(at(day: -11, hour: 10)))", at: at(day: -11, hour: 10), message: "status: failure\nreason: migration timed out")
        try tag("deploy/production/\(stamp(at(day: -11, hour: 12)))", at: at(day: -11, hour: 12))

        // Bob works with Claude Code but his commit carries no trailer: attribution is inferred.
        let healthChecks = sessionID()
        transcripts.session(healthChecks, actor: Self.bob, start: at(day: -8, hour: 9), requests: 9, random: &random)
        try commit("Health checks", files: ["platform/health.go": lines("health", 55)], as: Self.bob, at: at(day: -8, hour: 13))

        // Erin uses Codex for search.
        let search = "0199a2b3-codex-demo-\(random.next() % 10_000)"
        // The search box ships with a regenerated API client: 1,200 lines that count nothing.
        try commit(
            "Search box", files: ["web/search.tsx": lines("search", 85), "web/generated/api-client.ts": lines("client", 1200)],
            as: Self.erin, at: at(day: -6, hour: 16),
            trailers: ["Assisted-by: codex:gpt-5-codex", "AI-Session: codex/\(search)"])
        try Codex.write(
            session: search, repository: repository, start: at(day: -6, hour: 10), turns: 8, random: &random,
            to: usage + "/" + Self.erin.email + "/codex/sessions/rollout-\(stamp(at(day: -6, hour: 10)))-\(search).jsonl")
        try tag("deploy/staging/\(stamp(at(day: -5, hour: 9)))", at: at(day: -5, hour: 9))
        try tag("deploy/production/\(stamp(at(day: -5, hour: 11)))", at: at(day: -5, hour: 11))

        // The health checks are reverted two days after shipping.
        let health = try output(["log", "-1", "--format=%H", "--grep=Health checks"])
        try git(["revert", "--no-edit", "--no-commit", health])
        try commit("Revert \"Health checks\"\n\nThis reverts commit \(health).\n\nFlapping under load.", as: Self.bob, at: at(day: -3, hour: 10))
        try tag("deploy/production/\(stamp(at(day: -2, hour: 10)))", at: at(day: -2, hour: 10))

        // Carol's next change is committed but not deployed yet.
        let disputes = sessionID()
        transcripts.session(disputes, actor: Self.carol, start: at(day: -1, hour: 9), requests: 10, random: &random)
        try commit(
            "Dispute intake", files: ["payments/disputes.py": lines("dispute", 70)], as: Self.carol, at: at(day: -1, hour: 15), trailers: ai(disputes)
        )
        try tag("deploy/staging/\(stamp(at(day: -1, hour: 16)))", at: at(day: -1, hour: 16))

        // Sessions that never produced a commit: exploration, and one heavy session.
        transcripts.session(sessionID(), actor: Self.erin, start: at(day: -9, hour: 14), requests: 6, random: &random)
        transcripts.session(sessionID(), actor: Self.alice, start: at(day: -4, hour: 9), requests: 60, heavy: true, random: &random)

        try transcripts.write(to: usage, project: encoded(repository))
        try telemetry.write(to: usage + "/otel/claude-code-otel.jsonl")
        return Result(repository: repository, usage: usage)
    }

    func ai(_ session: String) -> [String] {
        ["Assisted-by: claude-code:claude-sonnet-4-5", "AI-Session: claude-code/\(session)"]
    }

    func encoded(_ path: String) -> String {
        String(path.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" })
    }

    func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// `count` distinct lines that read like code (numbers alone would not make them distinct:
    /// effective sizes count `x1` and `x2` as the same line).
    func lines(_ stem: String, _ count: Int) -> String {
        let words = [
            "request", "payload", "retry", "budget", "cache", "ledger", "window", "token",
            "handler", "status", "session", "refund", "merchant", "invoice", "cursor", "metric",
        ]
        let name = stem.replacingOccurrences(of: "-", with: "_")
        return (0..<count).map { index in
            let first = words[index % 16], second = words[(index / 16) % 16], third = words[(index * 7 + 3) % 16]
            return "\(name)_\(first)_\(second) = resolve(\(third), \(first).\(second))"
        }.joined(separator: "\n") + "\n"
    }

    func write(_ relative: String, _ text: String) {
        let path = repository + "/" + relative
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    @discardableResult
    func commit(_ message: String, files: [String: String] = [:], as person: Person, at date: Date, trailers: [String] = []) throws -> String {
        for (file, text) in files { write(file, text) }
        try git(["add", "-A"])
        let full = trailers.isEmpty ? message : message + "\n\n" + trailers.joined(separator: "\n")
        let when = "\(Int(date.timeIntervalSince1970)) +0000"
        try git(
            ["commit", "-q", "--allow-empty", "--no-verify", "-F", "-"], input: full,
            environment: [
                "GIT_AUTHOR_NAME": person.name, "GIT_AUTHOR_EMAIL": person.email, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
            ])
        return try output(["rev-parse", "HEAD"])
    }

    func merge(_ branch: String, message: String, as person: Person, at date: Date) throws {
        let when = "\(Int(date.timeIntervalSince1970)) +0000"
        try git(
            ["merge", "-q", "--no-ff", "-m", message, branch],
            environment: [
                "GIT_AUTHOR_NAME": person.name, "GIT_AUTHOR_EMAIL": person.email, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
            ])
    }

    func tag(_ name: String, target: String = "HEAD", at date: Date, message: String = "status: success") throws {
        try git(
            ["tag", "-a", name, target, "-m", message],
            environment: [
                "GIT_COMMITTER_NAME": "Release Bot", "GIT_COMMITTER_EMAIL": "release@acme.test",
                "GIT_COMMITTER_DATE": "\(Int(date.timeIntervalSince1970)) +0000",
            ])
    }

    func output(_ arguments: [String]) throws -> String {
        try git(arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    func git(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: repository)
        var env = ProcessInfo.processInfo.environment
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["LC_ALL"] = "C"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        do { try process.run() } catch { throw Failure.git("cannot run git: \(error)") }
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try? inPipe.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure.git("git \(arguments.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// SplitMix64, so the demo is the same every time.
struct DemoRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
}
