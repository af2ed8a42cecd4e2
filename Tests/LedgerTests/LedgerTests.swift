import Attribution
import Foundation
import GRDB
import GitKit
import ShipmeterTestSupport
import Testing
import Usage

@testable import Ledger

/// The ledgers the behavioural suite runs against: SQLite always; PostgreSQL when the test
/// command started a server (`SHIPMETER_TEST_POSTGRES`, required in CI).
typealias Backend = LedgerBackend

extension LedgerBackend {
    func open(_ location: String) async throws -> LedgerStore { try await LedgerStore.open(location) }
}

@Suite struct LedgerTests {
    func records(_ count: Int, actor: String = "ann@acme.test", offset: Int = 0) -> UsageBatch {
        var batch = UsageBatch()
        for index in 0..<count {
            var record = UsageRecord(
                source: "jsonl", key: "k\(index + offset)", timestamp: Date(timeIntervalSince1970: 1_767_225_600 + Double(index)),
                actor: actor, session: "s\(index % 3)", agent: "claude-code", model: "claude-sonnet-4-5",
                repository: "/work/app", input: Int64(index), output: 2, cacheWrite: 3, cacheRead: 4,
                costUSD: Decimal(string: "0.001234"))
            record.cacheWrite1h = 1
            batch.add(record)
        }
        batch.links = [SessionCommitLink(session: "s1", commit: String(repeating: "a", count: 40), time: Date(timeIntervalSince1970: 1_767_230_000))]
        return batch
    }

    @Test(arguments: Backend.available)
    func ingestIsIdempotentAndRoundTripsEveryField(_ backend: Backend) async throws {
        let folder = ScratchDirectory()
        let location = try backend.freshLocation(in: folder)
        let ledger = try await backend.open(location)
        #expect(try await ledger.ingest(records(10), version: "t") == .init(added: 10, alreadyPresent: 0))
        #expect(try await ledger.ingest(records(10), version: "t") == .init(added: 0, alreadyPresent: 10))
        #expect(try await ledger.ingest(records(12), version: "t") == .init(added: 2, alreadyPresent: 10))
        await ledger.close()
        let reopened = try await backend.open(location)
        let back = try await reopened.batch(since: nil, until: nil)
        await reopened.close()
        #expect(back.records.count == 12)
        let original = records(12).records.sorted { $0.key < $1.key }
        #expect(back.records.sorted { $0.key < $1.key } == original)
        #expect(back.links.count == 1)
    }

    /// The rollup reports read stays equal to the records summed afresh through ingest (new and
    /// repeated records), attribution in two repositories, re-attribution, and forget.
    @Test(arguments: Backend.available)
    func theRollupStaysInStepWithTheRecords(_ backend: Backend) async throws {
        let folder = ScratchDirectory()
        let ledger = try await backend.open(try backend.freshLocation(in: folder))
        _ = try await ledger.ingest(records(6, actor: "ann@acme.test"), version: "t")
        _ = try await ledger.ingest(records(8, actor: "ben@acme.test", offset: 4), version: "t")  // two already there
        #expect(try await ledger.rollupDrift() == [])
        let state = LedgerRepositoryState(revision: 0, tips: [], settings: "s", usageMark: 0, remotes: [])
        let keys = try await ledger.batch(since: nil, until: nil).records.map(\.key).sorted()
        for (name, picked) in [("alpha", Array(keys.prefix(5))), ("beta", Array(keys.dropFirst(3).prefix(4)))] {
            let repository = try await ledger.repositoryID(identity: "example.test/\(name)", name: name)
            var change = AttributionChange(identity: "example.test/\(name)", name: name, expectedRevision: nil, replacesAll: true, state: state)
            change.joins = picked.map { .init(source: "jsonl", key: $0, commit: "c-\(name)", confidence: .inferred) }
            #expect(try await ledger.apply(change, repository: repository, version: "t", started: Date()))
            #expect(try await ledger.rollupDrift() == [], "after attributing in \(name)")
        }
        // alpha lets go of two records (one of them also beta's) and moves one.
        let alpha = try await ledger.repositoryID(identity: "example.test/alpha", name: "alpha")
        var next = AttributionChange(identity: "example.test/alpha", name: "alpha", expectedRevision: 1, replacesAll: false, state: state)
        next.unjoined = [("jsonl", keys[3]), ("jsonl", keys[0])]
        next.joins = [.init(source: "jsonl", key: keys[1], commit: "c-other", confidence: .explicit)]
        #expect(try await ledger.apply(next, repository: alpha, version: "t", started: Date()))
        #expect(try await ledger.rollupDrift() == [])
        // Everything again from scratch for alpha.
        var again = AttributionChange(identity: "example.test/alpha", name: "alpha", expectedRevision: 2, replacesAll: true, state: state)
        again.joins = [.init(source: "jsonl", key: keys[2], commit: "c-alpha", confidence: .inferred)]
        #expect(try await ledger.apply(again, repository: alpha, version: "t", started: Date()))
        #expect(try await ledger.rollupDrift() == [])
        #expect(try await ledger.forget(actor: "ben@acme.test", version: "t") > 0)
        #expect(try await ledger.rollupDrift() == [])
        // And the check notices a rollup out of step.
        _ = try await ledger.write(guard: nil, [SQLWrite("UPDATE usage_rollup SET input = input + 1 WHERE records > 0")])
        #expect(try await ledger.rollupDrift() != [])
        await ledger.close()
    }

    @Test(arguments: Backend.available)
    func forgetRemovesOnePersonOnly(_ backend: Backend) async throws {
        let folder = ScratchDirectory()
        let ledger = try await backend.open(try backend.freshLocation(in: folder))
        _ = try await ledger.ingest(records(5, actor: "ann@acme.test"), version: "t")
        _ = try await ledger.ingest(records(3, actor: "ben@acme.test", offset: 100), version: "t")
        #expect(try await ledger.forget(actor: "ANN@acme.test", version: "t") == 5)
        #expect(try await ledger.batch(since: nil, until: nil).records.map(\.actor) == ["ben@acme.test", "ben@acme.test", "ben@acme.test"])
        #expect(try await ledger.forget(actor: "ann@acme.test", version: "t") == 0)
        await ledger.close()
    }

    @Test(arguments: Backend.available)
    func anAttributionChangeRoundTripsAndAStaleOneWritesNothing(_ backend: Backend) async throws {
        let folder = ScratchDirectory()
        let ledger = try await backend.open(try backend.freshLocation(in: folder))
        let identity = "example.test/acme/app"
        let repository = try await ledger.repositoryID(identity: identity, name: "acme/app")
        #expect(try await ledger.repositoryID(identity: identity, name: "acme/app") == repository)
        #expect(try await ledger.state(repository: repository) == nil)
        let state = LedgerRepositoryState(revision: 0, tips: ["c2"], settings: "s", usageMark: 7, remotes: ["example.test/acme/app"])
        var change = AttributionChange(identity: identity, name: "acme/app", expectedRevision: nil, replacesAll: true, state: state)
        let (c0, c1, c2) = (String(repeating: "c0", count: 20), String(repeating: "c1", count: 20), String(repeating: "c2", count: 20))
        change.deployments = [
            .init(
                environment: "production", id: "d1", ref: "refs/tags/d1", commit: c1, time: Date(timeIntervalSince1970: 100), status: .success,
                kind: .baseline, shipped: [c0, c1]),
            .init(
                environment: "production", id: "d2", ref: "refs/tags/d2", commit: c2, time: Date(timeIntervalSince1970: 200), status: .success,
                kind: .forward, shipped: [c2]),
        ]
        change.joins = [
            .init(source: "jsonl", key: "k1", commit: c1, confidence: .explicit),
            .init(source: "jsonl", key: "k2", commit: c2, confidence: .inferred),
        ]
        let facts = CommitFacts(
            id: try ObjectID(hex: c1), person: "ann@acme.test", authorName: "Ann", authorTime: GitTime(seconds: 90), isMerge: false,
            isBot: false, summary: "one", signals: ["trailer:ai-session"], sessions: [SessionReference(agent: "claude-code", id: "s1")],
            agent: "claude-code", model: nil, reverts: nil)
        change.commits = [StoredCommit(facts: facts, team: "payments", lines: 12)]
        change.actors = [LedgerActor(actor: "Ann@Acme.test", person: "ann@acme.test", team: "payments", bot: false)]
        #expect(try await ledger.apply(change, repository: repository, version: "t", started: Date()))
        let stored = try #require(try await ledger.state(repository: repository))
        #expect(stored.revision == 1 && stored.tips == ["c2"] && stored.usageMark == 7 && stored.settings == "s")
        let back = try await ledger.attribution(identity: identity)
        #expect(back?.deployments == change.deployments)
        #expect(back?.joins == change.joins)
        #expect(try await ledger.commits(repository: repository, ids: [c1]) == change.commits)
        #expect(try await ledger.commits(repository: repository, sessions: ["s1"]).map(\.id) == [c1])

        // A second run from the same revision loses to the first: nothing of it is written.
        var stale = AttributionChange(identity: identity, name: "acme/app", expectedRevision: 0, replacesAll: false, state: state)
        stale.joins = [.init(source: "jsonl", key: "k3", commit: c2, confidence: .inferred)]
        #expect(try await ledger.apply(stale, repository: repository, version: "t", started: Date()) == false)
        // From the current revision: a rollback marks d2, one record moves, one is no longer attributed.
        var next = AttributionChange(identity: identity, name: "acme/app", expectedRevision: 1, replacesAll: false, state: state)
        next.deployments = [
            .init(
                environment: "production", id: "d3", ref: "refs/tags/d3", commit: c1, time: Date(timeIntervalSince1970: 300), status: .success,
                kind: .rollback, shipped: [])
        ]
        next.rolledBack = [DeploymentKey(environment: "production", id: "d2")]
        next.joins = [.init(source: "jsonl", key: "k1", commit: c2, confidence: .inferred)]
        next.unjoined = [("jsonl", "k2")]
        next.lines = [c1: 13]
        #expect(try await ledger.apply(next, repository: repository, version: "t", started: Date()))
        let after = try #require(try await ledger.attribution(identity: identity))
        #expect(after.deployments.map(\.status) == [.success, .rolledBack, .success])
        #expect(after.joins == [.init(source: "jsonl", key: "k1", commit: c2, confidence: .inferred)])
        #expect(try await ledger.commits(repository: repository, ids: [c1]).first?.lines == 13)
        #expect(try await ledger.state(repository: repository)?.revision == 2)
        #expect(try await ledger.attribution(identity: "nowhere") == nil)
        await ledger.close()
    }

    @Test(arguments: ["0.25", "0", "12", "0.000001234", "-3.5", "1234567.000001", "0.1234567890123456789", "100000000000000000000000000001"])
    func amountsAreStoredAsExactText(_ text: String) throws {
        let amount = try #require(Decimal(string: text))
        #expect(Decimal(string: AmountText.text(amount)) == amount)
    }

    @Test func refusesFilesThatAreNotLedgersAndNewerLedgers() throws {
        let folder = ScratchDirectory()
        folder.write("text.sqlite", "this is not a database at all, just some text long enough to have a header\n")
        #expect { _ = try SQLiteLedger(path: folder.file("text.sqlite")) } throws: {
            ($0 as? LocalizedError)?.errorDescription?.contains("is not a SQLite database, so not a shipmeter ledger") == true
        }
        // Another application's SQLite database.
        try DatabaseQueue(path: folder.file("other.sqlite")).write { try $0.execute(sql: "CREATE TABLE notes (body TEXT)") }
        #expect { _ = try SQLiteLedger(path: folder.file("other.sqlite")) } throws: {
            ($0 as? LocalizedError)?.errorDescription?.contains("is not a shipmeter ledger") == true
        }
        // A ledger from a newer shipmeter.
        _ = try SQLiteLedger(path: folder.file("new.sqlite"))

        try DatabaseQueue(path: folder.file("new.sqlite")).write {
            try $0.execute(sql: "UPDATE shipmeter_meta SET value = '99' WHERE key = 'schema_version'")
        }
        #expect { _ = try SQLiteLedger(path: folder.file("new.sqlite")) } throws: {
            ($0 as? LocalizedError)?.errorDescription?.contains("newer shipmeter") == true
        }
    }

    /// A new ledger is made with 16 KiB pages (fewer page writes for a big ingest); one made
    /// with SQLite's default 4 KiB keeps it, and takes records as before.
    @Test func aNewLedgerHasLargePagesAndAnOlderOneKeepsItsOwn() async throws {
        let folder = ScratchDirectory()
        func pageSize(_ name: String) throws -> Int? {
            try DatabaseQueue(path: folder.file(name)).read { try Int.fetchOne($0, sql: "PRAGMA page_size") }
        }
        var batch = UsageBatch()
        batch.add(UsageRecord(source: "jsonl", key: "a", timestamp: Date(timeIntervalSince1970: 1_767_225_600), model: "m", input: 1, output: 1))
        let fresh = LedgerStore(try SQLiteLedger(path: folder.file("new.sqlite")))
        _ = try await fresh.ingest(batch, version: "t")
        await fresh.close()
        #expect(try pageSize("new.sqlite") == 16_384)

        let older = folder.file("older.sqlite")
        await LedgerStore(try SQLiteLedger(path: older)).close()
        try DatabaseQueue(path: older).inDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            try db.execute(sql: "PRAGMA page_size = 4096")
            try db.execute(sql: "VACUUM")
        }
        #expect(try pageSize("older.sqlite") == 4096)
        let reopened = LedgerStore(try SQLiteLedger(path: older))
        #expect(try await reopened.ingest(batch, version: "t") == .init(added: 1, alreadyPresent: 0))
        await reopened.close()
        #expect(try pageSize("older.sqlite") == 4096)
    }

    @Test(arguments: Backend.available)
    func concurrentIngestsEqualOneAfterTheOther(_ backend: Backend) async throws {
        let folder = ScratchDirectory()
        let usage = folder.file("usage.jsonl")
        var lines = [String]()
        for index in 0..<2000 {
            lines.append(
                #"{"timestamp":"2026-03-02T08:00:00Z","actor":"a\#(index % 7)@x.test","model":"claude-sonnet-4-5","input":\#(index),"output":1,"cache_write":0,"cache_read":0,"key":"k\#(index)"}"#
            )
        }
        folder.write("usage.jsonl", lines.joined(separator: "\n") + "\n")
        folder.write("half.jsonl", lines.prefix(1200).joined(separator: "\n") + "\n")
        let ledger = try backend.freshLocation(in: folder)
        // Two processes at once, overlapping records.
        let group = DispatchGroup()
        let results = ProcessResults()
        for file in [usage, folder.file("half.jsonl")] {
            group.enter()
            DispatchQueue.global().async {
                results.append(ShipmeterBinary.run(["ingest", file, "--ledger", ledger]))
                group.leave()
            }
        }
        group.wait()
        for result in results.all { #expect(result.status == 0, "\(result.stderr)") }
        let sequential = try backend.freshLocation(in: folder)
        ShipmeterBinary.run(["ingest", usage, "--ledger", sequential])
        ShipmeterBinary.run(["ingest", folder.file("half.jsonl"), "--ledger", sequential])
        let first = try await backend.open(ledger), second = try await backend.open(sequential)
        let a = try await first.batch(since: nil, until: nil).records.sorted { $0.key < $1.key }
        let b = try await second.batch(since: nil, until: nil).records.sorted { $0.key < $1.key }
        await first.close()
        await second.close()
        #expect(a.count == 2000)
        #expect(a == b)
    }
}

@Suite struct LedgerUpgradeTests {
    @Test(arguments: [1, 2])
    func aPreviousSchemaIsMigratedKeepingItsRecords(_ previous: Int) async throws {
        let folder = ScratchDirectory()
        let path = folder.file("old.sqlite")
        try Self.writeOldLedger(path, schema: previous)
        let ledger = LedgerStore(try SQLiteLedger(path: path))
        #expect(try await ledger.batch().records.map(\.key) == ["old-1"])
        let repository = try await ledger.repositoryID(identity: "example.test/app", name: "app")
        #expect(try await ledger.state(repository: repository) == nil)
        #expect(try await ledger.records(ingestedAfter: 0, through: ledger.usageMark()).map(\.record.key) == ["old-1"])
        #expect(try Self.schemaVersion(path) == String(SQLiteLedger.schemaVersion))
    }

    /// A ledger as an earlier version left it, with one record.
    static func writeOldLedger(_ path: String, schema: Int) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try SQLiteLedger.migrate(db, from: 0, through: schema) }
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO usage_records (source, key, timestamp, granularity, model, input, output, cache_write, cache_write_1h, cache_read)
                    VALUES ('jsonl', 'old-1', 1767225600, 'request', 'm', 1, 2, 3, 0, 4)
                    """)
        }
        try queue.close()
    }

    static func schemaVersion(_ path: String) throws -> String? {
        try DatabaseQueue(path: path).read { try String.fetchOne($0, sql: "SELECT value FROM shipmeter_meta WHERE key = 'schema_version'") }
    }
}

@Suite struct KilledRunTests {
    @Test(arguments: Backend.available)
    func aRunKilledMidwayLeavesTheLedgerWholeAndARerunCompletesIt(_ backend: Backend) async throws {
        let folder = ScratchDirectory()
        var text = ""
        text.reserveCapacity(30_000_000)
        for index in 0..<150_000 {
            text +=
                #"{"timestamp":"2026-03-02T08:00:00Z","actor":"a@x.test","model":"claude-sonnet-4-5","input":\#(index),"output":1,"cache_write":0,"cache_read":0,"key":"k\#(index)"}"#
                + "\n"
        }
        folder.write("big.jsonl", text)
        let location = try backend.freshLocation(in: folder)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ShipmeterBinary.path)
        process.arguments = ["ingest", folder.file("big.jsonl"), "--ledger", location]
        process.standardOutput = FileHandle.nullDevice
        // The run reports how far it has read (a line per redraw into the pipe); it is killed
        // once a third of the file is read — the first chunk is then being stored, in the one
        // transaction — or, on a machine fast enough to finish first, after it ends.
        var environment = ProcessInfo.processInfo.environment
        environment.merge(["SHIPMETER_PROGRESS": "always", "SHIPMETER_PROGRESS_AFTER": "0", "SHIPMETER_PROGRESS_EVERY": "0.01"]) { $1 }
        process.environment = environment
        let progress = Pipe()
        process.standardError = progress
        try process.run()
        var shown = ""
        while !Self.readPast(percent: 34, in: shown) {
            let data = progress.fileHandleForReading.availableData
            if data.isEmpty { break }  // it finished before reaching that point
            shown += String(decoding: data, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let ledger = try await backend.open(location)
        let afterKill = try await ledger.batch(since: nil, until: nil).records.count
        #expect(afterKill == 0 || afterKill == 150_000, "half-written: \(afterKill) records")
        await ledger.close()
        let rerun = ShipmeterBinary.run(["ingest", folder.file("big.jsonl"), "--ledger", location])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let reopened = try await backend.open(location)
        #expect(try await reopened.batch(since: nil, until: nil).records.count == 150_000)
        await reopened.close()
    }

    /// Whether an `ingesting usage: … (P%)` progress line with P ≥ `percent` has been shown.
    static func readPast(percent: Int, in shown: String) -> Bool {
        shown.split(separator: "\n").contains { line in
            guard line.hasPrefix("ingesting usage: "), let open = line.lastIndex(of: "("), let close = line.lastIndex(of: "%"), open < close,
                let value = Int(line[line.index(after: open)..<close])
            else { return false }
            return value >= percent
        }
    }
}
