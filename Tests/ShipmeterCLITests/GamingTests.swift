import Foundation
import ShipmeterTestSupport
import Testing

/// Two teams in one repository doing the same real work; one of them games the yardstick. Each
/// test builds the history through git, runs `report --by team --format json` from history and
/// from every ledger backend (after `attribute`), and checks that the gamer's normalised
/// deployments and yield stay within 10% of the honest team's and that a warning names the gamer.
final class GamingScenario: @unchecked Sendable {
    // @unchecked: built and read by the one test that owns it.
    let scratch = ScratchRepository()
    private var usage: [String] = []
    private var serial = 0
    static let start: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z
    static let honest = ("Hana Honest", "hana@acme.test")
    static let gamer = ("Gus Gamer", "gus@acme.test")

    init(gitattributes: String? = nil, files: [String: String] = [:]) {
        scratch.write(".shipmeter.yml", "teams:\n  honest: [hana@acme.test]\n  gamer: [gus@acme.test]\n")
        if let gitattributes { scratch.write(".gitattributes", gitattributes) }
        scratch.commit("Set up", files: files.merging(["README.md": "# shared\n"]) { $1 }, time: Self.time(day: 0))
        scratch.deploy(time: Self.time(day: 0, hour: 1))
    }

    static func time(day: Double, hour: Double = 0) -> Int64 { start + Int64(day * 86_400 + hour * 3600) }

    static let words = [
        "request", "payload", "retry", "budget", "cache", "ledger", "window", "token", "handler", "status", "session",
        "refund", "merchant", "invoice", "cursor", "metric",
    ]

    /// Real statements nobody else writes: `count` lines of the same word tokens for every change
    /// of that length, whoever makes it.
    private let corpus = RealCode()

    func code(_ count: Int) -> [String] {
        serial += 1
        return corpus.lines(count)
    }

    /// One change of `lines` lines by `who`, with a session of `tokens` tokens named by its trailer.
    /// The lines of each file `change` wrote, by path.
    private(set) var written: [String: [String]] = [:]

    /// One change of `lines` lines by `who`, with a session of `tokens` tokens named by its
    /// trailer (none of either when not `recorded`); `layout` lays the lines out.
    @discardableResult
    func change(
        _ who: (String, String), lines: Int = 10, day: Double, hour: Double, tokens: Int = 100_000, file: String? = nil,
        extraFiles: [String: String] = [:], trailers: [String] = [], recorded: Bool = true,
        layout: (String) -> String = { $0 }
    ) -> String {
        let session = "s-\(UUID().uuidString.prefix(8).lowercased())"
        if recorded { record(who, session: session, day: day, hour: hour - 0.5, tokens: tokens) }
        let path = file ?? "src/\(who.1.prefix(4))/change\(serial + 1).swift"
        let message = (["Change by \(who.0)", ""] + (recorded ? ["AI-Session: claude-code/\(session)"] : []) + trailers).joined(separator: "\n")
        var files = extraFiles
        let code = code(lines)
        written[path] = code
        files[path] = code.map(layout).joined(separator: "\n") + "\n"
        return scratch.commit(message, files: files, author: who, time: Self.time(day: day, hour: hour))
    }

    /// One argument per line, each with a trailing comma, two spaces of indentation: the same
    /// statement laid out taller (`f(a, b)` → `f(`, `  a,`, `  b,`, `)`).
    static func tall(_ line: String) -> String {
        let characters = Array(line)
        guard let open = characters.firstIndex(of: "(") else { return "  " + line }
        var depth = 0, close: Int?, commas = [Int]()
        var inString = false
        for index in open..<characters.count {
            let character = characters[index]
            if character == "\"" { inString.toggle() }
            if inString { continue }
            if character == "(" || character == "[" || character == "{" { depth += 1 }
            if character == ")" || character == "]" || character == "}" {
                depth -= 1
                if depth == 0 {
                    close = index
                    break
                }
            }
            if character == ",", depth == 1 { commas.append(index) }
        }
        guard let close, !commas.isEmpty else { return "  " + line }
        let bounds = [open + 1] + commas.map { $0 + 1 }
        var arguments = [String]()
        for (position, start) in bounds.enumerated() {
            let end = position + 1 < bounds.count ? bounds[position + 1] - 1 : close
            arguments.append(String(characters[start..<end]).trimmingCharacters(in: .whitespaces))
        }
        let head = String(characters[...open]), tail = String(characters[close...])
        return (["  " + head] + arguments.map { "    " + $0 + "," } + ["  " + tail]).joined(separator: "\n")
    }

    func record(_ who: (String, String), session: String, day: Double, hour: Double, tokens: Int) {
        let stamp = Date(timeIntervalSince1970: TimeInterval(Self.time(day: day, hour: hour)))
        let iso = ISO8601DateFormatter().string(from: stamp)
        usage.append(
            """
            {"timestamp":"\(iso)","actor":"\(who.1)","session":"\(session)","agent":"claude-code","model":"claude-sonnet-4-5",\
            "input":\(tokens / 2),"output":\(tokens / 2),"cache_write":0,"cache_read":0,"cost_usd":\(Double(tokens) / 100_000)}
            """)
    }

    func deploy(day: Double, hour: Double) { scratch.deploy(time: Self.time(day: day, hour: hour)) }

    var usageFile: String {
        scratch.directory.write("usage.jsonl", usage.joined(separator: "\n") + "\n")
        return scratch.directory.file("usage.jsonl")
    }

    static let window = ["--since", "2025-12-01", "--until", "2026-03-01"]

    /// The team report from history, then from each ledger backend after `attribute`.
    func reports(weight: String? = nil) throws -> [(source: String, document: [String: Any])] {
        let usage = usageFile
        let extra = (weight.map { ["--weight", $0] } ?? []) + Self.window
        var result = [(String, [String: Any])]()
        let history = ShipmeterBinary.run(["report", "--by", "team", "--format", "json", "--usage", usage] + extra, in: scratch.path)
        result.append(("history", try Self.json(history)))
        let folder = ScratchDirectory("gaming-ledger")
        for backend in LedgerBackend.available {
            let ledger = try backend.freshLocation(in: folder)
            let attributed = ShipmeterBinary.run(["attribute", "--ledger", ledger, "--usage", usage], in: scratch.path)
            #expect(attributed.status == 0, "\(attributed.stderr)")
            let stored = ShipmeterBinary.run(["report", "--by", "team", "--format", "json", "--ledger", ledger] + extra, in: scratch.path)
            result.append(("\(backend) ledger", try Self.json(stored)))
        }
        return result
    }

    static func json(_ result: ProcessResult) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
    }

    static func group(_ document: [String: Any], _ key: String) -> [String: Any] {
        ((document["groups"] as? [[String: Any]]) ?? []).first { $0["key"] as? String == key } ?? [:]
    }

    static func figure(_ document: [String: Any], _ key: String, _ field: String) -> Double {
        group(document, key)[field] as? Double ?? 0
    }

    static func warnings(_ document: [String: Any], group: String) -> Set<String> {
        Set(((document["warnings"] as? [[String: Any]]) ?? []).filter { $0["group"] as? String == group }.compactMap { $0["kind"] as? String })
    }

    /// The gamer's normalised deployments and yield within `tolerance` of the honest team's, a
    /// warning of `warning` naming the gamer, and the same figures from every source.
    func expectFair(
        warning: String?, yield: Bool = true, tolerance: Double = 0.10, weight: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let reports = try reports(weight: weight)
        let first = reports[0].document
        for (source, document) in reports {
            let honestND = Self.figure(document, "honest", "normalised_deployments"),
                gamerND = Self.figure(document, "gamer", "normalised_deployments")
            #expect(honestND > 0, "\(source): the honest team shipped work", sourceLocation: sourceLocation)
            #expect(
                abs(gamerND - honestND) <= tolerance * honestND, "\(source): ND gamer \(gamerND) vs honest \(honestND)",
                sourceLocation: sourceLocation)
            if yield {
                let honestYield = Self.figure(document, "honest", "nd_per_million_tokens"),
                    gamerYield = Self.figure(document, "gamer", "nd_per_million_tokens")
                #expect(
                    abs(gamerYield - honestYield) <= tolerance * honestYield, "\(source): yield gamer \(gamerYield) vs honest \(honestYield)",
                    sourceLocation: sourceLocation)
            }
            if let warning {
                #expect(
                    Self.warnings(document, group: "gamer").contains(warning), "\(source): \(Self.warnings(document, group: "gamer"))",
                    sourceLocation: sourceLocation)
                #expect(!Self.warnings(document, group: "honest").contains(warning), "\(source)", sourceLocation: sourceLocation)
            }
            // The ledger's report is the history's.
            for team in ["honest", "gamer"] {
                for field in [
                    "normalised_deployments", "effective_lines", "nd_per_million_tokens", "usage_coverage", "copied_lines",
                    "relaid_lines", "templated_lines", "added_lines",
                ] {
                    #expect(
                        abs(Self.figure(document, team, field) - Self.figure(first, team, field)) < 1e-9, "\(source): \(team) \(field)",
                        sourceLocation: sourceLocation)
                }
            }
        }
    }
}

@Suite(.serialized) struct GamingTests {
    /// Six changes per deployment against one deployment per change.
    @Test func splittingDeploymentsEarnsNothing() throws {
        let world = GamingScenario()
        for round in 0..<5 {
            let day = Double(1 + round * 7)
            for index in 0..<6 { world.change(GamingScenario.honest, lines: 8, day: day, hour: 9 + Double(index) * 0.5) }
            world.deploy(day: day, hour: 13)
            for index in 0..<6 {
                world.change(GamingScenario.gamer, lines: 8, day: day + 1, hour: 9 + Double(index))
                world.deploy(day: day + 1, hour: 9.5 + Double(index))
            }
        }
        try world.expectFair(warning: "deployment_splitting")
    }

    /// A trivial extra commit every day in the shared daily deployment.
    @Test func trivialExtraCommitsEarnNothing() throws {
        let world = GamingScenario()
        for day in 1...12 {
            world.change(GamingScenario.honest, lines: 20, day: Double(day), hour: 9)
            world.change(GamingScenario.gamer, lines: 20, day: Double(day), hour: 10)
            let notes = (1...day).map { "// reviewed \(GamingScenario.words[$0])" }.joined(separator: "\n") + "\n"
            world.scratch.commit(
                "Touch up\n", files: ["src/gus/notes.swift": notes], author: GamingScenario.gamer,
                time: GamingScenario.time(day: Double(day), hour: 11))
            world.deploy(day: Double(day), hour: 17)
        }
        try world.expectFair(warning: "commit_splitting")
    }

    /// A change reverted and re-applied across deployments, daily, against shipping it once.
    @Test func revertingAndReapplyingEarnsNothing() throws {
        let world = GamingScenario()
        for day in 1...4 {
            world.change(GamingScenario.honest, lines: 10, day: Double(day), hour: 9)
            world.change(GamingScenario.gamer, lines: 10, day: Double(day), hour: 9.5)
            world.deploy(day: Double(day), hour: 12)
        }
        world.change(GamingScenario.honest, lines: 30, day: 5, hour: 9)
        let feature = world.change(GamingScenario.gamer, lines: 30, day: 5, hour: 10)
        world.deploy(day: 5, hour: 12)
        var last = feature
        for day in 6...11 {
            // Reverted by git (message) on even days, by hand (content only) on odd days; re-applied the next.
            world.scratch.git(["revert", "--no-edit", "--no-commit", last])
            let message =
                day % 2 == 0
                ? world.scratch.output(["log", "-1", "--format=Revert \"%s\"%n%nThis reverts commit %H.", last]) : "Undo the change for now"
            last = world.scratch.commit(message, author: GamingScenario.gamer, time: GamingScenario.time(day: Double(day), hour: 10))
            world.deploy(day: Double(day), hour: 12)
        }
        try world.expectFair(warning: "revert_churn")
    }

    /// Thousands of generated, templated, duplicated and lock-file lines in the gamer's commits.
    @Test(arguments: ["effective", "lines", "commits"])
    func paddingEarnsNothingUnderTheDefaultWeight(_ weight: String) throws {
        let world = GamingScenario()
        for day in 1...6 {
            world.change(GamingScenario.honest, lines: 15, day: Double(day), hour: 9)
            let table = (1...2000).map { "ENTRY_\($0)_\(day) = \($0 * 31)" }.joined(separator: "\n")
            let lock = (1...400).map { "    \"node_modules/pkg\($0)\": { \"version\": \"1.\($0).\(day)\" }," }.joined(separator: "\n")
            world.change(
                GamingScenario.gamer, lines: 15, day: Double(day), hour: 10,
                extraFiles: ["src/gus/table\(day).swift": table, "package-lock.json": lock])
            world.deploy(day: Double(day), hour: 17)
        }
        if weight == "effective" {
            try world.expectFair(warning: "padding")
        } else {
            // The old weights are kept for comparison: padding pays under `lines`; the warning says so under every weight.
            let reports = try world.reports(weight: weight)
            for (source, document) in reports {
                #expect(GamingScenario.warnings(document, group: "gamer").contains("padding"), "\(source)")
                let honest = GamingScenario.figure(document, "honest", "normalised_deployments")
                let gamer = GamingScenario.figure(document, "gamer", "normalised_deployments")
                if weight == "lines" { #expect(gamer > 1.5 * honest, "\(source)") } else { #expect(gamer == honest, "\(source)") }
            }
        }
    }

    /// Each change as five commits.
    @Test func splittingCommitsEarnsNothing() throws {
        let world = GamingScenario()
        for day in 1...10 {
            world.change(GamingScenario.honest, lines: 10, day: Double(day), hour: 9, tokens: 100_000)
            for piece in 0..<5 {
                world.change(GamingScenario.gamer, lines: 2, day: Double(day), hour: 10 + Double(piece) * 0.2, tokens: 20_000)
            }
            world.deploy(day: Double(day), hour: 17)
        }
        try world.expectFair(warning: "commit_splitting")
    }

    /// Numbered lines (`change 3 7`) as one commit a day against one commit per line.
    @Test func splittingNumberedLinesEarnsNothing() throws {
        let world = GamingScenario()
        for day in 1...5 {
            let lines = (1...day).flatMap { earlier in (1...10).map { "honest change \(earlier) \($0)" } }
            world.scratch.commit(
                "Honest \(day)", files: ["honest.txt": lines.joined(separator: "\n") + "\n"], author: GamingScenario.honest,
                time: GamingScenario.time(day: Double(day), hour: 9))
            for count in 1...10 {
                let gamer = (1...(day * 10 - 10 + count)).map { "gamer change \(($0 - 1) / 10 + 1) \(($0 - 1) % 10 + 1)" }
                world.scratch.commit(
                    "Gamer \(day).\(count)", files: ["gamer.txt": gamer.joined(separator: "\n") + "\n"], author: GamingScenario.gamer,
                    time: GamingScenario.time(day: Double(day), hour: 10 + Double(count) * 0.1))
            }
            world.deploy(day: Double(day), hour: 17)
        }
        try world.expectFair(warning: nil, yield: false)
    }

    /// Tokens burned in sessions that never commit: the same shipped work, a lower yield.
    @Test func burningTokensLowersTheYield() throws {
        let world = GamingScenario()
        for day in 1...6 {
            world.change(GamingScenario.honest, lines: 12, day: Double(day), hour: 9)
            world.change(GamingScenario.gamer, lines: 12, day: Double(day), hour: 10)
            world.record(GamingScenario.gamer, session: "burn-\(day)", day: Double(day), hour: 12, tokens: 2_000_000)
            world.deploy(day: Double(day), hour: 17)
        }
        try world.expectFair(warning: "uncommitted_tokens", yield: false)
        for (source, document) in try world.reports() {
            let honest = GamingScenario.figure(document, "honest", "nd_per_million_tokens")
            #expect(GamingScenario.figure(document, "gamer", "nd_per_million_tokens") < 0.1 * honest, "\(source)")
        }
    }

    /// The same commit deployed again five times a day.
    @Test func redeployingEarnsNothing() throws {
        let world = GamingScenario()
        for day in 1...6 {
            world.change(GamingScenario.honest, lines: 12, day: Double(day), hour: 9)
            world.deploy(day: Double(day), hour: 10)
            world.change(GamingScenario.gamer, lines: 12, day: Double(day), hour: 11)
            for again in 0..<6 { world.deploy(day: Double(day), hour: 12 + Double(again)) }
        }
        try world.expectFair(warning: nil, tolerance: 1e-9)
    }

    /// Commits naming AI sessions that no usage record has.
    @Test func forgedSessionTrailersAreNamed() throws {
        let world = GamingScenario()
        for day in 1...6 {
            world.change(GamingScenario.honest, lines: 12, day: Double(day), hour: 9)
            world.change(GamingScenario.gamer, lines: 12, day: Double(day), hour: 10, trailers: ["AI-Session: claude-code/forged-\(day)"])
            world.deploy(day: Double(day), hour: 17)
        }
        try world.expectFair(warning: "unbacked_ai_sessions")
    }

    /// A few hundred generated lines a day that share one shape and differ only in the words.
    @Test func templatedLinesEarnAboutTheirShape() throws {
        let world = GamingScenario()
        for day in 1...6 {
            world.change(GamingScenario.honest, lines: 20, day: Double(day), hour: 9)
            let cases = (0..<300).map { index -> String in
                let name = "case" + RealCode.name(day * 1_000 + index).capitalized
                return "    case \(name) = \"\(name)\""
            }
            let table = (["enum Registered\(RealCode.name(day).capitalized) {"] + cases + ["}"]).joined(separator: "\n") + "\n"
            world.change(GamingScenario.gamer, lines: 20, day: Double(day), hour: 10, extraFiles: ["src/gus/Registered\(day).swift": table])
            world.deploy(day: Double(day), hour: 17)
        }
        try world.expectFair(warning: "templated_lines")
    }

    /// A verbatim copy, each day, of code already in the repository, in a new file.
    @Test func copiedCodeEarnsNothing() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
        let originals = ["Attribution/Metrics/ReportBuilder.swift", "Attribution/Metrics/WarningSigns.swift", "Usage/PriceTable.swift"]
        var files = [String: String]()
        for original in originals {
            files["lib/" + (original.split(separator: "/").last.map(String.init) ?? original)] =
                try String(contentsOf: sources.appendingPathComponent(original), encoding: .utf8)
        }
        let world = GamingScenario(files: files)
        let shared = files.sorted { $0.key < $1.key }
        for day in 1...6 {
            world.change(GamingScenario.honest, lines: 20, day: Double(day), hour: 9)
            let (path, text) = shared[day % shared.count]
            // The whole file one day, a 120-line excerpt under a new name the next.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let copy = day % 2 == 0 ? text : lines[(day * 7)..<(day * 7 + 120)].joined(separator: "\n") + "\n"
            world.change(
                GamingScenario.gamer, lines: 20, day: Double(day), hour: 10,
                extraFiles: ["src/gus/copy\(day)/" + (path.split(separator: "/").last.map(String.init) ?? path): copy])
            world.deploy(day: Double(day), hour: 17)
        }
        try world.expectFair(warning: "copied_code")
    }

    /// Yesterday's shipped code laid out anew (two-space indent, one argument per line), deployed.
    @Test func reLayingOutShippedCodeEarnsNothing() throws {
        let world = GamingScenario()
        var yesterday: (path: String, lines: [String])?
        for day in 1...7 {
            world.change(GamingScenario.honest, lines: 20, day: Double(day), hour: 9)
            let path = "src/gus/work\(day).swift"
            world.change(GamingScenario.gamer, lines: 20, day: Double(day), hour: 10, file: path)
            if let (oldPath, lines) = yesterday {
                world.scratch.commit(
                    "Tidy up \(oldPath)\n", files: [oldPath: lines.map(GamingScenario.tall).joined(separator: "\n") + "\n"],
                    author: GamingScenario.gamer, time: GamingScenario.time(day: Double(day), hour: 11))
            }
            yesterday = (path, world.written[path] ?? [])
            world.deploy(day: Double(day), hour: 17)
        }
        try world.expectFair(warning: "reformatting")
    }

    /// The same kind of statements written one argument per line: a style, not gaming — credited
    /// like the usual layout, and named in no warning.
    @Test func aTallerStyleEarnsWhatTheUsualLayoutEarns() throws {
        let world = GamingScenario()
        for day in 1...6 {
            world.change(GamingScenario.honest, lines: 20, day: Double(day), hour: 9)
            world.change(GamingScenario.gamer, lines: 20, day: Double(day), hour: 10, layout: GamingScenario.tall)
            world.deploy(day: Double(day), hour: 17)
        }
        try world.expectFair(warning: nil)
        for (source, document) in try world.reports() {
            #expect(GamingScenario.warnings(document, group: "gamer").isEmpty, "\(source)")
            // The layout really differs: many more physical lines for the same statements.
            #expect(
                GamingScenario.figure(document, "gamer", "changed_lines") > 1.2 * GamingScenario.figure(document, "honest", "changed_lines"),
                "\(source)")
        }
    }

    /// Half of the gamer's sessions kept off the record (no usage, no trailer): the same shipped
    /// work, the same yield, and the gap named.
    @Test func usageKeptOffTheRecordDoesNotRaiseTheYield() throws {
        let world = GamingScenario()
        for day in 1...6 {
            world.change(GamingScenario.honest, lines: 10, day: Double(day), hour: 9)
            world.change(GamingScenario.honest, lines: 10, day: Double(day), hour: 11)
            world.change(GamingScenario.gamer, lines: 10, day: Double(day), hour: 10)
            world.change(GamingScenario.gamer, lines: 10, day: Double(day), hour: 12, recorded: false)
            world.deploy(day: Double(day), hour: 17)
        }
        try world.expectFair(warning: "low_usage_coverage")
        for (source, document) in try world.reports() {
            #expect(abs(GamingScenario.figure(document, "gamer", "usage_coverage") - 0.5) < 0.01, "\(source)")
            #expect(GamingScenario.figure(document, "honest", "usage_coverage") == 1, "\(source)")
        }
    }
}
