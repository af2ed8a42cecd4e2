import Foundation
import ShipmeterTestSupport
import Testing

@testable import Usage

/// Whatever a usage folder holds, reading it finishes with a clear note per oddity: never a
/// crash, never a hang.
@Suite struct HostileFolderTests {
    static let line = #"{"timestamp":"2026-01-01T00:00:00Z","model":"m","input":1,"output":1,"cache_write":0,"cache_read":0,"key":"KEY"}"#

    @Test func loopsDevicesBrokenLinksAndUndecodableNamesAreSkippedWithANote() throws {
        let folder = ScratchDirectory()
        folder.write("u/a.jsonl", Self.line.replacingOccurrences(of: "KEY", with: "a") + "\n")
        folder.write("u/empty.jsonl", "")
        folder.write("u/deep/b.jsonl", Self.line.replacingOccurrences(of: "KEY", with: "b") + "\n")
        let root = folder.file("u")
        try FileManager.default.createSymbolicLink(atPath: root + "/deep/up", withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: root + "/deep/absolute", withDestinationPath: root)
        try FileManager.default.createSymbolicLink(atPath: root + "/dangling.jsonl", withDestinationPath: folder.file("nowhere"))
        #expect(mkfifo(root + "/fifo.jsonl", 0o644) == 0)
        // A name that is not UTF-8 (Latin-1 "café").
        let latin1 = root + "/caf\u{FFFD}.jsonl"
        let raw = Array(root.utf8) + Array("/caf".utf8) + [0xE9] + Array(".jsonl".utf8) + [0]
        let fd = raw.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) { open($0, O_CREAT | O_WRONLY, 0o644) }
        }
        try #require(fd >= 0)
        close(fd)

        let (batch, notes) = try UsageLoader().load([root])
        #expect(batch.records.map(\.key).sorted() == ["a", "b"])
        #expect(notes.contains(.brokenLink(path: "\(root)/dangling.jsonl")))
        #expect(notes.contains(.notRegularFile(path: "\(root)/fifo.jsonl")))
        #expect(notes.contains(.undecodableName(path: latin1)))
        #expect(notes.filter(\.leftOut).count == 3, "\(notes)")
        #expect(notes.filter { if case .readOnce = $0 { true } else { false } }.count == 2, "\(notes)")

        // Named directly, a FIFO is an error, never a blocked open.
        #expect(throws: UsageError.self) { try UsageLoader().load([root + "/fifo.jsonl"]) }
    }

    /// Root reads everything, so this runs as an ordinary user only.
    @Test(.enabled(if: getuid() != 0, "root can read a folder with no permissions"))
    func unreadableFoldersAndFilesAreSkippedWithANote() throws {
        let folder = ScratchDirectory()
        folder.write("u/a.jsonl", Self.line.replacingOccurrences(of: "KEY", with: "a") + "\n")
        folder.write("u/closed/b.jsonl", Self.line.replacingOccurrences(of: "KEY", with: "b") + "\n")
        folder.write("u/locked.jsonl", Self.line.replacingOccurrences(of: "KEY", with: "c") + "\n")
        chmod(folder.file("u/closed"), 0)
        chmod(folder.file("u/locked.jsonl"), 0)
        defer { chmod(folder.file("u/closed"), 0o755) }
        let (batch, notes) = try UsageLoader().load([folder.file("u")])
        #expect(batch.records.map(\.key) == ["a"])
        #expect(notes.contains { if case .unreadable(folder.file("u/closed"), _) = $0 { true } else { false } }, "\(notes)")
        #expect(notes.contains { if case .unreadable(folder.file("u/locked.jsonl"), _) = $0 { true } else { false } }, "\(notes)")
    }

    @Test func aFileThatVanishesAfterTheFolderIsListedIsSkipped() throws {
        let folder = ScratchDirectory()
        folder.write("u/a.jsonl", Self.line.replacingOccurrences(of: "KEY", with: "a") + "\n")
        let gone = folder.file("u/gone.jsonl")
        var batch = UsageBatch()
        var otel = OTelReader()
        #expect(throws: UsageError.self) { try UsageLoader().read(gone, as: .jsonl, into: &batch, otel: &otel) }
        // Through a folder: listed, then removed before it is read.
        folder.write("u/gone.jsonl", Self.line.replacingOccurrences(of: "KEY", with: "g") + "\n")
        let walk = FolderWalk(folder.file("u"), suffixes: UsageLoader.suffixes)
        #expect(walk.files.count == 2)
        try FileManager.default.removeItem(atPath: gone)
        let (loaded, notes) = try UsageLoader().load([folder.file("u")])
        #expect(loaded.records.map(\.key) == ["a"])
        #expect(notes.isEmpty, "a file gone before the walk is simply not there: \(notes)")
    }

    @Test func aFolderOfTenThousandSmallFilesIsReadWhole() throws {
        let folder = ScratchDirectory()
        for index in 0..<10_000 {
            folder.write("u/\(index % 100)/\(index).jsonl", Self.line.replacingOccurrences(of: "KEY", with: "k\(index)") + "\n")
        }
        let (batch, notes) = try UsageLoader().load([folder.file("u")])
        #expect(batch.records.count == 10_000)
        #expect(batch.filesRead == 10_000)
        #expect(notes.isEmpty)
    }
}

/// Inputs the fuzzers found (Tests/FuzzCorpus keeps them for `scripts/fuzz` too).
@Suite struct FuzzFindingTests {
    static func load(_ name: String) throws -> Data {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let folder = here.appendingPathComponent("FuzzCorpus/\(name)")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix("crash-") })
        return try Data(contentsOf: folder.appendingPathComponent(file))
    }

    /// An OpenCode message created 10^120 ms after 1970 trapped converting the time to
    /// milliseconds; such a record is now a malformed line.
    @Test func anOpenCodeTimeBeyondAnyClockIsMalformed() throws {
        let folder = ScratchDirectory()
        folder.write("msg_1.json", try Self.load("usage-opencode"))
        let (batch, _) = try UsageLoader(format: .opencode).load([folder.file("msg_1.json")])
        #expect(batch.records.isEmpty)
        #expect(batch.malformedCount == 1)
        // The same with sound token counts: the time alone makes it malformed.
        folder.write(
            "msg_2.json",
            #"{"id":"msg_cadfd8900001AbCdEfGhIjKlMn","sessionID":"ses_a","role":"assistant","modelID":"m","time":{"created":1e120},"tokens":{"input":50,"output":7,"reasoning":0,"cache":{"read":0,"write":0}}}"#
        )
        let (clean, _) = try UsageLoader(format: .opencode).load([folder.file("msg_2.json")])
        #expect(clean.records.isEmpty)
        #expect(clean.malformed.first?.reason.contains("a time outside 1970–9999") == true, "\(clean.malformed)")
    }

    /// An OTLP metric point with a time or a value too large for 64 bits trapped likewise.
    @Test func anOTelPointBeyondSixtyFourBitsIsSkipped() throws {
        let folder = ScratchDirectory()
        folder.write("otel-metrics.json", try Self.load("usage-otel"))
        let (batch, _) = try UsageLoader(format: .otel).load([folder.file("otel-metrics.json")])
        #expect(batch.records.allSatisfy { $0.timestamp.timeIntervalSince1970 < 253_402_300_800 })
        let huge =
            #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"claude_code.token.usage","sum":{"aggregationTemporality":1,"dataPoints":[{"attributes":[{"key":"type","value":{"stringValue":"input"}}],"timeUnixNano":"1772442000000000000","asDouble":1e300},{"attributes":[{"key":"type","value":{"stringValue":"input"}}],"timeUnixNano":"1e300","asDouble":5}]}}]}]}]}"#
        folder.write("huge.json", huge)
        let (hugeBatch, _) = try UsageLoader(format: .otel).load([folder.file("huge.json")])
        #expect(hugeBatch.records.isEmpty)
        #expect(hugeBatch.malformedCount == 2, "\(hugeBatch.malformed)")
    }
}
