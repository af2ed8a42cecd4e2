import Foundation
import Testing

@testable import Reporting

/// Documents are written in their coding keys' order, with every key present (an absent
/// optional is null), dictionaries by sorted key, and booleans never as numbers.
@Suite struct JSONDocumentEncoderTests {
    struct Sample: Encodable {
        var zeta = 1
        var alpha: String? = nil
        var flag = true
        var one = 1
        var sources = ["b": 2, "a": 1]
        var amount = Decimal(string: "0.10")!
        var items = [Item(name: "x")]

        struct Item: Encodable { var name: String }

        enum CodingKeys: String, CodingKey { case zeta, alpha, flag, one, sources, amount, items }
    }

    @Test func keysInSchemaOrderAbsentOptionalsNullDictionariesSorted() throws {
        let text = try JSONDocumentEncoder.serialized(Sample(), pretty: false)
        #expect(text == #"{"zeta":1,"alpha":null,"flag":true,"one":1,"sources":{"a":1,"b":2},"amount":0.1,"items":[{"name":"x"}]}"#)
    }

    @Test func theListingDocumentsWriteTheirSchema() throws {
        let commit = CommitsDocument.Commit(
            id: "abc", parents: [], authorName: "Ann", authorEmail: "ann@acme.test", authorTime: "2026-01-01T00:00:00Z",
            committerTime: "2026-01-01T00:00:00Z", summary: "s", trailers: [("AI-Session", "claude-code/s1")], filesChanged: 1, linesAdded: nil,
            linesDeleted: nil, effectiveLines: nil, aiSignals: [], aiLines: nil, aiLineSources: [:])
        let text = try JSONDocumentEncoder.serialized(CommitsDocument(commits: [commit]), pretty: false)
        #expect(
            text
                == #"{"schema_version":1,"commits":[{"id":"abc","parents":[],"author":{"name":"Ann","email":"ann@acme.test"},"author_time":"2026-01-01T00:00:00Z","committer_time":"2026-01-01T00:00:00Z","summary":"s","trailers":[{"key":"AI-Session","value":"claude-code/s1"}],"files_changed":1,"lines_added":null,"lines_deleted":null,"effective_lines":null,"ai_signals":[],"ai_lines":null,"ai_line_sources":{}}]}"#
        )
    }
}
