import Foundation
import ShipmeterTestSupport
import Testing

/// `usage`: its JSON and CSV, strict mode.
@Suite struct UsageCommandTests: JSONReading {
    @Test func usageJSONShapeAndStrictMode() throws {
        let folder = ScratchDirectory()
        folder.write(
            "u.jsonl",
            """
            {"timestamp":"2026-03-02T08:00:00Z","actor":"a@x.test","session":"s1","model":"claude-sonnet-4-5","input":10,"output":100,"cache_write":1000,"cache_read":5000}
            {"timestamp":"2026-03-03T08:00:00Z","actor":"a@x.test","session":"s2","model":"gpt-5","input":1,"output":2,"cache_write":0,"cache_read":3,"cost_usd":1.5}
            not json

            """)
        let result = ShipmeterBinary.run(["usage", folder.file("u.jsonl"), "--by", "day", "--format", "json"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("skipped 1 malformed line; first: \(folder.file("u.jsonl")):3"))
        let document = try json(result.stdout)
        let totals = try #require(document["totals"] as? [String: Any])
        #expect(totals["records"] as? Int == 2)
        #expect(totals["input"] as? Int == 11)
        #expect(totals["output"] as? Int == 102)
        #expect(totals["cache_write"] as? Int == 1000)
        #expect(totals["cache_read"] as? Int == 5003)
        #expect(totals["total"] as? Int == 6116)
        // claude-sonnet-4-5: 10×3 + 100×15 + 1000×3.75 + 5000×0.3 per million = 0.00678; plus 1.5 given.
        #expect(abs((totals["cost_usd"] as? Double ?? 0) - 1.50678) < 1e-9)
        #expect(document["skipped_lines"] as? Int == 1)
        let groups = try #require(document["groups"] as? [[String: Any]])
        #expect(groups.map { $0["key"] as? String } == ["2026-03-02", "2026-03-03"])

        let strict = ShipmeterBinary.run(["usage", folder.file("u.jsonl"), "--strict"])
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("--strict"))

        let csv = ShipmeterBinary.run(["usage", folder.file("u.jsonl"), "--by", "model", "--format", "csv"])
        #expect(csv.stdout.hasPrefix("key,records,input,output,cache_write,cache_read,total,cost_usd\r\n"))
    }
}
