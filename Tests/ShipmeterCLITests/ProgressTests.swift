import Foundation
import ShipmeterCLI
import ShipmeterTestSupport
import Testing
import WorkProgress

/// Progress on long work: drawn on a terminal (a pseudo-terminal from `script`), never in a pipe,
/// under CI or with --quiet.
@Suite(.serialized) struct ProgressTests {
    final class PhaseLog: @unchecked Sendable {
        // @unchecked: `phases` is read and written holding `lock`.
        private let lock = NSLock()
        private var seen = [String]()
        func add(_ phase: String) { lock.withLock { seen.append(phase) } }
        var phases: [String] { lock.withLock { seen } }
    }

    /// A repository of `count` commits on main, each changing one file (git fast-import: quick).
    static func longHistory(_ count: Int) throws -> ScratchRepository {
        let scratch = ScratchRepository()
        var stream = ""
        for number in 1...count {
            let time = 1_767_225_600 + number * 60
            stream +=
                "commit refs/heads/main\nmark :\(number)\nauthor Ann <ann@acme.test> \(time) +0000\ncommitter Ann <ann@acme.test> \(time) +0000\n"
            stream += "data 9\nchange \(number % 10)\n"
            if number > 1 { stream += "from :\(number - 1)\n" }
            let content = "line \(number)\n"
            stream += "M 100644 inline file\(number % 50).txt\ndata \(content.utf8.count)\n\(content)\n"
        }
        let imported = scratch.git(["fast-import", "--quiet"], input: stream)
        try #require(imported.status == 0, "\(imported.stderr)")
        scratch.git(["reset", "-q", "--hard", "main"])
        scratch.tag("deploy/production/1", message: "status: success", time: Int64(1_767_225_600 + count * 60 + 60))
        return scratch
    }

    /// Runs shipmeter with standard error on a pseudo-terminal (standard output to a file);
    /// returns what the terminal showed. `CI` is removed unless `ci` is given. Every phase is
    /// drawn as it begins (`SHIPMETER_PROGRESS_AFTER=0`), so what shows does not depend on how
    /// fast this machine gets through each phase.
    static func onTerminal(
        _ arguments: [String], in directory: String, ci: String? = nil,
        settings: [String: String] = ["SHIPMETER_PROGRESS_AFTER": "0"]
    ) throws -> (status: Int32, terminal: String) {
        let quoted = ([ShipmeterBinary.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let environment = ci.map { "env CI='\($0)'" } ?? "env -u CI"
        var variables = ["TERM": "xterm", "NO_COLOR": "1"]
        variables.merge(settings) { $1 }
        let result = run("script", ["-qec", "\(environment) \(quoted) > /dev/null", "/dev/null"], in: directory, environment: variables)
        return (result.status, result.stdout)
    }

    @Test func longWorkShowsPhasesCountsAndASummaryOnATerminal() throws {
        let scratch = try Self.longHistory(5_000)
        let commits = try Self.onTerminal(["commits"], in: scratch.path)
        #expect(commits.status == 0, "\(commits.terminal)")
        // Redrawn in place (carriage return, clear line), with counts of a known total. (The
        // rate depends on the machine's speed: `ratesAndTimeLeftFollowAnInjectedClock` checks it.)
        #expect(commits.terminal.contains("\r\u{1B}[2Kreading commits: "), "\(commits.terminal)")
        #expect(commits.terminal.contains(" / 5,000 commits ("), "\(commits.terminal)")
        #expect(commits.terminal.range(of: #"listed 5,000 commits in [0-9.]+ s\r?\n"#, options: .regularExpression) != nil, "\(commits.terminal)")

        let ledger = ScratchDirectory("ledger").file("ledger.sqlite")
        let attribute = try Self.onTerminal(["attribute", "--ledger", ledger], in: scratch.path)
        #expect(attribute.status == 0, "\(attribute.terminal)")
        for phase in ["reading history: ", "measuring changed lines: ", "writing the ledger: "] {
            #expect(attribute.terminal.contains(phase), "\(phase) \(attribute.terminal)")
        }
        #expect(
            attribute.terminal.range(of: #"attributed 5,000 commits, 1 deployment, 0 usage records in [0-9.]+ s"#, options: .regularExpression)
                != nil,
            "\(attribute.terminal)")
    }

    @Test func ingestCountsBytesOfAKnownTotal() throws {
        let folder = ScratchDirectory("ingest-progress")
        let line =
            #"{"timestamp":"2026-01-01T00:00:00Z","model":"claude-sonnet-4-5","input":10,"output":5,"cache_write":0,"cache_read":0,"key":"KEY"}"#
        folder.write("usage/records.jsonl", (0..<150_000).map { line.replacingOccurrences(of: "KEY", with: "k\($0)") }.joined(separator: "\n") + "\n")
        let shown = try Self.onTerminal(["ingest", "--ledger", folder.file("ledger.sqlite"), folder.file("usage")], in: folder.path)
        #expect(shown.status == 0, "\(shown.terminal)")
        // Bytes of a known total; the time left depends on this machine's speed and is checked
        // against an injected clock in `ratesAndTimeLeftFollowAnInjectedClock`.
        #expect(
            shown.terminal.range(of: #"ingesting usage: [0-9.,]+ MB / 19 MB \([0-9]+%\) · "#, options: .regularExpression) != nil, "\(shown.terminal)"
        )
        #expect(
            shown.terminal.range(of: #"ingested 150,000 usage records \(150,000 new\) in [0-9.]+ s"#, options: .regularExpression) != nil,
            "\(shown.terminal)")
    }

    @Test func nothingInAPipeUnderCIOrWithQuiet() throws {
        let scratch = try Self.longHistory(1_500)
        // A pipe (the test's own): no progress, no summary, the listing as always.
        let piped = ShipmeterBinary.run(["commits"], in: scratch.path, environment: ["CI": ""])
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains("\r"))
        #expect(!piped.stderr.contains("listed"))
        #expect(piped.stdout.contains("1500 commits"))
        // A terminal, but CI says it is a log; and a terminal with --quiet.
        for (arguments, ci) in [(["commits"], "true"), (["commits", "--quiet"], nil), (["commits", "-q"], nil)] {
            let shown = try Self.onTerminal(arguments, in: scratch.path, ci: ci)
            #expect(shown.status == 0)
            #expect(!shown.terminal.contains("reading commits"), "\(arguments) CI=\(ci ?? "unset"): \(shown.terminal)")
            #expect(!shown.terminal.contains("listed"), "\(arguments) CI=\(ci ?? "unset"): \(shown.terminal)")
        }
    }

    /// `SHIPMETER_PROGRESS=always` draws into a pipe too (a line per redraw, nothing to clear);
    /// `never` draws nothing on a terminal.
    @Test func theEnvironmentCanForceProgressOnOrOff() throws {
        let scratch = try Self.longHistory(300)
        let piped = ShipmeterBinary.run(
            ["commits"], in: scratch.path,
            environment: ["CI": "true", "SHIPMETER_PROGRESS": "always", "SHIPMETER_PROGRESS_AFTER": "0"])
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stderr.contains("reading commits: 0 / 300 commits (0%)"), "\(piped.stderr)")
        #expect(!piped.stderr.contains("\u{1B}"), "\(piped.stderr)")
        #expect(piped.stderr.range(of: #"listed 300 commits in [0-9.]+ s\n"#, options: .regularExpression) != nil, "\(piped.stderr)")
        let quietAnyway = ShipmeterBinary.run(["commits", "--quiet"], in: scratch.path, environment: ["SHIPMETER_PROGRESS": "always"])
        #expect(quietAnyway.stderr.isEmpty, "\(quietAnyway.stderr)")
        let never = try Self.onTerminal(["commits"], in: scratch.path, settings: ["SHIPMETER_PROGRESS": "never", "SHIPMETER_PROGRESS_AFTER": "0"])
        #expect(never.status == 0)
        #expect(!never.terminal.contains("reading commits"), "\(never.terminal)")
        #expect(!never.terminal.contains("listed"), "\(never.terminal)")
    }

    @Test func settingsComeFromTheEnvironmentAndBadValuesKeepTheDefaults() {
        #expect(ProgressSettings(environment: [:]) == ProgressSettings(mode: .auto, after: 0.3, every: 0.2))
        #expect(
            ProgressSettings(environment: ["SHIPMETER_PROGRESS": "Always", "SHIPMETER_PROGRESS_AFTER": "0", "SHIPMETER_PROGRESS_EVERY": "0.001"])
                == ProgressSettings(mode: .always, after: 0, every: 0.01))
        #expect(
            ProgressSettings(environment: ["SHIPMETER_PROGRESS": "loud", "SHIPMETER_PROGRESS_AFTER": "-1", "SHIPMETER_PROGRESS_EVERY": "soon"])
                == ProgressSettings())
        let always = ProgressSettings(mode: .always)
        #expect(always.shouldShow(quiet: false, environment: ["CI": "true"], isTerminal: false))
        #expect(!always.shouldShow(quiet: true, environment: [:], isTerminal: true))
        #expect(!ProgressSettings(mode: .never).shouldShow(quiet: false, environment: [:], isTerminal: true))
    }

    /// The rate and the time left, from what `WorkProgress` records against an injected clock.
    @Test func ratesAndTimeLeftFollowAnInjectedClock() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let phases = PhaseLog()
        let recorder = WorkProgress.Recorder()
        recorder.begin("before recording", now: start)
        #expect(recorder.snapshot(now: start) == nil)
        recorder.enable(now: start, onBegin: { phases.add($0.phase) })
        recorder.begin("reading history", unit: "commits", now: start)
        recorder.begin("measuring changed lines", total: 10_000, unit: "commits", now: start.addingTimeInterval(1))
        recorder.advance(2_500)
        let snapshot = recorder.snapshot(now: start.addingTimeInterval(6))
        #expect(phases.phases == ["reading history", "measuring changed lines"])
        #expect(
            snapshot
                == WorkProgress.Snapshot(phase: "measuring changed lines", done: 2_500, total: 10_000, unit: "commits", elapsed: 5, sinceStart: 6))
        #expect(snapshot.map(ProgressText.line) == "measuring changed lines: 2,500 / 10,000 commits (25%) · 15 s left · 500/s")
        #expect(recorder.secondsSinceStart(now: start.addingTimeInterval(7.5)) == 7.5)
        recorder.disable()
        recorder.begin("after recording", now: start.addingTimeInterval(8))
        #expect(recorder.snapshot(now: start.addingTimeInterval(8)) == nil)
        #expect(phases.phases == ["reading history", "measuring changed lines"])
    }

    @Test func theLineReadsAsAPersonExpects() {
        typealias Snapshot = WorkProgress.Snapshot
        let counted = Snapshot(phase: "measuring changed lines", done: 12_000, total: 81_966, unit: "commits", elapsed: 6, sinceStart: 9)
        #expect(ProgressText.line(counted) == "measuring changed lines: 12,000 / 81,966 commits (14%) · 35 s left · 2,000/s")
        let open = Snapshot(phase: "ingesting usage records", done: 2_400_000, total: nil, unit: "records", elapsed: 2, sinceStart: 75)
        #expect(ProgressText.line(open) == "ingesting usage records: 2.4M records · 1 min 15 s · 1.2M/s")
        let phaseOnly = Snapshot(phase: "writing the ledger", done: 0, total: nil, unit: "", elapsed: 0.2, sinceStart: 3.3)
        #expect(ProgressText.line(phaseOnly) == "writing the ledger: 3.3 s")
        let bytes = Snapshot(phase: "ingesting usage", done: 512 << 20, total: 2 << 30, unit: "bytes", elapsed: 4, sinceStart: 5)
        #expect(ProgressText.line(bytes) == "ingesting usage: 512 MB / 2,048 MB (25%) · 12 s left · 128 MB/s")
        #expect(ProgressText.megabytes(400 << 10) == "0.4 MB")
        #expect(ProgressText.megabytes(21 << 30) == "21.0 GB")
        #expect(ProgressText.duration(3_725) == "1 h 02 min")
        #expect(ProgressText.count(999) == "999")
        #expect(ProgressText.count(1_000) == "1,000")

        #expect(ProgressText.shouldShow(quiet: false, environment: [:], isTerminal: true))
        #expect(!ProgressText.shouldShow(quiet: true, environment: [:], isTerminal: true))
        #expect(!ProgressText.shouldShow(quiet: false, environment: [:], isTerminal: false))
        #expect(!ProgressText.shouldShow(quiet: false, environment: ["CI": "true"], isTerminal: true))
        #expect(ProgressText.shouldShow(quiet: false, environment: ["CI": "false"], isTerminal: true))
        #expect(!ProgressText.shouldShow(quiet: false, environment: ["TERM": "dumb"], isTerminal: true))
    }
}
